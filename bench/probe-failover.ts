// Service failover by health probes, end to end: three nodes as processes on loopback, each publishing
// a Static address (127.0.0.11/12/13) where a small HTTP server stands for the site's service, the
// real Alidns SDK against the emulator. Stop one site's server while its node keeps running, then
// time (1) until both other nodes hold the verdict "down for the service" and (2) until the emulator
// shows the survivor's address on that site's line; then start the server again and time the way
// back. Default and tight settings.
// Run: npx tsx bench/probe-failover.ts [trials]
import { startAlidnsEmulator } from '../test/emulators/alidns.js';
import { procNode, until, type ProcNode } from '../test/helpers/cluster.js';
import { A, B, C, startSites, verdict } from '../test/helpers/probe-sites.js';
import { summary } from './lib.js';

const TRIALS = Number(process.argv[2] ?? 2);
const SETTINGS = {
  default: { timing: { HeartbeatSeconds: 5, FailAfterSeconds: 15, RecoverAfter: 2, DnsSyncSeconds: 60, PushSeconds: 30 }, check: { intervalSeconds: 10, timeoutSeconds: 3 } },
  tight: { timing: { HeartbeatSeconds: 1, FailAfterSeconds: 2, RecoverAfter: 2, DnsSyncSeconds: 60, PushSeconds: 30 }, check: { intervalSeconds: 1, timeoutSeconds: 1 } },
};

type Setting = (typeof SETTINGS)[keyof typeof SETTINGS];

async function trial(setting: Setting): Promise<{ detect: number; dns: number; back: number }> {
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-p': 'bench-ali-secret' }, domains: ['example.com'] });
  for (const line of ['telecom', 'unicom', 'mobile']) ali.seed({ domain: 'example.com', rr: 'www', type: 'A', line, value: '192.0.2.1' });
  const sites = await startSites([A, B, C], { kind: 'http' });
  const extra = { ...setting.timing, LogLevel: 'warn', RequestTimeoutSeconds: 1 };
  const nodes: ProcNode[] = [
    await procNode({ code: 'a', mode: 'leader', isps: ['CT'], ipv4: A, extra }),
    await procNode({ code: 'b', mode: 'follower', isps: ['CU'], ipv4: B, extra }),
    await procNode({ code: 'c', mode: 'follower', isps: ['CMCC'], ipv4: C, extra }),
  ];
  try {
    for (const n of nodes) await n.start(60_000);
    const [a, b, c] = nodes as [ProcNode, ProcNode, ProcNode];
    for (const f of [b, c]) await a.admin.post('/v2/admin/join', { address: f.url, secret: f.secret });
    await a.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-p', accessSecret: 'bench-ali-secret', endpoint: ali.endpoint });
    await a.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali', check: { url: `http://{ip}:${sites.port}/health`, ...setting.check } });
    const mobile = () => ali.records({ rr: 'www', line: 'mobile' })[0]?.value;
    await until(() => mobile() === C, 180_000, 'convergence', 50);
    await until(async () => (await verdict(a, 'Node c', 'CMCC'))?.seenBy === 2 && (await verdict(b, 'Node c', 'CMCC'))?.seenBy === 2, 180_000, 'the probe matrix', 100);

    const stoppedAt = Date.now();
    await sites.sites.get(C)!.stop();
    let detect = 0;
    let dns = 0;
    await until(
      async () => {
        if (!detect && (await verdict(a, 'Node c', 'CMCC'))?.down && (await verdict(b, 'Node c', 'CMCC'))?.down) detect = Date.now() - stoppedAt;
        if (!dns && mobile() === A) dns = Date.now() - stoppedAt;
        return detect && dns;
      },
      180_000,
      'failover',
      20,
    );
    const startedAt = Date.now();
    await sites.sites.get(C)!.start();
    await until(() => mobile() === C, 180_000, 'recovery', 20);
    return { detect, dns, back: Date.now() - startedAt };
  } finally {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await sites.close();
    await ali.close();
  }
}

for (const [name, setting] of Object.entries(SETTINGS)) {
  const results: { detect: number; dns: number; back: number }[] = [];
  for (let i = 0; i < TRIALS; i++) results.push(await trial(setting));
  const s = (xs: number[]) => summary(xs.map((x) => x / 1000));
  const [d, f, r] = [s(results.map((x) => x.detect)), s(results.map((x) => x.dns)), s(results.map((x) => x.back))];
  const label = `${name} (check every ${setting.check.intervalSeconds} s, timeout ${setting.check.timeoutSeconds} s, fail after ${setting.timing.FailAfterSeconds} s, recover after ${setting.timing.RecoverAfter})`;
  console.log(`probe verdict, ${label}: service stopped → "down" on both probing nodes p50 ${d.p50.toFixed(2)} s, max ${d.max.toFixed(2)} s over ${d.n} trials`);
  console.log(`DNS failover, ${label}: service stopped → survivor's address on the record p50 ${f.p50.toFixed(2)} s, max ${f.max.toFixed(2)} s over ${f.n} trials`);
  console.log(`DNS recovery, ${label}: service back → owner's address on the record p50 ${r.p50.toFixed(2)} s, max ${r.max.toFixed(2)} s over ${r.n} trials`);
}
console.log('bound: FailAfterSeconds + one check interval (+ timeout) + one heartbeat (results travel with heartbeats) + one DNS pass');
