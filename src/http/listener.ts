// How the node's HTTP(S) listener treats connections, so that slow or numerous clients can never
// starve heartbeats: a cap on open connections well under this process's file-descriptor limit
// (outgoing heartbeats, provider calls and the database need descriptors too), short header and
// request deadlines for clients that trickle bytes, and keep-alive long enough that a peer's
// heartbeat connection is reused rather than reopened each round.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';

/** The soft limit on open files of this process (Linux `/proc/self/limits`), or null if unknown. */
export function openFileLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!m || m[1] === 'unlimited') return null;
  return Number(m[1]);
}

/**
 * The connection cap: `configured` (default 1024), but at most half the open-file limit, so at
 * least half the descriptors stay free for this node's own outgoing work. At least 16.
 */
export function connectionCap(configured: number | undefined, fileLimit: number | null): number {
  const want = configured ?? 1024;
  const ceiling = fileLimit === null ? want : Math.floor(fileLimit / 2);
  return Math.max(16, Math.min(want, ceiling));
}

/** Applies the limits above to a listening server. `heartbeatMs`: the cluster's heartbeat interval. */
export function tuneListener(server: Server, opts: { heartbeatMs: number; maxConnections?: number }): { maxConnections: number } {
  const maxConnections = connectionCap(opts.maxConnections, openFileLimit());
  server.maxConnections = maxConnections;
  // Idle keep-alive sockets outlive a heartbeat interval (with margin), so a peer's connection is
  // reused every round and never raced by the server closing it.
  server.keepAliveTimeout = Math.max(5000, 3 * opts.heartbeatMs + 1000);
  server.headersTimeout = Math.max(server.keepAliveTimeout + 1000, 5000);
  server.requestTimeout = 30_000;
  return { maxConnections };
}
