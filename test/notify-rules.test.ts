// The notification rules as pure functions (who announces what, which DNS rows are events, when a
// DNS error is news), delivery's backoff and its retries against a real loopback webhook, and how
// notifiers travel: sealed in v2 pushes, absent from v1 pushes, masked and scrubbed everywhere.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import test from 'ava';
import { pushBody } from '../src/cluster/pusher.js';
import { openPushSecrets } from '../src/cluster/push-secrets.js';
import { stateFromPush } from '../src/cluster/wire-v1.js';
import { readPush } from '../src/cluster/wire-v1-read.js';
import type { DnsPlanRow } from '../src/dns/plan-rows.js';
import { createLogger, silentLogger } from '../src/log.js';
import type { ClusterNode, ClusterState, Notifier } from '../src/model.js';
import { classifyStatus, DeliveryQueue, retryDelay } from '../src/notify/delivery.js';
import { dnsErrorEvent, dnsRowEvents, livenessTransitions, reporterFor } from '../src/notify/events.js';
import type { NotifyMessage } from '../src/notify/message.js';
import { Notifications } from '../src/notify/notifications.js';
import { isSealed, knownSecrets, maskUrl, webhookUrlSecrets } from '../src/security/index.js';
import { waitFor } from './helpers/surfaces-cluster.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';

// ---- Who announces node-down / node-up / clock-skew about a node. ----

const ORDER = ['A', 'B', 'C'];
const reporterTable: [string, string | null, string[], string, string | null][] = [
  ['the live leader reports about a follower', 'A', ['A', 'B', 'C'], 'B', 'A'],
  ['the live leader reports about a dead follower', 'A', ['A', 'C'], 'B', 'A'],
  ['a dead leader: the first live node in cluster order reports about it', 'A', ['B', 'C'], 'A', 'B'],
  ['the leader returning: not itself, the first live other node', 'A', ['A', 'B', 'C'], 'A', 'B'],
  ['the leader is down and the subject is the first node: the next live one', 'C', ['A', 'B'], 'C', 'A'],
  ['no leader known: the first live node that is not the subject', null, ['B', 'C'], 'A', 'B'],
  ['nobody else live: no reporter', 'A', ['B'], 'B', null],
];
for (const [title, leader, live, subject, expected] of reporterTable) {
  test(`reporter: ${title}`, (t) => {
    t.is(reporterFor(ORDER, leader, new Set(live), subject), expected);
  });
}

test('liveness transitions: a peer first seen live is no news; leaving the live set is node-down, returning node-up; self and unknown nodes never', (t) => {
  let memory = new Map<string, 'up' | 'down'>();
  const step = (live: string[]) => {
    const r = livenessTransitions(memory, new Set(live), ORDER, 'A');
    memory = r.memory;
    return r.transitions.map((x) => `${x.event}:${x.node}`);
  };
  t.deepEqual(step(['A']), [], 'a starting node hears nobody yet: no node-down');
  t.deepEqual(step(['A', 'B']), [], 'B heard for the first time: a baseline, not node-up');
  t.deepEqual(step(['A', 'B', 'C']), []);
  t.deepEqual(step(['A', 'C']), ['node-down:B']);
  t.deepEqual(step(['A', 'C']), [], 'no repeat while B stays down');
  t.deepEqual(step(['C', 'B']), ['node-up:B'], 'this node missing from its own live set is not an event');
  const removed = livenessTransitions(memory, new Set(['A']), ['A', 'C'], 'A');
  t.deepEqual(removed.transitions.map((x) => x.node), ['C']);
  t.false(removed.memory.has('B'), 'a node removed from the cluster is forgotten');
});

// ---- DNS passes. ----

const row = (over: Partial<DnsPlanRow>): DnsPlanRow => ({
  service: 'www',
  fqdn: 'www.example.com',
  type: 'A',
  line: 'CU',
  family: 'ipv4',
  current: '198.51.100.20',
  desired: '198.51.100.10',
  action: 'update',
  reason: 'takeover',
  takeover: true,
  duplicates: 0,
  result: { outcome: 'ok' },
  ...over,
});

