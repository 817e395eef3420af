import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postJson, getJson } from './helpers/http.js';
import { ROOT, restartTestNode, startTestNode } from './helpers/node.js';

const FOLLOWER_SECRET = 'follower-secret-456';
const LEADER_SECRET = 'leader-secret-123';

/** The reference document's getClusterInfo example, with its redacted "***" fields filled in. */
function referencePush(followerAddress: string) {
  const example = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/v1-getClusterInfo-reference.json'), 'utf8'));
  const basic = example.cocoaBasic;
  const [leader, follower] = basic.otherCocoaSyncer;
  Object.assign(leader, { nodeName: 'LuckyCocoa', nodeCode: 'SH', cocoaSecret: LEADER_SECRET });
  Object.assign(follower, { nodeName: 'ChinoCafe', nodeCode: 'GZ', cocoaSecret: FOLLOWER_SECRET, nodeAddress: followerAddress });
  // Loopback only: the leader SH is not running, so this follower takes its lines over, and
  // its DNS sync must never reach a real provider (port 9 on loopback refuses at once).
  leader.nodeAddress = 'http://127.0.0.1:9';
  basic.cloudPlatformInfo[0].endpoint = 'http://127.0.0.1:9';
  basic.cloudPlatformInfo[0].accessKey = 'LTAI-example-key';
  basic.cloudPlatformInfo[0].accessSecret = 'example-access-secret-789';
  return { cocoaSecret: FOLLOWER_SECRET, cocoaBasic: basic };
}

async function follower(t: { teardown(fn: () => Promise<void>): void }) {
  const node = await startTestNode({ V1Compat: true, NodeCode: 'GZ', NodeName: 'ChinoCafe', WorkMode: 'follower', CocoaSecret: FOLLOWER_SECRET, ISPs: ['CU', 'CMCC', 'CNEdu'] });
  t.teardown(() => node.stop());
  return node;
}

test('/ and /v1 answer 200 on a leader and on a follower', async (t) => {
  const leader = await startTestNode({ V1Compat: true });
  t.teardown(() => leader.stop());
  const f = await follower(t);
  for (const base of [leader.url, f.url]) {
    for (const path of ['/', '/v1']) {
      const res = await getJson(base + path);
      t.is(res.status, 200);
      t.is(res.body.statusCode, 200);
    }
  }
});

test('a follower that has not joined answers getClusterInfo with 201 "Mafu?" and its own node', async (t) => {
  const f = await follower(t);
  const res = await postJson(`${f.url}/v1/getClusterInfo`, { cocoaSecret: FOLLOWER_SECRET });
  t.is(res.status, 200);
  t.is(res.body.statusCode, 201);
  t.is(res.body.statusString, 'Mafu?');
  const basic = res.body.cocoaBasic as { otherCocoaSyncer: { nodeCode: string; ISPs: string[]; cocoaSecret: string }[]; cocoaSecret: string };
  t.deepEqual(basic.otherCocoaSyncer.map((n) => n.nodeCode), ['GZ']);
  t.deepEqual(basic.otherCocoaSyncer[0]!.ISPs, ['CU', 'CMCC', 'CNEdu']);
  // The caller proved the secret in clear (V1Compat): it gets it back where the Go program puts it,
  // because a Go leader adding this node keeps the secret it reads here (see v1-secret-answer.test.ts).
  t.is(basic.cocoaSecret, FOLLOWER_SECRET);
  t.is(basic.otherCocoaSyncer[0]!.cocoaSecret, FOLLOWER_SECRET);
  t.is(res.text.split(FOLLOWER_SECRET).length - 1, 2, 'nowhere else');
});

