// One leader, whatever happens to the old one: real node processes, promote while the leader is
// dead or cut off, then its return.
import test from 'ava';
import { statusOf, until, type ProcNode } from './helpers/cluster.js';
import { partitionWorld } from './helpers/partition-world.js';

async function role(node: ProcNode): Promise<string> {
  return (await statusOf(node)).node.workMode;
}

async function serviceNames(node: ProcNode): Promise<string[]> {
  const body = (await node.admin.get('/v2/admin/services')) as { services: { serviceName: string }[] };
  return body.services.map((s) => s.serviceName).sort();
}

test('the leader dies, the follower is promoted, the old leader comes back: it follows the new leader within a few heartbeats and takes its state', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default'], ipv4: '198.51.100.10' },
    { code: 'B', mode: 'follower', isps: ['CU'], ipv4: '198.51.100.20' },
  ]);
  const [A, B] = w.nodes as [ProcNode, ProcNode];
  await A.kill('SIGKILL');
  await B.admin.post('/v2/admin/promote', {});
  t.is(await role(B), 'leader');
  await B.admin.post('/v2/admin/services', { name: 'after-promote', domain: 'example.com', record: 'new', provider: 'Ali' });

  await A.start();
  await until(async () => (await role(A)) === 'follower', 30_000, 'the old leader to step down');
  t.is(await role(B), 'leader');
  await until(async () => (await serviceNames(A)).includes('after-promote'), 30_000, 'the old leader to take the new leader\'s state');
  // And it stays that way: several heartbeats later there is still exactly one leader.
  const v = (await statusOf(B)).node.stateVersion;
  await until(async () => ((await statusOf(A)).node.stateVersion ?? 0) >= v, 30_000, 'A applied B\'s version');
  t.deepEqual([await role(A), await role(B)], ['follower', 'leader']);
});

test('promote during a partition, then heal: the newer term wins on both sides, and the edit the old leader accepted meanwhile is reported, not silently dropped', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default'], ipv4: '198.51.100.10' },
    { code: 'B', mode: 'follower', isps: ['CU'], ipv4: '198.51.100.20' },
  ]);
  const [A, B] = w.nodes as [ProcNode, ProcNode];
  // B has everything A acknowledged so far: only the edit made during the cut can be lost.
  const v = (await statusOf(A)).node.stateVersion;
  await until(async () => (await statusOf(B)).node.stateVersion >= v, 30_000, 'B to apply A\'s state');
  w.cut('A', 'B');
  await B.admin.post('/v2/admin/promote', {});
  t.is(await role(B), 'leader');
  t.is(await role(A), 'leader');
  // The old leader, cut off, still accepts an edit (its acknowledgement is honest: it is stored).
  await A.admin.post('/v2/admin/services', { name: 'on-old-leader', domain: 'example.com', record: 'old', provider: 'Ali' });
  await B.admin.post('/v2/admin/services', { name: 'on-new-leader', domain: 'example.com', record: 'new', provider: 'Ali' });

  w.heal('A', 'B');
  await until(async () => (await role(A)) === 'follower', 30_000, 'the old leader to step down after the heal');
  t.is(await role(B), 'leader');
  await until(async () => (await serviceNames(A)).includes('on-new-leader'), 30_000, 'A to follow B\'s state');
  t.false((await serviceNames(B)).includes('on-old-leader'));
  await until(() => /stepped down with edits no follower acknowledged/.test(A.output()) && /service-add@v/.test(A.output()), 10_000, 'the old leader to report its unpropagated edit');
  // The status (and so `cocoasyncer status`) and /metrics say so too.
  const lost = (await A.admin.get<{ node: { unpropagatedEdits: { edits: { cause: string }[] } | null; term: number } }>('/v2/admin/status')).node;
  t.deepEqual(lost.unpropagatedEdits?.edits.map((e) => e.cause), ['service-add']);
  t.true(lost.term >= 1);
  t.regex(await (await fetch(`${A.url}/metrics`)).text(), /^cocoasyncer_unpropagated_edits 1$/m);
});
