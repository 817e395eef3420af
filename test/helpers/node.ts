// Starts real nodes for tests: in-process (fast) or as a child process running the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { startNode, type RunningNode } from '../../src/server.js';
import { testConfig, tempDir } from './config.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Starts a node in this process on a free port; NodeAddress points at it unless given. */
export async function startTestNode(overrides: Record<string, unknown> = {}, dir = tempDir()): Promise<RunningNode & { dir: string }> {
  const port = typeof overrides.APIPort === 'number' && overrides.APIPort !== 0 ? overrides.APIPort : await freePort();
  const config = testConfig({ APIPort: port, NodeAddress: `http://127.0.0.1:${port}`, ...overrides }, dir);
  const node = await startNode(config, { log: silentLogger() });
  return Object.assign(node, { dir });
}

export async function restartTestNode(config: Config): Promise<RunningNode> {
  return startNode(config, { log: silentLogger() });
}

// Never hand out one port twice in a process: a port picked for a proxy that is not listening yet
// would otherwise look free to the next caller, and a node could bind it first.
const handedOut = new Set<number>();

/**
 * A free port below the kernel's ephemeral range (32768+), so an outgoing connection of another test
 * cannot take it between this check and the node's listen; random, so parallel test files rarely meet.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port)) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export interface ChildNode {
  child: ChildProcess;
  output: () => string;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `cocoasyncer <args>` from the sources (tsx) as a child process. */
export function spawnCli(args: string[], env: Record<string, string>, wrap: string[] = []): ChildProcess {
  const argv = [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args];
  const [cmd, ...rest] = [...wrap, ...argv] as [string, ...string[]];
  return spawn(cmd, rest, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return Date.now() - started;
    } catch {
      if (Date.now() - started > timeoutMs) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function collect(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
