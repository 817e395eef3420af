// The whole DNS pass (reconcile: list → plan → apply with retries) against the Huawei, Volcengine
// and Cloudflare emulators: convergence, steady state, throttling and 5xx absorbed by retries,
// credential failures reported once with the masked key and never the secret.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { CloudAccount, ManagedService } from '../src/model.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { formatPlan, reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { startCloudflareEmulator, type CloudflareEmulator } from './emulators/cloudflare.js';
import { startHuaweiEmulator, type HuaweiEmulator } from './emulators/huawei.js';
import { startVolcengineEmulator, type VolcengineEmulator } from './emulators/volcengine.js';

const HW = { key: 'HPUARECONCILE00001', secret: 'hw-reconcile-secret' };
const VOLC = { key: 'AKLTreconcile000001', secret: 'volc-reconcile-secret' };
const CF = { key: 'reconcile-label-0001', secret: 'cfReconcileToken0123456789' };
const fast = { sleep: async () => {}, random: () => 0 };

interface World {
  hw: HuaweiEmulator;
  volc: VolcengineEmulator;
  cf: CloudflareEmulator;
  input: ReconcileInput;
}

const svc = (name: string, platformProvider: string, domain: string): ManagedService => ({
  serviceName: name,
  domain,
  record: 'www',
  platformProvider,
  nodes: [],
  allowCreate: true,
  ttl: 600,
});

