// The node reactor: one serving plan per (state, liveness view), handed to DNS sync, the status
// view and metrics; the status page's line values come from the plan the DNS pass applied.
import test from 'ava';
import type { Heartbeat } from '../src/cluster/heartbeat.js';
import type { Pusher } from '../src/cluster/pusher.js';
import type { ClusterRuntime } from '../src/cluster/runtime.js';
import { planStateServing, type ServingPlan } from '../src/cluster/serving.js';
import { reconcile } from '../src/dns/reconcile.js';
import type { DnsSync } from '../src/dns/sync.js';
import { buildStatusView, type PublicLine } from '../src/http/pages/status-view.js';
import type { ClusterNode, ClusterState } from '../src/model.js';
import { LineValues } from '../src/node/line-values.js';
import { clusterStatus } from '../src/node/status.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { startTestNode } from './helpers/node.js';
import { waitFor } from './helpers/surfaces-cluster.js';

const A_IP = '203.0.113.10';
const B_IP = '203.0.113.20';
const node = (nodeCode: string, nodeName: string, isps: ClusterNode['isps']): ClusterNode => ({
  nodeCode,
  nodeName,
  nodeAddress: `http://127.0.0.1:1/${nodeCode}`,
  workMode: nodeCode === 'a' ? 'leader' : 'follower',
  secret: `${nodeCode}-secret-0123456789`,
  isps,
  networkType: 'IPV4',
  statusCode: 200,
  watchDog: new Date().toISOString(),
});

/** The public view node `a` would serve for `plan`, with the values of its last DNS pass. */
function view(state: ClusterState, plan: ServingPlan, lineValues: LineValues) {
  const runtime = { state, nodeCode: 'a', identity: { nodeName: 'Alpha' }, workMode: 'leader', joined: true } as unknown as ClusterRuntime;
  const heartbeat = { view: () => null, addressesOf: () => undefined } as unknown as Heartbeat;
  const pusher = { status: () => [] } as unknown as Pusher;
  const dnsSync = { last: null, ips: { ipv4: A_IP }, lastSuccessAt: null, runs: 1 } as unknown as DnsSync;
  const status = clusterStatus({ runtime, heartbeat, pusher, dnsSync, plan, startedAt: new Date() });
  const config = { dryRun: false, secret: 'x'.repeat(12), database: { dialect: 'sqlite' as const, storage: ':memory:' }, credentialKey: null };
  return buildStatusView({ status, state, plan, lineValues, audit: null, config: config as never });
}

const line = (v: ReturnType<typeof view>, code: PublicLine['line']) => {
  const l = v.services[0]!.lines.find((x) => x.line === code && x.family === 'ipv4')!;
  return { servedBy: l.servedBy, takeover: l.takeover, value: l.value, state: l.state };
};

test('after a takeover and a recovery the status page shows only values read or written under the plan it shows', async (t) => {
  const ali = await startAlidnsEmulator({ credentials: { LTAI5tReactor001: 'reactor-secret' }, domains: ['example.com'] });
  t.teardown(ali.close);
  ali.seed({ domain: 'example.com', rr: 'www', value: A_IP, line: 'telecom' });
  ali.seed({ domain: 'example.com', rr: 'www', value: B_IP, line: 'unicom' });
  const state: ClusterState = {
    version: 3,
    term: 0,
    nodes: [node('a', 'Alpha', ['CT']), node('b', 'Beta', ['CU'])],
    services: [{ serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 }],
    cloudAccounts: [{ platformProvider: 'Ali', accessKey: 'LTAI5tReactor001', accessSecret: 'reactor-secret', endpoint: ali.endpoint }],
    notifiers: [],
  };
  const fast = { sleep: async () => {}, random: () => 0 };
  const values = new LineValues();
  const pass = async (plan: ServingPlan) => {
    const serve = new Map(plan.services.map((s) => [s.service.serviceName, s.mine]));
    const report = await reconcile({ nodeCode: 'a', services: state.services, cloudAccounts: state.cloudAccounts, serve, ips: { ipv4: A_IP } }, fast);
    values.observe(report, new Date());
  };

  // Both up: a serves CT and its pass reads CT in sync.
  const both = planStateServing(state, new Set(['a', 'b']), 'a');
  await pass(both);
  t.deepEqual(line(view(state, both, values), 'CT'), { servedBy: 'Alpha', takeover: false, value: A_IP, state: 'in-sync' });

  // b goes down: the plan now has a taking CU over, but no pass has read CU yet. The page must not
  // call CU in sync with a's address: the provider still holds b's.
  const bDown = planStateServing(state, new Set(['a']), 'a');
  t.deepEqual(line(view(state, bDown, values), 'CU'), { servedBy: 'Alpha', takeover: true, value: null, state: 'unknown' });
  t.is(ali.records({ rr: 'www', line: 'unicom' })[0]?.value, B_IP);

  // The takeover pass writes CU.
  await pass(bDown);
  t.deepEqual(line(view(state, bDown, values), 'CU'), { servedBy: 'Alpha', takeover: true, value: A_IP, state: 'written' });

  // b is back and rewrites its line; a's last pass still says it wrote CU. The page must not show
  // a's value for a line b serves now.
  const back = planStateServing(state, new Set(['a', 'b']), 'a');
  ali.zone.update(ali.records({ rr: 'www', line: 'unicom' })[0]!, { value: B_IP });
  t.deepEqual(line(view(state, back, values), 'CU'), { servedBy: 'Beta', takeover: false, value: null, state: 'unknown' });
  t.deepEqual(line(view(state, back, values), 'CT'), { servedBy: 'Alpha', takeover: false, value: A_IP, state: 'in-sync' });
});

test('one serving plan per state and liveness view, and the DNS pass records the plan it applied', async (t) => {
  const n = await startTestNode({ NodeCode: 'solo', ISPs: ['default', 'CT'], PublicIP: { IPv4: { Static: A_IP } } });
  t.teardown(() => n.stop());
  const first = n.reactor.plan;
  t.is(n.reactor.plan, first, 'read twice without a change: the same plan');
  t.deepEqual(first.byNode.get('solo')?.map((s) => s.line), ['default', 'CT']);
  await waitFor(() => n.dnsSync.last !== null, 10_000, 'the first DNS pass');
  t.is(n.dnsSync.last!.serving.key, n.reactor.plan.key);

  // An edit is a state change: a new plan (and, the node being the leader, a push to nobody).
  await n.runtime.replace({ ...n.runtime.state, version: n.runtime.state.version + 1, nodes: n.runtime.state.nodes.map((x) => ({ ...x, isps: ['CT'] })) }, 'test-edit');
  const second = n.reactor.plan;
  t.not(second, first);
  t.deepEqual(second.byNode.get('solo')?.map((s) => s.line), ['CT']);
  t.is(n.reactor.status().nodes[0]!.serving.length, 1, 'the status is built on the same plan');
});
