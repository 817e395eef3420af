// Issue 11, case 9: TTL honesty. Each record's TTL and the failover bound users see
// (FailAfterSeconds + DnsSyncSeconds + TTL) are shown, with a warning when the TTL is far above
// FailAfterSeconds; `service set --ttl` brings existing records to the TTL too, and a TTL under the
// plan's minimum is handled as in case 1 (raised once to the minimum, or remembered as refused).
// Against the Alidns and DNSPod emulators, each with the free plan's 600 s minimum.
import test, { type ExecutionContext } from 'ava';
import type { CloudAccount, ClusterState, ManagedService } from '../src/model.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { formatPlan, reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { formatTtls, recordTtls, ttlBound, TTL_WARN_FACTOR } from '../src/dns/ttl-bound.js';
import { setService } from '../src/cluster/edits.js';
import { startAlidnsEmulator, type AlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator, type DnspodEmulator } from './emulators/dnspod.js';
import { AdminClient } from '../src/cli/admin-client.js';
import type { DnsPlanReply } from '../src/api/contract.js';
import { startTestNode } from './helpers/node.js';
import { service } from './helpers/fixtures.js';

const fast = { sleep: async () => {}, random: () => 0 };
const timing = { failAfterSeconds: 15, syncSeconds: 60 };

const svc = (over: Partial<ManagedService> = {}): ManagedService => service(over);

/** The service after `service set www --ttl N` (the leader's edit). */
function afterSetTtl(service: ManagedService, ttl: number): ManagedService {
  const state: ClusterState = { version: 1, term: 0, nodes: [], services: [service], cloudAccounts: [], notifiers: [] };
  return setService(state, service.serviceName, { ttl }).services[0]!;
}

async function ali(t: ExecutionContext, service: ManagedService): Promise<{ emu: AlidnsEmulator; input: ReconcileInput }> {
  const emu = await startAlidnsEmulator({ credentials: { LTAI5tTtlBound0001: 'ttl-secret' }, domains: ['example.com'], minTtl: 600 });
  t.teardown(emu.close);
  const accounts: CloudAccount[] = [{ platformProvider: 'Ali', accessKey: 'LTAI5tTtlBound0001', accessSecret: 'ttl-secret', endpoint: emu.endpoint }];
  const serve: Assignments = new Map([['www', [{ line: 'default', family: 'ipv4' }]]]);
  return { emu, input: { nodeCode: 'node-a', services: [service], cloudAccounts: accounts, serve, ips: { ipv4: '2.2.2.2' } } };
}