test('DNS rows: a written takeover is a failover, a written reassigned slot over another address a recovery; nothing else is an event', (t) => {
  const events = dnsRowEvents([
    row({}),
    row({ line: 'CT', takeover: false, reason: 'reassigned' }),
    row({ line: 'CMCC', result: { outcome: 'failed', error: 'x' } }),
    row({ line: 'default', action: 'keep', reason: 'in-sync', result: undefined }),
    row({ line: 'OverSea', takeover: false, reason: 'address-changed' }),
    row({ line: 'CNEdu', takeover: false, reason: 'drift' }),
    row({ line: 'CT', family: 'ipv6', type: 'AAAA', takeover: false, reason: 'reassigned', current: null, action: 'create' }),
    row({ line: 'CU', family: 'ipv6', type: 'AAAA', result: { outcome: 'dry-run' } }),
  ]);
  t.deepEqual(
    events.map((e) => `${e.event}:${e.line}:${e.oldAddress}->${e.newAddress}`),
    ['failover:CU:198.51.100.20->198.51.100.10', 'recovery:CT:198.51.100.20->198.51.100.10'],
  );
});

test('dns-error: once when a pass starts failing, not for each failing retry, again after a success', (t) => {
  const failing = { dryRun: false, errors: [{ service: 'www', provider: 'Ali', stage: 'list' as const, message: 'timeout' }, { service: 'api', provider: 'Ali', stage: 'list' as const, message: 'timeout' }] };
  const ok = { dryRun: false, errors: [] };
  const first = dnsErrorEvent(failing, false);
  t.is(first.event?.event, 'dns-error');
  t.is(first.event?.reason, 'Ali list: timeout (and 1 more)');
  t.true(first.failing);
  t.is(dnsErrorEvent(failing, true).event, null, 'a retry of the same spell');
  t.false(dnsErrorEvent(ok, true).failing);
  t.is(dnsErrorEvent({ ...failing, dryRun: true }, false).event, null, 'a dry run is nobody\'s news');
});

// ---- Delivery. ----

test('retry delays double from the base up to the cap, with half of each delay random', (t) => {
  t.is(retryDelay(1, 1000, 60_000, () => 0), 500);
  t.is(retryDelay(1, 1000, 60_000, () => 0.999999), 999.9995);
  t.is(retryDelay(3, 1000, 60_000, () => 0), 2000);
  t.is(retryDelay(20, 1000, 60_000, () => 0), 30_000);
  t.is(retryDelay(20, 1000, 60_000, () => 0.999999), 59_999.97);
  t.deepEqual([200, 204, 408, 429, 500, 503, 400, 404, 302].map((s) => classifyStatus(s).kind), ['ok', 'ok', 'retry', 'retry', 'retry', 'retry', 'refused', 'refused', 'refused']);
});

const message: NotifyMessage = { event: 'node-down', time: '2026-12-01T00:00:00.000Z', cluster: 'Node A', node: 'B', service: null, record: null, line: null, family: null, oldAddress: null, newAddress: null, reason: 'test' };

