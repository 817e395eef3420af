// Notifications in a real three-node cluster on loopback (separate processes, the Alidns emulator,
// a webhook receiver): every event is announced exactly once cluster-wide, deliveries are retried,
// and webhook URLs and signing secrets never show in listings or logs.
import { createHmac } from 'node:crypto';
import test from 'ava';
import { api } from '../src/api/contract.js';
import { maskSecret } from '../src/security/mask.js';
import { until } from './helpers/cluster.js';
import { moreDnsRuns, partitionWorld, seesUp } from './helpers/partition-world.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';

const IP = { A: '198.51.100.10', B: '198.51.100.20', C: '198.51.100.30' };
const TOKEN = 'hook-token-5f1e2d3c4b5a6978';
const SIGNING = 'SECfeishu-signing-0a1b2c3d4e5f';

test('kill a node: exactly one node-down and one failover message cluster-wide; bring it back: one node-up and one recovery; retried once on a 500; nothing secret shown or logged', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default', 'CT'], ipv4: IP.A },
    { code: 'B', mode: 'follower', isps: ['CU'], ipv4: IP.B },
    { code: 'C', mode: 'follower', isps: ['CMCC'], ipv4: IP.C },
  ]);
  const [A, B, C] = w.nodes as [typeof w.nodes[0], typeof w.nodes[0], typeof w.nodes[0]];
  await until(() => w.value('default') === IP.A && w.value('CU') === IP.B && w.value('CMCC') === IP.C, 30_000, 'each line on its owner');
  await until(async () => (await seesUp(A, 'B')) && (await seesUp(A, 'C')) && (await seesUp(C, 'B')) && (await seesUp(B, 'A')), 30_000, 'everyone up');

  const hook = `/hook/${TOKEN}`;
  const flaky = `/flaky/${TOKEN}`;
  const lark = `/lark/${TOKEN}`;
  rx.script(flaky, [500, 200]);
  await A.admin.call(api.addNotifier, { body: { name: 'all', url: `${rx.base}${hook}?key=${TOKEN}`, format: 'json' } });
  await A.admin.call(api.addNotifier, { body: { name: 'flaky', url: `${rx.base}${flaky}`, events: ['node-down'] } });
  await A.admin.call(api.addNotifier, { body: { name: 'lark', url: `${rx.base}${lark}`, format: 'feishu', secret: SIGNING, events: ['node-down'] } });
  // Pushed to the followers (sealed on the wire) and listed there masked.
  for (const n of [B, C]) await until(async () => (await n.admin.call(api.listNotifiers)).notifiers.length === 3, 30_000, `${n.code} to hold the notifiers`);
  const listed = await C.admin.call(api.listNotifiers);
  t.deepEqual(listed.notifiers.map((n) => n.url), [`${rx.base}/****`, `${rx.base}/****`, `${rx.base}/****`]);
  t.is(listed.notifiers[2]!.secret, maskSecret(SIGNING));
  t.false(JSON.stringify(listed).includes(TOKEN));
  t.false(JSON.stringify(listed).includes(SIGNING));

  // `notify test` from a follower: one message, at once.
  const tested = await C.admin.call(api.testNotifier, { params: { name: 'all' } });
  t.true(tested.delivered);
  const events = (event: string) => rx.delivered(hook).filter((r) => r.body.event === event);
  t.is(events('test').length, 1);
  t.is(events('test')[0]!.body.node, 'C');

  // B dies: A (the leader, B's reporter) announces node-down; the stand-in announces its takeover.
  const bLog = B.output();
  await B.kill('SIGKILL');
  await until(() => events('node-down').length >= 1 && events('failover').length >= 1, 30_000, 'node-down and failover messages');
  await until(() => rx.delivered(flaky).length >= 1 && rx.delivered(lark).length >= 1, 30_000, 'the retried and the signed node-down');
  await moreDnsRuns([A, C], 3);
  t.is(events('node-down').length, 1, 'one node-down');
  t.like(events('node-down')[0]!.body, { node: 'B', cluster: 'Node A' });
  t.is(events('failover').length, 1, 'one failover');
  const failover = events('failover')[0]!.body;
  t.like(failover, { service: 'www', record: 'www.example.com', line: 'CU', family: 'ipv4', oldAddress: IP.B });
  t.true(failover.newAddress === IP.A || failover.newAddress === IP.C);
  t.is(failover.node, failover.newAddress === IP.A ? 'A' : 'C', 'sent by the node that wrote the record');
  t.is(w.value('CU'), failover.newAddress as string);

  // The flaky webhook answered 500 first: retried, delivered once.
  t.deepEqual(rx.requests.filter((r) => r.path === flaky).map((r) => r.status), [500, 200]);
  // Feishu's signature: base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")).
  const signed = rx.delivered(lark)[0]!.body as { timestamp: string; sign: string; msg_type: string; content: { text: string } };
  t.is(signed.sign, createHmac('sha256', `${signed.timestamp}\n${SIGNING}`).update('').digest('base64'));
  t.true(Math.abs(Number(signed.timestamp) - Date.now() / 1000) < 120);
  t.is(signed.msg_type, 'text');
  t.regex(signed.content.text, /Node down/);
  const metrics = await (await fetch(`${A.url}/metrics`)).text();
  t.regex(metrics, /cocoasyncer_notify_sent_total\{name="flaky",event="node-down"\} 1\b/);
  t.notRegex(metrics, /cocoasyncer_notify_failures_total\{name="flaky"\} [1-9]/);

  // B returns: it writes its line back (recovery, from B); A announces node-up.
  await B.start();
  await until(() => events('recovery').length >= 1 && events('node-up').length >= 1, 60_000, 'recovery and node-up messages');
  await until(() => w.value('CU') === IP.B, 30_000, 'CU back on B');
  await moreDnsRuns([A, B, C], 3);
  t.is(events('node-up').length, 1, 'one node-up');
  t.like(events('node-up')[0]!.body, { node: 'B' });
  t.is(events('recovery').length, 1, 'one recovery');
  t.like(events('recovery')[0]!.body, { node: 'B', line: 'CU', newAddress: IP.B, oldAddress: failover.newAddress });
  t.is(events('node-down').length, 1);
  t.is(events('failover').length, 1);
  t.is(rx.delivered(flaky).length, 1, 'node-up is not among the flaky notifier\'s events');

  // Nothing secret in any node's log (A's includes the retry warning, with the URL masked).
  t.regex(A.output(), /notification not delivered; retrying/);
  for (const [name, log] of [['A', A.output()], ['B before', bLog], ['B after', B.output()], ['C', C.output()]] as const) {
    t.false(log.includes(TOKEN), `${name}'s log shows the webhook token`);
    t.false(log.includes(SIGNING), `${name}'s log shows the signing secret`);
  }
});
