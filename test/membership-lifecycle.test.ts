// Membership changes with real processes on loopback: a force-quit stays quit, a leader that
// stepped down stops pushing and shows no v1 business string, and a node never drops itself from
// its own live set while a peer joins or restarts.
import test from 'ava';
import { describePeerReply } from '../src/cluster/peer-reply.js';
import { V1_NOT_ALLOWED } from '../src/cluster/wire-v1.js';
import { collect, exited, spawnCli } from './helpers/node.js';
import { procNode, statusOf, until, type ProcNode } from './helpers/cluster.js';

async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawnCli(args, {});
  const output = collect(child);
  const code = await exited(child);
  return { code, output: output() };
}

async function cluster(t: { teardown(fn: () => Promise<void>): void }, ...specs: Parameters<typeof procNode>[0][]): Promise<ProcNode[]> {
  const nodes = await Promise.all(specs.map((s) => procNode(s)));
  t.teardown(async () => {
    for (const n of nodes) await n.kill('SIGKILL').catch(() => undefined);
  });
  await Promise.all(nodes.map((n) => n.start(90_000)));
  return nodes;
}

interface Pushes {
  followers: { nodeCode: string; lastError: string | null; appliedVersion: number | null }[];
}

test('a v1 business string never reaches an operator: a peer\'s 405 is described in plain words', (t) => {
  const text = describePeerReply(V1_NOT_ALLOWED);
  t.regex(text, /^405 not allowed on this node/);
  t.notRegex(text, /kawaii|Cocoa/);
});

test('quit --force on a follower is not undone by its old leader: its pushes are refused (also after a restart) until the leader joins it again', async (t) => {
  const [leader, follower] = await cluster(t, { code: 'ql', mode: 'leader', isps: ['CT'], ipv4: '203.0.113.1' }, { code: 'qf', mode: 'follower', isps: ['CU'], ipv4: '203.0.113.2' });
  t.is((await cli(['--config', leader!.configFile, 'join', follower!.url, '--secret', follower!.secret])).code, 0);
  await until(async () => (await statusOf(follower!)).node.joined, 60_000, 'the follower to be joined');

  await leader!.kill('SIGKILL');
  const quit = await cli(['--config', follower!.configFile, 'quit', '--force']);
  t.is(quit.code, 0, quit.output);
  t.false((await statusOf(follower!)).node.joined);

  // The old leader returns and pushes (it still lists the follower): refused, in words.
  await leader!.start(90_000);
  const refusedPush = async () => {
    const pushes = await leader!.admin.get<Pushes>('/v2/admin/pushes');
    return pushes.followers.find((f) => f.nodeCode === 'qf')?.lastError?.includes('left the cluster') ?? false;
  };
  await until(refusedPush, 60_000, 'the leader to see its push refused');
  t.false((await statusOf(follower!)).node.joined, 'the force-quit holds');

  // Remembered across a restart of the follower.
  await follower!.kill();
  await follower!.start(90_000);
  await leader!.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  await until(refusedPush, 60_000, 'the push after the edit to be refused too');
  t.false((await statusOf(follower!)).node.joined);

  // Joined again (after the leader removes the stale entry): the handshake lets pushes in.
  t.is((await cli(['--config', leader!.configFile, 'quit', 'qf'])).code, 0);
  const rejoin = await cli(['--config', leader!.configFile, 'join', follower!.url, '--secret', follower!.secret]);
  t.is(rejoin.code, 0, rejoin.output);
  await until(async () => (await statusOf(follower!)).node.joined, 60_000, 'the follower to take the pushes again');
});

test('a leader that stepped down stops pushing and keeps no push error; no operator surface shows the v1 business string', async (t) => {
  const [leader, follower] = await cluster(t, { code: 'sl', mode: 'leader', isps: ['CT'], ipv4: '203.0.113.1' }, { code: 'sf', mode: 'follower', isps: ['CU'], ipv4: '203.0.113.2' });
  t.is((await cli(['--config', leader!.configFile, 'join', follower!.url, '--secret', follower!.secret])).code, 0);
  await until(async () => (await statusOf(follower!)).node.joined, 60_000, 'the follower to be joined');

  const promote = await cli(['--config', follower!.configFile, 'promote']);
  t.is(promote.code, 0, promote.output);
  await until(async () => (await statusOf(leader!)).node.workMode === 'follower', 60_000, 'the old leader to step down');
  t.deepEqual((await leader!.admin.get<Pushes>('/v2/admin/pushes')).followers, [], 'no follower push state on a node that stepped down');

  // The new leader's next edit reaches the old one; by then any push of the old leader would show.
  const added = await follower!.admin.post<{ stateVersion: number }>('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  await until(async () => (await statusOf(leader!)).node.stateVersion >= added.stateVersion, 60_000, 'the old leader to apply the new leader\'s edit');
  t.deepEqual((await leader!.admin.get<Pushes>('/v2/admin/pushes')).followers, []);
  const shown = JSON.stringify(await statusOf(leader!)) + JSON.stringify(await statusOf(follower!)) + (await cli(['--config', leader!.configFile, 'status'])).output;
  t.notRegex(shown, /kawaii|Cocoa is/);
  t.notRegex(leader!.output() + follower!.output(), /kawaii/);
});

test('a node stays live to itself while a peer joins and restarts: own lines never drop to 0; right after join the leader counts the new node up', async (t) => {
  const [leader, follower] = await cluster(t, { code: 'll', mode: 'leader', isps: ['CT'], ipv4: '203.0.113.1' }, { code: 'lf', mode: 'follower', isps: ['CU'], ipv4: '203.0.113.2' });
  const samples: { node: string; live: string[]; own: number | null }[] = [];
  let sampling = true;
  const ownLines = async (n: ProcNode): Promise<number | null> => {
    const text = await (await fetch(`${n.url}/metrics`)).text();
    const m = /^cocoasyncer_lines_served\{kind="own"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : null;
  };
  const sampler = (async () => {
    while (sampling) {
      for (const n of [leader!, follower!]) {
        try {
          const s = await statusOf(n);
          samples.push({ node: n.code, live: (s.node as unknown as { liveForPlanning: string[] }).liveForPlanning, own: await ownLines(n) });
        } catch {
          // The follower is restarting.
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await until(() => samples.some((s) => s.node === 'll'), 10_000, 'a first sample');

  const join = await cli(['--config', leader!.configFile, 'join', follower!.url, '--secret', follower!.secret]);
  t.is(join.code, 0, join.output);
  // Right after the join the leader has heard the follower (it answered the handshake).
  const after = await statusOf(leader!);
  t.true(after.nodes.find((n) => n.nodeCode === 'lf')?.up, 'the joined node counts as up at once');
  const badge = await (await fetch(`${leader!.url}/v1/badge`)).text();
  t.regex(badge, /2\/2/);

  await until(async () => (await statusOf(follower!)).node.joined, 60_000, 'the follower to be joined');
  await follower!.kill();
  await follower!.start(90_000);
  await until(async () => {
    const s = await statusOf(leader!);
    return (s.node as unknown as { liveForPlanning: string[] }).liveForPlanning.includes('lf');
  }, 30_000, 'the leader to settle on the restarted follower');
  sampling = false;
  await sampler;

  const leaderSamples = samples.filter((s) => s.node === 'll');
  t.true(leaderSamples.length > 5);
  for (const s of samples) {
    t.true(s.live.includes(s.node), `${s.node} live to itself (live: ${JSON.stringify(s.live)})`);
    if (s.own !== null) t.true(s.own > 0, `${s.node} serves its own lines`);
  }
});
