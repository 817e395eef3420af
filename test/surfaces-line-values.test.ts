// What the status page says about each record this node serves, from one reconcile report.
import test from 'ava';
import { planStateServing } from '../src/cluster/serving.js';
import type { Change, NodeIps } from '../src/dns/plan.js';
import { serviceRows, withResults } from '../src/dns/plan-rows.js';
import type { DnsRecord } from '../src/dns/provider.js';
import type { ReconcileReport } from '../src/dns/reconcile.js';
import { LineValues } from '../src/node/line-values.js';
import type { ClusterState } from '../src/model.js';

const state: ClusterState = {
  version: 1,
  term: 0,
  nodes: [{ nodeCode: 'me', nodeName: 'Me', nodeAddress: 'http://127.0.0.1:1', workMode: 'leader', secret: 'x'.repeat(12), isps: ['default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea'], networkType: 'Both', statusCode: 200, watchDog: new Date().toISOString() }],
  services: [{ serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 }],
  cloudAccounts: [],
  notifiers: [],
};
// The pass's rows come from the serving plan it applied: `me` serves every slot of www.
const serving = planStateServing(state, new Set(['me']), 'me');
const base = { service: 'www', provider: 'Ali', domain: 'example.com', record: 'www', fqdn: 'www.example.com' };
const v4 = { ...base, type: 'A' as const, family: 'ipv4' as const };
const rec = (id: string, value: string, line: DnsRecord['line'], enabled = true): DnsRecord => ({ id, name: 'www.example.com', type: 'A', line, providerLine: String(line), value, ttl: 600, enabled });

function report(ips: NodeIps, changes: Change[], results: ReconcileReport['results'] = [], errors: ReconcileReport['errors'] = []): ReconcileReport {
  const unread = errors.some((e) => e.stage !== 'apply');
  const rows = serving.services.flatMap((s) => serviceRows(s.service, s.mine, ips, unread ? null : changes));
  return { dryRun: false, changes, rows: withResults(rows, results), results, errors, calls: {}, counts: { update: 0, create: 0, missing: 0, duplicate: 0, skip: 0, 'no-ip': 0, unsupported: 0, written: 0, failed: 0 }, refused: null, standIn: null };
}

test('each served line gets its value and how it is known', (t) => {
  const written: Change = { ...v4, line: 'CT', kind: 'update', target: rec('1', '198.51.100.1', 'CT'), oldValue: '198.51.100.1', newValue: '203.0.113.10' };
  const failed: Change = { ...v4, line: 'CU', kind: 'update', target: rec('2', '198.51.100.2', 'CU'), oldValue: '198.51.100.2', newValue: '203.0.113.10' };
  const missing: Change = { ...v4, line: 'CMCC', kind: 'missing', newValue: '203.0.113.10' };
  const disabled: Change = { ...v4, line: 'CNEdu', kind: 'skip', target: rec('3', '198.51.100.3', 'CNEdu', false), reason: 'disabled' };
  const dup: Change = { ...v4, line: 'OverSea', kind: 'duplicate', kept: rec('4', '203.0.113.10', 'OverSea'), extras: [rec('5', '198.51.100.5', 'OverSea')] };
  const noV6: Change = { ...base, type: 'AAAA', family: 'ipv6', kind: 'no-ip', lines: ['default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea'], reason: 'unknown' };
  const lv = new LineValues();
  lv.observe(
    report({ ipv4: '203.0.113.10', ipv6: null }, [written, failed, missing, disabled, dup, noV6], [
      { change: written as Extract<Change, { kind: 'update' }>, outcome: 'ok', attempts: 1 },
      { change: failed as Extract<Change, { kind: 'update' }>, outcome: 'failed', attempts: 5, error: 'Throttling' },
    ]),
    new Date(),
  );
  const at = (line: Parameters<LineValues['get']>[1], family: 'ipv4' | 'ipv6' = 'ipv4') => {
    const v = lv.get('www', line, family);
    return v && { value: v.value, state: v.state };
  };
  t.deepEqual(at('default'), { value: '203.0.113.10', state: 'in-sync' });
  t.deepEqual(at('CT'), { value: '203.0.113.10', state: 'written' });
  t.deepEqual(at('CU'), { value: '198.51.100.2', state: 'write-failed' });
  t.deepEqual(at('CMCC'), { value: null, state: 'missing' });
  t.deepEqual(at('CNEdu'), { value: '198.51.100.3', state: 'disabled' });
  t.deepEqual(at('OverSea'), { value: '203.0.113.10', state: 'duplicate' });
  t.deepEqual(at('CT', 'ipv6'), { value: null, state: 'no-address' });
});

test('a service whose records could not be read is "not read", and a later run replaces what was known', (t) => {
  const lv = new LineValues();
  lv.observe(report({ ipv4: '203.0.113.10' }, [], [], [{ service: 'www', provider: 'Ali', stage: 'list', message: 'Ali rejected access key LTAI****0001' }]), new Date());
  t.is(lv.get('www', 'CT', 'ipv4')?.state, 'not-read');
  t.is(lv.get('www', 'CT', 'ipv4')?.value, null);
  lv.observe(report({ ipv4: '203.0.113.11' }, []), new Date());
  t.deepEqual({ ...lv.get('www', 'CT', 'ipv4'), at: undefined }, { value: '203.0.113.11', state: 'in-sync', at: undefined });
});

test('a dry run shows what the record holds and that it would change', (t) => {
  const change: Change = { ...v4, line: 'CT', kind: 'update', target: rec('1', '198.51.100.1', 'CT'), oldValue: '198.51.100.1', newValue: '203.0.113.10' };
  const lv = new LineValues();
  lv.observe({ ...report({ ipv4: '203.0.113.10' }, [change]), dryRun: true }, new Date());
  t.deepEqual({ value: lv.get('www', 'CT', 'ipv4')?.value, state: lv.get('www', 'CT', 'ipv4')?.state }, { value: '198.51.100.1', state: 'would-change' });
});