test('the failover bound is FailAfterSeconds + DnsSyncSeconds + TTL, warned about when the TTL is more than 4 x FailAfterSeconds', (t) => {
  t.is(TTL_WARN_FACTOR, 4);
  t.deepEqual(ttlBound(60, timing), { ttl: 60, boundSeconds: 135, warning: null });
  const far = ttlBound(600, timing);
  t.is(far.boundSeconds, 675);
  t.regex(far.warning ?? '', /TTL 600 s is far above FailAfterSeconds 15 s: resolvers may keep a dead site's address up to 675 s/);
  t.is(ttlBound(61, timing).warning === null, false);
});

test('dns plan shows each record\'s TTL and bound; a record at 600 s on a 15 s failover is warned about', async (t) => {
  const { emu, input } = await ali(t, svc());
  emu.seed({ domain: 'example.com', rr: 'www', value: '2.2.2.2', line: 'default', ttl: 600 });
  const plan = await reconcile({ ...input, dryRun: true }, fast);
  t.deepEqual(plan.rows.map((r) => [r.action, r.ttl]), [['keep', 600]]);
  const records = recordTtls(plan.rows, timing);
  t.deepEqual(records.map((r) => [r.fqdn, r.type, r.line, r.ttl, r.boundSeconds]), [['www.example.com', 'A', 'default', 600, 675]]);
  t.regex(formatTtls(records, timing), /www\.example\.com A default: ttl 600 s, clients move within 675 s\n {4}warning: TTL 600 s is far above FailAfterSeconds 15 s/);
});

test('without service set --ttl an existing record keeps its own TTL: nothing is written for it', async (t) => {
  const { emu, input } = await ali(t, svc({ ttl: 600 }));
  emu.seed({ domain: 'example.com', rr: 'www', value: '2.2.2.2', line: 'default', ttl: 1200 });
  const report = await reconcile(input, fast);
  t.is(report.counts.written, 0);
  t.is(emu.writes(), 0);
  t.deepEqual(report.rows.map((r) => r.ttl), [1200]);
});

test('service set --ttl 600 brings an existing record on the right address to TTL 600 with one write, then nothing', async (t) => {
  const { emu, input } = await ali(t, afterSetTtl(svc(), 600));
  t.true(input.services[0]!.enforceTtl);
  emu.seed({ domain: 'example.com', rr: 'www', value: '2.2.2.2', line: 'default', ttl: 1200 });
  const plan = await reconcile({ ...input, dryRun: true }, fast);
  t.deepEqual(plan.rows.map((r) => [r.action, r.reason]), [['update', 'ttl']]);
  t.regex(formatPlan(plan.changes, plan.rows), /TTL\s+A\s+default 2\.2\.2\.2 \(record \d+, ttl 1200 -> 600\)/);
  const first = await reconcile(input, fast);
  t.is(first.counts.written, 1);
  t.deepEqual(emu.records({ rr: 'www' }).map((r) => [r.value, r.ttl]), [['2.2.2.2', 600]]);
  const second = await reconcile(input, fast);
  t.is(second.counts.written, 0);
  t.is(emu.calls.get('UpdateDomainRecord'), 1);
});

test('service set --ttl 60 on a plan whose minimum is 600: a failover write is sent again at 600; the TTL-only write is refused once and not re-sent', async (t) => {
  const { emu, input } = await ali(t, afterSetTtl(svc(), 60));
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'default', ttl: 600 });
  // The address moves and the TTL is asked for: QuotaExceeded.TTL, then the same write at 600.
  const first = await reconcile(input, fast);
  t.is(first.counts.written, 1);
  t.regex(first.results[0]!.note ?? '', /refused TTL 60 .*QuotaExceeded\.TTL.*sent again with TTL 600/);
  t.deepEqual(emu.records({ rr: 'www' }).map((r) => [r.value, r.ttl]), [['2.2.2.2', 600]]);
  // Now only the TTL differs, and the plan cannot go lower: refused once, remembered, not re-sent.
  const second = await reconcile({ ...input, refusals: first.refusals }, fast);
  t.is(second.counts.failed, 1);
  t.is(second.results[0]!.permanent, 'ttl-below-minimum');
  t.regex(second.results[0]!.note ?? '', /the plan's minimum is above it; the record keeps TTL 600/);
  const updates = emu.calls.get('UpdateDomainRecord');
  let refusals = second.refusals;
  for (let i = 0; i < 3; i++) {
    const again = await reconcile({ ...input, refusals }, fast);
    t.deepEqual(again.rows.map((r) => [r.action, r.reason, r.ttl]), [['skip', 'refused', 600]]);
    refusals = again.refusals;
  }
  t.is(emu.calls.get('UpdateDomainRecord'), updates);
  t.deepEqual(recordTtls(second.rows, timing).map((r) => r.boundSeconds), [675]);
});

async function dnspod(t: ExecutionContext, service: ManagedService): Promise<{ emu: DnspodEmulator; input: ReconcileInput }> {
  const emu = await startDnspodEmulator({ credentials: { AKIDttlbound0001: 'dp-ttl-secret' }, domains: ['example.com'], minTtl: 600 });
  t.teardown(emu.close);
  const accounts: CloudAccount[] = [{ platformProvider: 'DNSPod', accessKey: 'AKIDttlbound0001', accessSecret: 'dp-ttl-secret', endpoint: emu.endpoint }];
  const serve: Assignments = new Map([['www', [{ line: 'default', family: 'ipv4' }]]]);
  return { emu, input: { nodeCode: 'node-a', services: [service], cloudAccounts: accounts, serve, ips: { ipv4: '2.2.2.2' } } };
}