async function world(t: ExecutionContext): Promise<World> {
  const hw = await startHuaweiEmulator({ credentials: { [HW.key]: HW.secret }, domains: ['example.com'] });
  const volc = await startVolcengineEmulator({ credentials: { [VOLC.key]: VOLC.secret }, domains: ['example.net'] });
  const cf = await startCloudflareEmulator({ tokens: [CF.secret], domains: ['example.org'] });
  t.teardown(hw.close);
  t.teardown(volc.close);
  t.teardown(cf.close);
  hw.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'Dianxin' });
  hw.seed({ domain: 'example.com', rr: 'www', value: '9.9.9.9,8.8.8.8', line: 'Yidong' });
  volc.seed({ domain: 'example.net', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  cf.seed({ domain: 'example.org', rr: 'www', value: '1.1.1.1', proxied: true });
  const accounts: CloudAccount[] = [
    { platformProvider: 'Huawei', accessKey: HW.key, accessSecret: HW.secret, endpoint: hw.endpoint },
    { platformProvider: 'Volcengine', accessKey: VOLC.key, accessSecret: VOLC.secret, endpoint: volc.endpoint },
    { platformProvider: 'Cloudflare', accessKey: CF.key, accessSecret: CF.secret, endpoint: cf.endpoint },
  ];
  const slots = [
    { line: 'default', family: 'ipv4' },
    { line: 'CT', family: 'ipv4' },
    { line: 'CMCC', family: 'ipv4' },
  ] as const;
  const serve: Assignments = new Map([
    ['hw', slots],
    ['volc', slots],
    ['cf', slots],
  ]);
  return {
    hw,
    volc,
    cf,
    input: {
      nodeCode: 'node-a',
      services: [svc('hw', 'huawei', 'example.com'), svc('volc', 'volcengine', 'example.net'), svc('cf', 'Cloudflare', 'example.org')],
      cloudAccounts: accounts,
      serve,
      ips: { ipv4: '2.2.2.2' },
    },
  };
}

test('one reconcile converges every provider, leaves what it must alone, and a second reconcile writes nothing', async (t) => {
  const { hw, volc, cf, input } = await world(t);
  const deps = { ...fast, providerFor: cachedProviderFactory() };
  const first = await reconcile(input, deps);
  t.deepEqual(first.errors, []);
  t.is(hw.records({ rr: 'www', line: 'Dianxin' })[0]?.value, '2.2.2.2');
  t.is(hw.records({ rr: 'www', line: 'default_view' })[0]?.value, '2.2.2.2', 'created');
  t.is(hw.records({ rr: 'www', line: 'Yidong' })[0]?.value, '9.9.9.9,8.8.8.8', 'a multi-value set is left alone');
  t.is(hw.records({ rr: 'www', line: 'Yidong' }).length, 1, 'and nothing is created next to it');
  t.deepEqual(volc.records({ rr: 'www' }).map((r) => [r.line, r.value]), [['telecom', '2.2.2.2'], ['default', '2.2.2.2'], ['mobile', '2.2.2.2']]);
  t.deepEqual(cf.records({ rr: 'www' }).map((r) => r.value), ['2.2.2.2'], 'Cloudflare: the default record only');
  t.true(cf.extra(cf.records({ rr: 'www' })[0]!.id).proxied, 'the proxied flag survived the update');
  const text = formatPlan(first.changes);
  t.regex(text, /Skip +A +CMCC +left alone: record set [0-9a-f]{32} holds 2 values/);
  t.regex(text, /Note +A +CT +Cloudflare has no CT line/);
  t.deepEqual(first.calls, { Huawei: { reads: 1, writes: 2 }, Volcengine: { reads: 1, writes: 3 }, Cloudflare: { reads: 1, writes: 1 } });

  const writes = [hw.writes(), volc.writes(), cf.writes()];
  const second = await reconcile(input, deps);
  t.deepEqual(second.errors, []);
  t.deepEqual(second.changes.map((c) => c.kind).sort(), ['skip', 'unsupported', 'unsupported'], 'only the notes remain');
  t.deepEqual([hw.writes(), volc.writes(), cf.writes()], writes, 'zero writes in steady state');
  t.deepEqual(second.calls, { Huawei: { reads: 1, writes: 0 }, Volcengine: { reads: 1, writes: 0 }, Cloudflare: { reads: 1, writes: 0 } });
  t.is(hw.calls.get('ListPublicZones') + volc.calls.get('ListZones') + cf.calls.get('ListZones'), 3, 'each zone id looked up once, then cached');
});

test('throttling and 5xx answers during a reconcile are absorbed by retries on every new provider', async (t) => {
  const { hw, volc, cf, input } = await world(t);
  hw.faults.throttleNext(2);
  volc.faults.throttleNext(1);
  volc.faults.failNext(1, 503);
  cf.faults.throttleNext(1);
  cf.faults.failNext(1, 502);
  const report = await reconcile(input, { ...fast, concurrency: 1 });
  t.deepEqual(report.errors, []);
  t.is(report.counts.written, 6);
  t.is(report.calls.Huawei!.reads, 3, 'the throttled listing was retried twice');
  t.is(hw.records({ rr: 'www', line: 'Dianxin' })[0]?.value, '2.2.2.2');
  t.is(volc.records({ rr: 'www', line: 'telecom' })[0]?.value, '2.2.2.2');
  t.is(cf.records({ rr: 'www' })[0]?.value, '2.2.2.2');
});

test('rejected credentials are reported once per provider with the masked key, never the secret', async (t) => {
  const { hw, volc, cf, input } = await world(t);
  const bad = { Huawei: 'hw-wrong-secret-zzz', Volcengine: 'volc-wrong-secret-zzz', Cloudflare: 'cfWrongToken000000000000' } as Record<string, string>;
  const accounts = input.cloudAccounts.map((a) => ({ ...a, accessSecret: bad[a.platformProvider]! }));
  const report = await reconcile({ ...input, cloudAccounts: accounts }, fast);
  t.is(hw.writes() + volc.writes() + cf.writes(), 0);
  t.deepEqual(
    report.errors.map((e) => [e.provider, e.stage, e.code, e.auth]),
    [
      ['Huawei', 'list', 'APIGW.0301', true],
      ['Volcengine', 'list', 'SignatureDoesNotMatch', true],
      ['Cloudflare', 'list', '10000', true],
    ],
  );
  t.regex(report.errors[0]!.message, /Huawei rejected access key HPUA\*\*\*\*0001 \(APIGW\.0301\).*check the key id and secret/);
  t.regex(report.errors[1]!.message, /Volcengine rejected access key AKLT\*\*\*\*0001 \(SignatureDoesNotMatch\)/);
  t.regex(report.errors[2]!.message, /Cloudflare rejected access key reco\*\*\*\*0001 \(10000\): Authentication error/);
  const json = JSON.stringify(report);
  for (const s of [...Object.values(bad), HW.secret, VOLC.secret, CF.secret]) t.false(json.includes(s), 'a secret leaked into the report');
});
