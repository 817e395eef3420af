// Runs `cocoasyncer <args>` from the sources (tsx) as a child process in a chosen folder, with the
// test runner's own COCOASYNCER_* variables removed, so a test sees exactly the config it sets up.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './node.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  /** The folder the command runs in (default: the repository root). */
  cwd?: string;
  env?: Record<string, string>;
  /** Written to the command's standard input (e.g. `--secret -`); absent: no input. */
  input?: string;
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('COCOASYNCER_')) env[k] = v;
  return { ...env, ...extra };
}

/** Starts the CLI; the caller reads and ends it. */
export function startCli(args: string[], opts: CliRun = {}): ChildProcess {
  // tsx by its resolved URL: `--import tsx` would be looked up from the (temporary) cwd.
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cleanEnv(opts.env),
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to its end. */
export function runCliProcess(args: string[], opts: CliRun = {}): Promise<CliResult> {
  const child = startCli(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A node started in the test process, as far as the CLI's config needs it. */
export interface CliTarget {
  port: number;
  dir: string;
  config: { nodeName: string; nodeCode: string; nodeAddress: string; workMode: string; secret: string };
}

/** `--config FILE` naming `node` (its port and secret) as the CLI finds a node; `extra` keys win. */
export function cliConfigFor(node: CliTarget, extra: Record<string, unknown> = {}): string[] {
  const c = node.config;
  const file = join(node.dir, 'cli.yaml');
  // JSON is YAML.
  const doc = { APIPort: node.port, BindAddress: '127.0.0.1', NodeName: c.nodeName, NodeCode: c.nodeCode, NodeAddress: c.nodeAddress, WorkMode: c.workMode, CocoaSecret: c.secret, ...extra };
  writeFileSync(file, JSON.stringify(doc));
  return ['--config', file];
}
