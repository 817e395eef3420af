// The whole DNS flow against both emulators through the real SDKs.
import test from 'ava';
import type { CloudAccount, ManagedService } from '../src/model.js';
import type { AuditEntry } from '../src/dns/apply.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { formatPlan, reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { startAlidnsEmulator, type AlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator, type DnspodEmulator } from './emulators/dnspod.js';

const ALI_KEY = 'LTAI5tReconcile01';
const ALI_SECRET = 'ali-reconcile-secret';
const DP_KEY = 'AKIDreconcile00001';
const DP_SECRET = 'dp-reconcile-secret';

const svc = (name: string, over: Partial<ManagedService>): ManagedService => ({
  serviceName: name,
  domain: 'example.com',
  record: name,
  platformProvider: 'Ali',
  nodes: [],
  allowCreate: false,
  ttl: 600,
  ...over,
});

interface World {
  ali: AlidnsEmulator;
  dp: DnspodEmulator;
  input: ReconcileInput;
}

async function world(t: import('ava').ExecutionContext): Promise<World> {
  const ali = await startAlidnsEmulator({ credentials: { [ALI_KEY]: ALI_SECRET }, domains: ['example.com'] });
  const dp = await startDnspodEmulator({ credentials: { [DP_KEY]: DP_SECRET }, domains: ['example.net'] });
  t.teardown(ali.close);
  t.teardown(dp.close);
  // Alidns: www on three lines (CT, CMCC ours; CU someone else's), AAAA on CT; a trap at b.www.
  ali.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  ali.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'mobile' });
  ali.seed({ domain: 'example.com', rr: 'www', value: '9.9.9.9', line: 'unicom' });
  ali.seed({ domain: 'example.com', rr: 'www', type: 'AAAA', value: '2001:db8::1', line: 'telecom' });
  ali.seed({ domain: 'example.com', rr: 'b.www', value: '7.7.7.7', line: 'telecom' });
  // DNSPod: apex on 电信 and 默认; api has no record yet and allows creation.
  dp.seed({ domain: 'example.net', rr: '@', value: '1.1.1.1', line: '电信' });
  dp.seed({ domain: 'example.net', rr: '@', value: '1.1.1.1', line: '默认' });
  const accounts: CloudAccount[] = [
    { platformProvider: 'aliyun', accessKey: ALI_KEY, accessSecret: ALI_SECRET, endpoint: ali.endpoint },
    { platformProvider: 'Tencent', accessKey: DP_KEY, accessSecret: DP_SECRET, endpoint: dp.endpoint },
  ];
  const services = [
    svc('www', {}),
    svc('apex', { domain: 'example.net', record: '@', platformProvider: 'DNSPod' }),
    svc('api', { domain: 'example.net', record: 'api', platformProvider: 'dnspod', allowCreate: true }),
  ];
  const serve: Assignments = new Map([
    ['www', [{ line: 'CT', family: 'ipv4' }, { line: 'CMCC', family: 'ipv4' }, { line: 'CT', family: 'ipv6' }]],
    ['apex', [{ line: 'CT', family: 'ipv4' }, { line: 'default', family: 'ipv4' }]],
    ['api', [{ line: 'CT', family: 'ipv4' }]],
  ]);
  return {
    ali,
    dp,
    input: { nodeCode: 'node-a', services, cloudAccounts: accounts, serve, ips: { ipv4: '2.2.2.2', ipv6: '2001:db8::2' } },
  };
}

const fast = { sleep: async () => {}, random: () => 0 };

