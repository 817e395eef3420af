// Provider calls per reconcile, first run (converging) and steady state, with 200 services split
// over the Alidns and DNSPod emulators. Prints figures; asserts nothing.
//   npx tsx bench/dns-steady-state.ts [services=200] [latencyMs=0]
import type { CloudAccount, ManagedService } from '../src/model.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { reconcile, type ReconcileInput, type ReconcileReport } from '../src/dns/reconcile.js';
import { startAlidnsEmulator } from '../test/emulators/alidns.js';
import { startDnspodEmulator } from '../test/emulators/dnspod.js';

const N = Number(process.argv[2] ?? 200);
const LATENCY = Number(process.argv[3] ?? 0);

const ali = await startAlidnsEmulator({ credentials: { LTAI5tBench000001: 'bench-ali' }, domains: ['example.com'] });
const dp = await startDnspodEmulator({ credentials: { AKIDbench00000001: 'bench-dp' }, domains: ['example.net'] });
ali.faults.latencyMs = LATENCY;
dp.faults.latencyMs = LATENCY;

const services: ManagedService[] = [];
const serve = new Map<string, { line: 'CT' | 'CMCC'; family: 'ipv4' | 'ipv6' }[]>();
for (let i = 0; i < N; i++) {
  const onAli = i % 2 === 0;
  const name = `svc${i}`;
  const domain = onAli ? 'example.com' : 'example.net';
  services.push({ serviceName: name, domain, record: name, platformProvider: onAli ? 'Ali' : 'DNSPod', nodes: [], allowCreate: false, ttl: 600 });
  const lines = onAli ? ['telecom', 'unicom', 'mobile'] : ['电信', '联通', '移动'];
  for (const line of lines) (onAli ? ali : dp).seed({ domain, rr: name, value: '192.0.2.1', line });
  (onAli ? ali : dp).seed({ domain, rr: name, type: 'AAAA', value: '2001:db8::1', line: onAli ? 'telecom' : '电信' });
  serve.set(name, [
    { line: 'CT', family: 'ipv4' },
    { line: 'CMCC', family: 'ipv4' },
    { line: 'CT', family: 'ipv6' },
  ]);
}

const accounts: CloudAccount[] = [
  { platformProvider: 'Ali', accessKey: 'LTAI5tBench000001', accessSecret: 'bench-ali', endpoint: ali.endpoint },
  { platformProvider: 'DNSPod', accessKey: 'AKIDbench00000001', accessSecret: 'bench-dp', endpoint: dp.endpoint },
];
const input: ReconcileInput = {
  nodeCode: 'bench',
  services,
  cloudAccounts: accounts,
  serve: serve as Assignments,
  ips: { ipv4: '203.0.113.10', ipv6: '2001:db8::10' },
};
const deps = { providerFor: cachedProviderFactory() };

function snapshot() {
  return { ali: { r: ali.reads(), w: ali.writes() }, dp: { r: dp.reads(), w: dp.writes() } };
}

async function run(label: string): Promise<void> {
  const before = snapshot();
  const t0 = performance.now();
  const report: ReconcileReport = await reconcile(input, deps);
  const ms = performance.now() - t0;
  const after = snapshot();
  console.log(`\n${label}: ${ms.toFixed(0)} ms, ${report.counts.written} records written, ${report.errors.length} errors`);
  console.log('  provider   API reads  API writes  (interface reads/writes incl. retries)');
  for (const [name, key] of [
    ['Ali', 'ali'],
    ['DNSPod', 'dp'],
  ] as const) {
    const c = report.calls[name] ?? { reads: 0, writes: 0 };
    console.log(
      `  ${name.padEnd(9)}  ${String(after[key].r - before[key].r).padStart(9)}  ${String(after[key].w - before[key].w).padStart(10)}  (${c.reads}/${c.writes})`,
    );
  }
}

console.log(`${N} services (${Math.ceil(N / 2)} on Alidns, ${Math.floor(N / 2)} on DNSPod), 3 served slots each, emulator latency ${LATENCY} ms`);
await run('reconcile 1 (converging)');
await run('reconcile 2 (steady state)');
await run('reconcile 3 (steady state)');
console.log(`\nDNSPod no-change modifications sent: ${dp.noopWrites()}`);
await ali.close();
await dp.close();
