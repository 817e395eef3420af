// A quit node's hand-off is temporary: the lines go back to their owner when it is joined again,
// also when another leader does the join (the hand-offs travel in the replicated state).
import test from 'ava';
import { joinNode, removeNode, setNode } from '../src/cluster/edits.js';
import type { ClusterNode, ClusterState } from '../src/model.js';
import { collect, exited, spawnCli } from './helpers/node.js';
import { procNode, statusOf, until, type ProcNode } from './helpers/cluster.js';
import { clusterNode } from './helpers/fixtures.js';

const node = clusterNode;
const STATE: ClusterState = { version: 3, term: 1, nodes: [node('A', { workMode: 'leader', isps: ['CT'] }), node('B', { isps: ['CU'] })], services: [], cloudAccounts: [], notifiers: [] };

test('removing a node records each line it handed over; joining it again gives them back and drops the record', (t) => {
  const removed = removeNode(STATE, 'B', 'A').state;
  t.deepEqual(removed.nodes.map((n) => [n.nodeCode, n.isps]), [['A', ['CT', 'CU']]]);
  t.deepEqual(removed.handOffs?.map(({ owner, taker, line }) => ({ owner, taker, line })), [{ owner: 'B', taker: 'A', line: 'CU' }]);

  const { state, restored } = joinNode(removed, node('B', { isps: ['CU'] }));
  t.deepEqual(restored, [{ line: 'CU', from: 'A' }]);
  t.deepEqual(state.nodes.map((n) => [n.nodeCode, n.isps]), [['A', ['CT']], ['B', ['CU']]]);
  t.false('handOffs' in state, 'no hand-off left');
});

test('an operator who sets the taker\'s lines keeps them: nothing is given back on re-join', (t) => {
  const removed = removeNode(STATE, 'B', 'A').state;
  const set = setNode(removed, 'A', { isps: ['CT', 'CU'] });
  t.false('handOffs' in set);
  const { state, restored } = joinNode(set, node('B'));
  t.deepEqual(restored, []);
  t.deepEqual(state.nodes[0]!.isps, ['CT', 'CU']);
});

async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawnCli(args, {});
  const output = collect(child);
  const code = await exited(child);
  return { code, output: output() };
}

test('a quit follower re-joined by a newly promoted leader serves its own lines again, and the join says what it restored', async (t) => {
  const nodes: ProcNode[] = await Promise.all([
    procNode({ code: 'hl', mode: 'leader', isps: ['CT'], ipv4: '203.0.113.1' }),
    procNode({ code: 'hp', mode: 'follower', isps: ['CMCC'], ipv4: '203.0.113.2' }),
    procNode({ code: 'hq', mode: 'follower', isps: ['CU'], ipv4: '203.0.113.3' }),
  ]);
  t.teardown(async () => {
    for (const n of nodes) await n.kill('SIGKILL').catch(() => undefined);
  });
  const [leader, promoted, quitter] = nodes as [ProcNode, ProcNode, ProcNode];
  await Promise.all(nodes.map((n) => n.start(90_000)));
  for (const f of [promoted, quitter]) t.is((await cli(['--config', leader.configFile, 'join', f.url, '--secret', f.secret])).code, 0);
  await until(async () => (await statusOf(quitter)).node.joined && (await statusOf(promoted)).nodes.length === 3, 60_000, 'all joined');

  const quit = await cli(['--config', quitter.configFile, 'quit']);
  t.is(quit.code, 0, quit.output);
  t.regex(quit.output, /until it is joined again/);
  const ispsOf = async (n: ProcNode, code: string) => (await statusOf(n)).nodes.find((x) => x.nodeCode === code) as unknown as { isps: string[] } | undefined;
  t.deepEqual((await ispsOf(leader, 'hl'))?.isps, ['CT', 'CU'], 'the leader serves the quitter\'s line meanwhile');

  // Another leader takes over: the hand-off travelled with the state.
  await until(async () => (await statusOf(promoted)).nodes.length === 2, 60_000, 'the promoted node to see the quit');
  t.is((await cli(['--config', promoted.configFile, 'promote'])).code, 0);
  await until(async () => (await statusOf(promoted)).node.workMode === 'leader', 60_000, 'the promotion');

  const join = await cli(['--config', promoted.configFile, 'join', quitter.url, '--secret', quitter.secret]);
  t.is(join.code, 0, join.output);
  t.regex(join.output, /restored the lines it handed over when it quit: CU \(from hl\)/);
  await until(async () => (await statusOf(quitter)).node.joined, 60_000, 'the quitter to be joined again');
  t.deepEqual((await ispsOf(promoted, 'hl'))?.isps, ['CT']);
  t.deepEqual((await ispsOf(promoted, 'hq'))?.isps, ['CU']);
  // The quitter serves its own line again, by its own plan.
  await until(
    async () => (await statusOf(quitter)).nodes.find((n) => n.nodeCode === 'hq')?.serving.some((s) => s.line === 'CU' && !s.takeover),
    60_000,
    'the quitter to serve CU itself',
  );
  t.pass();
});