test('after one reconcile every served line holds the node address; a second reconcile writes nothing', async (t) => {
  const { ali, dp, input } = await world(t);
  const audit: AuditEntry[] = [];
  const deps = { ...fast, providerFor: cachedProviderFactory(), audit: (e: AuditEntry) => void audit.push(e) };

  const first = await reconcile(input, deps);
  t.deepEqual(first.errors, []);
  t.is(first.counts.update, 5);
  t.is(first.counts.create, 1);
  t.is(first.counts.written, 6);
  t.is(audit.length, 6);
  t.true(audit.every((e) => e.outcome === 'ok' && e.nodeCode === 'node-a'));

  t.is(ali.records({ rr: 'www', line: 'telecom', type: 'A' })[0]?.value, '2.2.2.2');
  t.is(ali.records({ rr: 'www', line: 'mobile' })[0]?.value, '2.2.2.2');
  t.is(ali.records({ rr: 'www', line: 'telecom', type: 'AAAA' })[0]?.value, '2001:db8::2');
  t.is(ali.records({ rr: 'www', line: 'unicom' })[0]?.value, '9.9.9.9', 'a line the node does not serve is untouched');
  t.is(ali.records({ rr: 'b.www' })[0]?.value, '7.7.7.7', 'a longer name is untouched');
  t.is(dp.records({ rr: '@', type: 'A', line: '电信' })[0]?.value, '2.2.2.2');
  t.is(dp.records({ rr: '@', type: 'A', line: '默认' })[0]?.value, '2.2.2.2');
  t.is(dp.records({ rr: 'api', line: '电信' })[0]?.value, '2.2.2.2');
  // Two DNSPod services in example.net: one zone listing serves both.
  t.deepEqual(first.calls, { Ali: { reads: 1, writes: 3 }, DNSPod: { reads: 1, writes: 3 } });

  const aliWrites = ali.writes();
  const dpWrites = dp.writes();
  const second = await reconcile(input, deps);
  t.deepEqual(second.changes, []);
  t.deepEqual(second.errors, []);
  t.is(ali.writes(), aliWrites, 'no Alidns write in steady state');
  t.is(dp.writes(), dpWrites, 'no DNSPod write in steady state');
  t.is(dp.noopWrites(), 0);
  t.deepEqual(second.calls, { Ali: { reads: 1, writes: 0 }, DNSPod: { reads: 1, writes: 0 } });
  t.is(audit.length, 6);
});

test('a dry run lists the plan and makes zero writes', async (t) => {
  const { ali, dp, input } = await world(t);
  const report = await reconcile({ ...input, dryRun: true }, fast);
  t.true(report.dryRun);
  t.is(report.changes.filter((c) => c.kind === 'update' || c.kind === 'create').length, 6);
  t.deepEqual(report.results, []);
  t.is(ali.writes() + dp.writes(), 0);
  t.is(ali.records({ rr: 'www', line: 'telecom', type: 'A' })[0]?.value, '1.1.1.1');

  const text = formatPlan(report.changes);
  t.regex(text, /\* Ali\n/);
  t.regex(text, /\* DNSPod\n/);
  t.regex(text, /www\.example\.com \(service www\)/);
  t.regex(text, /Update +A +CT +1\.1\.1\.1 -> 2\.2\.2\.2/);
  t.regex(text, /Update +AAAA +CT +2001:db8::1 -> 2001:db8::2/);
  t.regex(text, /Create +A +CT +2\.2\.2\.2 \(ttl 600\)/);
  t.regex(text, /Summary: Updates=3, Creates=0/);
});

test('one provider rejecting its credentials does not stop the other; the error names the masked key', async (t) => {
  const { ali, dp, input } = await world(t);
  const accounts = input.cloudAccounts.map((a) => (a.platformProvider === 'aliyun' ? { ...a, accessSecret: 'bad-secret-zzz' } : a));
  const report = await reconcile({ ...input, cloudAccounts: accounts }, fast);
  t.is(ali.writes(), 0);
  t.is(dp.writes(), 3);
  t.is(report.errors.length, 1);
  const [err] = report.errors;
  t.like(err, { service: 'www', provider: 'Ali', stage: 'list', code: 'SignatureDoesNotMatch', auth: true });
  t.regex(err!.message, /LTAI\*\*\*\*le01/);
  t.false(JSON.stringify(report).includes('bad-secret-zzz'));
  t.false(JSON.stringify(report).includes(ALI_SECRET));
});

test('a service with an unknown provider or without an account is reported and the rest proceed', async (t) => {
  const { dp, input } = await world(t);
  const report = await reconcile(
    {
      ...input,
      services: [...input.services, svc('cf', { platformProvider: 'Route53' })],
      cloudAccounts: input.cloudAccounts.filter((a) => a.platformProvider !== 'aliyun'),
      serve: new Map([...input.serve, ['cf', [{ line: 'default', family: 'ipv4' }]]]),
    },
    fast,
  );
  t.deepEqual(
    report.errors.map((e) => [e.service, e.stage]),
    [
      ['www', 'account'],
      ['cf', 'account'],
    ],
  );
  t.regex(report.errors[1]!.message, /unknown DNS provider "Route53"/);
  t.is(dp.writes(), 3);
});