test('a leader answers getClusterInfo with 200 and the v1 field names', async (t) => {
  const leader = await startTestNode({ V1Compat: true });
  t.teardown(() => leader.stop());
  const res = await postJson(`${leader.url}/v1/getClusterInfo`, { cocoaSecret: LEADER_SECRET });
  t.is(res.body.statusCode, 200);
  t.is(res.body.statusString, 'MafuMafu~');
  const reference = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/v1-getClusterInfo-reference.json'), 'utf8'));
  const basic = res.body.cocoaBasic as Record<string, unknown>;
  for (const key of Object.keys(reference.cocoaBasic)) t.true(key in basic, `cocoaBasic.${key} present`);
  const node = (basic.otherCocoaSyncer as Record<string, unknown>[])[0]!;
  for (const key of Object.keys(reference.cocoaBasic.otherCocoaSyncer[0])) t.true(key in node, `otherCocoaSyncer[].${key} present`);
  // Only the caller's own proof comes back (its node's entry and cocoaBasic.cocoaSecret), as from the Go program.
  t.is(res.text.split(LEADER_SECRET).length - 1, 2);
  t.is(basic.cocoaSecret, LEADER_SECRET);
});

test('a wrong secret gets business code 401 and no cluster data', async (t) => {
  const leader = await startTestNode({ V1Compat: true });
  t.teardown(() => leader.stop());
  for (const body of [{ cocoaSecret: 'nope' }, {}, { cocoaSecret: '' }]) {
    const res = await postJson(`${leader.url}/v1/getClusterInfo`, body);
    t.is(res.status, 200);
    t.is(res.body.statusCode, 401);
    t.is(res.body.statusString, 'Unauthorized! You are not Cocoa!');
    t.is(res.body.cocoaBasic, undefined);
  }
});

test('a push shaped like the reference example is accepted by a follower and comes back from its getClusterInfo', async (t) => {
  const f = await follower(t);
  const push = referencePush(f.url);
  const res = await postJson(`${f.url}/v1/updateClusterInfo`, push);
  t.is(res.body.statusCode, 200);
  t.is(res.body.statusString, 'MafuMafu~');

  const info = await postJson(`${f.url}/v1/getClusterInfo`, { cocoaSecret: FOLLOWER_SECRET });
  t.is(info.body.statusCode, 200, 'joined now: more than one node');
  const basic = info.body.cocoaBasic as {
    otherCocoaSyncer: { nodeCode: string; ISPs: string[]; networkType: string; workMode: string; cocoaManagedService: unknown[] }[];
    cocoaManagedService: { serviceName: string; domain: string; record: string; platformProvider: string }[];
    cloudPlatformInfo: { platformProvider: string; accessSecret: string }[];
  };
  t.deepEqual(basic.otherCocoaSyncer.map((n) => [n.nodeCode, n.workMode, n.ISPs, n.networkType]), [
    ['SH', 'leader', ['default', 'CT', 'OverSea'], 'IPV4'],
    ['GZ', 'follower', ['CU', 'CMCC', 'CNEdu'], 'IPV4'],
  ]);
  t.deepEqual(
    basic.cocoaManagedService.map((s) => [s.serviceName, s.domain, s.record, s.platformProvider]),
    [
      ['测试', 'luckykeeper.site', 'test', 'Ali'],
      ['测试2', 'luckykeeper.site', 'test2', 'Ali'],
    ],
  );
  t.is(basic.otherCocoaSyncer[0]!.cocoaManagedService.length, 2);
  t.is(basic.cloudPlatformInfo[0]!.platformProvider, 'Ali');
  t.false(info.text.includes('example-access-secret-789'), 'access secrets are never answered back');
  t.false(info.text.includes(LEADER_SECRET), 'nor another node\'s secret');
});

test('a follower applying a push keeps its own view of every node\'s statusCode and watchDog', async (t) => {
  const f = await follower(t);
  const before = f.runtime.state.nodes.find((n) => n.nodeCode === 'GZ')!;
  const push = referencePush(f.url);
  push.cocoaBasic.otherCocoaSyncer[1].statusCode = 504;
  push.cocoaBasic.otherCocoaSyncer[1].watchDog = '2001-01-01T00:00:00Z';
  await postJson(`${f.url}/v1/updateClusterInfo`, push);
  const after = f.runtime.state.nodes.find((n) => n.nodeCode === 'GZ')!;
  t.is(after.statusCode, before.statusCode, 'not the pushed 504');
  // Its own watchdog keeps moving forward (heartbeats); the pushed 2001 value is never taken.
  t.not(after.watchDog, '2001-01-01T00:00:00.000Z');
  t.true(Date.parse(after.watchDog) >= Date.parse(before.watchDog));
});

