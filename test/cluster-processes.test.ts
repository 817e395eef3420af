// A leader and two followers as separate processes on loopback (SQLite, SQLite, MariaDB).
import test from 'ava';
import { freshMariaDb } from './helpers/mariadb.js';
import { procNode, statusOf, until, type ProcNode } from './helpers/cluster.js';
import { postJson } from './helpers/http.js';
import { collect, exited, spawnCli } from './helpers/node.js';

test('MariaDB: a leader joins two followers, pushes edits to both, sees a killed follower go 504 and come back, and a quit leaves everywhere', async (t) => {
  const maria = await freshMariaDb('cluster');
  const leader = await procNode({ code: 'sh', mode: 'leader', isps: ['default', 'CT'], ipv4: '198.51.100.1' });
  const f1 = await procNode({ code: 'gz', mode: 'follower', isps: ['CU'], ipv4: '198.51.100.2' });
  const f2 = await procNode({
    code: 'bj',
    mode: 'follower',
    isps: ['CMCC'],
    ipv4: '198.51.100.3',
    extra: maria ? { DataBaseType: 'mysql', DSN: maria.dsn } : {},
  });
  const nodes: ProcNode[] = [leader, f1, f2];
  t.teardown(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await maria?.drop();
  });
  await Promise.all(nodes.map((n) => n.start()));

  // Joined with the CLI, as an operator would: it reads the leader's address and secret from its config.
  for (const [f, extraArgs] of [[f1, []], [f2, ['--isps', 'CMCC']]] as const) {
    const cli = spawnCli(['--config', leader.configFile, 'join', f.url, '--secret', f.secret, ...extraArgs, '--json'], {});
    const out = collect(cli);
    t.is(await exited(cli), 0, out());
    t.false(out().includes(f.secret), 'the CLI never prints the secret it was given');
  }
  await leader.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  await leader.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-test', accessSecret: 'ali-secret-never-shown', endpoint: 'http://127.0.0.1:9' });

  const version = (await statusOf(leader)).node.stateVersion;
  t.is(version, 4, 'two joins, a service and an account: four edits');
  await until(async () => (await statusOf(f1)).node.stateVersion === version && (await statusOf(f2)).node.stateVersion === version, 10_000, 'both followers to apply the leader\'s version');
  const seen = await statusOf(leader);
  t.deepEqual(seen.nodes.map((n) => [n.nodeCode, n.stateVersion]), [['sh', version], ['gz', version], ['bj', version]], 'the leader records each follower\'s applied version');
  await until(async () => (await statusOf(leader)).nodes.every((n) => n.up), 10_000, 'every node up on the leader');

  // SIGKILL one follower: the others mark it down (504) within the fail-after window (2 s here).
  await f1.kill('SIGKILL');
  const detectedMs = await until(
    async () => (await statusOf(leader)).nodes.find((n) => n.nodeCode === 'gz')?.statusCode === 504 && (await statusOf(f2)).nodes.find((n) => n.nodeCode === 'gz')?.statusCode === 504,
    8000,
    'gz to be 504 on the leader and on bj',
  );
  t.log(`SIGKILL → 504 on every peer: ${detectedMs} ms (FailAfterSeconds 2, HeartbeatSeconds 0.5)`);

  // Restart it: it keeps its state (version) and is 200 again everywhere.
  await f1.start();
  t.is((await statusOf(f1)).node.stateVersion, version);
  await until(
    async () => (await statusOf(leader)).nodes.find((n) => n.nodeCode === 'gz')?.statusCode === 200 && (await statusOf(f2)).nodes.find((n) => n.nodeCode === 'gz')?.statusCode === 200,
    10_000,
    'gz to be 200 again',
  );

  // bj quits: the leader removes it and pushes; gz no longer lists it; bj is "not joined" (201).
  const quit = await f2.admin.post<{ leaderTold: boolean }>('/v2/admin/quit', {});
  t.true(quit.leaderTold);
  await until(async () => !(await statusOf(leader)).nodes.some((n) => n.nodeCode === 'bj') && !(await statusOf(f1)).nodes.some((n) => n.nodeCode === 'bj'), 10_000, 'bj gone on the leader and on gz');
  const info = await postJson(`${f2.url}/v1/getClusterInfo`, {}, {});
  t.is(info.body.statusCode, 401, 'an unsigned v1 request is refused: V1Compat is off');
  t.false((await statusOf(f2)).node.joined);
  // bj's CMCC line was handed to the takeover node in the pushed state.
  const after = await statusOf(leader);
  t.true(after.nodes.some((n) => n.serving.some((s) => s.line === 'CMCC')), 'the quitter\'s line is served by a remaining node');
  for (const n of nodes) t.false(n.output().includes('ali-secret-never-shown'), `${n.code}'s log never shows the access secret`);
  for (const n of nodes) t.false(n.output().includes(n.secret), `${n.code}'s log never shows its secret`);
});
