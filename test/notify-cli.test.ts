// `cocoasyncer notify ...` as an operator uses it: the real CLI as a child process against
// in-process nodes on loopback. Bad input is refused naming the flag (exit 2) and changes nothing;
// URLs and signing secrets never appear in what the CLI prints.
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { api } from '../src/api/contract.js';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import type { RunningNode } from '../src/server.js';
import { startTestNode } from './helpers/node.js';
import { waitFor } from './helpers/surfaces-cluster.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';
import { cliConfigFor as configFor, runCliProcess as cli } from './helpers/cli-process.js';

type TestNode = RunningNode & { dir: string };
const TIMING = { HeartbeatSeconds: 0.3, FailAfterSeconds: 3, PushSeconds: 1, RecoverAfter: 1 };
const FOLLOWER_SECRET = 'follower-secret-456';
const TOKEN = 'dingtalk-access-token-0f9e8d7c';
const SIGNING = 'SECsigning-secret-1a2b3c4d5e6f';

async function pair(t: ExecutionContext): Promise<{ leader: TestNode; follower: TestNode }> {
  const leader = await startTestNode({ ...TIMING, NodeCode: 'home', NodeName: 'Home', ISPs: ['CT'] });
  t.teardown(() => leader.stop());
  const follower = await startTestNode({ ...TIMING, NodeCode: 'office', NodeName: 'Office', WorkMode: 'follower', CocoaSecret: FOLLOWER_SECRET, ISPs: ['CMCC'] });
  t.teardown(() => follower.stop());
  await admin(leader).call(api.join, { body: { address: follower.url, secret: FOLLOWER_SECRET } });
  await waitFor(() => follower.runtime.joined && follower.runtime.state.version === leader.runtime.state.version, 10_000, 'the join to apply');
  return { leader, follower };
}

const admin = (node: TestNode) => new AdminClient({ baseUrl: node.url, secret: node.runtime.identity.secret });
const versions = (...nodes: TestNode[]) => nodes.map((n) => n.runtime.state.version);

test('notify add/list/test/remove: pushed to the follower, URL and secret masked everywhere the CLI prints, a test message from the follower', async (t) => {
  const { leader, follower } = await pair(t);
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const L = configFor(leader);
  const F = configFor(follower);
  const url = `${rx.base}/robot/send?access_token=${TOKEN}`;

  const added = await cli(['notify', 'add', '--name', 'ops', '--format', 'dingtalk', '--url', url, '--secret', SIGNING, '--events', 'failover,recovery,failover', ...L]);
  t.is(added.code, 0, added.stderr);
  t.regex(added.stdout, new RegExp(`added notifier ops: dingtalk to ${rx.base}/\\*\\*\\*\\* \\(signed\\), events failover,recovery`));
  await waitFor(() => follower.runtime.state.notifiers.length === 1, 10_000, 'the follower to hold the notifier');
  t.deepEqual(follower.runtime.state.notifiers[0], { name: 'ops', url, format: 'dingtalk', secret: SIGNING, template: null, events: ['failover', 'recovery'] });

  const listed = await cli(['notify', 'list', '--json', ...F]);
  t.is(listed.code, 0, listed.stderr);
  const reply = JSON.parse(listed.stdout) as { notifiers: { url: string; secret: string }[] };
  t.is(reply.notifiers[0]!.url, `${rx.base}/****`);
  t.is(reply.notifiers[0]!.secret, 'SE****6f');
  const human = await cli(['notify', 'ls', ...L]);
  for (const out of [added.stdout + added.stderr, listed.stdout, human.stdout]) {
    t.false(out.includes(TOKEN));
    t.false(out.includes(SIGNING));
  }

  const sent = await cli(['notify', 'test', 'ops', ...F]);
  t.is(sent.code, 0, sent.stderr);
  t.regex(sent.stdout, /test message delivered to ops \(HTTP 200\)/);
  t.is(rx.requests.length, 1);
  const [got] = rx.requests;
  t.is(got!.path, '/robot/send');
  t.regex(got!.url, new RegExp(`access_token=${TOKEN}&timestamp=\\d+&sign=`));
  t.like(got!.body, { msgtype: 'markdown' });

  rx.script('/robot/send', [500]);
  const failed = await cli(['notify', 'test', 'ops', ...F]);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /test message to ops not delivered: answered 500/);
  t.false(failed.stderr.includes(TOKEN));

  const removed = await cli(['notify', 'rm', 'ops', ...L]);
  t.is(removed.code, 0, removed.stderr);
  await waitFor(() => follower.runtime.state.notifiers.length === 0, 10_000, 'the follower to drop the notifier');
});

