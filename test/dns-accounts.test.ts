// Issue 11, case 7: several accounts of one provider. A service writes through the account it
// names, or else through the one account of its provider that holds its zone (one zone listing per
// account, cached); two holders or none are refused with a message that says what to do. Against
// two Alidns (and two DNSPod) emulators, each one account with its own zones, through the real SDKs.
import test, { type ExecutionContext } from 'ava';
import type { CloudAccount, ClusterState, ManagedService } from '../src/model.js';
import type { Assignments } from '../src/dns/plan.js';
import { AccountZones, admitServiceAccount, chooseAccount } from '../src/dns/accounts.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { addService, removeAccount, setService, EditError } from '../src/cluster/edits.js';
import { pushedBasicSchema, stateFromPush, toV1CocoaBasic } from '../src/cluster/wire-v1.js';
import { startAlidnsEmulator, type AlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator } from './emulators/dnspod.js';
import { startHuaweiEmulator } from './emulators/huawei.js';
import { startVolcengineEmulator } from './emulators/volcengine.js';
import { startCloudflareEmulator } from './emulators/cloudflare.js';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import { startTestNode } from './helpers/node.js';
import { service } from './helpers/fixtures.js';

const fast = { sleep: async () => {}, random: () => 0 };
const KA = 'LTAI5tAccountAAAA';
const KB = 'LTAI5tAccountBBBB';

const svc = (name: string, domain: string, over: Partial<ManagedService> = {}): ManagedService => service({ serviceName: name, domain, ...over });

/** Two Ali accounts, each its own emulator holding its own zones, with `www` seeded on 1.1.1.1 in each zone. */
async function twoAli(t: ExecutionContext, zonesA: string[], zonesB: string[]): Promise<{ a: AlidnsEmulator; b: AlidnsEmulator; accounts: CloudAccount[] }> {
  const a = await startAlidnsEmulator({ credentials: { [KA]: 'secret-a' }, domains: zonesA });
  const b = await startAlidnsEmulator({ credentials: { [KB]: 'secret-b' }, domains: zonesB });
  t.teardown(a.close);
  t.teardown(b.close);
  for (const d of zonesA) a.seed({ domain: d, rr: 'www', value: '1.1.1.1', line: 'default' });
  for (const d of zonesB) b.seed({ domain: d, rr: 'www', value: '1.1.1.1', line: 'default' });
  const accounts: CloudAccount[] = [
    { platformProvider: 'Ali', accessKey: KA, accessSecret: 'secret-a', endpoint: a.endpoint },
    { platformProvider: 'Ali', accessKey: KB, accessSecret: 'secret-b', endpoint: b.endpoint },
  ];
  return { a, b, accounts };
}

const input = (services: ManagedService[], accounts: CloudAccount[]): ReconcileInput => {
  const serve: Assignments = new Map(services.map((s) => [s.serviceName, [{ line: 'default' as const, family: 'ipv4' as const }]]));
  return { nodeCode: 'node-a', services, cloudAccounts: accounts, serve, ips: { ipv4: '2.2.2.2' } };
};

const values = (emu: AlidnsEmulator, domain: string) => emu.records({ domain, rr: 'www', type: 'A' }).map((r) => r.value);

test('two Ali accounts with different zones: each service is written through the account that holds its zone, zones listed once per account', async (t) => {
  const { a, b, accounts } = await twoAli(t, ['alpha.com'], ['beta.com']);
  const providerFor = cachedProviderFactory();
  const zones = new AccountZones(providerFor);
  const services = [svc('alpha', 'alpha.com'), svc('beta', 'beta.com')];
  const first = await reconcile(input(services, accounts), { ...fast, providerFor, accountZones: zones });
  t.deepEqual(first.errors, []);
  t.is(first.counts.written, 2);
  t.deepEqual(values(a, 'alpha.com'), ['2.2.2.2']);
  t.deepEqual(values(b, 'beta.com'), ['2.2.2.2']);
  t.is(a.calls.get('DescribeDomains'), 1);
  t.is(b.calls.get('DescribeDomains'), 1);
  // Each account was asked only for its own zone's records.
  t.is(a.calls.get('DescribeDomainRecords'), 1);
  t.is(b.calls.get('DescribeDomainRecords'), 1);
  // The zone lists are kept: the next pass lists records only.
  const second = await reconcile(input(services, accounts), { ...fast, providerFor, accountZones: zones });
  t.deepEqual(second.errors, []);
  t.is(a.calls.get('DescribeDomains'), 1);
  t.is(b.calls.get('DescribeDomains'), 1);
  t.is(second.calls.Ali?.reads, 2);
});

