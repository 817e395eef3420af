// Partitions with real node processes: every node is reached through a link proxy that can cut any
// link; value changes are counted per record by the Alidns emulator.
import test from 'ava';
import { until } from './helpers/cluster.js';
import { moreDnsRuns, partitionWorld, seesUp } from './helpers/partition-world.js';

const IP = { A: '198.51.100.10', B: '198.51.100.20' };

test('three nodes with a witness: when only the A <-> B link is cut and the witness sees both, no record changes at all', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default', 'CT'], ipv4: IP.A },
    { code: 'B', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: IP.B },
    { code: 'W', mode: 'follower', isps: ['None'] },
  ]);
  const [A, B, W] = w.nodes as [typeof w.nodes[0], typeof w.nodes[0], typeof w.nodes[0]];
  await until(() => w.value('default') === IP.A && w.value('CT') === IP.A && w.value('CU') === IP.B && w.value('CMCC') === IP.B, 30_000, 'each line on its owner');
  await until(async () => (await seesUp(A, 'W')) && (await seesUp(B, 'W')) && (await seesUp(W, 'A')) && (await seesUp(W, 'B')), 30_000, 'everyone up');
  const mark = w.mark();

  w.cut('A', 'B');
  await until(async () => !(await seesUp(A, 'B')) && !(await seesUp(B, 'A')), 30_000, 'A and B see each other down');
  // Both keep reconciling through the cut: several full runs each, none may move a record.
  await moreDnsRuns([A, B], 3);
  t.true(await seesUp(W, 'A'));
  t.true(await seesUp(W, 'B'));
  for (const line of ['default', 'CT', 'CU', 'CMCC'] as const) t.deepEqual(w.changes(line, mark), [], `${line} changed during the cut`);

  w.heal('A', 'B');
  await until(async () => (await seesUp(A, 'B')) && (await seesUp(B, 'A')), 30_000, 'A and B see each other again');
  await moreDnsRuns([A, B], 2);
  for (const line of ['default', 'CT', 'CU', 'CMCC'] as const) t.deepEqual(w.changes(line, mark), [], `${line} changed after the heal`);
  t.is(w.value('default'), IP.A);
  t.is(w.value('CU'), IP.B);
});

test('three nodes: a node cut off from everyone keeps its own lines, takes over nothing, and the majority\'s real takeover of its lines is not fought over', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default', 'CT'], ipv4: IP.A },
    { code: 'B', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: IP.B },
    { code: 'W', mode: 'follower', isps: ['None'] },
  ]);
  const [, B] = w.nodes as [typeof w.nodes[0], typeof w.nodes[0]];
  await until(() => w.value('default') === IP.A && w.value('CT') === IP.A && w.value('CU') === IP.B && w.value('CMCC') === IP.B, 30_000, 'each line on its owner');
  const mark = w.mark();
  // B loses both links; A and W still see each other (a majority that sees B down).
  w.cut('B', 'A');
  w.cut('B', 'W');
  await until(async () => !(await seesUp(B, 'A')) && !(await seesUp(B, 'W')), 30_000, 'B sees nobody');
  await until(() => w.changes('CU', mark).length >= 1, 30_000, 'the majority takes B\'s lines over');
  await moreDnsRuns([B], 3);
  // B never wrote A's lines (no majority for it).
  t.deepEqual(w.changes('default', mark), []);
  t.deepEqual(w.changes('CT', mark), []);
  // Each of B's records: at most the stand-in's write and B's own rewrite, never back and forth.
  for (const line of ['CU', 'CMCC'] as const) t.true(w.changes(line, mark).length <= 2, `${line}: ${w.changes(line, mark).join(' -> ')}`);
  w.heal('B', 'A');
  w.heal('B', 'W');
  await until(async () => (await seesUp(B, 'A')) && (await seesUp(w.node('A'), 'B')), 30_000, 'B back');
  await until(() => w.value('CU') === IP.B && w.value('CMCC') === IP.B, 30_000, 'B\'s lines back on B');
  await moreDnsRuns(w.nodes, 2);
  for (const line of ['CU', 'CMCC'] as const) t.true(w.changes(line, mark).length <= 2, `${line}: ${w.changes(line, mark).join(' -> ')}`);
});

test('two nodes lose each other (no majority exists): each stands in for the other, but every record changes at most twice over the partition and its heal, and ends on its owner', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default', 'CT'], ipv4: IP.A },
    { code: 'B', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: IP.B },
  ]);
  const [A, B] = w.nodes as [typeof w.nodes[0], typeof w.nodes[0]];
  await until(() => w.value('default') === IP.A && w.value('CT') === IP.A && w.value('CU') === IP.B && w.value('CMCC') === IP.B, 30_000, 'each line on its owner');
  await until(async () => (await seesUp(A, 'B')) && (await seesUp(B, 'A')), 30_000, 'both up');
  const mark = w.mark();
  w.cut('A', 'B');
  await until(async () => !(await seesUp(A, 'B')) && !(await seesUp(B, 'A')), 30_000, 'each sees the other down');
  // Takeover on silence is the point: each writes the other's lines once...
  await until(() => w.changes('CU', mark).length >= 1 && w.changes('default', mark).length >= 1, 30_000, 'the stand-ins to write');
  // ...and however many passes follow, no record goes back and forth.
  await moreDnsRuns([A, B], 6);
  const lines = ['default', 'CT', 'CU', 'CMCC'] as const;
  for (const line of lines) t.true(w.changes(line, mark).length <= 2, `${line} during the cut: ${w.changes(line, mark).join(' -> ')}`);
  w.heal('A', 'B');
  await until(async () => (await seesUp(A, 'B')) && (await seesUp(B, 'A')), 30_000, 'each sees the other again');
  await until(() => w.value('default') === IP.A && w.value('CT') === IP.A && w.value('CU') === IP.B && w.value('CMCC') === IP.B, 30_000, 'each line back on its owner');
  await moreDnsRuns([A, B], 3);
  for (const line of lines) t.true(w.changes(line, mark).length <= 2, `${line} overall: ${w.changes(line, mark).join(' -> ')}`);
});

test('a failover held up by a throttling provider is retried with backoff until it lands, not left to the next scheduled sync', async (t) => {
  // DnsSyncSeconds far beyond the test: only the retries can land the failover.
  const extra = { DnsSyncSeconds: 600 };
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default', 'CT'], ipv4: IP.A, extra },
    { code: 'B', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: IP.B, extra },
  ]);
  const [, B] = w.nodes as [typeof w.nodes[0], typeof w.nodes[0]];
  await until(() => w.value('CU') === IP.B && w.value('CMCC') === IP.B && w.value('default') === IP.A, 30_000, 'each line on its owner');
  w.ali.faults.throttleNext(12);
  await B.kill('SIGKILL');
  await until(() => w.value('CU') === IP.A && w.value('CMCC') === IP.A, 120_000, 'the survivor\'s address on B\'s lines');
  t.regex(w.node('A').output(), /"reason":"([a-z-]+,)*retry[,"]/);
});
