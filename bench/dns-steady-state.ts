// Provider calls per reconcile, first run (converging) and steady state, with services spread over
// the Alidns, DNSPod, Huawei, Volcengine and Cloudflare emulators (one zone each, so 200 services
// are 40 per zone). Prints figures; asserts nothing. Goal (issue 11): at most 4 API reads per zone
// per steady-state reconcile for 40 services (one paged zone listing shared by every service).
//   npx tsx bench/dns-steady-state.ts [services=200] [latencyMs=0]
import type { CloudAccount, Family, LineCode, ManagedService } from '../src/model.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { reconcile, type ReconcileInput, type ReconcileReport } from '../src/dns/reconcile.js';
import { startAlidnsEmulator } from '../test/emulators/alidns.js';
import { startCloudflareEmulator } from '../test/emulators/cloudflare.js';
import { startDnspodEmulator } from '../test/emulators/dnspod.js';
import { startHuaweiEmulator } from '../test/emulators/huawei.js';
import { startVolcengineEmulator } from '../test/emulators/volcengine.js';

const N = Number(process.argv[2] ?? 200);
const LATENCY = Number(process.argv[3] ?? 0);

const ali = await startAlidnsEmulator({ credentials: { LTAI5tBench000001: 'bench-ali' }, domains: ['example.com'] });
const dp = await startDnspodEmulator({ credentials: { AKIDbench00000001: 'bench-dp' }, domains: ['example.net'] });
const hw = await startHuaweiEmulator({ credentials: { HPUAbench00000001: 'bench-hw' }, domains: ['example.org'] });
const volc = await startVolcengineEmulator({ credentials: { AKLTbench00000001: 'bench-volc' }, domains: ['example.io'] });
const cf = await startCloudflareEmulator({ tokens: ['benchCloudflareToken0001'], domains: ['example.dev'] });
for (const e of [ali, dp, hw, volc, cf]) e.faults.latencyMs = LATENCY;

type Seeder = { seed(r: { domain: string; rr: string; type?: string; value: string; line?: string }): string };
interface Kind {
  provider: string;
  domain: string;
  emu: Seeder & { reads(): number; writes(): number };
  /** Provider line names for CT, CU, CMCC (Cloudflare: default only). */
  lines: Partial<Record<LineCode, string>>;
}
const KINDS: Kind[] = [
  { provider: 'Ali', domain: 'example.com', emu: ali, lines: { CT: 'telecom', CU: 'unicom', CMCC: 'mobile' } },
  { provider: 'DNSPod', domain: 'example.net', emu: dp, lines: { CT: '电信', CU: '联通', CMCC: '移动' } },
  { provider: 'Huawei', domain: 'example.org', emu: hw, lines: { CT: 'Dianxin', CU: 'Liantong', CMCC: 'Yidong' } },
  { provider: 'Volcengine', domain: 'example.io', emu: volc, lines: { CT: 'telecom', CU: 'unicom', CMCC: 'mobile' } },
  { provider: 'Cloudflare', domain: 'example.dev', emu: cf, lines: { default: 'default' } },
];

const services: ManagedService[] = [];
const serve = new Map<string, { line: LineCode; family: Family }[]>();
for (let i = 0; i < N; i++) {
  const k = KINDS[i % KINDS.length]!;
  const name = `svc${i}`;
  services.push({ serviceName: name, domain: k.domain, record: name, platformProvider: k.provider, nodes: [], allowCreate: false, ttl: 600 });
  for (const line of Object.values(k.lines)) k.emu.seed({ domain: k.domain, rr: name, value: '192.0.2.1', line });
  const first = Object.values(k.lines)[0]!;
  k.emu.seed({ domain: k.domain, rr: name, type: 'AAAA', value: '2001:db8::1', line: first });
  const codes = Object.keys(k.lines) as LineCode[];
  serve.set(name, [
    { line: codes[0]!, family: 'ipv4' },
    { line: codes[codes.length - 1]!, family: 'ipv4' },
    { line: codes[0]!, family: 'ipv6' },
  ]);
}

const accounts: CloudAccount[] = [
  { platformProvider: 'Ali', accessKey: 'LTAI5tBench000001', accessSecret: 'bench-ali', endpoint: ali.endpoint },
  { platformProvider: 'DNSPod', accessKey: 'AKIDbench00000001', accessSecret: 'bench-dp', endpoint: dp.endpoint },
  { platformProvider: 'Huawei', accessKey: 'HPUAbench00000001', accessSecret: 'bench-hw', endpoint: hw.endpoint },
  { platformProvider: 'Volcengine', accessKey: 'AKLTbench00000001', accessSecret: 'bench-volc', endpoint: volc.endpoint },
  { platformProvider: 'Cloudflare', accessKey: 'bench-label', accessSecret: 'benchCloudflareToken0001', endpoint: cf.endpoint },
];
const input: ReconcileInput = {
  nodeCode: 'bench',
  services,
  cloudAccounts: accounts,
  serve: serve as Assignments,
  ips: { ipv4: '203.0.113.10', ipv6: '2001:db8::10' },
};
const deps = { providerFor: cachedProviderFactory() };

const snapshot = () => KINDS.map((k) => ({ r: k.emu.reads(), w: k.emu.writes() }));

async function run(label: string): Promise<void> {
  const before = snapshot();
  const t0 = performance.now();
  const report: ReconcileReport = await reconcile(input, deps);
  const ms = performance.now() - t0;
  const after = snapshot();
  console.log(`\n${label}: ${ms.toFixed(0)} ms, ${report.counts.written} records written, ${report.errors.length} errors`);
  console.log('  provider    API reads  API writes  (interface reads/writes incl. retries)');
  KINDS.forEach((k, i) => {
    const c = report.calls[k.provider] ?? { reads: 0, writes: 0 };
    console.log(`  ${k.provider.padEnd(10)}  ${String(after[i]!.r - before[i]!.r).padStart(9)}  ${String(after[i]!.w - before[i]!.w).padStart(10)}  (${c.reads}/${c.writes})`);
  });
}

console.log(`${N} services over ${KINDS.length} providers (${KINDS.map((k) => k.provider).join(', ')}), 3 served slots each (Cloudflare: default A and AAAA), emulator latency ${LATENCY} ms`);
await run('reconcile 1 (converging)');
await run('reconcile 2 (steady state)');
await run('reconcile 3 (steady state)');
console.log(`\nDNSPod no-change modifications sent: ${dp.noopWrites()}`);
for (const e of [ali, dp, hw, volc, cf]) await e.close();