test('two Ali accounts holding the same zone: the service is refused with a clear message and nothing is written until it names its account', async (t) => {
  const { a, b, accounts } = await twoAli(t, ['example.com'], ['example.com']);
  const providerFor = cachedProviderFactory();
  const zones = new AccountZones(providerFor);
  const report = await reconcile(input([svc('www', 'example.com')], accounts), { ...fast, providerFor, accountZones: zones });
  t.is(report.errors.length, 1);
  t.is(report.errors[0]!.stage, 'account');
  t.regex(report.errors[0]!.message, /service www: 2 Ali accounts hold zone example\.com \(LTAI\*+AAAA, LTAI\*+BBBB\); nothing written — name the account with "cocoasyncer service set www --account KEY"/);
  t.is(a.writes() + b.writes(), 0);
  t.deepEqual(report.rows.map((r) => r.reason), ['not-read']);
  // Named: only that account is read and written.
  const named = await reconcile(input([svc('www', 'example.com', { account: KB })], accounts), { ...fast, providerFor, accountZones: zones });
  t.deepEqual(named.errors, []);
  t.deepEqual(values(a, 'example.com'), ['1.1.1.1']);
  t.deepEqual(values(b, 'example.com'), ['2.2.2.2']);
  t.is(a.calls.get('DescribeDomainRecords'), 0);
});

test('a zone that no account of the provider holds is reported, naming the zone and what to do', async (t) => {
  const { a, b, accounts } = await twoAli(t, ['alpha.com'], ['beta.com']);
  const report = await reconcile(input([svc('gamma', 'gamma.com')], accounts), { ...fast, providerFor: cachedProviderFactory() });
  t.is(report.errors.length, 1);
  t.regex(report.errors[0]!.message, /none of the 2 Ali accounts holds zone gamma\.com; add the account that does \("cocoasyncer dns add"\)/);
  t.is(a.writes() + b.writes(), 0);
});

test('the zone lists are listed again when the accounts change (an account added or removed)', async (t) => {
  const { a, b, accounts } = await twoAli(t, ['alpha.com'], ['beta.com']);
  const zones = new AccountZones(cachedProviderFactory());
  const service = svc('gamma', 'gamma.com');
  t.false((await admitServiceAccount(service, accounts, zones)).ok);
  // The zone is moved into account B, and a third account is added: B is listed afresh and now holds it.
  b.zone.addDomain('gamma.com');
  const c = await startAlidnsEmulator({ credentials: { LTAI5tAccountCCCC: 'secret-c' }, domains: ['delta.com'] });
  t.teardown(c.close);
  const more = [...accounts, { platformProvider: 'Ali', accessKey: 'LTAI5tAccountCCCC', accessSecret: 'secret-c', endpoint: c.endpoint }];
  t.deepEqual(await admitServiceAccount(service, more, zones), { ok: true, warnings: [] });
  t.is(b.calls.get('DescribeDomains'), 2);
  t.is(a.calls.get('DescribeDomains'), 2);
  // Unchanged accounts: nothing listed again.
  await admitServiceAccount(service, more, zones);
  t.is(b.calls.get('DescribeDomains'), 2);
});

