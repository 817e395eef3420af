// First run and identity, with real processes on loopback: start failures say one line naming the
// key and the OS reason; nothing is stored before the node serves; the config's identity wins
// while the node is alone; the secret in use is what the warnings and the CLI see.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { AdminClient } from '../src/cli/admin-client.js';
import { tempDir } from './helpers/config.js';
import { collect, exited, freePort, spawnCli, waitForHttp } from './helpers/node.js';
import { procNode, until, type ProcNode } from './helpers/cluster.js';

interface Run {
  code: number | null;
  output: string;
}

/** Runs `cocoasyncer <args>` to its end. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawnCli(args, env);
  const output = collect(child);
  const code = await exited(child);
  return { code, output: output() };
}

/** A config file for a node alone, with `extra` keys over the defaults. */
function configFile(extra: Record<string, unknown>, dir = tempDir('cocoa-first-')): string {
  const file = join(dir, 'cocoasyncer.yaml');
  writeFileSync(
    file,
    stringify({
      APIPort: 1,
      BindAddress: '127.0.0.1',
      NodeName: 'First',
      NodeCode: 'first',
      NodeAddress: 'http://127.0.0.1:1',
      WorkMode: 'leader',
      CocoaSecret: 'first-secret-1234',
      DSN: 'file:node.db',
      LogLevel: 'info',
      PublicIP: { IPv4: { Disabled: true }, IPv6: { Disabled: true } },
      ...extra,
    }),
  );
  return file;
}

function editConfig(file: string, patch: Record<string, unknown>): void {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, stringify({ ...doc, ...patch }));
}

/** The lines of output that report the failure: the CLI's own lines, less the notice naming the
 *  config file every run prints first (pino JSON lines are logs). */
function failureLines(output: string): string[] {
  return output.split('\n').filter((l) => l.startsWith('cocoasyncer:') && !l.startsWith('cocoasyncer: using config '));
}

test('an SQLite file that cannot be created (DSN under /proc) fails in one line naming DSN and the OS reason, exit non-zero', async (t) => {
  const port = await freePort();
  const run = await cli(['--config', configFile({ APIPort: port, DSN: 'file:/proc/cocoa-x.db' }), 'run']);
  t.not(run.code, 0);
  t.not(run.code, 13, 'not the unsettled-promise exit');
  const lines = failureLines(run.output);
  t.is(lines.length, 1, run.output);
  t.regex(lines[0]!, /DSN: .*\/proc\/cocoa-x\.db.*(ENOENT|EACCES|EROFS|EPERM)/);
});

test('a DSN whose parent path is a file fails naming DSN, ENOTDIR and the file in the way', async (t) => {
  const dir = tempDir('cocoa-first-');
  writeFileSync(join(dir, 'data'), 'not a folder');
  const port = await freePort();
  const run = await cli(['--config', configFile({ APIPort: port, DSN: 'file:data/node.db' }, dir), 'run']);
  t.is(run.code, 1);
  const lines = failureLines(run.output);
  t.is(lines.length, 1, run.output);
  t.regex(lines[0]!, /DSN: .*ENOTDIR .*data is a file, not a folder/);
  t.notRegex(run.output, /EEXIST/);
});

test('a failed first start (port in use) stores nothing: the fixed config\'s NodeAddress is the one the node advertises', async (t) => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.teardown(() => busy.close());
  const busyPort = (busy.address() as { port: number }).port;
  const dir = tempDir('cocoa-first-');
  const file = configFile({ APIPort: busyPort, NodeAddress: `http://127.0.0.1:${busyPort}` }, dir);
  const failed = await cli(['--config', file, 'run']);
  t.is(failed.code, 1);
  const lines = failureLines(failed.output);
  t.is(lines.length, 1, failed.output);
  t.regex(lines[0]!, new RegExp(`APIPort: cannot listen on 127\\.0\\.0\\.1:${busyPort}: EADDRINUSE`));

  const port = await freePort();
  editConfig(file, { APIPort: port, NodeAddress: `http://127.0.0.1:${port}` });
  const child = spawnCli(['--config', file, 'run'], {});
  const out = collect(child);
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  await waitForHttp(`http://127.0.0.1:${port}/v1`, 90_000);
  const admin = new AdminClient({ baseUrl: `http://127.0.0.1:${port}`, secret: 'first-secret-1234', timeoutMs: 10_000 });
  const status = await admin.get<{ nodes: { self: boolean; nodeAddress: string }[] }>('/v2/admin/status');
  t.is(status.nodes.find((n) => n.self)?.nodeAddress, `http://127.0.0.1:${port}`);
  t.notRegex(out(), /config differs from the stored node identity/);
  child.kill('SIGTERM');
  t.is(await exited(child), 0);
});

