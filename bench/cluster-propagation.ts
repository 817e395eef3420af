// Propagation: a leader edit → applied on every follower, for 1, 5 and 10 followers, each a separate
// process on loopback. 100 edits per size; p50/p99 of the time until every follower acknowledged
// the new version (the leader records each follower's applied version from its push answers).
// Run: npx tsx bench/cluster-propagation.ts [edits]
import { procNode, until, type ProcNode } from '../test/helpers/cluster.js';
import { summary, ms } from './lib.js';

const EDITS = Number(process.argv[2] ?? 100);

interface Status {
  node: { stateVersion: number };
  nodes: { nodeCode: string; stateVersion: number | null }[];
}

async function run(followers: number): Promise<void> {
  const extra = { LogLevel: 'warn', PushSeconds: 30, HeartbeatSeconds: 5, FailAfterSeconds: 15 };
  const leader = await procNode({ code: 'leader', mode: 'leader', isps: ['None'], extra });
  const fs: ProcNode[] = [];
  for (let i = 0; i < followers; i++) fs.push(await procNode({ code: `f${i}`, mode: 'follower', isps: ['None'], extra }));
  const all = [leader, ...fs];
  try {
    for (const n of all) await n.start(60_000);
    for (const f of fs) await leader.admin.post('/v2/admin/join', { address: f.url, secret: f.secret });
    const allApplied = async (v: number) => {
      const s = await leader.admin.get<{ followers: { appliedVersion: number | null }[] }>('/v2/admin/pushes');
      return s.followers.length === followers && s.followers.every((f) => (f.appliedVersion ?? -1) >= v);
    };
    await until(async () => allApplied((await leader.admin.get<Status>('/v2/admin/status')).node.stateVersion), 20_000, 'initial push');
    const samples: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const started = process.hrtime.bigint();
      const res = await leader.admin.post<{ stateVersion: number }>('/v2/admin/services', { name: `svc-${i}`, domain: 'example.com', record: `r${i}`, provider: 'Ali' });
      await until(() => allApplied(res.stateVersion), 10_000, `edit ${i}`, 2);
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const s = summary(samples);
    console.log(`propagation, ${followers} follower(s): p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)} over ${s.n} edits`);
  } finally {
    await Promise.all(all.map((n) => n.kill('SIGKILL')));
  }
}

for (const n of [1, 5, 10]) await run(n);