test('bad notifier input: exit 2 naming the flag (and 400 naming the field from the API), exit 5 on a follower, 1 for unknown or taken names; nothing changes', async (t) => {
  const { leader, follower } = await pair(t);
  const L = configFor(leader);
  const F = configFor(follower);
  await admin(leader).call(api.addNotifier, { body: { name: 'ops', url: 'https://hooks.example/a-token-value' } });
  await waitFor(() => follower.runtime.state.notifiers.length === 1, 10_000, 'the push');
  const before = versions(leader, follower);

  const usage: [string[], RegExp][] = [
    [['--name', 'x', '--url', 'https://hooks.example/x', '--format', 'slack'], /--format: must be one of json, dingtalk, feishu, wecom, telegram, bark, serverchan/],
    [['--name', 'x', '--url', 'https://hooks.example/x', '--events', 'failover,boom'], /--events: must be one of failover/],
    [['--name', 'x', '--url', 'ftp://hooks.example/x'], /--url: must be an http:\/\/ or https:\/\/ URL/],
    [['--name', 'x', '--format', 'telegram', '--url', 'https://api.telegram.org/bot1:abc/sendMessage'], /--url: a Telegram URL must carry the chat as \?chat_id=<id>/],
    [['--name', 'x', '--url', 'https://hooks.example/x', '--secret', 'SECabc'], /--secret: only the dingtalk and feishu formats sign with a secret/],
    [['--name', 'x', '--format', 'wecom', '--url', 'https://hooks.example/x', '--template', '{{event}}'], /--template: only the json format takes a template/],
    [['--name', 'bad name', '--url', 'https://hooks.example/x'], /--name: must be 1-64 letters/],
  ];
  for (const [args, message] of usage) {
    const r = await cli(['notify', 'add', ...args, ...L]);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, message);
  }
  // The API refuses the same, naming the field.
  const refused = await t.throwsAsync(admin(leader).call(api.addNotifier, { body: { name: 'x', url: 'https://hooks.example/x', format: 'json', secret: 'SECabc' } }), { instanceOf: AdminError });
  t.is(refused?.httpStatus, 400);
  t.deepEqual(refused?.details.map((d) => d.field), ["secret"]);

  const taken = await cli(['notify', 'add', '--name', 'ops', '--url', 'https://hooks.example/other', ...L]);
  t.is(taken.code, 1);
  t.regex(taken.stderr, /a notifier named "ops" already exists/);
  const onFollower = await cli(['notify', 'add', '--name', 'x', '--url', 'https://hooks.example/x', ...F]);
  t.is(onFollower.code, 5);
  t.regex(onFollower.stderr, /run it on the leader/);
  const unknown = await cli(['notify', 'remove', 'nope', ...L]);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no notifier named "nope"/);
  const untested = await cli(['notify', 'test', 'nope', ...F]);
  t.is(untested.code, 1);
  t.regex(untested.stderr, /no notifier named "nope"/);

  t.deepEqual(versions(leader, follower), before, 'no refused command changed the state');
});

test('promote: the new leader announces the leader change once; the old leader, now a follower, says nothing', async (t) => {
  const { leader, follower } = await pair(t);
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  await admin(leader).call(api.addNotifier, { body: { name: 'all', url: `${rx.base}/hook` } });
  await waitFor(() => follower.runtime.state.notifiers.length === 1, 10_000, 'the push');
  const promoted = await cli(['promote', ...configFor(follower)]);
  t.is(promoted.code, 0, promoted.stderr);
  await waitFor(() => rx.delivered('/hook').some((r) => r.body.event === 'leader-change'), 10_000, 'the leader-change message');
  await waitFor(() => leader.runtime.state.term === follower.runtime.state.term && !leader.runtime.isLeader, 10_000, 'the old leader to follow');
  // Two heartbeat rounds more on both nodes: no second announcement from either.
  const twoRounds = (n: TestNode) => new Promise<void>((resolve) => n.heartbeat.once('tick', () => n.heartbeat.once('tick', () => resolve())));
  await Promise.all([twoRounds(leader), twoRounds(follower)]);
  const changes = rx.delivered('/hook').filter((r) => r.body.event === 'leader-change');
  t.is(changes.length, 1);
  t.like(changes[0]!.body, { node: 'office', cluster: 'Office', reason: 'home led before' });
});
