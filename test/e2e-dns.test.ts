// End to end: nodes as processes, the real provider SDKs, signature-checking emulators on loopback.
import test from 'ava';
import { startAlidnsEmulator, type AlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator, type DnspodEmulator } from './emulators/dnspod.js';
import { procNode, until, type NodeSpec, type ProcNode } from './helpers/cluster.js';
import { moreDnsRuns } from './helpers/partition-world.js';

const ALI_LINE = { default: 'default', CT: 'telecom', CU: 'unicom', CMCC: 'mobile' } as const;
const POD_LINE = { default: '默认', CT: '电信', CU: '联通', CMCC: '移动' } as const;
type Line = keyof typeof ALI_LINE;
const INITIAL = { A: '192.0.2.1', AAAA: '2001:db8::1' };

interface World {
  ali: AlidnsEmulator;
  pod: DnspodEmulator;
  nodes: ProcNode[];
  /** The value each provider holds for www on a line and type. */
  values(line: Line, type?: 'A' | 'AAAA'): { ali: string | undefined; pod: string | undefined };
  /** Record ids per provider for a line/type (to count value changes). */
  ids(line: Line, type?: 'A' | 'AAAA'): { ali: string; pod: string };
  changesOf(id: { ali: string; pod: string }): { ali: string[]; pod: string[] };
}

async function world(t: { teardown(fn: () => Promise<void> | void): void }, specs: NodeSpec[], types: ('A' | 'AAAA')[] = ['A']): Promise<World> {
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-e2e': 'ali-e2e-secret-value' }, domains: ['example.com'] });
  const pod = await startDnspodEmulator({ credentials: { 'AKID-e2e': 'pod-e2e-secret-value' }, domains: ['example.net'] });
  for (const type of types) {
    for (const line of Object.keys(ALI_LINE) as Line[]) {
      ali.seed({ domain: 'example.com', rr: 'www', type, line: ALI_LINE[line], value: INITIAL[type] });
      pod.seed({ domain: 'example.net', rr: 'www', type, line: POD_LINE[line], value: INITIAL[type] });
    }
  }
  const nodes = await Promise.all(specs.map((s) => procNode(s)));
  t.teardown(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await ali.close();
    await pod.close();
  });
  await Promise.all(nodes.map((n) => n.start()));
  const [leader, ...followers] = nodes;
  for (const f of followers) await leader!.admin.post('/v2/admin/join', { address: f.url, secret: f.secret });
  await leader!.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-e2e', accessSecret: 'ali-e2e-secret-value', endpoint: ali.endpoint });
  await leader!.admin.post('/v2/admin/accounts', { provider: 'DNSPod', accessKey: 'AKID-e2e', accessSecret: 'pod-e2e-secret-value', endpoint: pod.endpoint });
  await leader!.admin.post('/v2/admin/services', { name: 'ali-www', domain: 'example.com', record: 'www', provider: 'Ali' });
  await leader!.admin.post('/v2/admin/services', { name: 'pod-www', domain: 'example.net', record: 'www', provider: 'DNSPod' });
  const find = (type: 'A' | 'AAAA', line: Line) => ({
    ali: ali.records({ rr: 'www', type, line: ALI_LINE[line] })[0],
    pod: pod.records({ rr: 'www', type, line: POD_LINE[line] })[0],
  });
  return {
    ali,
    pod,
    nodes,
    values: (line, type = 'A') => {
      const r = find(type, line);
      return { ali: r.ali?.value, pod: r.pod?.value };
    },
    ids: (line, type = 'A') => {
      const r = find(type, line);
      return { ali: r.ali!.id, pod: r.pod!.id };
    },
    changesOf: (id) => ({
      ali: ali.zone.valueChanges.filter((c) => c.id === id.ali).map((c) => c.to),
      pod: pod.zone.valueChanges.filter((c) => c.id === id.pod).map((c) => c.to),
    }),
  };
}

const holds = (w: World, line: Line, ip: string, type: 'A' | 'AAAA' = 'A') => {
  const v = w.values(line, type);
  return v.ali === ip && v.pod === ip;
};