async function webhook(statuses: number[]) {
  const seen: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
      seen.push(status);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret-token-123456`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function counting() {
  const sent: string[] = [];
  const failed: string[] = [];
  return { sent, failed, hooks: { sent: (n: string, e: string) => void sent.push(`${n}:${e}`), failed: (n: string, e: string) => void failed.push(`${n}:${e}`) } };
}

const FAST = { baseDelayMs: 20, maxDelayMs: 50, timeoutMs: 2000 };

test('delivery: 503 twice then 200 is retried and counted sent once; the enqueue returns at once', async (t) => {
  const hook = await webhook([503, 503, 200]);
  t.teardown(hook.close);
  const c = counting();
  const queue = new DeliveryQueue(silentLogger(), c.hooks, FAST);
  t.teardown(() => queue.stop());
  queue.enqueue({ name: 'w', url: hook.url, format: 'json', secret: null, template: null, events: [] }, message);
  t.is(queue.pending, 1);
  await waitFor(() => queue.pending === 0, 10_000, 'delivery');
  t.deepEqual(hook.seen, [503, 503, 200]);
  t.deepEqual(c.sent, ['w:node-down']);
  t.deepEqual(c.failed, []);
});

test('delivery: a redirect (like a 4xx) is refused for good at once; a webhook that keeps failing is given up after maxAttempts; both counted as failures and logged without the URL\'s token', async (t) => {
  const refusing = await webhook([302]);
  const failing = await webhook([500]);
  t.teardown(refusing.close);
  t.teardown(failing.close);
  let logged = '';
  const log = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _e, cb) => void ((logged += chunk.toString()), cb()) }) });
  const c = counting();
  const queue = new DeliveryQueue(log, c.hooks, { ...FAST, maxAttempts: 3 });
  t.teardown(() => queue.stop());
  const n = (name: string, url: string): Notifier => ({ name, url, format: 'json', secret: null, template: null, events: [] });
  queue.enqueue(n('refusing', refusing.url), message);
  queue.enqueue(n('failing', failing.url), message);
  await waitFor(() => queue.pending === 0, 10_000, 'both to end');
  t.deepEqual(refusing.seen, [302], 'a redirect is refused, not followed');
  t.deepEqual(failing.seen, [500, 500, 500]);
  t.deepEqual(c.failed.sort(), ['failing:node-down', 'refusing:node-down']);
  t.deepEqual(c.sent, []);
  t.regex(logged, /gave up/);
  t.regex(logged, /not retried/);
  t.false(logged.includes('secret-token-123456'));
  t.regex(logged, /http:\/\/127\.0\.0\.1:\d+\/\*\*\*\*/);
});

test('delivery: an unreachable webhook is retried, and a full queue drops its oldest message as a failure', async (t) => {
  const c = counting();
  const queue = new DeliveryQueue(silentLogger(), c.hooks, { ...FAST, maxQueued: 2, baseDelayMs: 10_000, maxDelayMs: 10_000 });
  t.teardown(() => queue.stop());
  const dead: Notifier = { name: 'dead', url: 'http://127.0.0.1:9/hook', format: 'json', secret: null, template: null, events: [] };
  queue.enqueue(dead, message);
  queue.enqueue(dead, message);
  queue.enqueue(dead, message);
  t.is(queue.pending, 2);
  t.deepEqual(c.failed, ['dead:node-down']);
});

// ---- On the wire and on display. ----

const nodeOf = (code: string, mode: 'leader' | 'follower'): ClusterNode => ({ nodeCode: code, nodeName: `Node ${code}`, nodeAddress: `http://127.0.0.1:1${code.charCodeAt(0)}`, workMode: mode, secret: `${code}-node-secret-0123456789`, isps: ['CT'], networkType: 'IPV4', statusCode: 200, watchDog: '2026-12-01T00:00:00.000Z' });
const NOTIFIER: Notifier = { name: 'ops', url: 'https://oapi.dingtalk.com/robot/send?access_token=tok-abcdef123456', format: 'dingtalk', secret: 'SECsigning-0123456789', template: null, events: ['failover'] };
const STATE: ClusterState = { version: 4, term: 1, nodes: [nodeOf('A', 'leader'), nodeOf('B', 'follower')], services: [], cloudAccounts: [], notifiers: [NOTIFIER] };

test('a v2 push carries notifiers with the URL and secret sealed for the follower, which opens them; values sealed for another node do not open', (t) => {
  const follower = STATE.nodes[1]!;
  const body = pushBody(STATE, follower, 'v2');
  const text = JSON.stringify(body);
  t.false(text.includes('tok-abcdef123456'));
  t.false(text.includes('SECsigning'));
  const read = readPush(body, 'v2');
  if (!read.ok) return t.fail(JSON.stringify(read.problems));
  const incoming = stateFromPush(read.basic, 0);
  t.true(isSealed(incoming.notifiers[0]!.url));
  const opened = openPushSecrets(incoming, follower.secret, follower.nodeCode);
  t.true(opened.ok);
  if (opened.ok) t.deepEqual(opened.state.notifiers, [NOTIFIER]);
  // The notifiers of a push sealed for A, replayed inside B's push: refused, naming the field.
  const forA = pushBody(STATE, STATE.nodes[0]!, 'v2') as { cocoaBasic: { notifiers: unknown } };
  const replayed = { cocoaBasic: { ...(body as { cocoaBasic: object }).cocoaBasic, notifiers: forA.cocoaBasic.notifiers } };
  const readReplayed = readPush(replayed, 'v2');
  if (!readReplayed.ok) return t.fail(JSON.stringify(readReplayed.problems));
  t.deepEqual(openPushSecrets(stateFromPush(readReplayed.basic, 0), follower.secret, follower.nodeCode), { ok: false, field: 'notifiers.0.url' });
});

test('a v1 push (to an original Go peer) carries no notifiers, and a v1 push read here leaves none', (t) => {
  const body = pushBody(STATE, STATE.nodes[1]!, 'v1') as { cocoaBasic: Record<string, unknown> };
  t.false('notifiers' in body.cocoaBasic);
  t.false(JSON.stringify(body).includes('dingtalk'));
  const read = readPush({ ...body, cocoaSecret: STATE.nodes[1]!.secret }, 'v1');
  if (!read.ok) return t.fail(JSON.stringify(read.problems));
  t.deepEqual(stateFromPush(read.basic, 0).notifiers, []);
});

test('a webhook URL is masked to its scheme and host; its token parts and the signing secret are known secrets (scrubbed from logs)', (t) => {
  t.is(maskUrl(NOTIFIER.url), 'https://oapi.dingtalk.com/****');
  t.is(maskUrl('https://api.telegram.org/bot123456:ABCdefGHI/sendMessage?chat_id=1'), 'https://api.telegram.org/****');
  t.is(maskUrl('not a url'), '****');
  t.true(webhookUrlSecrets('https://api.telegram.org/bot123456:ABCdefGHI/sendMessage?chat_id=-100987654').includes('123456:ABCdefGHI'));
  const secrets = knownSecrets({ secret: 'own-secret-value', database: { dialect: 'sqlite' }, credentialKey: null }, { state: STATE });
  t.true(secrets.includes(NOTIFIER.url));
  t.true(secrets.includes('tok-abcdef123456'));
  t.true(secrets.includes('SECsigning-0123456789'));
  let logged = '';
  const log = createLogger({ level: 'info', secrets: () => secrets, destination: new Writable({ write: (chunk: Buffer, _e, cb) => void ((logged += chunk.toString()), cb()) }) });
  log.info({ err: 'POST https://oapi.dingtalk.com/robot/send?access_token=tok-abcdef123456 failed' }, 'careless');
  t.false(logged.includes('tok-abcdef123456'));
});

// ---- The node's notifications: leader changes and clock warnings. ----

test('a new leader announces itself once; the old leader and the followers do not; clock-skew comes only from the skewed peer\'s reporter', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const notifier: Notifier = { name: 'all', url: `${rx.base}/hook`, format: 'json', secret: null, template: null, events: [] };
  const three: ClusterState = { ...STATE, nodes: [nodeOf('A', 'leader'), nodeOf('B', 'follower'), nodeOf('C', 'follower')], notifiers: [notifier] };
  const promoted: ClusterState = { ...three, version: 9, term: 2, nodes: three.nodes.map((n) => ({ ...n, workMode: n.nodeCode === 'B' ? 'leader' : 'follower' })) };
  const nodes = ['A', 'B', 'C'].map((code) => {
    const source = { nodeCode: code, state: three };
    const notifications = new Notifications({ source, log: silentLogger(), hooks: { sent: () => undefined, failed: () => undefined } });
    t.teardown(() => notifications.stop());
    return { source, notifications };
  });
  for (const n of nodes) {
    n.source.state = promoted;
    n.notifications.observeState(promoted);
    n.notifications.observeState(promoted);
  }
  // A's clock is 45 s off; B (the leader now) reports it, C and A do not; a clock back within 30 s is no news.
  for (const n of nodes) n.notifications.observeClock('A', 45_000, true, new Set(['A', 'B', 'C']));
  for (const n of nodes) n.notifications.observeClock('A', 1_000, false, new Set(['A', 'B', 'C']));
  await waitFor(() => rx.requests.length >= 2 && nodes.every((n) => n.notifications.pending === 0), 10_000, 'deliveries');
  t.deepEqual(rx.requests.map((r) => `${r.body.event}:${r.body.node}`).sort(), ['clock-skew:A', 'leader-change:B']);
  t.like(rx.requests.find((r) => r.body.event === 'leader-change')!.body, { cluster: 'Node B', reason: 'A led before' });
  t.regex(String(rx.requests.find((r) => r.body.event === 'clock-skew')!.body.reason), /differs from B's by 45 s/);
});

test('a notifier gets only the events it asked for', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const only = (name: string, events: Notifier['events']): Notifier => ({ name, url: `${rx.base}/${name}`, format: 'json', secret: null, template: null, events });
  const source = { nodeCode: 'A', state: { ...STATE, notifiers: [only('downs', ['node-down']), only('ups', ['node-up'])] } };
  const notifications = new Notifications({ source, log: silentLogger(), hooks: { sent: () => undefined, failed: () => undefined } });
  t.teardown(() => notifications.stop());
  notifications.observeLiveness(new Set(['A', 'B']));
  notifications.observeLiveness(new Set(['A']));
  await waitFor(() => rx.requests.length >= 1 && notifications.pending === 0, 10_000, 'delivery');
  t.deepEqual(rx.requests.map((r) => `${r.path} ${r.body.event} ${r.body.node}`), ['/downs node-down B']);
});
