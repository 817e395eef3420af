// A cluster of real node processes, each reached by its peers through its own link proxy (so any
// link can be cut and healed), syncing one Alidns service against the signature-checking emulator.
// Value changes are counted by the emulator, per record.
import { startAlidnsEmulator, type AlidnsEmulator } from '../emulators/alidns.js';
import { procNode, statusOf, until, type NodeSpec, type ProcNode } from './cluster.js';
import { startLinkProxy, type LinkProxy } from './link-proxy.js';
import { freePort } from './node.js';

export const ALI_LINE = { default: 'default', CT: 'telecom', CU: 'unicom', CMCC: 'mobile' } as const;
export type Line = keyof typeof ALI_LINE;

export interface PartitionWorld {
  ali: AlidnsEmulator;
  nodes: ProcNode[];
  proxies: Map<string, LinkProxy>;
  /** The A value on a line. */
  value(line: Line): string | undefined;
  /** Value changes of the record on a line since `since` (an index into the change log). */
  changes(line: Line, since?: number): string[];
  /** How many value changes the emulator has recorded so far (a mark for `changes`). */
  mark(): number;
  /** Cuts both directions between two nodes. */
  cut(a: string, b: string): void;
  heal(a: string, b: string): void;
  node(code: string): ProcNode;
}

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** `initial`: each line's value before the nodes start (default 192.0.2.1, which every owner rewrites). */
export async function partitionWorld(t: Teardown, specs: NodeSpec[], initial: Partial<Record<Line, string>> = {}): Promise<PartitionWorld> {
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-part': 'ali-partition-secret' }, domains: ['example.com'] });
  for (const line of Object.keys(ALI_LINE) as Line[]) ali.seed({ domain: 'example.com', rr: 'www', type: 'A', line: ALI_LINE[line], value: initial[line] ?? '192.0.2.1' });
  const proxyPorts = await Promise.all(specs.map(() => freePort()));
  const nodes = await Promise.all(
    specs.map((s, i) => procNode({ ...s, extra: { ...s.extra, NodeAddress: `http://127.0.0.1:${proxyPorts[i]}` } })),
  );
  const proxies = new Map<string, LinkProxy>();
  for (const [i, n] of nodes.entries()) proxies.set(n.code, await startLinkProxy(n.port, proxyPorts[i]));
  t.teardown(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await ali.close();
  });
  await Promise.all(nodes.map((n) => n.start()));
  const [leader, ...followers] = nodes;
  for (const f of followers) await leader!.admin.post('/v2/admin/join', { address: proxies.get(f.code)!.url, secret: f.secret });
  await leader!.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-part', accessSecret: 'ali-partition-secret', endpoint: ali.endpoint });
  await leader!.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  const record = (line: Line) => ali.records({ rr: 'www', type: 'A', line: ALI_LINE[line] })[0];
  return {
    ali,
    nodes,
    proxies,
    value: (line) => record(line)?.value,
    changes: (line, since = 0) => {
      const id = record(line)?.id;
      return ali.zone.valueChanges.slice(since).filter((c) => c.id === id).map((c) => c.to);
    },
    mark: () => ali.zone.valueChanges.length,
    cut(a, b) {
      proxies.get(a)!.cut(b);
      proxies.get(b)!.cut(a);
    },
    heal(a, b) {
      proxies.get(a)!.heal(b);
      proxies.get(b)!.heal(a);
    },
    node: (code) => nodes.find((n) => n.code === code)!,
  };
}

/** Whether `observer` sees `peer` up (200) in its status. */
export async function seesUp(observer: ProcNode, peer: string): Promise<boolean> {
  const s = await statusOf(observer);
  return s.nodes.find((n) => n.nodeCode === peer)?.up === true;
}

/** Completed DNS reconcile runs of a node. */
export async function dnsRuns(node: ProcNode): Promise<number> {
  const s = (await node.admin.get('/v2/admin/status')) as { dns: { runs: number } };
  return s.dns.runs;
}

/** Waits until every node has completed `n` more DNS reconcile runs than now. */
export async function moreDnsRuns(nodes: ProcNode[], n: number, timeoutMs = 60_000): Promise<void> {
  const start = await Promise.all(nodes.map(dnsRuns));
  await until(async () => (await Promise.all(nodes.map(dnsRuns))).every((r, i) => r >= start[i]! + n), timeoutMs, `${n} more DNS runs on ${nodes.map((x) => x.code).join(', ')}`);
}
