// What the node reactor does, in which order, for each trigger: pinned on recording stand-ins for
// the parts it drives (the parts themselves are tested on their own and through real nodes).
import { EventEmitter } from 'node:events';
import test from 'ava';
import { planStateServing } from '../src/cluster/serving.js';
import type { PublishedAddresses } from '../src/cluster/addresses.js';
import { NodeMetrics } from '../src/metrics/index.js';
import type { ClusterNode, ClusterState } from '../src/model.js';
import { NodeReactor } from '../src/node/reactor.js';
import { Notifications } from '../src/notify/notifications.js';
import { silentLogger } from '../src/log.js';
import { parseMetrics, sample, waitFor } from './helpers/surfaces-cluster.js';

const me: ClusterNode = {
  nodeCode: 'me',
  nodeName: 'Me',
  nodeAddress: 'http://127.0.0.1:1',
  workMode: 'leader',
  secret: 's'.repeat(16),
  isps: ['CT'],
  networkType: 'IPV4',
  statusCode: 200,
  watchDog: new Date().toISOString(),
};
const peer: ClusterNode = { ...me, nodeCode: 'peer', nodeName: 'Peer', workMode: 'follower', isps: ['CU'] };
const service = { serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 };

function world() {
  const calls: string[] = [];
  const runtime = Object.assign(new EventEmitter(), {
    state: { version: 1, term: 0, nodes: [me, peer], services: [service], cloudAccounts: [], notifiers: [] } as ClusterState,
    nodeCode: 'me',
    identity: { nodeName: 'Me' },
    workMode: 'leader',
    joined: true,
  });
  const heartbeat = Object.assign(new EventEmitter(), {
    live: new Set(['me', 'peer']) as ReadonlySet<string>,
    recompute: () => void calls.push('heartbeat.recompute'),
    beat: async () => void calls.push('heartbeat.beat'),
    start: () => void calls.push('heartbeat.start'),
    stop: async () => void calls.push('heartbeat.stop'),
    view: () => null,
    published: {} as Record<string, PublishedAddresses | undefined>,
    addressesOf(code: string): PublishedAddresses | undefined {
      return this.published[code];
    },
  });
  const pusher = Object.assign(new EventEmitter(), {
    pushAll: () => void calls.push('pusher.pushAll'),
    start: () => void calls.push('pusher.start'),
    stop: () => void calls.push('pusher.stop'),
    status: () => [],
  });
  const dnsSync = Object.assign(new EventEmitter(), {
    plannedKey: '',
    last: null,
    ips: {},
    lastSuccessAt: null,
    runs: 0,
    // A failover pass (after a liveness change) is marked with a trailing "!".
    trigger: async (reason: string, opts: { failover?: boolean } = {}) => void calls.push(`dns.trigger:${reason}${opts.failover ? '!' : ''}`),
    checkIp: async () => undefined,
    stop: async () => void calls.push('dns.stop'),
  });
  let flushed = 0;
  const audit = { backlog: 1, flush: async () => void (flushed += 1) };
  const metrics = new NodeMetrics({ defaultMetrics: false });
  const reactor = new NodeReactor({
    config: { timing: { heartbeatMs: 20, dnsSyncMs: 3_600_000, ipCheckMs: 3_600_000 } } as never,
    runtime: runtime as never,
    heartbeat: heartbeat as never,
    pusher: pusher as never,
    dnsSync: dnsSync as never,
    metrics,
    audit,
    notifications: new Notifications({ source: runtime as never, log: silentLogger(), hooks: { sent: () => undefined, failed: () => undefined } }),
    startedAt: new Date(),
  });
  return { calls, runtime, heartbeat, pusher, dnsSync, metrics, reactor, flushed: () => flushed };
}

async function started(t: import('ava').ExecutionContext) {
  const w = world();
  w.reactor.start();
  t.teardown(() => w.reactor.stop());
  await waitFor(() => w.calls.includes('dns.trigger:start'), 5_000, 'the first DNS pass');
  t.deepEqual(w.calls, ['heartbeat.start', 'pusher.start', 'dns.trigger:start']);
  w.calls.length = 0;
  return w;
}

test('a state change that moves this node\'s slots: live set, DNS pass, heartbeat, push, in that order', async (t) => {
  const w = await started(t);
  w.dnsSync.plannedKey = w.reactor.plan.key;
  w.runtime.state = { ...w.runtime.state, version: 2, nodes: [{ ...me, isps: ['CT', 'CMCC'] }, peer] };
  w.runtime.emit('changed', w.runtime.state, 'push');
  t.deepEqual(w.calls, ['heartbeat.recompute', 'dns.trigger:push', 'heartbeat.beat', 'pusher.pushAll']);
  t.deepEqual(w.reactor.plan.services[0]!.mine.map((s) => s.line), ['CT', 'CMCC']);
});