test('a node not in a cluster takes a changed CocoaSecret from its config: the new secret works, the old one is refused', async (t) => {
  const port = await freePort();
  const file = configFile({ APIPort: port, NodeAddress: `http://127.0.0.1:${port}` });
  const start = async () => {
    const child = spawnCli(['--config', file, 'run'], {});
    collect(child);
    await waitForHttp(`http://127.0.0.1:${port}/v1`, 90_000);
    return child;
  };
  let child = await start();
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  child.kill('SIGTERM');
  await exited(child);
  editConfig(file, { CocoaSecret: 'my-own-secret-5678' });
  child = await start();
  const status = await cli(['--config', file, 'status', '--json']);
  t.is(status.code, 0, status.output);
  const old = new AdminClient({ baseUrl: `http://127.0.0.1:${port}`, secret: 'first-secret-1234', timeoutMs: 10_000 });
  const refused = await old.get('/v2/admin/status').then(() => null, (err: { status?: number }) => err);
  t.is(refused?.status, 401);
  child.kill('SIGTERM');
  await exited(child);
});

test('the example-secret warning checks the secret in use (also the original\'s Cocoa&Mafuyu) and goes once it is rotated; the CLI keeps working', async (t) => {
  const port = await freePort();
  const file = configFile({ APIPort: port, NodeAddress: `http://127.0.0.1:${port}`, CocoaSecret: 'Cocoa&Mafuyu' });
  const child = spawnCli(['--config', file, 'run'], {});
  const out = collect(child);
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  await waitForHttp(`http://127.0.0.1:${port}/v1`, 90_000);
  const warnings = async () => ((await (await fetch(`http://127.0.0.1:${port}/v1/status.json`)).json()) as { warnings: string[] }).warnings;
  t.true((await warnings()).some((w) => /published example secret/.test(w)));
  await until(() => /published example secret/.test(out()), 10_000, 'the start warning');

  const rotated = await cli(['--config', file, 'secret', 'rotate', '--secret', 'a-brand-new-secret-42']);
  t.is(rotated.code, 0, rotated.output);
  t.regex(rotated.output, /rotated this node's secret/);
  t.false(rotated.output.includes('a-brand-new-secret-42'), 'the new secret is not printed');
  t.deepEqual(await warnings(), []);
  // The CLI signs with the config file's secret: it was rewritten, so the next command works.
  const status = await cli(['--config', file, 'status', '--json']);
  t.is(status.code, 0, status.output);
  const old = new AdminClient({ baseUrl: `http://127.0.0.1:${port}`, secret: 'Cocoa&Mafuyu', timeoutMs: 10_000 });
  t.is((await old.get('/v2/admin/status').then(() => null, (err: { status?: number }) => err))?.status, 401);
  t.false(out().includes('a-brand-new-secret-42'), 'the new secret never reaches the log');
  child.kill('SIGTERM');
  await exited(child);
});

test('an original config.yaml with `CocoaSecret: 999` starts with V1Compat: true (warned at start and in status.json) and is refused without it, saying why', async (t) => {
  const port = await freePort();
  const dir = tempDir('cocoa-first-');
  const file = join(dir, 'config.yaml');
  const text = (v1: boolean) =>
    [
      `APIPort: ${port}`,
      'BindAddress: 127.0.0.1',
      'NodeName: LuckyCocoa',
      'NodeCode: 1',
      `NodeAddress: http://127.0.0.1:${port}`,
      'WorkMode: leader',
      'CocoaSecret: 999',
      'DSN: file:node.db',
      `V1Compat: ${v1}`,
      'PublicIP: { IPv4: { Disabled: true }, IPv6: { Disabled: true } }',
    ].join('\n');
  writeFileSync(file, text(false));
  const refused = await cli(['--config', file, 'run']);
  t.is(refused.code, 2);
  t.regex(refused.output, /CocoaSecret: is 3 characters; at least 8 are required, because a short secret is easily guessed\..*V1Compat: true/);
  t.notRegex(refused.output, /expected string/);

  writeFileSync(file, text(true));
  const child = spawnCli(['--config', file, 'run'], {});
  const out = collect(child);
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  await waitForHttp(`http://127.0.0.1:${port}/v1`, 90_000);
  await until(() => /shorter than 8 characters/.test(out()), 10_000, 'the start warning');
  const view = (await (await fetch(`http://127.0.0.1:${port}/v1/status.json`)).json()) as { warnings: string[] };
  t.true(view.warnings.some((w) => /shorter than 8 characters .*V1Compat/.test(w)));
  // The secret is the text `999`, as the original reads it.
  const admin = new AdminClient({ baseUrl: `http://127.0.0.1:${port}`, secret: '999', timeoutMs: 10_000 });
  t.truthy(await admin.get('/v2/admin/status'));
  child.kill('SIGTERM');
  await exited(child);
});

test('in a cluster: `secret rotate` on a follower changes its secret and the leader\'s copy together (pushes keep reaching it); `node set <self> --address` changes the stored identity', async (t) => {
  const leader = await procNode({ code: 'rl', mode: 'leader', isps: ['CT'], ipv4: '203.0.113.1' });
  const follower = await procNode({ code: 'rf', mode: 'follower', isps: ['CU'], ipv4: '203.0.113.2' });
  const nodes: ProcNode[] = [leader, follower];
  t.teardown(async () => {
    for (const n of nodes) await n.kill('SIGKILL').catch(() => undefined);
  });
  await Promise.all(nodes.map((n) => n.start(90_000)));
  const join = await cli(['--config', leader.configFile, 'join', follower.url, '--secret', follower.secret]);
  t.is(join.code, 0, join.output);

  const rotated = await cli(['--config', follower.configFile, 'secret', 'rotate', '--secret', 'follower-rotated-secret']);
  t.is(rotated.code, 0, rotated.output);
  t.regex(rotated.output, /the leader has the new one too/);
  t.is((await cli(['--config', follower.configFile, 'status', '--json'])).code, 0, 'the CLI keeps working on the follower');

  // An edit on the leader reaches the follower, sealed and signed for its new secret.
  const added = await leader.admin.post<{ stateVersion: number }>('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  const fAdmin = new AdminClient({ baseUrl: follower.url, secret: 'follower-rotated-secret', timeoutMs: 10_000 });
  await until(async () => (await fAdmin.get<{ node: { stateVersion: number } }>('/v2/admin/status')).node.stateVersion >= added.stateVersion, 60_000, 'the follower to apply the edit');

  // node set <follower> --address on the leader: the follower's own identity follows, and stays after a restart.
  const newAddress = `http://localhost:${follower.port}`;
  const set = await cli(['--config', leader.configFile, 'node', 'set', 'rf', '--address', newAddress]);
  t.is(set.code, 0, set.output);
  const selfAddress = async () => (await fAdmin.get<{ nodes: { self: boolean; nodeAddress: string }[] }>('/v2/admin/status')).nodes.find((n) => n.self)?.nodeAddress;
  await until(async () => (await selfAddress()) === newAddress, 60_000, 'the follower to take its new address');
  await follower.kill();
  await follower.start(90_000);
  t.is(await selfAddress(), newAddress);
  t.notRegex(follower.output(), /CocoaSecret/, 'the rotated secret is the stored one, and the config file has it: no drift warning');

  // node set <leader itself> --name on the leader: its own stored identity changes (kept over a restart).
  t.is((await cli(['--config', leader.configFile, 'node', 'set', 'rl', '--name', 'Renamed Leader'])).code, 0);
  await leader.kill();
  await leader.start(90_000);
  const leaderSelf = (await leader.admin.get<{ node: { nodeName: string } }>('/v2/admin/status')).node.nodeName;
  t.is(leaderSelf, 'Renamed Leader');
});
