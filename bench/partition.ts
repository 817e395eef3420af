// Partitions and a throttled failover, end to end: node processes behind link proxies, the real
// Alidns SDK against the signature-checking emulator, value changes counted per record.
//  1. 2 nodes, the link cut for PARTITION seconds, then healed: value changes per record, writes.
//  2. 3 nodes (A, B and a `None` witness W), only A <-> B cut for PARTITION seconds, then healed.
//  3. a follower SIGKILLed while the provider throttles the next 12 calls, at default DnsSyncSeconds:
//     time from the kill to the survivor's address on the orphaned records.
// Goals: <= 2 changes per record (2 nodes), 0 (3 nodes, witness sees both); throttled failover
// <= FailAfterSeconds + 10 s.
// Run: npx tsx bench/partition.ts [partitionSeconds=60]
import { until, type ProcNode } from '../test/helpers/cluster.js';
import { moreDnsRuns, partitionWorld, seesUp, type Line, type PartitionWorld } from '../test/helpers/partition-world.js';

const PARTITION_S = Number(process.argv[2] ?? 60);
const LINES: Line[] = ['default', 'CT', 'CU', 'CMCC'];
const IP = { A: '198.51.100.10', B: '198.51.100.20' };

/** Collects teardown steps the way ava's `t.teardown` does. */
function scope(): { teardown(fn: () => Promise<void> | void): void; close(): Promise<void> } {
  const fns: (() => Promise<void> | void)[] = [];
  return { teardown: (fn) => void fns.push(fn), close: async () => { for (const fn of fns.reverse()) await fn(); } };
}

const writes = (w: PartitionWorld) => w.ali.writes();

async function partition(label: string, witness: boolean): Promise<void> {
  const s = scope();
  try {
    const specs = [
      { code: 'A', mode: 'leader' as const, isps: ['default', 'CT'], ipv4: IP.A, extra: { LogLevel: 'warn' } },
      { code: 'B', mode: 'follower' as const, isps: ['CU', 'CMCC'], ipv4: IP.B, extra: { LogLevel: 'warn' } },
      ...(witness ? [{ code: 'W', mode: 'follower' as const, isps: ['None'], extra: { LogLevel: 'warn' } }] : []),
    ];
    const w = await partitionWorld(s, specs);
    const [A, B] = w.nodes as [ProcNode, ProcNode];
    await until(() => w.value('default') === IP.A && w.value('CT') === IP.A && w.value('CU') === IP.B && w.value('CMCC') === IP.B, 60_000, 'steady state');
    await moreDnsRuns(w.nodes, 1);
    const mark = w.mark();
    const writesBefore = writes(w);
    w.cut('A', 'B');
    const cutAt = Date.now();
    await until(() => Date.now() - cutAt >= PARTITION_S * 1000, PARTITION_S * 1000 + 5000, 'the partition', 200);
    w.heal('A', 'B');
    await until(async () => (await seesUp(A, 'B')) && (await seesUp(B, 'A')), 60_000, 'the heal');
    await moreDnsRuns([A, B], 3);
    const per = LINES.map((l) => `${l} ${w.changes(l, mark).length}`);
    const max = Math.max(...LINES.map((l) => w.changes(l, mark).length));
    console.log(`${label}: ${PARTITION_S} s partition + heal: value changes per record ${per.join(', ')} (max ${max}); provider writes ${writes(w) - writesBefore}; final ${LINES.map((l) => w.value(l)).join(' ')}`);
  } finally {
    await s.close();
  }
}

async function throttledFailover(): Promise<void> {
  const s = scope();
  try {
    const timing = { HeartbeatSeconds: 5, FailAfterSeconds: 15, DnsSyncSeconds: 60, PushSeconds: 30, RequestTimeoutSeconds: 2, LogLevel: 'warn' };
    const w = await partitionWorld(s, [
      { code: 'A', mode: 'leader', isps: ['default', 'CT'], ipv4: IP.A, extra: timing },
      { code: 'B', mode: 'follower', isps: ['CU', 'CMCC'], ipv4: IP.B, extra: timing },
    ]);
    const [, B] = w.nodes as [ProcNode, ProcNode];
    await until(() => w.value('CU') === IP.B && w.value('CMCC') === IP.B, 120_000, 'steady state');
    w.ali.faults.throttleNext(12);
    const killedAt = Date.now();
    await B.kill('SIGKILL');
    await until(() => w.value('CU') === IP.A && w.value('CMCC') === IP.A, 180_000, 'the failover', 100);
    const took = (Date.now() - killedAt) / 1000;
    console.log(`throttled failover (12 throttled calls, FailAfterSeconds 15, DnsSyncSeconds 60): SIGKILL → survivor's IP on both orphaned records in ${took.toFixed(1)} s (goal ≤ 25 s)`);
  } finally {
    await s.close();
  }
}

await partition('2 nodes', false);
await partition('3 nodes with a witness that sees both', true);
await throttledFailover();