test('a state change that leaves this node\'s slots alone still pushes, without a DNS pass', async (t) => {
  const w = await started(t);
  w.runtime.state = { ...w.runtime.state, version: 2, services: [{ ...service, ttl: 300 }] };
  w.dnsSync.plannedKey = planStateServing(w.runtime.state, w.heartbeat.live, 'me').key;
  w.runtime.emit('changed', w.runtime.state, 'edit');
  t.deepEqual(w.calls, ['heartbeat.recompute', 'heartbeat.beat', 'pusher.pushAll']);
});

test('the serving plan is computed once per state change and liveness view', async (t) => {
  const w = await started(t);
  const first = w.reactor.plan;
  t.is(w.reactor.plan, first);
  t.is(w.reactor.status().nodes.length, 2);
  t.is(w.reactor.plan, first, 'the status is built on the same plan');
  w.heartbeat.live = new Set(['me']);
  const takeover = w.reactor.plan;
  t.not(takeover, first);
  t.deepEqual(takeover.services[0]!.mine.map((s) => `${s.line}${s.takeover ? '*' : ''}`), ['CT', 'CU*']);
  w.runtime.emit('changed', w.runtime.state, 'push');
  t.not(w.reactor.plan, takeover, 'a state change is a new plan even with the same content');
});

test('a liveness change: a failover DNS pass at once and a settle pass a couple of heartbeats later', async (t) => {
  const w = await started(t);
  w.heartbeat.emit('live', new Set(['me']));
  t.deepEqual(w.calls, ['dns.trigger:liveness!']);
  await waitFor(() => w.calls.includes('dns.trigger:liveness-settle!'), 5_000, 'the settle pass');
  t.deepEqual(w.calls, ['dns.trigger:liveness!', 'dns.trigger:liveness-settle!']);
});

test('a peer publishing no address for its line: that slot alone moves here at once in a failover pass, and back when it publishes one again', async (t) => {
  const w = await started(t);
  w.dnsSync.plannedKey = w.reactor.plan.key;
  t.deepEqual(w.reactor.plan.services[0]!.mine.map((s) => s.line), ['CT']);
  w.heartbeat.published.peer = { default: { ipv4: '203.0.113.2' }, lines: { CU: { ipv4: null } } };
  w.heartbeat.emit('addresses');
  t.deepEqual(w.reactor.plan.services[0]!.mine.map((s) => `${s.line}${s.takeover ? '*' : ''}`), ['CT', 'CU*']);
  t.deepEqual(w.calls, ['dns.trigger:addresses!']);
  w.dnsSync.plannedKey = w.reactor.plan.key;
  w.heartbeat.published.peer = { default: { ipv4: '203.0.113.2' }, lines: { CU: { ipv4: '203.0.113.12' } } };
  w.heartbeat.emit('addresses');
  t.deepEqual(w.reactor.plan.services[0]!.mine.map((s) => s.line), ['CT']);
  t.deepEqual(w.calls, ['dns.trigger:addresses!', 'dns.trigger:addresses!']);
  w.dnsSync.plannedKey = w.reactor.plan.key;
  w.dnsSync.emit('published');
  t.is(w.calls.length, 2, 'nothing this node writes changed: no pass');
});

test('a public IP change runs DNS; the first address known does not; both are counted', async (t) => {
  const w = await started(t);
  w.dnsSync.emit('ipChanged', 'ipv4', '203.0.113.1', null);
  t.deepEqual(w.calls, []);
  w.dnsSync.emit('ipChanged', 'ipv4', '203.0.113.2', '203.0.113.1');
  t.deepEqual(w.calls, ['dns.trigger:ip-changed']);
  w.dnsSync.emit('ipFailed', 'ipv6', 'no answer');
  const m = parseMetrics(await w.metrics.scrape());
  t.is(sample(m, 'cocoasyncer_public_ip_changes_total', { family: 'ipv4' }), 2);
  t.is(sample(m, 'cocoasyncer_public_ip_detection_failures_total', { family: 'ipv6' }), 1);
});

test('heartbeat rounds, failed pulls and pushes are counted; a round flushes the audit backlog', async (t) => {
  const w = await started(t);
  w.heartbeat.emit('tick');
  w.heartbeat.emit('pullFailed', 'peer');
  w.pusher.emit('pushed', 'peer', false);
  t.is(w.flushed(), 1);
  const m = parseMetrics(await w.metrics.scrape());
  t.is(sample(m, 'cocoasyncer_heartbeat_rounds_total'), 1);
  t.is(sample(m, 'cocoasyncer_heartbeat_failures_total', { peer: 'Peer' }), 1);
  t.is(sample(m, 'cocoasyncer_push_attempts_total', { follower: 'Peer' }), 1);
  t.is(sample(m, 'cocoasyncer_push_failures_total', { follower: 'Peer' }), 1);
});

test('stop stops the parts and unsubscribes: a later state change does nothing', async (t) => {
  const w = await started(t);
  await w.reactor.stop();
  t.deepEqual(w.calls, ['pusher.stop', 'heartbeat.stop', 'dns.stop']);
  w.calls.length = 0;
  w.runtime.emit('changed', w.runtime.state, 'push');
  w.heartbeat.emit('live', new Set());
  t.deepEqual(w.calls, []);
});
