// An original Go v1 follower in the cluster: joined and pushed to over the v1 protocol when the
// operator enables V1Compat, refused with a clear reason when not.
import test from 'ava';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import { until } from './helpers/cluster.js';
import { fakeV1Follower } from './helpers/fake-v1-peer.js';
import { startTestNode } from './helpers/node.js';

test('with V1Compat a leader joins a Go v1 follower, pushes the reference shape to it in v1, and hears its watchdog', async (t) => {
  const go = await fakeV1Follower({ nodeCode: 'GZ', nodeName: 'ChinoCafe', secret: 'go-follower-secret', isps: ['CU', 'CMCC'] });
  const leader = await startTestNode({ NodeCode: 'SH', V1Compat: true, HeartbeatSeconds: 0.3, FailAfterSeconds: 1.5 });
  t.teardown(async () => {
    await leader.stop();
    await go.close();
  });
  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  const joined = await admin.post<{ joined: { nodeCode: string; isps: string[] } }>('/v2/admin/join', { address: go.url, secret: go.secret });
  t.deepEqual(joined.joined, { nodeCode: 'GZ', nodeName: 'ChinoCafe', nodeAddress: go.url, workMode: 'follower', isps: ['CU', 'CMCC'], networkType: 'IPV4' });
  await admin.post('/v2/admin/services', { name: '测试', domain: 'luckykeeper.site', record: 'test', provider: 'Ali' });
  await until(() => go.pushes.some((p) => (p.cocoaManagedService as unknown[] | undefined)?.length === 1), 5000, 'a v1 push with the service');

  const push = go.pushes.at(-1)!;
  const nodes = push.otherCocoaSyncer as Record<string, unknown>[];
  t.deepEqual(nodes.map((n) => n.nodeCode), ['SH', 'GZ']);
  for (const key of ['nodeName', 'nodeCode', 'nodeAddress', 'workMode', 'cocoaSecret', 'ISPs', 'networkType', 'statusCode', 'watchDog', 'cocoaManagedService']) t.true(key in nodes[0]!, `otherCocoaSyncer[].${key}`);
  t.is(nodes[0]!.cocoaSecret, 'leader-secret-123', 'a v1 peer needs the clear secret to heartbeat the leader: the cost of V1Compat');
  t.deepEqual(push.cocoaManagedService, [{ serviceName: '测试', domain: 'luckykeeper.site', record: 'test', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 }]);
  // The leader tried v2 first (signed, no secret in the body) and fell back to v1 for this peer.
  t.true(go.requests.some((r) => r.headers['x-cocoa-signature'] !== undefined && !r.body.includes(go.secret)));

  await until(async () => ((await admin.get('/v2/admin/status')) as { nodes: { nodeCode: string; up: boolean }[] }).nodes.find((n) => n.nodeCode === 'GZ')?.up === true, 5000, 'the v1 follower to be heard as up');
});

test('without V1Compat a Go v1 follower is refused with a message that names V1Compat', async (t) => {
  const go = await fakeV1Follower({ nodeCode: 'GZ', nodeName: 'ChinoCafe', secret: 'go-follower-secret', isps: ['CU'] });
  const leader = await startTestNode({ NodeCode: 'SH' });
  t.teardown(async () => {
    await leader.stop();
    await go.close();
  });
  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  const err = await t.throwsAsync(() => admin.post('/v2/admin/join', { address: go.url, secret: go.secret }), { instanceOf: AdminError });
  t.regex(err!.message, /speaks only the original v1 protocol; set V1Compat: true/);
  t.false(go.requests.some((r) => r.body.includes(go.secret)), 'the secret never went out in clear');
  t.is(leader.runtime.state.nodes.length, 1);
});