test('emulator: DNSPod refuses a TTL under the plan minimum with LimitExceeded.RecordTtlLimit and an A next to a CNAME with InvalidParameter.DomainRecordExist', async (t) => {
  const { emu, input } = await dnspod(t, svc({ platformProvider: 'DNSPod' }));
  const provider = cachedProviderFactory()(input.cloudAccounts[0]!);
  const low = await t.throwsAsync(provider.createRecord({ domain: 'example.com', record: 'low', type: 'A', line: 'default', value: '2.2.2.2', ttl: 60 }));
  t.like(low, { code: 'LimitExceeded.RecordTtlLimit', retryable: false });
  emu.seed({ domain: 'example.com', rr: 'cn', type: 'CNAME', value: 'target.example.net.', line: '默认' });
  const clash = await t.throwsAsync(provider.createRecord({ domain: 'example.com', record: 'cn', type: 'A', line: 'default', value: '2.2.2.2', ttl: 600 }));
  t.like(clash, { code: 'InvalidParameter.DomainRecordExist', retryable: false });
});

test('DNSPod: a record whose TTL is under the plan minimum is written once more at 600 and then stays in sync', async (t) => {
  const { emu, input } = await dnspod(t, svc({ platformProvider: 'DNSPod' }));
  emu.seed({ domain: 'example.com', rr: 'www', type: 'A', value: '1.1.1.1', line: '默认', ttl: 60 });
  const first = await reconcile(input, fast);
  t.is(first.counts.written, 1);
  t.regex(first.results[0]!.note ?? '', /refused TTL 60 .*LimitExceeded\.RecordTtlLimit.*TTL 600/);
  t.deepEqual(emu.records({ rr: 'www', type: 'A' }).map((r) => [r.value, r.ttl]), [['2.2.2.2', 600]]);
  t.is(emu.calls.get('ModifyRecord'), 2);
  const second = await reconcile({ ...input, refusals: first.refusals }, fast);
  t.is(second.counts.written + second.counts.failed, 0);
  t.is(emu.calls.get('ModifyRecord'), 2);
});

test('DNSPod: a create refused for a CNAME in the way is sent once, then held as refused until something changes', async (t) => {
  const { emu, input } = await dnspod(t, svc({ platformProvider: 'DNSPod', allowCreate: true }));
  emu.seed({ domain: 'example.com', rr: 'www', type: 'CNAME', value: 'cdn.example.net.', line: '默认' });
  // A listing blind to the CNAME (as if on another view): the create reaches the provider.
  const listed = cachedProviderFactory();
  const blind = { ...fast, providerFor: (a: CloudAccount) => ({ ...listed(a), listRecords: async () => [], listZoneRecords: undefined }) };
  const first = await reconcile(input, blind);
  t.is(first.results[0]!.permanent, 'conflict');
  let refusals = first.refusals;
  for (let i = 0; i < 3; i++) {
    const again = await reconcile({ ...input, refusals }, blind);
    t.deepEqual(again.rows.map((r) => [r.action, r.reason]), [['skip', 'refused']]);
    refusals = again.refusals;
  }
  t.is(emu.calls.get('CreateRecord'), 1);
});

test('on a node: dns plan (admin API) lists each record with its TTL and failover bound, and its text says it', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { LTAI5tTtlNode00001: 'ttl-node-secret' }, domains: ['example.com'], minTtl: 600 });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '203.0.113.20', line: 'default', ttl: 600 });
  const node = await startTestNode({ NodeCode: 'home', NodeName: 'Home', ISPs: ['default'], HeartbeatSeconds: 0.3, FailAfterSeconds: 3, PushSeconds: 1, RecoverAfter: 1, DnsSyncSeconds: 30, PublicIP: { IPv4: { Static: '203.0.113.20' } } });
  t.teardown(() => node.stop());
  const api = new AdminClient({ baseUrl: node.url, secret: node.runtime.identity.secret });
  await api.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI5tTtlNode00001', accessSecret: 'ttl-node-secret', endpoint: emu.endpoint });
  await api.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  const plan = await api.get<DnsPlanReply>('/v2/admin/dns/plan');
  t.deepEqual(plan.records.map((r) => [r.fqdn, r.type, r.line, r.ttl, r.boundSeconds]), [['www.example.com', 'A', 'default', 600, 633]]);
  t.regex(plan.records[0]!.warning ?? '', /TTL 600 s is far above FailAfterSeconds 3 s/);
  t.regex(plan.text, /TTL and failover bound \(FailAfterSeconds 3 \+ DnsSyncSeconds 30 \+ TTL\):\n {2}www\.example\.com A default: ttl 600 s, clients move within 633 s/);
});
