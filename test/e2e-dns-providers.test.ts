// End to end for Huawei Cloud DNS, Volcengine and Cloudflare: nodes as processes, our providers,
// the signature-checking emulators on loopback (as e2e-dns.test.ts does for Alidns and DNSPod).
import test from 'ava';
import { startCloudflareEmulator, type CloudflareEmulator } from './emulators/cloudflare.js';
import { startHuaweiEmulator, type HuaweiEmulator } from './emulators/huawei.js';
import { startVolcengineEmulator, type VolcengineEmulator } from './emulators/volcengine.js';
import { procNode, until, type NodeSpec, type ProcNode } from './helpers/cluster.js';
import { collect, spawnCli } from './helpers/node.js';

const HW_LINE = { default: 'default_view', CT: 'Dianxin', CU: 'Liantong', CMCC: 'Yidong' } as const;
const VOLC_LINE = { default: 'default', CT: 'telecom', CU: 'unicom', CMCC: 'mobile' } as const;
type Line = keyof typeof HW_LINE;
type RType = 'A' | 'AAAA';
const INITIAL = { A: '192.0.2.1', AAAA: '2001:db8::1' };
const CRED = {
  hw: { key: 'HPUAE2EKEY00000001', secret: 'huawei-e2e-secret-value' },
  volc: { key: 'AKLTe2eKey0000000001', secret: 'volc-e2e-secret-value' },
  cf: { key: 'e2e-token-label-0001', secret: 'cfE2eTokenValue0123456789abcdef' },
};

interface World {
  hw: HuaweiEmulator;
  volc: VolcengineEmulator;
  cf: CloudflareEmulator;
  nodes: ProcNode[];
  /** Value per provider for www on a line (Cloudflare only has default). */
  values(line: Line, type?: RType): { hw?: string; volc?: string; cf?: string };
  ids(line: Line, type?: RType): { hw: string; volc: string; cf?: string };
  writes(): number;
}

async function world(t: { teardown(fn: () => Promise<void> | void): void }, specs: NodeSpec[], types: RType[] = ['A']): Promise<World> {
  const hw = await startHuaweiEmulator({ credentials: { [CRED.hw.key]: CRED.hw.secret }, domains: ['example.com'] });
  const volc = await startVolcengineEmulator({ credentials: { [CRED.volc.key]: CRED.volc.secret }, domains: ['example.net'] });
  const cf = await startCloudflareEmulator({ tokens: [CRED.cf.secret], domains: ['example.org'] });
  for (const type of types) {
    for (const line of Object.keys(HW_LINE) as Line[]) {
      hw.seed({ domain: 'example.com', rr: 'www', type, line: HW_LINE[line], value: INITIAL[type], ttl: 300 });
      volc.seed({ domain: 'example.net', rr: 'www', type, line: VOLC_LINE[line], value: INITIAL[type] });
    }
    cf.seed({ domain: 'example.org', rr: 'www', type, value: INITIAL[type], proxied: true, comment: 'managed by CocoaSyncer' });
  }
  const nodes = await Promise.all(specs.map((s) => procNode(s)));
  t.teardown(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await Promise.all([hw.close(), volc.close(), cf.close()]);
  });
  await Promise.all(nodes.map((n) => n.start()));
  const [leader, ...followers] = nodes;
  for (const f of followers) await leader!.admin.post('/v2/admin/join', { address: f.url, secret: f.secret });
  await leader!.admin.post('/v2/admin/accounts', { provider: 'huaweicloud', accessKey: CRED.hw.key, accessSecret: CRED.hw.secret, endpoint: hw.endpoint });
  await leader!.admin.post('/v2/admin/accounts', { provider: 'volc', accessKey: CRED.volc.key, accessSecret: CRED.volc.secret, endpoint: volc.endpoint });
  await leader!.admin.post('/v2/admin/accounts', { provider: 'cf', accessKey: CRED.cf.key, accessSecret: CRED.cf.secret, endpoint: cf.endpoint });
  await leader!.admin.post('/v2/admin/services', { name: 'hw-www', domain: 'example.com', record: 'www', provider: 'Huawei' });
  await leader!.admin.post('/v2/admin/services', { name: 'volc-www', domain: 'example.net', record: 'www', provider: 'Volcengine' });
  await leader!.admin.post('/v2/admin/services', { name: 'cf-www', domain: 'example.org', record: 'www', provider: 'Cloudflare' });
  const find = (type: RType, line: Line) => ({
    hw: hw.records({ rr: 'www', type, line: HW_LINE[line] })[0],
    volc: volc.records({ rr: 'www', type, line: VOLC_LINE[line] })[0],
    cf: line === 'default' ? cf.records({ rr: 'www', type })[0] : undefined,
  });
  return {
    hw,
    volc,
    cf,
    nodes,
    values: (line, type = 'A') => {
      const r = find(type, line);
      return { hw: r.hw?.value, volc: r.volc?.value, cf: r.cf?.value };
    },
    ids: (line, type = 'A') => {
      const r = find(type, line);
      return { hw: r.hw!.id, volc: r.volc!.id, ...(r.cf ? { cf: r.cf.id } : {}) };
    },
    writes: () => hw.writes() + volc.writes() + cf.writes(),
  };
}

/** Every provider holds `ip` on the line (Cloudflare is checked on default only). */
const holds = (w: World, line: Line, ip: string, type: RType = 'A') => {
  const v = w.values(line, type);
  return v.hw === ip && v.volc === ip && (line !== 'default' || v.cf === ip);
};

const changesTo = (w: World, id: { hw: string; volc: string; cf?: string }) => ({
  hw: w.hw.zone.valueChanges.filter((c) => c.id === id.hw).map((c) => c.to),
  volc: w.volc.zone.valueChanges.filter((c) => c.id === id.volc).map((c) => c.to),
  cf: id.cf ? w.cf.zone.valueChanges.filter((c) => c.id === id.cf).map((c) => c.to) : [],
});

