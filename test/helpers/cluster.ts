// Real nodes as separate processes on loopback, each with its own config file and database.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AdminClient } from '../../src/cli/admin-client.js';
import { tempDir } from './config.js';
import { collect, exited, freePort, spawnCli, waitForHttp } from './node.js';

export interface NodeSpec {
  code: string;
  mode: 'leader' | 'follower';
  isps: string[];
  network?: 'IPV4' | 'IPV6' | 'Both';
  ipv4?: string;
  ipv6?: string;
  /** Extra config keys (timings, DataBaseType/DSN, ...). */
  extra?: Record<string, unknown>;
  /** Extra environment for the process (e.g. libfaketime's). */
  env?: Record<string, string>;
  /** A command the node runs under, e.g. `['prlimit', '--nofile=128:128']`. */
  wrap?: string[];
}

export interface ProcNode {
  code: string;
  secret: string;
  port: number;
  url: string;
  configFile: string;
  admin: AdminClient;
  child: ChildProcess;
  output(): string;
  /** Starts (again) with the same config and database; resolves with ms until the first answer. */
  start(timeoutMs?: number): Promise<number>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export const FAST_TIMING = { HeartbeatSeconds: 0.5, FailAfterSeconds: 2, RecoverAfter: 2, PushSeconds: 5, DnsSyncSeconds: 2, IpCheckSeconds: 30, RequestTimeoutSeconds: 1 };

export async function procNode(spec: NodeSpec): Promise<ProcNode> {
  const dir = tempDir(`cocoa-${spec.code}-`);
  const port = await freePort();
  const secret = `${spec.code}-secret-${port}`;
  const configFile = join(dir, 'cocoasyncer.yaml');
  // Never the default echo services: a test node's address is always given or disabled.
  const publicIp: Record<string, unknown> = { IPv4: { Disabled: true }, IPv6: { Disabled: true } };
  if (spec.ipv4) publicIp.IPv4 = { Static: spec.ipv4 };
  if (spec.ipv6) publicIp.IPv6 = { Static: spec.ipv6 };
  writeFileSync(
    configFile,
    stringify({
      APIPort: port,
      BindAddress: '127.0.0.1',
      NodeName: `Node ${spec.code}`,
      NodeCode: spec.code,
      NodeAddress: `http://127.0.0.1:${port}`,
      WorkMode: spec.mode,
      CocoaSecret: secret,
      DataBaseType: 'sqlite',
      DSN: 'file:node.db',
      ISPs: spec.isps,
      NetworkType: spec.network ?? 'IPV4',
      LogLevel: 'info',
      PublicIP: publicIp,
      ...FAST_TIMING,
      ...spec.extra,
    }),
  );
  const node: ProcNode = {
    code: spec.code,
    secret,
    port,
    url: `http://127.0.0.1:${port}`,
    configFile,
    admin: new AdminClient({ baseUrl: `http://127.0.0.1:${port}`, secret, timeoutMs: 10_000 }),
    child: null as unknown as ChildProcess,
    output: () => '',
    async start(timeoutMs = 30_000) {
      node.child = spawnCli(['--config', configFile, 'run'], spec.env ?? {}, spec.wrap);
      node.output = collect(node.child);
      return waitForHttp(`${node.url}/v1`, timeoutMs);
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (node.child.exitCode !== null || node.child.signalCode !== null) return;
      node.child.kill(signal);
      await exited(node.child);
    },
  };
  return node;
}

/** Polls `check` until it returns a truthy value or the time runs out; returns the elapsed ms. */
export async function until(check: () => Promise<unknown> | unknown, timeoutMs: number, what: string, intervalMs = 50): Promise<number> {
  const started = Date.now();
  let lastErr: unknown;
  for (;;) {
    try {
      if (await check()) return Date.now() - started;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface StatusNode {
  nodeCode: string;
  statusCode: number;
  up: boolean;
  stateVersion: number | null;
  serving: { line: string; family: string; takeover: boolean }[];
}

export async function statusOf(node: ProcNode): Promise<{ node: { stateVersion: number; workMode: string; joined: boolean }; nodes: StatusNode[] }> {
  return node.admin.get('/v2/admin/status');
}
