// The planner and the plan text for providers without every line (Cloudflare, Volcengine) and with
// records we must leave alone (Huawei multi-value record sets).
import test from 'ava';
import type { Family, LineCode, ManagedService } from '../src/model.js';
import { countChanges, planChanges, type Change } from '../src/dns/plan.js';
import type { DnsRecord } from '../src/dns/provider.js';
import { formatPlan } from '../src/dns/reconcile.js';

const service = (platformProvider: string, over: Partial<ManagedService> = {}): ManagedService => ({
  serviceName: 'web',
  domain: 'example.com',
  record: 'www',
  platformProvider,
  nodes: [],
  allowCreate: true,
  ttl: 600,
  ...over,
});
const rec = (id: string, line: LineCode, over: Partial<DnsRecord> = {}): DnsRecord => ({
  id,
  name: 'www.example.com',
  type: 'A',
  line,
  providerLine: line,
  value: '1.1.1.1',
  ttl: 600,
  enabled: true,
  ...over,
});

function plan(provider: string, records: DnsRecord[], slots: [LineCode, Family][]): Change[] {
  const s = service(provider);
  return planChanges({
    services: [s],
    serve: new Map([[s.serviceName, slots.map(([line, family]) => ({ line, family }))]]),
    ips: { ipv4: '2.2.2.2', ipv6: '2001:db8::2' },
    records: new Map([[s.serviceName, records]]),
  });
}

test('Cloudflare: only the default line is planned; the other lines get a note, not an error and not a write', (t) => {
  const changes = plan('cf', [rec('a1', 'default')], [['default', 'ipv4'], ['CT', 'ipv4'], ['CU', 'ipv4'], ['CT', 'ipv6']]);
  t.deepEqual(
    changes.map((c) => [c.kind, c.type, 'line' in c ? c.line : '']),
    [
      ['unsupported', 'A', 'CT'],
      ['unsupported', 'A', 'CU'],
      ['update', 'A', 'default'],
      ['unsupported', 'AAAA', 'CT'],
    ],
  );
  t.is(countChanges(changes).unsupported, 3);
  const text = formatPlan(changes);
  t.regex(text, /Note +A +CT +Cloudflare has no CT line; not planned \(only default served through this provider\)/);
  t.regex(text, /Update +A +default +1\.1\.1\.1 -> 2\.2\.2\.2/);
  t.regex(text, /NoSuchLine=3/);
});

test('Volcengine: CNEdu (its CERNET value unconfirmed) is noted and never created; the other lines are planned', (t) => {
  const changes = plan('volc', [], [['CNEdu', 'ipv4'], ['CT', 'ipv4']]);
  t.deepEqual(
    changes.map((c) => [c.kind, 'line' in c ? c.line : '']),
    [
      ['unsupported', 'CNEdu'],
      ['create', 'CT'],
    ],
  );
  t.regex(formatPlan(changes), /Volcengine has no CNEdu line; not planned \(only default, CT, CU, CMCC, OverSea served/);
});

test('Huawei: a multi-value record set is left alone and reported; nothing is created next to it', (t) => {
  const multi = rec('ff01', 'CU', { value: '1.1.1.1,3.3.3.3', unmanaged: 'record set ff01 holds 2 values (1.1.1.1, 3.3.3.3); CocoaSyncer manages only record sets whose one value is ours' });
  const changes = plan('huawei', [multi, rec('ff02', 'CT')], [['CU', 'ipv4'], ['CT', 'ipv4']]);
  t.deepEqual(
    changes.map((c) => [c.kind, 'line' in c ? c.line : '', c.kind === 'skip' ? c.reason : '']),
    [
      ['update', 'CT', ''],
      ['skip', 'CU', 'unmanaged'],
    ],
  );
  t.regex(formatPlan(changes), /Skip +A +CU +left alone: record set ff01 holds 2 values \(1\.1\.1\.1, 3\.3\.3\.3\)/);
});

test('Huawei serves every line: nothing is noted as unsupported', (t) => {
  const all: [LineCode, Family][] = [['default', 'ipv4'], ['CT', 'ipv4'], ['CU', 'ipv4'], ['CMCC', 'ipv4'], ['CNEdu', 'ipv4'], ['OverSea', 'ipv4']];
  t.is(countChanges(plan('Huawei', [], all)).unsupported, 0);
  t.is(countChanges(plan('Huawei', [], all)).create, 6);
});
