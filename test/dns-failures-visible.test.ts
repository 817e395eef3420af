// Issue 11, case 6: a failover that could not be made because the read failed leaves an audit entry.
import test from 'ava';
import type { CloudAccount, ManagedService } from '../src/model.js';
import type { AuditEntry } from '../src/dns/apply.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { startAlidnsEmulator } from './emulators/alidns.js';

const fast = { sleep: async () => {}, random: () => 0 };
const service: ManagedService = { serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 };

async function world(t: import('ava').ExecutionContext) {
  const ali = await startAlidnsEmulator({ credentials: { LTAI5tVisible0001: 'right-secret' }, domains: ['example.com'] });
  t.teardown(ali.close);
  ali.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  const accounts: CloudAccount[] = [{ platformProvider: 'Ali', accessKey: 'LTAI5tVisible0001', accessSecret: 'wrong-secret', endpoint: ali.endpoint }];
  const input: ReconcileInput = { nodeCode: 'node-b', services: [service], cloudAccounts: accounts, serve: new Map([['www', [{ line: 'CT', family: 'ipv4', takeover: true, owner: 'node-a' }]]]), ips: { ipv4: '2.2.2.2' } };
  return { ali, input };
}

test('a takeover blocked by a failed read is audited as a failed change naming the read error (secret-free)', async (t) => {
  const { ali, input } = await world(t);
  const audit: AuditEntry[] = [];
  const report = await reconcile(input, { ...fast, audit: (e) => audit.push(e), providerFor: cachedProviderFactory() });
  t.is(report.rows[0]!.reason, 'not-read');
  t.is(audit.length, 1);
  t.like(audit[0], { fqdn: 'www.example.com', type: 'A', line: 'CT', oldValue: null, newValue: '2.2.2.2', outcome: 'failed' });
  t.regex(audit[0]!.error ?? '', /^not written: the read failed: .*rejected access key LTAI\*+0001 \(SignatureDoesNotMatch\)/);
  t.false((audit[0]!.error ?? '').includes('wrong-secret'));
  t.is(ali.writes(), 0);
});

test('a steady-state pass whose read fails audits nothing (nothing was planned to change)', async (t) => {
  const { input } = await world(t);
  const audit: AuditEntry[] = [];
  await reconcile({ ...input, serve: new Map([['www', [{ line: 'CT', family: 'ipv4' }]]]) }, { ...fast, audit: (e) => audit.push(e), providerFor: cachedProviderFactory() });
  t.is(audit.length, 0);
});
