// dns-error notifications from a real node against the Alidns emulator: one message when DNS passes
// start failing, however many failing passes follow, and one again after a clean pass.
import test from 'ava';
import { api } from '../src/api/contract.js';
import { AdminClient } from '../src/cli/admin-client.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { startTestNode } from './helpers/node.js';
import { waitFor } from './helpers/surfaces-cluster.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';

const KEY = 'LTAI5tNotifyDnsError';
const SECRET = 'right-access-secret-0123';

test('a failing DNS pass is announced once per failing spell, from the node whose pass failed, with the reason and no secret', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const ali = await startAlidnsEmulator({ credentials: { [KEY]: SECRET }, domains: ['example.com'] });
  t.teardown(ali.close);
  ali.seed({ domain: 'example.com', rr: 'www', value: '192.0.2.1', line: 'default' });
  const node = await startTestNode({ NodeCode: 'solo', NodeName: 'Solo', ISPs: ['default'], PublicIP: { IPv4: { Static: '198.51.100.40' } }, DnsSyncSeconds: 1 });
  t.teardown(() => node.stop());
  const admin = new AdminClient({ baseUrl: node.url, secret: node.runtime.identity.secret });
  await admin.call(api.addNotifier, { body: { name: 'errors', url: `${rx.base}/hook`, events: ['dns-error'] } });
  await admin.call(api.addAccount, { body: { provider: 'Ali', accessKey: KEY, accessSecret: 'wrong-access-secret-0123', endpoint: ali.endpoint } });
  await admin.call(api.addService, { body: { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' } });

  const messages = () => rx.delivered('/hook');
  const runsAt = node.dnsSync.runs;
  await waitFor(() => node.dnsSync.runs >= runsAt + 4 && messages().length >= 1, 30_000, 'several failing passes');
  t.is(messages().length, 1, 'one message for the whole failing spell');
  t.like(messages()[0]!.body, { event: 'dns-error', node: 'solo', service: 'www' });
  t.regex(String(messages()[0]!.body.reason), /^Ali /);
  t.false(JSON.stringify(messages()).includes('wrong-access-secret-0123'));

  // Fixed: a clean pass ends the spell; broken again: a new message.
  await admin.call(api.setAccount, { params: { provider: 'Ali', accessKey: KEY }, body: { accessSecret: SECRET } });
  await waitFor(() => ali.records({ rr: 'www', type: 'A', line: 'default' })[0]?.value === '198.51.100.40', 30_000, 'a clean pass');
  t.is(messages().length, 1);
  await admin.call(api.setAccount, { params: { provider: 'Ali', accessKey: KEY }, body: { accessSecret: 'wrong-again-secret-0123' } });
  const again = node.dnsSync.runs;
  await waitFor(() => node.dnsSync.runs >= again + 3 && messages().length >= 2, 30_000, 'the next failing spell');
  t.is(messages().length, 2);
});
