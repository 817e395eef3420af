// An original Go v1 follower in the cluster: joined and pushed to over the v1 protocol when the
// operator enables V1Compat, refused with a clear reason when not. The follower is the Go-like peer
// (./helpers/go-peer.ts), which decodes as Go's encoding/json does; its timings are scaled by 1/15
// (feed every 2 s for the Go program's 30 s), so our leader's FailAfterSeconds is 4 (60 s).
import test from 'ava';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import { until } from './helpers/cluster.js';
import { GoPeer } from './helpers/go-peer.js';
import { startTestNode } from './helpers/node.js';

const SCALE = 1 / 15;

test('with V1Compat a leader joins a Go v1 follower, pushes the reference shape to it in v1, and hears its watchdog', async (t) => {
  const go = await GoPeer.start({ nodeCode: 'GZ', nodeName: 'ChinoCafe', secret: 'go-follower-secret', workMode: 'follower', scale: SCALE });
  const leader = await startTestNode({ NodeCode: 'SH', V1Compat: true, HeartbeatSeconds: 0.5, FailAfterSeconds: 4 });
  t.teardown(async () => {
    await go.close();
    await leader.stop();
  });
  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  // A Go node that has not joined answers `"ISPs": null, "networkType": ""`: no lines, default network.
  const bare = await admin.post<{ joined: { nodeCode: string; isps: string[] } }>('/v2/admin/join', { address: go.url, secret: 'go-follower-secret' });
  t.deepEqual(bare.joined, { nodeCode: 'GZ', nodeName: 'ChinoCafe', nodeAddress: go.url, workMode: 'follower', isps: ['None'], networkType: 'IPV4' });
  await admin.patch('/v2/admin/nodes/GZ', { isps: ['CU', 'CMCC'] });
  await admin.post('/v2/admin/services', { name: '测试', domain: 'luckykeeper.site', record: 'test', provider: 'Ali' });
  await until(() => (go.store.CocoaManagedService?.length ?? 0) === 1 && go.node('GZ')?.ISPs?.length === 2, 10_000, 'a v1 push with the service and the lines');

  const pushed = go.requests.filter((r) => r.path === '/v1/updateClusterInfo' && r.body.includes('"cocoaSecret":"go-follower-secret"')).at(-1)!;
  const push = JSON.parse(pushed.body).cocoaBasic as Record<string, unknown>;
  const nodes = push.otherCocoaSyncer as Record<string, unknown>[];
  t.deepEqual(nodes.map((n) => n.nodeCode), ['SH', 'GZ']);
  for (const key of ['nodeName', 'nodeCode', 'nodeAddress', 'workMode', 'cocoaSecret', 'ISPs', 'networkType', 'statusCode', 'watchDog', 'cocoaManagedService']) t.true(key in nodes[0]!, `otherCocoaSyncer[].${key}`);
  t.is(nodes[0]!.cocoaSecret, 'leader-secret-123', 'a v1 peer needs the clear secret to heartbeat the leader: the cost of V1Compat');
  t.deepEqual(push.cocoaManagedService, [{ serviceName: '测试', domain: 'luckykeeper.site', record: 'test', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 }]);
  t.deepEqual(go.store.CocoaManagedService, [{ ServiceName: '测试', Domain: 'luckykeeper.site', Record: 'test', PlatformProvider: 'Ali' }], 'stored as Go decodes it');
  // The leader tried v2 first (signed, no secret in the body) and fell back to v1 for this peer.
  t.true(go.requests.some((r) => r.headers['x-cocoa-signature'] !== undefined && !r.body.includes('go-follower-secret')));

  await until(async () => ((await admin.get('/v2/admin/status')) as { nodes: { nodeCode: string; up: boolean }[] }).nodes.find((n) => n.nodeCode === 'GZ')?.up === true, 10_000, 'the v1 follower to be heard as up');
  t.deepEqual(go.decodeProblems(), [], 'everything the leader sent and answered decoded cleanly in Go');
});

test('without V1Compat a Go v1 follower is refused with a message that names V1Compat', async (t) => {
  const go = await GoPeer.start({ nodeCode: 'GZ', nodeName: 'ChinoCafe', secret: 'go-follower-secret', workMode: 'follower', scale: SCALE }, false);
  const leader = await startTestNode({ NodeCode: 'SH' });
  t.teardown(async () => {
    await go.close();
    await leader.stop();
  });
  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  const err = await t.throwsAsync(() => admin.post('/v2/admin/join', { address: go.url, secret: 'go-follower-secret' }), { instanceOf: AdminError });
  t.regex(err!.message, /speaks only the original v1 protocol; set V1Compat: true/);
  t.false(go.requests.some((r) => r.body.includes('go-follower-secret')), 'the secret never went out in clear');
  t.is(leader.runtime.state.nodes.length, 1);
});