test('throttling during a reconcile is absorbed by retries', async (t) => {
  const { ali, dp, input } = await world(t);
  ali.faults.throttleNext(2);
  dp.faults.throttleNext(1);
  const report = await reconcile(input, { ...fast, concurrency: 1 });
  t.deepEqual(report.errors, []);
  t.is(report.counts.written, 6);
  t.is(report.calls.Ali!.reads, 3, 'the throttled listing was retried');
  t.is(ali.records({ rr: 'www', line: 'mobile' })[0]?.value, '2.2.2.2');
  t.is(dp.records({ rr: 'api' })[0]?.value, '2.2.2.2');
});

test('without an address for a family nothing of that family is written', async (t) => {
  const { ali, input } = await world(t);
  const report = await reconcile({ ...input, ips: { ipv6: '2001:db8::2' } }, fast);
  t.is(report.counts['no-ip'], 3);
  t.is(report.counts.written, 1);
  t.is(ali.records({ rr: 'www', line: 'telecom', type: 'A' })[0]?.value, '1.1.1.1');
  t.is(ali.records({ rr: 'www', type: 'AAAA' })[0]?.value, '2001:db8::2');
  t.regex(formatPlan(report.changes), /NoAddress A +CT,CMCC: no known IPv4 address; nothing written/);
});

test('an empty plan renders as a single reassuring line', (t) => {
  t.is(formatPlan([]), "No changes: every served record already holds this node's address.\n");
});

test('an owner does not take back a drifted record on a slot most probers fail right now; a suspect slot of another service or line does not hold it back', async (t) => {
  const { ali } = await startAli(t);
  const services = [svc('www', {})];
  const accounts: CloudAccount[] = [{ platformProvider: 'Ali', accessKey: ALI_KEY, accessSecret: ALI_SECRET, endpoint: ali.endpoint }];
  const serve: Assignments = new Map([['www', [{ line: 'CT', family: 'ipv4' }]]]);
  // The node held CT at its last pass; a stand-in has since written its own address there.
  const known = { held: new Map([['www', [{ line: 'CT' as const, family: 'ipv4' as const }]]]), addresses: { ipv4: ['2.2.2.2'], ipv6: [] } };
  const input: ReconcileInput = { nodeCode: 'node-a', services, cloudAccounts: accounts, serve, ips: { ipv4: '2.2.2.2' }, known };
  const deps = { ...fast, providerFor: cachedProviderFactory() };

  const deferred = await reconcile({ ...input, suspect: [{ service: 'www', line: 'CT', family: 'ipv4' }] }, deps);
  t.deepEqual(deferred.rows.map((r) => [r.line, r.action, r.reason, r.current]), [['CT', 'skip', 'suspect', '5.5.5.5']]);
  t.is(ali.records({ rr: 'www', line: 'telecom' })[0]?.value, '5.5.5.5', 'left to the stand-in');
  t.is(ali.writes(), 0);
  // A suspect slot of another service, or another line, changes nothing here.
  const other = await reconcile({ ...input, suspect: [{ service: 'api', line: 'CT', family: 'ipv4' }, { service: 'www', line: 'CU', family: 'ipv4' }] }, { ...fast, providerFor: cachedProviderFactory() });
  t.deepEqual(other.rows.map((r) => [r.action, r.reason, r.result?.outcome]), [['update', 'drift', 'ok']]);
  t.is(ali.records({ rr: 'www', line: 'telecom' })[0]?.value, '2.2.2.2');
});

async function startAli(t: import('ava').ExecutionContext): Promise<{ ali: AlidnsEmulator }> {
  const ali = await startAlidnsEmulator({ credentials: { [ALI_KEY]: ALI_SECRET }, domains: ['example.com'] });
  t.teardown(ali.close);
  ali.seed({ domain: 'example.com', rr: 'www', value: '5.5.5.5', line: 'telecom' });
  return { ali };
}