test('two nodes: each line holds its node\'s IP, steady state writes nothing, failover and recovery move each record at most twice', async (t) => {
  const A = '198.51.100.10';
  const B = '198.51.100.20';
  const w = await world(t, [
    { code: 'home', mode: 'leader', isps: ['default', 'CT'], ipv4: A },
    { code: 'office', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: B },
  ]);
  const [, office] = w.nodes;
  await until(() => holds(w, 'default', A) && holds(w, 'CT', A) && holds(w, 'CU', B) && holds(w, 'CMCC', B), 15_000, 'each line to hold its node\'s IP');

  // Steady state: several reconciles (DnsSyncSeconds 2) make no write at all.
  const writes = { ali: w.ali.writes(), pod: w.pod.writes() };
  const reads = { ali: w.ali.reads(), pod: w.pod.reads() };
  await moreDnsRuns(w.nodes, 2);
  t.deepEqual({ ali: w.ali.writes(), pod: w.pod.writes() }, writes, 'zero writes in steady state');
  t.true(w.ali.reads() > reads.ali && w.pod.reads() > reads.pod, 'reconciles did run (reads happened)');
  t.is(w.pod.noopWrites(), 0, 'no no-change write ever reached DNSPod');

  const cu = w.ids('CU');
  const cmcc = w.ids('CMCC');
  const before = { cu: w.changesOf(cu), cmcc: w.changesOf(cmcc) };

  await office!.kill('SIGKILL');
  const failoverMs = await until(() => holds(w, 'CU', A) && holds(w, 'CMCC', A), 15_000, 'the dead node\'s lines to hold the survivor\'s IP');
  t.log(`SIGKILL → survivor's IP on every orphaned record: ${failoverMs} ms (heartbeat 0.5 s, fail after 2 s)`);
  t.true(holds(w, 'default', A) && holds(w, 'CT', A));

  await office!.start();
  await until(() => holds(w, 'CU', B) && holds(w, 'CMCC', B), 15_000, 'the lines to return to the restarted node');
  await moreDnsRuns(w.nodes, 2);
  for (const [name, id, prior] of [['CU', cu, before.cu], ['CMCC', cmcc, before.cmcc]] as const) {
    const now = w.changesOf(id);
    t.deepEqual(now.ali.slice(prior.ali.length), [A, B], `${name} on Alidns moved once to the survivor and once back`);
    t.deepEqual(now.pod.slice(prior.pod.length), [A, B], `${name} on DNSPod moved once to the survivor and once back`);
  }
});

test('three nodes: when one dies exactly one survivor takes each orphaned line', async (t) => {
  const ips = { a: '198.51.100.31', b: '198.51.100.32', c: '198.51.100.33' };
  const w = await world(t, [
    { code: 'a', mode: 'leader', isps: ['default'], ipv4: ips.a },
    { code: 'b', mode: 'follower', isps: ['CT'], ipv4: ips.b },
    { code: 'c', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: ips.c },
  ]);
  await until(() => holds(w, 'default', ips.a) && holds(w, 'CT', ips.b) && holds(w, 'CU', ips.c) && holds(w, 'CMCC', ips.c), 15_000, 'converged');
  const cu = w.ids('CU');
  const prior = w.changesOf(cu);
  await w.nodes[2]!.kill('SIGKILL');
  await until(() => holds(w, 'CU', ips.a) && holds(w, 'CMCC', ips.a), 15_000, 'c\'s lines to move to the first live node in cluster order');
  await moreDnsRuns(w.nodes.slice(0, 2), 2);
  const after = w.changesOf(cu);
  t.deepEqual(after.ali.slice(prior.ali.length), [ips.a], 'one writer: the record moved once, to a, never to b');
  t.deepEqual(after.pod.slice(prior.pod.length), [ips.a]);
  t.true(holds(w, 'CT', ips.b), 'b keeps its own line');
});

test('IPv6 and Both: AAAA records follow IPv6 nodes, A records follow IPv4 nodes', async (t) => {
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
    15_000,
    'A and AAAA per line',
  );
  // CU's A record has no IPv4 owner: nobody writes it (the v6-only node cannot), so it keeps its value.
  t.true(holds(w, 'CU', INITIAL.A), 'an A record no IPv4 node owns is left alone');
  t.true(holds(w, 'CMCC', INITIAL.A) && holds(w, 'CMCC', INITIAL.AAAA, 'AAAA'), 'a line nobody lists is left alone');
});