test('a push to a leader is refused with 405 and changes nothing', async (t) => {
  const leader = await startTestNode({ V1Compat: true });
  t.teardown(() => leader.stop());
  const before = JSON.stringify(leader.runtime.state);
  const push = referencePush(leader.url);
  push.cocoaSecret = LEADER_SECRET;
  const res = await postJson(`${leader.url}/v1/updateClusterInfo`, push);
  t.is(res.body.statusCode, 405);
  t.is(res.body.statusString, 'Not Allowed! Cocoa is soooo kawaii, Do you still sure you really want to eat Cocoa???');
  t.is(JSON.stringify(leader.runtime.state), before);
});

test('a follower refuses a push with the wrong secret and keeps its state', async (t) => {
  const f = await follower(t);
  const before = JSON.stringify(f.runtime.state);
  const push = referencePush(f.url);
  push.cocoaSecret = 'not-the-secret';
  const res = await postJson(`${f.url}/v1/updateClusterInfo`, push);
  t.is(res.body.statusCode, 401);
  t.is(JSON.stringify(f.runtime.state), before);
});

test('quit returns a follower to "not joined": 201 on the next getClusterInfo; a leader refuses quit with 405', async (t) => {
  const f = await follower(t);
  await postJson(`${f.url}/v1/updateClusterInfo`, referencePush(f.url));
  t.is((await postJson(`${f.url}/v1/getClusterInfo`, { cocoaSecret: FOLLOWER_SECRET })).body.statusCode, 200);
  t.is((await postJson(`${f.url}/v1/cocoaSyncer/quit`, { cocoaSecret: 'wrong-secret' })).body.statusCode, 401);
  const quit = await postJson(`${f.url}/v1/cocoaSyncer/quit`, { cocoaSecret: FOLLOWER_SECRET });
  t.is(quit.body.statusCode, 200);
  const info = await postJson(`${f.url}/v1/getClusterInfo`, { cocoaSecret: FOLLOWER_SECRET });
  t.is(info.body.statusCode, 201);
  t.deepEqual((info.body.cocoaBasic as { cocoaManagedService: unknown[] }).cocoaManagedService, []);

  const leader = await startTestNode({ V1Compat: true });
  t.teardown(() => leader.stop());
  t.is((await postJson(`${leader.url}/v1/cocoaSyncer/quit`, { cocoaSecret: LEADER_SECRET })).body.statusCode, 405);
});

test('a restarted follower keeps the state it was pushed', async (t) => {
  const f = await follower(t);
  await postJson(`${f.url}/v1/updateClusterInfo`, referencePush(f.url));
  const pushed = f.runtime.state;
  await f.stop();
  const again = await restartTestNode(f.config);
  t.teardown(() => again.stop());
  const info = await postJson(`${again.url}/v1/getClusterInfo`, { cocoaSecret: FOLLOWER_SECRET });
  t.is(info.body.statusCode, 200);
  t.deepEqual(again.runtime.state.services, pushed.services);
  t.deepEqual(again.runtime.state.cloudAccounts, pushed.cloudAccounts);
  t.deepEqual(again.runtime.state.nodes.map((n) => n.nodeCode), ['SH', 'GZ']);
});

test('a versioned push older than the applied version is ignored', async (t) => {
  const f = await follower(t);
  const push = referencePush(f.url);
  push.cocoaBasic.stateVersion = 7;
  t.is((await postJson(`${f.url}/v1/updateClusterInfo`, push)).body.statusCode, 200);
  const older = referencePush(f.url);
  older.cocoaBasic.stateVersion = 5;
  older.cocoaBasic.cocoaManagedService = [];
  const res = await postJson(`${f.url}/v1/updateClusterInfo`, older);
  t.is(res.body.statusCode, 409);
  t.is(f.runtime.state.version, 7);
  t.is(f.runtime.state.services.length, 2);
});
