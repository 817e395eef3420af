// A follower killed (SIGKILL) while it applies pushes restarts with exactly one version of the state
// the leader pushed, never a mix: a state is written in one transaction.
import test from 'ava';
import { AdminClient } from '../src/cli/admin-client.js';
import { procNode, until } from './helpers/cluster.js';
import { startTestNode } from './helpers/node.js';

test('a follower SIGKILLed mid-apply restarts with the old or the new version, never a mix', async (t) => {
  const leader = await startTestNode({ NodeCode: 'L', ISPs: ['None'], HeartbeatSeconds: 0.5, FailAfterSeconds: 2, PushSeconds: 1 });
  const f = await procNode({ code: 'F', mode: 'follower', isps: ['None'], extra: { LogLevel: 'warn' } });
  t.teardown(async () => {
    await f.kill('SIGKILL');
    await leader.stop();
  });
  await f.start();
  // Every version the leader ever had, with its services, to compare against.
  const versions = new Map<number, string>();
  const record = () => versions.set(leader.runtime.state.version, JSON.stringify(leader.runtime.state.services));
  leader.runtime.on('changed', record);
  record();
  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  await admin.post('/v2/admin/join', { address: f.url, secret: f.secret });

  let edits = 0;
  for (let round = 0; round < 5; round++) {
    // A burst of edits (each a push of a growing state), and a kill somewhere inside it.
    const burst = (async () => {
      for (let i = 0; i < 15; i++) {
        await admin.post('/v2/admin/services', { name: `s${edits}`, domain: 'example.com', record: `r${edits}`, provider: 'Ali' });
        edits += 1;
      }
    })();
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 150));
    await f.kill('SIGKILL');
    await burst;
    await f.start();
    const got = await f.admin.get<{ services: unknown[]; stateVersion: number }>('/v2/admin/services');
    const expected = versions.get(got.stateVersion);
    t.truthy(expected, `version ${got.stateVersion} is one the leader had`);
    t.deepEqual(got.services, JSON.parse(expected ?? 'null'), `round ${round}: the stored state is exactly version ${got.stateVersion}`);
  }
  // And it catches up with the leader afterwards.
  await until(async () => (await f.admin.get<{ stateVersion: number }>('/v2/admin/services')).stateVersion === leader.runtime.state.version, 10_000, 'the follower to catch up');
});