test('Huawei, Volcengine, Cloudflare with two nodes: lines hold their node\'s IP, steady state writes nothing, SIGKILL fails over and recovery moves each record back once', async (t) => {
  const A = '198.51.100.10';
  const B = '198.51.100.20';
  const w = await world(t, [
    { code: 'home', mode: 'leader', isps: ['CT'], ipv4: A },
    { code: 'office', mode: 'follower', isps: ['default', 'CU', 'CMCC'], ipv4: B },
  ]);
  const [home, office] = w.nodes;
  await until(() => holds(w, 'CT', A) && holds(w, 'default', B) && holds(w, 'CU', B) && holds(w, 'CMCC', B), 20_000, "each line to hold its node's IP");
  t.deepEqual(w.cf.extra(w.ids('default').cf!), { proxied: true, comment: 'managed by CocoaSyncer' }, 'Cloudflare PATCH kept proxied and the comment');
  t.is(w.cf.records({ rr: 'www' }).length, 1, 'no record was created on Cloudflare for CT, CU or CMCC');

  // `dns plan` on the node serving CT: Huawei and Volcengine in sync, Cloudflare's CT a note.
  const plan = await home!.admin.get<{ text: string; complete: boolean; errors: unknown[]; changes: { kind: string }[] }>('/v2/admin/dns/plan');
  t.true(plan.complete);
  t.deepEqual(plan.errors, []);
  t.deepEqual(plan.changes.map((c) => c.kind), ['unsupported']);
  t.regex(plan.text, /Note +A +CT +Cloudflare has no CT line; not planned \(only default served through this provider\)/);
  const cli = spawnCli(['--config', home!.configFile, 'dns', 'plan'], {});
  const out = collect(cli);
  // 'close' (not 'exit') so that all of stdout has been read.
  const code = await new Promise<number | null>((resolve) => cli.once('close', (c: number | null) => resolve(c)));
  t.is(code, 0, 'a note is not an error: dns plan exits 0');
  t.regex(out(), /Cloudflare has no CT line; not planned/);
  for (const secret of Object.values(CRED).map((c) => c.secret)) t.false(out().includes(secret));

  // Steady state: several reconciles (DnsSyncSeconds 2) make no write at all.
  const ids = (['default', 'CT', 'CU', 'CMCC'] as Line[]).map((l) => w.ids(l));
  const perRecord = () => ids.map((i) => [w.hw.zone.writesTo(i.hw), w.volc.zone.writesTo(i.volc), i.cf ? w.cf.zone.writesTo(i.cf) : 0]);
  const before = { writes: w.writes(), perRecord: perRecord(), reads: [w.hw.reads(), w.volc.reads(), w.cf.reads()] };
  await until(() => w.hw.reads() >= before.reads[0]! + 4 && w.volc.reads() >= before.reads[1]! + 4 && w.cf.reads() >= before.reads[2]! + 4, 20_000, 'several more reconciles');
  t.is(w.writes(), before.writes, 'zero writes in steady state');
  t.deepEqual(perRecord(), before.perRecord);

  const orphaned = { default: w.ids('default'), CU: w.ids('CU') };
  const prior = { default: changesTo(w, orphaned.default), CU: changesTo(w, orphaned.CU) };
  await office!.kill('SIGKILL');
  const failoverMs = await until(() => holds(w, 'default', A) && holds(w, 'CU', A) && holds(w, 'CMCC', A), 20_000, "the dead node's lines to hold the survivor's IP");
  t.log(`SIGKILL → survivor's IP on every orphaned record (Huawei, Volcengine, Cloudflare): ${failoverMs} ms`);
  t.true(holds(w, 'CT', A));

  await office!.start();
  await until(() => holds(w, 'default', B) && holds(w, 'CU', B) && holds(w, 'CMCC', B), 20_000, 'the lines to return to the restarted node');
  for (const line of ['default', 'CU'] as const) {
    const now = changesTo(w, orphaned[line]);
    t.deepEqual(now.hw.slice(prior[line].hw.length), [A, B], `${line} on Huawei moved once to the survivor and once back`);
    t.deepEqual(now.volc.slice(prior[line].volc.length), [A, B], `${line} on Volcengine moved once to the survivor and once back`);
    if (line === 'default') t.deepEqual(now.cf.slice(prior[line].cf.length), [A, B], 'default on Cloudflare moved once and back');
  }
});

test('IPv6 with Huawei, Volcengine and Cloudflare: AAAA follows the IPv6 nodes, A the IPv4 ones', async (t) => {
  const w = await world(
    t,
    [
      { code: 'dual', mode: 'leader', isps: ['default', 'CT'], network: 'Both', ipv4: '198.51.100.41', ipv6: '2001:db8:41::1' },
      { code: 'v6', mode: 'follower', isps: ['CU'], network: 'IPV6', ipv6: '2001:db8:42::1' },
    ],
    ['A', 'AAAA'],
  );
  await until(
    () =>
      holds(w, 'default', '198.51.100.41') &&
      holds(w, 'default', '2001:db8:41::1', 'AAAA') &&
      holds(w, 'CT', '2001:db8:41::1', 'AAAA') &&
      holds(w, 'CU', '2001:db8:42::1', 'AAAA'),
    20_000,
    'A and AAAA per line',
  );
  t.true(holds(w, 'CU', INITIAL.A), 'an A record no IPv4 node owns is left alone');
  t.true(holds(w, 'CMCC', INITIAL.A) && holds(w, 'CMCC', INITIAL.AAAA, 'AAAA'), 'a line nobody lists is left alone');
});
