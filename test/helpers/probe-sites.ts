// The services a cluster's sites run, for health-probe tests: one small server per site, each bound to
// the loopback address its node publishes (every 127.x.y.z is local on Linux), all on one port, so a
// check URL like http://{ip}:PORT/health reaches each site at its own address. A site's server can
// be stopped (the node keeps running) and started again on the same address and port.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { PublicStatus } from '../../src/http/pages/status-view.js';
import type { ProcNode } from './cluster.js';
import { partitionWorld, type PartitionWorld } from './partition-world.js';

/** The loopback addresses the test sites publish (every 127.x.y.z is local on Linux). */
export const A = '127.0.0.11';
export const B = '127.0.0.12';
export const C = '127.0.0.13';

export type SiteKind = { kind: 'http' } | { kind: 'tcp' } | { kind: 'https'; cert: string; key: string };

export interface Site {
  address: string;
  /** Requests (http/https) or connections (tcp) the site received. */
  hits(): number;
  stop(): Promise<void>;
  /** Starts the server again on the same address and port; `kind` swaps it (e.g. another certificate). */
  start(kind?: SiteKind): Promise<void>;
}

export interface Sites {
  port: number;
  sites: Map<string, Site>;
  close(): Promise<void>;
}

function makeServer(kind: SiteKind, hit: () => void): net.Server {
  if (kind.kind === 'tcp') return net.createServer((s) => { hit(); s.end(); });
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    hit();
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end('ok');
  };
  return kind.kind === 'https' ? https.createServer({ cert: readFileSync(kind.cert), key: readFileSync(kind.key) }, handler) : http.createServer(handler);
}

const listen = (server: net.Server, address: string, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });

const closeServer = (server: net.Server) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    (server as http.Server).closeAllConnections?.();
  });

/** Starts one server per address on one free port (retries until a port is free on all of them). */
export async function startSites(addresses: string[], kind: SiteKind): Promise<Sites> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const sites = new Map<string, Site>();
    try {
      for (const address of addresses) {
        let count = 0;
        let server = makeServer(kind, () => (count += 1));
        await listen(server, address, port);
        sites.set(address, {
          address,
          hits: () => count,
          stop: () => closeServer(server),
          start: async (other = kind) => {
            server = makeServer(other, () => (count += 1));
            await listen(server, address, port);
          },
        });
      }
      return { port, sites, close: async () => void (await Promise.all([...sites.values()].map((s) => s.stop()))) };
    } catch {
      await Promise.all([...sites.values()].map((s) => s.stop()));
    }
  }
  throw new Error('no port free on every site address');
}

export async function publicStatus(node: ProcNode): Promise<PublicStatus> {
  const res = await fetch(`${node.url}/v1/status.json`);
  return (await res.json()) as PublicStatus;
}

/** The probe verdict `observer` holds for `target`'s line (undefined: not judged yet). */
export async function verdict(observer: ProcNode, target: string, line: string): Promise<{ down: boolean; probers: number; seenBy: number } | undefined> {
  const p = (await publicStatus(observer)).probes.find((x) => x.service === 'www' && x.node === target && x.line === line);
  return p && { down: p.down, probers: p.probers, seenBy: p.seenBy.length };
}

/** A site: a node code, its lines, its PublicIP address, and per-line addresses (LineIP Static) if any. */
export interface CheckedNode {
  code: string;
  isps: string[];
  ip: string;
  lineIp?: Record<string, string>;
}

/**
 * A partitionWorld whose `www` service carries a check (interval 1 s, timeout 1 s) on a server at
 * every address the nodes publish (their PublicIP and LineIP addresses), all on one port.
 */
export async function checkedWorld(t: Parameters<typeof partitionWorld>[0], nodes: CheckedNode[], kind: SiteKind, scheme: string, env: Record<string, string> = {}): Promise<{ world: PartitionWorld; sites: Sites }> {
  const sites = await startSites([...new Set(nodes.flatMap((n) => [n.ip, ...Object.values(n.lineIp ?? {})]))], kind);
  t.teardown(() => sites.close());
  const lineIp = (n: CheckedNode) => (n.lineIp ? { LineIP: Object.fromEntries(Object.entries(n.lineIp).map(([line, ip]) => [line, { IPv4: { Static: ip } }])) } : {});
  const world = await partitionWorld(
    t,
    nodes.map((n, i) => ({ code: n.code, mode: i === 0 ? 'leader' : 'follower', isps: n.isps, ipv4: n.ip, env, extra: lineIp(n) })),
  );
  const url = scheme === 'tcp' ? `tcp://{ip}:${sites.port}` : `${scheme}://{ip}:${sites.port}/health`;
  await world.nodes[0]!.admin.patch('/v2/admin/services/www', { check: { url, intervalSeconds: 1, timeoutSeconds: 1 } });
  return { world, sites };
}
