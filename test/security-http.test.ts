// Protocol v2 over real HTTP: signatures, replay and staleness, sealed secrets in pushes, v1 gating.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AdminClient } from '../src/cli/admin-client.js';
import { requestTarget, signRequest } from '../src/security/index.js';
import { startTestNode, restartTestNode } from './helpers/node.js';
import { postJson } from './helpers/http.js';
import { until } from './helpers/cluster.js';

const ACCESS_SECRET = 'very-secret-access-key-material-42';

async function signedPost(url: string, body: unknown, secret: string, opts: { now?: number; keyId?: string } = {}) {
  const text = JSON.stringify(body);
  const headers = signRequest({ method: 'POST', path: requestTarget(url), body: text, secret, keyId: opts.keyId ?? 'test', ...(opts.now ? { now: opts.now } : {}) });
  return { headers, text, send: () => postJson(url, text, headers) };
}

test('a signed request is accepted once; replaying it is refused', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const req = await signedPost(`${node.url}/v1/getClusterInfo`, {}, 'leader-secret-123');
  const first = await req.send();
  t.is(first.body.statusCode, 200);
  t.is(first.headers.get('x-cocoa-version'), '2', 'every answer announces protocol v2');
  const replay = await req.send();
  t.is(replay.body.statusCode, 401);
  t.regex(String(replay.body.message), /replayed/);
  t.is(replay.body.cocoaBasic, undefined);
});

test('a request with a stale timestamp is refused', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const req = await signedPost(`${node.url}/v1/getClusterInfo`, {}, 'leader-secret-123', { now: Date.now() - 10 * 60_000 });
  const res = await req.send();
  t.is(res.body.statusCode, 401);
  t.regex(String(res.body.message), /timestamp/);
});

test('a request signed with another node\'s secret is refused and changes nothing', async (t) => {
  const f = await startTestNode({ NodeCode: 'F', WorkMode: 'follower', CocoaSecret: 'follower-secret-1' });
  t.teardown(() => f.stop());
  const before = JSON.stringify(f.runtime.state);
  const push = { cocoaBasic: { otherCocoaSyncer: [{ nodeName: 'x', nodeCode: 'F', nodeAddress: f.url, workMode: 'follower', cocoaSecret: 'v2:abc', ISPs: ['CT'], networkType: 'IPV4' }], stateVersion: 9 } };
  const res = await (await signedPost(`${f.url}/v1/updateClusterInfo`, push, 'some-other-nodes-secret', { keyId: 'L' })).send();
  t.is(res.body.statusCode, 401);
  t.is(JSON.stringify(f.runtime.state), before);
});

test('with V1Compat off a clear-secret v1 request is refused with 401 and says why', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const res = await postJson(`${node.url}/v1/getClusterInfo`, { cocoaSecret: 'leader-secret-123' });
  t.is(res.body.statusCode, 401);
  t.is(res.body.statusString, 'Unauthorized! You are not Cocoa!');
  t.regex(String(res.body.message), /V1Compat is off/);
  t.false(res.text.includes('leader-secret-123'));
});

test('admin requests must be signed with this node\'s secret', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const unsigned = await fetch(`${node.url}/v2/admin/status`);
  t.is(unsigned.status, 401);
  const wrong = new AdminClient({ baseUrl: node.url, secret: 'not-the-secret' });
  const err = await t.throwsAsync(() => wrong.get('/v2/admin/status'));
  t.regex(err!.message, /wrong secret or bad signature/);
});

/** An HTTP proxy that records every request body on its way to the target. */
async function recordingProxy(target: string) {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body.toString('utf8'));
      const up = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r: IncomingMessage) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a v2 push captured on the wire carries no secret in clear, and the follower opens it', async (t) => {
  const leader = await startTestNode({ NodeCode: 'L', HeartbeatSeconds: 0.5, FailAfterSeconds: 2 });
  const f = await startTestNode({ NodeCode: 'F', WorkMode: 'follower', CocoaSecret: 'follower-secret-1', HeartbeatSeconds: 0.5, FailAfterSeconds: 2 });
  const proxy = await recordingProxy(f.url);
  t.teardown(async () => {
    await leader.stop();
    await f.stop();
    await proxy.close();
  });
  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  await admin.post('/v2/admin/join', { address: proxy.url, secret: 'follower-secret-1' });
  await admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-wire', accessSecret: ACCESS_SECRET });
  await until(() => f.runtime.state.cloudAccounts.length === 1, 5000, 'the follower to apply the account');
  t.is(f.runtime.state.cloudAccounts[0]!.accessSecret, ACCESS_SECRET, 'the follower opened the sealed secret');
  t.is(f.runtime.state.nodes.find((n) => n.nodeCode === 'L')!.secret, 'leader-secret-123');

  const pushes = proxy.bodies.filter((b) => b.includes('cloudPlatformInfo'));
  t.true(pushes.length > 0, 'a push was captured');
  for (const body of proxy.bodies) {
    for (const secret of [ACCESS_SECRET, 'leader-secret-123', 'follower-secret-1']) t.false(body.includes(secret), 'no secret in clear on the wire');
  }
  const captured = JSON.parse(pushes.at(-1)!) as { cocoaBasic: { cloudPlatformInfo: { accessSecret: string }[] } };
  t.regex(captured.cocoaBasic.cloudPlatformInfo[0]!.accessSecret, /^v2:/);
  t.log('captured v2 push (excerpt):', JSON.stringify(captured.cocoaBasic.cloudPlatformInfo));

  // The same sealed body, correctly signed for another follower, does not open there.
  const other = await startTestNode({ NodeCode: 'F', WorkMode: 'follower', CocoaSecret: 'another-follower-secret' });
  t.teardown(() => other.stop());
  const before = JSON.stringify(other.runtime.state);
  const res = await (await signedPost(`${other.url}/v1/updateClusterInfo`, captured, 'another-follower-secret', { keyId: 'L' })).send();
  t.is(res.body.statusCode, 400);
  t.regex(String(res.body.statusString), /not sealed for this node/);
  t.is(JSON.stringify(other.runtime.state), before);
});

test('with a CredentialKey, secrets are encrypted in the database and read back after a restart', async (t) => {
  const key = 'a-long-credential-key-for-tests-0001';
  const node = await startTestNode({ CredentialKey: key });
  const admin = new AdminClient({ baseUrl: node.url, secret: 'leader-secret-123' });
  await admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-rest', accessSecret: ACCESS_SECRET });
  await node.stop();
  const file = readFileSync(join(node.dir, 'node.db'));
  const wal = (() => {
    try {
      return readFileSync(join(node.dir, 'node.db-wal'));
    } catch {
      return Buffer.alloc(0);
    }
  })();
  for (const bytes of [file, wal]) {
    t.false(bytes.includes(ACCESS_SECRET), 'the access secret is not in the database files');
    t.false(bytes.includes('leader-secret-123'), 'the node secret is not in the database files');
  }
  const again = await restartTestNode(node.config);
  t.teardown(() => again.stop());
  t.is(again.runtime.state.cloudAccounts[0]!.accessSecret, ACCESS_SECRET);

  // Without the key the node refuses to start instead of using ciphertext as a secret.
  await again.stop();
  const err = await t.throwsAsync(() => restartTestNode({ ...node.config, credentialKey: null }));
  t.regex(err!.message, /CredentialKey/);
});
