// A leader and a follower in this process, joined through the signed admin API, with an Alidns
// emulator account and one managed service, for the tests of /metrics, the badge, the status page.
import { createRequire } from 'node:module';
import type { ExecutionContext } from 'ava';
import { AdminClient } from '../../src/cli/admin-client.js';
import type { RunningNode } from '../../src/server.js';
import { startAlidnsEmulator, type AlidnsEmulator } from '../emulators/alidns.js';
import { startTestNode } from './node.js';

export const LEADER_SECRET = 'leader-secret-123';
export const FOLLOWER_SECRET = 'follower-secret-456';
export const LEADER_CODE = 'surf-leader-code';
export const FOLLOWER_CODE = 'surf-follower-code';
export const LEADER_IP = '203.0.113.10';
export const FOLLOWER_IP = '203.0.113.20';
export const ACCESS_KEY = 'LTAI5tSurfacesTest01';
export const ACCESS_SECRET = 'surfaces-access-secret-7f3a';
export const SEEDED_IP = '198.51.100.7';

/** Small timings: a stopped node is down on its peers' view in about a second. */
export const FAST = { HeartbeatSeconds: 0.3, FailAfterSeconds: 1.2, RecoverAfter: 2, PushSeconds: 5, DnsSyncSeconds: 60, RequestTimeoutSeconds: 1 };

export interface TestCluster {
  leader: RunningNode;
  follower: RunningNode;
  admin: AdminClient;
  emulator: AlidnsEmulator | null;
  /** Every secret and access key configured anywhere in the cluster. */
  secrets: string[];
  codes: string[];
}

export interface ClusterOptions {
  leaderName?: string;
  followerName?: string;
  /** Adds an Alidns emulator, a cloud account for it and the service www.example.com (default true). */
  dns?: boolean;
}

export async function startCluster(t: ExecutionContext, opts: ClusterOptions = {}): Promise<TestCluster> {
  const leader = await startTestNode({ NodeCode: LEADER_CODE, NodeName: opts.leaderName ?? 'LuckyCocoa', ISPs: ['default', 'CT'], PublicIP: { IPv4: { Static: LEADER_IP } }, ...FAST });
  t.teardown(() => leader.stop());
  const follower = await startTestNode({
    NodeCode: FOLLOWER_CODE,
    NodeName: opts.followerName ?? 'ChinoCafe',
    WorkMode: 'follower',
    CocoaSecret: FOLLOWER_SECRET,
    ISPs: ['CU', 'CMCC'],
    PublicIP: { IPv4: { Static: FOLLOWER_IP } },
    ...FAST,
  });
  t.teardown(() => follower.stop());
  // Both at once: a node stopping while its peer still heartbeats it can wait out the server's
  // 15 s close deadline (the peer's keep-alive connection is never idle when close() looks).
  t.teardown(() => Promise.all([leader.stop(), follower.stop()]).then(() => undefined));
  const admin = new AdminClient({ baseUrl: leader.url, secret: LEADER_SECRET, timeoutMs: 10_000 });
  await admin.post('/v2/admin/join', { address: follower.url, secret: FOLLOWER_SECRET });

  const settled = () =>
    follower.runtime.state.version === leader.runtime.state.version && leader.heartbeat.live.has(FOLLOWER_CODE) && follower.heartbeat.live.has(LEADER_CODE);
  // Both live both ways before any service exists, so the first DNS runs see a settled cluster
  // (while a join settles, each side may briefly plan the other's lines).
  await waitFor(settled, 10_000, 'the follower to apply the state and both nodes to see each other live');

  let emulator: AlidnsEmulator | null = null;
  if (opts.dns !== false) {
    emulator = await startAlidnsEmulator({ credentials: { [ACCESS_KEY]: ACCESS_SECRET }, domains: ['example.com'] });
    t.teardown(emulator.close);
    for (const line of ['default', 'telecom', 'unicom', 'mobile']) emulator.seed({ domain: 'example.com', rr: 'www', value: SEEDED_IP, line });
    await admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: ACCESS_KEY, accessSecret: ACCESS_SECRET, endpoint: emulator.endpoint });
    await admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
    await waitFor(settled, 10_000, 'the follower to apply the services');
  }
  return {
    leader,
    follower,
    admin,
    emulator,
    secrets: [LEADER_SECRET, FOLLOWER_SECRET, ...(opts.dns !== false ? [ACCESS_KEY, ACCESS_SECRET] : [])],
    codes: [LEADER_CODE, FOLLOWER_CODE],
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

// The parser ships no type declarations; this is its documented shape.
const parseText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

/** Parses exposition text with a real parser; families by name. */
export function parseMetrics(text: string): Map<string, ParsedFamily> {
  return new Map(parseText(text).map((f) => [f.name, f]));
}

/** The value of one sample whose labels include `labels` (undefined when absent). */
export function sample(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const m = family?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!m) return undefined;
  return Number(m.value ?? m.count);
}

export async function scrape(node: RunningNode): Promise<Map<string, ParsedFamily>> {
  const res = await fetch(`${node.url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}