test('two DNSPod accounts with different zones: DescribeDomainList tells which account holds each zone', async (t) => {
  const a = await startDnspodEmulator({ credentials: { AKIDdnspodAAAA: 'dp-secret-a' }, domains: ['alpha.cn'] });
  const b = await startDnspodEmulator({ credentials: { AKIDdnspodBBBB: 'dp-secret-b' }, domains: ['beta.cn'] });
  t.teardown(a.close);
  t.teardown(b.close);
  a.seed({ domain: 'alpha.cn', rr: 'www', type: 'A', value: '1.1.1.1', line: '默认' });
  b.seed({ domain: 'beta.cn', rr: 'www', type: 'A', value: '1.1.1.1', line: '默认' });
  const accounts: CloudAccount[] = [
    { platformProvider: 'DNSPod', accessKey: 'AKIDdnspodAAAA', accessSecret: 'dp-secret-a', endpoint: a.endpoint },
    { platformProvider: 'DNSPod', accessKey: 'AKIDdnspodBBBB', accessSecret: 'dp-secret-b', endpoint: b.endpoint },
  ];
  const services = [svc('alpha', 'alpha.cn', { platformProvider: 'DNSPod' }), svc('beta', 'beta.cn', { platformProvider: 'DNSPod' })];
  const report = await reconcile(input(services, accounts), { ...fast, providerFor: cachedProviderFactory() });
  t.deepEqual(report.errors, []);
  t.deepEqual(a.records({ rr: 'www', type: 'A' }).map((r) => r.value), ['2.2.2.2']);
  t.deepEqual(b.records({ rr: 'www', type: 'A' }).map((r) => r.value), ['2.2.2.2']);
  t.is(a.calls.get('DescribeDomainList'), 1);
});

test('the account rule (pure): named wins, the only account needs no listing, an unknown zone list is not a guess', (t) => {
  const acc = (key: string): CloudAccount => ({ platformProvider: 'Ali', accessKey: key, accessSecret: 's', endpoint: null });
  const holds = (map: Record<string, string[]>) => (a: CloudAccount) => ({ known: true as const, zones: new Set(map[a.accessKey] ?? []) });
  const one = chooseAccount(svc('w', 'example.com'), [acc('K1')], () => t.fail('no listing for one account') as never);
  t.like(one, { ok: true, how: 'only' });
  t.like(chooseAccount(svc('w', 'example.com', { account: 'K2' }), [acc('K1'), acc('K2')], holds({ K1: ['example.com'] })), { ok: true, how: 'named', account: { accessKey: 'K2' } });
  t.like(chooseAccount(svc('w', 'example.com', { account: 'K9' }), [acc('K1')], holds({})), { ok: false, reason: 'named-missing' });
  t.like(chooseAccount(svc('w', 'Example.COM'), [acc('K1'), acc('K2')], holds({ K2: ['example.com'] })), { ok: true, how: 'zone', account: { accessKey: 'K2' } });
  const unknown = chooseAccount(svc('w', 'example.com'), [acc('K1'), acc('K2')], (a) => (a.accessKey === 'K1' ? { known: false, why: 'listing its zones failed: Throttling.User' } : { known: true, zones: new Set(['example.com']) }));
  t.like(unknown, { ok: false, reason: 'unknown' });
  t.like(chooseAccount(svc('w', 'example.com', { platformProvider: 'DNSPod' }), [acc('K1')], holds({})), { ok: false, reason: 'no-account' });
});

const state = (): ClusterState => ({
  version: 1,
  term: 0,
  notifiers: [],
  nodes: [{ nodeCode: 'A', nodeName: 'a', nodeAddress: 'http://127.0.0.1:1', workMode: 'leader', secret: 's', isps: ['default'], networkType: 'IPV4', statusCode: 200, watchDog: new Date(0).toISOString() }],
  services: [svc('www', 'example.com', { account: KB }), svc('api', 'example.com', { record: 'api', account: KB })],
  cloudAccounts: [
    { platformProvider: 'Ali', accessKey: KA, accessSecret: 'secret-a', endpoint: null },
    { platformProvider: 'Ali', accessKey: KB, accessSecret: 'secret-b', endpoint: null },
  ],
});

