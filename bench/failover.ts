// Failure detection and DNS failover, end to end: three nodes as processes, the real SDKs against the
// emulators. SIGKILL one node, then time (1) until every surviving peer reports it 504 and (2) until
// the emulators show the survivor's IP on every orphaned record. Default and tight timings.
// Run: npx tsx bench/failover.ts [trials]
import { startAlidnsEmulator } from '../test/emulators/alidns.js';
import { startDnspodEmulator } from '../test/emulators/dnspod.js';
import { procNode, until, type ProcNode } from '../test/helpers/cluster.js';
import { summary } from './lib.js';

const TRIALS = Number(process.argv[2] ?? 3);
const SETTINGS = {
  default: { HeartbeatSeconds: 5, FailAfterSeconds: 15, DnsSyncSeconds: 60, PushSeconds: 30 },
  tight: { HeartbeatSeconds: 1, FailAfterSeconds: 2, DnsSyncSeconds: 60, PushSeconds: 30 },
};

async function trial(timing: Record<string, number>): Promise<{ detect: number; dns: number }> {
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-b': 'bench-ali-secret' }, domains: ['example.com'] });
  const pod = await startDnspodEmulator({ credentials: { 'AKID-b': 'bench-pod-secret' }, domains: ['example.net'] });
  for (const [aliLine, podLine] of [['default', '默认'], ['telecom', '电信'], ['unicom', '联通'], ['mobile', '移动']]) {
    ali.seed({ domain: 'example.com', rr: 'www', type: 'A', line: aliLine, value: '192.0.2.1' });
    pod.seed({ domain: 'example.net', rr: 'www', type: 'A', line: podLine, value: '192.0.2.1' });
  }
  const extra = { ...timing, LogLevel: 'warn', RequestTimeoutSeconds: 1 };
  const nodes: ProcNode[] = [
    await procNode({ code: 'a', mode: 'leader', isps: ['default'], ipv4: '198.51.100.1', extra }),
    await procNode({ code: 'b', mode: 'follower', isps: ['CT'], ipv4: '198.51.100.2', extra }),
    await procNode({ code: 'c', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: '198.51.100.3', extra }),
  ];
  try {
    for (const n of nodes) await n.start(60_000);
    const [a, b, c] = nodes as [ProcNode, ProcNode, ProcNode];
    for (const f of [b, c]) await a.admin.post('/v2/admin/join', { address: f.url, secret: f.secret });
    await a.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-b', accessSecret: 'bench-ali-secret', endpoint: ali.endpoint });
    await a.admin.post('/v2/admin/accounts', { provider: 'DNSPod', accessKey: 'AKID-b', accessSecret: 'bench-pod-secret', endpoint: pod.endpoint });
    await a.admin.post('/v2/admin/services', { name: 'ali', domain: 'example.com', record: 'www', provider: 'Ali' });
    await a.admin.post('/v2/admin/services', { name: 'pod', domain: 'example.net', record: 'www', provider: 'DNSPod' });
    const orphaned = () => [...ali.records({ rr: 'www', line: 'unicom' }), ...ali.records({ rr: 'www', line: 'mobile' }), ...pod.records({ rr: 'www', line: '联通' }), ...pod.records({ rr: 'www', line: '移动' })];
    await until(() => orphaned().every((r) => r.value === '198.51.100.3'), 120_000, 'convergence', 50);
    const seen504 = async (n: ProcNode) => ((await n.admin.get('/v2/admin/status')) as { nodes: { nodeCode: string; statusCode: number }[] }).nodes.find((x) => x.nodeCode === 'c')?.statusCode === 504;

    const killedAt = Date.now();
    await c.kill('SIGKILL');
    let detect = 0;
    let dns = 0;
    await until(
      async () => {
        if (!detect && (await seen504(a)) && (await seen504(b))) detect = Date.now() - killedAt;
        if (!dns && orphaned().every((r) => r.value === '198.51.100.1')) dns = Date.now() - killedAt;
        return detect && dns;
      },
      120_000,
      'failover',
      20,
    );
    return { detect, dns };
  } finally {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await ali.close();
    await pod.close();
  }
}

for (const [name, timing] of Object.entries(SETTINGS)) {
  const results: { detect: number; dns: number }[] = [];
  for (let i = 0; i < TRIALS; i++) results.push(await trial(timing));
  const d = summary(results.map((r) => r.detect / 1000));
  const f = summary(results.map((r) => r.dns / 1000));
  const label = `${name} (heartbeat ${timing.HeartbeatSeconds} s, fail after ${timing.FailAfterSeconds} s)`;
  console.log(`detection, ${label}: SIGKILL → 504 on every peer p50 ${d.p50.toFixed(2)} s, max ${d.max.toFixed(2)} s over ${d.n} trials`);
  console.log(`DNS failover, ${label}: SIGKILL → survivor's IP on every orphaned record p50 ${f.p50.toFixed(2)} s, max ${f.max.toFixed(2)} s over ${f.n} trials`);
}
console.log('original Go CocoaSyncer: detection ≈ 10–11 min (Timeout 10 min + 40 s status tick), DNS failover ≈ 11–12 min (+ 60 s DNS tick)');
