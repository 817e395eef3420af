// Which config file the CLI uses, said out loud: `run` names it (and what chose it) before anything
// else, its start line names it and the dry-run mode, `status` names it; with none it refuses and
// points to `init` rather than starting on the example shipped in the package. Real processes.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/config.js';
import { runCliProcess, startCli } from './helpers/cli-process.js';
import { exited, freePort, ROOT, waitForHttp } from './helpers/node.js';
import { waitFor } from './helpers/surfaces-cluster.js';

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const child = startCli(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function nodeConfig(extra: Record<string, unknown> = {}): Promise<{ file: string; port: number; dir: string }> {
  const dir = tempDir();
  const port = await freePort();
  const doc = {
    APIPort: port,
    BindAddress: '127.0.0.1',
    NodeName: 'LuckyCocoa',
    NodeCode: 'home',
    NodeAddress: `http://127.0.0.1:${port}`,
    WorkMode: 'leader',
    CocoaSecret: 'config-file-test-secret',
    DSN: 'file:./node.db',
    PublicIP: { IPv4: { Static: '203.0.113.7' }, IPv6: { Disabled: true } },
    ...extra,
  };
  const file = join(dir, 'cocoasyncer.yaml');
  writeFileSync(file, Object.entries(doc).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n') + '\n');
  return { file, port, dir };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('with no config given and none in the current folder, `run` and `status` refuse (exit 2) and point to `init`; nothing listens', async (t) => {
  const empty = tempDir();
  const started = await runCliProcess(['run'], { cwd: empty });
  t.is(started.code, 2);
  t.regex(started.stderr, /no config file: .*no config\/cocoasyncer\.yaml in .*"cocoasyncer init"/);
  t.notRegex(started.stdout, /listening/);
  const status = await runCliProcess(['status'], { cwd: empty });
  t.is(status.code, 2);
  t.regex(status.stderr, /no config file: .*cocoasyncer init/);
  t.notRegex(status.stderr, /refused the CLI's credentials|unreachable/, 'it never tried the package\'s example config');
});

test('`run --dry-run` names its config file first on stderr; the start line names it and dry-run; an unknown key warns with "did you mean"; `status` names the file too', async (t) => {
  const { file, port } = await nodeConfig({ LogFormat: 'json', LogLevle: 'debug' });
  const node = run(['--config', file, 'run', '--dry-run']);
  t.teardown(() => {
    if (node.child.exitCode === null) node.child.kill('SIGKILL');
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  t.is(node.stderr().split('\n')[0], `cocoasyncer: using config ${file} (from --config)`);

  await waitFor(() => jsonLines(node.stdout()).some((l) => l.msg === 'CocoaSyncer node listening'), 30_000, 'the start line');
  const lines = jsonLines(node.stdout());
  const start = lines.find((l) => l.msg === 'CocoaSyncer node listening')!;
  t.is(start.config, file);
  t.is(start.dryRun, true);
  t.true(lines.some((l) => typeof l.msg === 'string' && l.msg.includes('unknown key LogLevle (did you mean LogLevel?)')), node.stdout());

  const status = await runCliProcess(['status', '-c', file]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, new RegExp(`CLI: asked http://127\\.0\\.0\\.1:${port}; config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(from --config\\)`));
  const viaEnv = await runCliProcess(['status'], { cwd: tempDir(), env: { COCOASYNCER_CONFIG: file } });
  t.is(viaEnv.code, 0, viaEnv.stderr);
  t.regex(viaEnv.stdout, /\(from \$COCOASYNCER_CONFIG\)/);

  node.child.kill('SIGTERM');
  t.is(await exited(node.child), 0);
});

test('in a checkout `npm start`\'s `run` finds ./config/cocoasyncer.yaml and says so; LogFormat text prints readable lines, not JSON', async (t) => {
  const port = await freePort();
  const dir = tempDir();
  // The checkout's own config, as `npm start` runs it, with the port and database moved aside.
  const node = run(['run'], {
    cwd: ROOT,
    env: { COCOASYNCER_API_PORT: String(port), COCOASYNCER_DSN: `file:${join(dir, 'node.db')}`, COCOASYNCER_PUBLIC_IPV4: '203.0.113.1', COCOASYNCER_LOG_FORMAT: 'text' },
  });
  t.teardown(() => {
    if (node.child.exitCode === null) node.child.kill('SIGKILL');
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  t.is(node.stderr().split('\n')[0], `cocoasyncer: using config ${join(ROOT, 'config', 'cocoasyncer.yaml')} (from ./config/cocoasyncer.yaml in the current folder)`);
  await waitFor(() => node.stdout().includes('CocoaSyncer node listening'), 30_000, 'the start line');
  const startLine = node.stdout().split('\n').find((l) => l.includes('CocoaSyncer node listening'))!;
  t.regex(startLine, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO/, 'a readable, timestamped text line');
  t.notRegex(node.stdout(), /^\{"level"/m, 'no JSON lines');
  t.regex(node.stdout(), /dryRun: false/);
  t.false(node.stdout().includes('Cocoa&Mafuyu-change-me'), 'the secret is redacted in text too');
  node.child.kill('SIGTERM');
  t.is(await exited(node.child), 0);
});