test('a service may only name an account of its own provider; the refusal names the field and changes nothing', (t) => {
  const before = state();
  const err = t.throws(() => addService(before, svc('new', 'example.com', { record: 'new', account: 'LTAI5tNotThere000' })), { instanceOf: EditError });
  t.is(err?.field, 'account');
  t.regex(err?.message ?? '', /no Ali cloud account with access key LTAI\*+e000: add it first/);
  t.throws(() => setService(before, 'www', { account: 'AKIDdnspodAAAA' }), { instanceOf: EditError, message: /no Ali cloud account/ });
  t.deepEqual(before, state());
  const moved = setService(before, 'www', { account: KA });
  t.is(moved.services[0]!.account, KA);
  const byZone = setService(before, 'www', { account: null });
  t.false('account' in byZone.services[0]!);
});

test('dns remove of an account that services name is refused, saying which services; it goes once they are moved', (t) => {
  const before = state();
  const err = t.throws(() => removeAccount(before, 'Ali', KB), { instanceOf: EditError });
  t.is(err?.field, 'accessKey');
  t.regex(err?.message ?? '', /services www, api write through this account; move them first/);
  t.is(removeAccount(before, 'Ali', KA).cloudAccounts.length, 1);
  const moved = setService(setService(before, 'www', { account: KA }), 'api', { account: null });
  t.deepEqual(removeAccount(moved, 'Ali', KB).cloudAccounts.map((a) => a.accessKey), [KA]);
});

