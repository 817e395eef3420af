// Nodes serving HTTPS themselves, talking to https:// peers through a private CA.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import { freePort, startTestNode } from './helpers/node.js';
import { until } from './helpers/cluster.js';
import { makePki } from './helpers/tls.js';

test('a leader joins an https follower through a private CA and pushes to it; without the CA it refuses with a TLS error', async (t) => {
  const pki = makePki();
  const tls = { TLSCert: pki.cert, TLSKey: pki.key, TrustCA: pki.ca, HeartbeatSeconds: 0.5, FailAfterSeconds: 2 };
  const [lp, fp] = [await freePort(), await freePort()];
  const leader = await startTestNode({ ...tls, APIPort: lp, NodeAddress: `https://127.0.0.1:${lp}`, NodeCode: 'L' });
  const follower = await startTestNode({ ...tls, APIPort: fp, NodeAddress: `https://127.0.0.1:${fp}`, NodeCode: 'F', WorkMode: 'follower', CocoaSecret: 'follower-secret-1' });
  t.teardown(async () => {
    await leader.stop();
    await follower.stop();
  });
  t.true(leader.url.startsWith('https://'));

  const admin = new AdminClient({ baseUrl: `https://127.0.0.1:${lp}`, secret: 'leader-secret-123', ca: readFileSync(pki.ca) });
  await admin.post('/v2/admin/join', { address: `https://127.0.0.1:${fp}`, secret: 'follower-secret-1' });
  await admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'DNSPod' });
  await until(() => follower.runtime.state.version === leader.runtime.state.version && follower.runtime.state.services.length === 1, 5000, 'the https follower to apply the push');
  await until(async () => ((await admin.get('/v2/admin/status')) as { nodes: { up: boolean }[] }).nodes.every((n) => n.up), 5000, 'heartbeats over https');

  const untrusting = new AdminClient({ baseUrl: `https://127.0.0.1:${lp}`, secret: 'leader-secret-123' });
  const err = await t.throwsAsync(() => untrusting.get('/v2/admin/status'), { instanceOf: AdminError });
  t.regex(err!.message, /TLS failed .*TrustCA/);
});
