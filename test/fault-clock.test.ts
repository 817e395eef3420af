// Clocks never decide liveness: real node processes under libfaketime (Debian's faketime package),
// one 10 minutes ahead and one 2 hours behind, and replay protection across a restart.
import test from 'ava';
import { existsSync } from 'node:fs';
import { requestTarget, signRequest } from '../src/security/index.js';
import { procNode, statusOf, until, type ProcNode } from './helpers/cluster.js';
import { moreDnsRuns, partitionWorld, seesUp } from './helpers/partition-world.js';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Environment that shifts a process's wall clock (timers stay on the real monotonic clock). */
const shifted = (offset: string): Record<string, string> => ({ LD_PRELOAD: LIBFAKETIME, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' });

const skewTest = existsSync(LIBFAKETIME) || process.env.CI === 'true' ? test : test.skip;
if (!existsSync(LIBFAKETIME)) console.warn(`\n  NOTICE: ${LIBFAKETIME} missing (apt-get install faketime); skipping the clock-skew test\n`);

skewTest('one node 10 minutes ahead and one 2 hours behind: every node sees every other up, no record moves, and each peer\'s clock offset is measured', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default'], ipv4: '198.51.100.10' },
    { code: 'B', mode: 'follower', isps: ['CU'], ipv4: '198.51.100.20', env: shifted('+10m') },
    { code: 'C', mode: 'follower', isps: ['CT'], ipv4: '198.51.100.30', env: shifted('-2h') },
  ], { default: '198.51.100.10', CU: '198.51.100.20', CT: '198.51.100.30' });
  // (A provider refuses C's own calls, 2 h off — the vendors allow 15 min — so the records start on
  // their owners' addresses: what is tested is that nobody else writes them.)
  const [A, B, C] = w.nodes as [ProcNode, ProcNode, ProcNode];
  await until(() => w.value('default') === '198.51.100.10' && w.value('CU') === '198.51.100.20' && w.value('CT') === '198.51.100.30', 30_000, 'each line on its owner');
  const all = async () => {
    for (const [x, y] of [[A, 'B'], [A, 'C'], [B, 'A'], [B, 'C'], [C, 'A'], [C, 'B']] as const) if (!(await seesUp(x, y))) return false;
    return true;
  };
  await until(all, 30_000, 'every node sees every other up');
  const mark = w.mark();
  await moreDnsRuns([A, B, C], 3);
  t.true(await all());
  for (const line of ['default', 'CU', 'CT'] as const) t.deepEqual(w.changes(line, mark), [], `${line} moved`);
  // The skew is seen for what it is: A measures B about +600 s and C about -7200 s.
  const offsets = (await A.admin.get<{ nodes: { nodeCode: string; clockOffsetSeconds?: number | null }[] }>('/v2/admin/status')).nodes;
  const off = (code: string) => offsets.find((n) => n.nodeCode === code)?.clockOffsetSeconds ?? null;
  t.true(Math.abs((off('B') ?? 0) - 600) < 30, `B offset ${off('B')}`);
  t.true(Math.abs((off('C') ?? 0) + 7200) < 30, `C offset ${off('C')}`);
  t.regex(A.output(), /peer clock differs by more than 30 s/);
  t.regex(await (await fetch(`${A.url}/metrics`)).text(), /^cocoasyncer_peer_clock_offset_seconds\{peer="Node B"\} (59\d|60\d)(\.\d+)?$/m);
});

test('a captured signed request is refused when replayed, also after the node restarts', async (t) => {
  const node = await procNode({ code: 'R', mode: 'leader', isps: ['default'] });
  t.teardown(() => node.kill('SIGKILL'));
  await node.start();
  await node.admin.post('/v2/admin/services', { name: 'victim', domain: 'example.com', record: 'www', provider: 'Ali' });
  // What an eavesdropper captures: the exact signed request.
  const path = '/v2/admin/services/victim';
  const headers = signRequest({ method: 'DELETE', path: requestTarget(`${node.url}${path}`), body: '', secret: node.secret, keyId: 'cli' });
  const send = () => fetch(`${node.url}${path}`, { method: 'DELETE', headers });
  t.is((await send()).status, 200);
  t.is((await send()).status, 401, 'replay before the restart');
  await node.admin.post('/v2/admin/services', { name: 'victim', domain: 'example.com', record: 'www', provider: 'Ali' });
  const signedAt = Number(headers['X-Cocoa-Timestamp']) * 1000;
  await node.kill('SIGTERM');
  // The restart must begin in a later wall-clock second than the capture (see NonceCache.sinceMs).
  await until(() => Date.now() >= signedAt + 1000, 5000, 'the next second');
  await node.start();
  const replay = await send();
  t.is(replay.status, 401, 'replay after the restart');
  t.regex(String(((await replay.json()) as { message?: string }).message), /timestamp/);
  const names = (await node.admin.get<{ services: { serviceName: string }[] }>('/v2/admin/services')).services.map((s) => s.serviceName);
  t.deepEqual(names, ['victim']);
  t.is((await statusOf(node)).node.workMode, 'leader');
});

skewTest('joining a node whose clock is 10 minutes off works, and the leader warns about the clock', async (t) => {
  const leader = await procNode({ code: 'J', mode: 'leader', isps: ['default'] });
  const follower = await procNode({ code: 'K', mode: 'follower', isps: ['CU'], env: shifted('+10m') });
  t.teardown(async () => {
    await leader.kill('SIGKILL');
    await follower.kill('SIGKILL');
  });
  await Promise.all([leader.start(), follower.start()]);
  await leader.admin.post('/v2/admin/join', { address: follower.url, secret: follower.secret });
  await until(async () => (await statusOf(follower)).node.joined, 30_000, 'the follower to receive the state');
  t.regex(leader.output(), /clock differs by more than 30 s/);
});