test('a push carries the named account to a follower (v2 extension); a getClusterInfo answer shows it masked', (t) => {
  const s = state();
  const pushed = pushedBasicSchema.parse({
    otherCocoaSyncer: [{ nodeName: 'a', nodeCode: 'A', nodeAddress: 'http://127.0.0.1:1', workMode: 'leader', cocoaSecret: 's', ISPs: ['default'], networkType: 'IPV4' }],
    cocoaManagedService: s.services,
    cloudPlatformInfo: s.cloudAccounts,
    stateVersion: 2,
  });
  t.deepEqual(stateFromPush(pushed, 1).services.map((x) => x.account ?? null), [KB, KB]);
  // A v1 (Go) push has no account: the service is chosen by zone.
  const v1 = pushedBasicSchema.parse({ ...pushed, cocoaManagedService: [{ serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali' }] });
  t.false('account' in stateFromPush(v1, 1).services[0]!);
  const answer = toV1CocoaBasic(s, { apiPort: 1, nodeName: 'a', nodeCode: 'A', nodeAddress: 'http://127.0.0.1:1', workMode: 'leader', reverseProxy: false, timeoutMinutes: 1, databaseType: 'sqlite', createdAt: new Date(), updatedAt: new Date() });
  t.regex(answer.cocoaManagedService[0]!.account ?? '', /^LTAI\*+BBBB$/);
});

test('on a leader: service add is refused (409, field account) when two accounts hold the zone, accepted naming one; dns remove of that account is refused while it is named', async (t) => {
  const { accounts } = await twoAli(t, ['example.com'], ['example.com']);
  const leader = await startTestNode({ NodeCode: 'home', NodeName: 'Home', ISPs: ['CT'], HeartbeatSeconds: 0.3, FailAfterSeconds: 3, PushSeconds: 1, RecoverAfter: 1 });
  t.teardown(() => leader.stop());
  const api = new AdminClient({ baseUrl: leader.url, secret: leader.runtime.identity.secret });
  const [first, second] = accounts.map((a) => ({ provider: 'Ali', accessKey: a.accessKey, accessSecret: a.accessSecret, endpoint: a.endpoint }));
  t.deepEqual((await api.post<{ warnings: string[] }>('/v2/admin/accounts', first)).warnings, []);
  // With one account of the provider a service needs no zone listing.
  await api.post('/v2/admin/services', { name: 'api', domain: 'example.com', record: 'api', provider: 'Ali' });
  // A second account holding the same zone makes that service ambiguous: said when the account is added.
  const added = await api.post<{ warnings: string[] }>('/v2/admin/accounts', second);
  t.is(added.warnings.length, 1);
  t.regex(added.warnings[0]!, /^service api: 2 Ali accounts hold zone example\.com/);
  const body = { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' };
  const refused = await t.throwsAsync(api.post('/v2/admin/services', body), { instanceOf: AdminError });
  t.is((refused as AdminError).status, 409);
  t.regex((refused as AdminError).message, /2 Ali accounts hold zone example\.com .*--account KEY/);
  t.deepEqual(leader.runtime.state.services.map((x) => x.serviceName), ['api'], 'nothing was stored');
  await api.post('/v2/admin/services', { ...body, account: KB });
  t.is(leader.runtime.state.services[1]!.account, KB);
  const kept = await t.throwsAsync(api.delete(`/v2/admin/accounts/Ali/${KB}`), { instanceOf: AdminError });
  t.is((kept as AdminError).status, 409);
  t.regex((kept as AdminError).message, /services www write through this account/);
  t.is(leader.runtime.state.cloudAccounts.length, 2);
  // Back to the zone rule: refused again, the service keeps its account.
  const back = await t.throwsAsync(api.patch('/v2/admin/services/www', { account: null }), { instanceOf: AdminError });
  t.is((back as AdminError).status, 409);
  t.is(leader.runtime.state.services[1]!.account, KB);
});

test('every provider lists the zones of its account, in the normal form (Alidns, DNSPod, Huawei, Volcengine, Cloudflare emulators)', async (t) => {
  const zones = ['example.com', 'xn--fsqu00a.xn--fiqs8s'];
  const ali = await startAlidnsEmulator({ credentials: { LTAI5tZones000001: 'z-ali' }, domains: zones });
  const dp = await startDnspodEmulator({ credentials: { AKIDzones00000001: 'z-dp' }, domains: zones });
  const hw = await startHuaweiEmulator({ credentials: { HPUAzones00000001: 'z-hw' }, domains: zones });
  const volc = await startVolcengineEmulator({ credentials: { AKLTzones00000001: 'z-volc' }, domains: zones });
  const cf = await startCloudflareEmulator({ tokens: ['zonesCloudflareToken0001'], domains: zones });
  for (const e of [ali, dp, hw, volc, cf]) t.teardown(e.close);
  const accounts: CloudAccount[] = [
    { platformProvider: 'Ali', accessKey: 'LTAI5tZones000001', accessSecret: 'z-ali', endpoint: ali.endpoint },
    { platformProvider: 'DNSPod', accessKey: 'AKIDzones00000001', accessSecret: 'z-dp', endpoint: dp.endpoint },
    { platformProvider: 'Huawei', accessKey: 'HPUAzones00000001', accessSecret: 'z-hw', endpoint: hw.endpoint },
    { platformProvider: 'Volcengine', accessKey: 'AKLTzones00000001', accessSecret: 'z-volc', endpoint: volc.endpoint },
    { platformProvider: 'Cloudflare', accessKey: 'cf-zones', accessSecret: 'zonesCloudflareToken0001', endpoint: cf.endpoint },
  ];
  const providerFor = cachedProviderFactory();
  for (const a of accounts) {
    const listed = await providerFor(a).listZones!();
    t.deepEqual([...listed].sort(), zones, a.platformProvider);
  }
});

test('an account\'s zone list is listed again once it is older than the maximum age, even if no account changed', async (t) => {
  const { b, accounts } = await twoAli(t, ['alpha.com'], ['beta.com']);
  let now = 1_000_000;
  const zones = new AccountZones(cachedProviderFactory(), { maxAgeMs: 60_000, now: () => now });
  const service = svc('gamma', 'gamma.com');
  t.false((await admitServiceAccount(service, accounts, zones)).ok);
  b.zone.addDomain('gamma.com');
  now += 59_000;
  t.false((await admitServiceAccount(service, accounts, zones)).ok, 'still the kept list');
  now += 2_000;
  t.deepEqual(await admitServiceAccount(service, accounts, zones), { ok: true, warnings: [] });
  t.is(b.calls.get('DescribeDomains'), 2);
});
