// /metrics against a real 2-node cluster, parsed with a real exposition-format parser.
import test from 'ava';
import type { DnsProvider } from '../src/dns/provider.js';
import { NodeMetrics } from '../src/metrics/index.js';
import { FOLLOWER_CODE, LEADER_IP, parseMetrics, sample, scrape, startCluster, waitFor } from './helpers/surfaces-cluster.js';
import { startTestNode } from './helpers/node.js';

test('a leader\'s /metrics shows the joined follower, its role, versions, pushes, lines and DNS work', async (t) => {
  const { leader, follower, emulator, secrets, codes } = await startCluster(t);
  // The leader's own lines (default, CT) are written to the emulator on the edit-triggered run.
  await waitFor(() => emulator!.records({ line: 'telecom' })[0]?.value === LEADER_IP, 10_000, 'the leader to write its CT record');
  await waitFor(async () => sample(await scrape(leader), 'cocoasyncer_follower_applied_state_version', { follower: 'ChinoCafe' }) === leader.runtime.state.version, 10_000, 'the applied version');

  const res = await fetch(`${leader.url}/metrics`);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const value of [...secrets, ...codes]) t.false(text.includes(value), `/metrics must not contain ${value}`);
  const m = parseMetrics(text);

  const type = (name: string) => m.get(name)?.type;
  t.is(type('cocoasyncer_cluster_nodes'), 'GAUGE');
  t.is(sample(m, 'cocoasyncer_cluster_nodes', { status: 'up' }), 2);
  t.is(sample(m, 'cocoasyncer_cluster_nodes', { status: 'down' }), 0);
  t.is(sample(m, 'cocoasyncer_node_info', { node_name: 'LuckyCocoa', role: 'leader' }), 1);
  t.is(sample(m, 'cocoasyncer_node_is_leader'), 1);
  t.is(sample(m, 'cocoasyncer_state_version'), leader.runtime.state.version);
  t.is(sample(m, 'cocoasyncer_cluster_health'), 2);
  t.is(sample(m, 'cocoasyncer_peer_up', { peer: 'ChinoCafe' }), 1);
  const age = sample(m, 'cocoasyncer_peer_watchdog_age_seconds', { peer: 'ChinoCafe' });
  t.true(age !== undefined && age >= 0 && age < 1.2, `watchdog age ${age}`);
  t.is(sample(m, 'cocoasyncer_follower_applied_state_version', { follower: 'ChinoCafe' }), leader.runtime.state.version);

  t.is(type('cocoasyncer_push_attempts_total'), 'COUNTER');
  t.true(sample(m, 'cocoasyncer_push_attempts_total', { follower: 'ChinoCafe' })! >= 1);
  t.is(sample(m, 'cocoasyncer_push_failures_total', { follower: 'ChinoCafe' }), 0, 'present at 0 before any failure');
  t.not(sample(m, 'cocoasyncer_heartbeat_failures_total', { peer: 'ChinoCafe' }), undefined, 'a series per peer from the start');
  t.is(type('cocoasyncer_heartbeat_rounds_total'), 'COUNTER');
  t.true(sample(m, 'cocoasyncer_heartbeat_rounds_total')! > 0);

  t.is(sample(m, 'cocoasyncer_lines_served', { kind: 'own' }), 2, 'default and CT over IPv4');
  t.is(sample(m, 'cocoasyncer_lines_served', { kind: 'takeover' }), 0);
  t.is(sample(m, 'cocoasyncer_node_lines_served', { node: 'ChinoCafe', kind: 'own' }), 2, 'CU and CMCC');
  t.is(sample(m, 'cocoasyncer_managed_services'), 1);
  t.is(sample(m, 'cocoasyncer_cloud_accounts'), 1);

  t.is(type('cocoasyncer_dns_reconcile_runs_total'), 'COUNTER');
  t.true(sample(m, 'cocoasyncer_dns_reconcile_runs_total', { outcome: 'ok' })! >= 1);
  t.true(sample(m, 'cocoasyncer_dns_provider_calls_total', { provider: 'Ali', action: 'list', outcome: 'ok' })! >= 1);
  t.true(sample(m, 'cocoasyncer_dns_provider_calls_total', { provider: 'Ali', action: 'update', outcome: 'ok' })! >= 2);
  t.is(type('cocoasyncer_dns_provider_call_duration_seconds'), 'HISTOGRAM');
  t.true(sample(m, 'cocoasyncer_dns_records_changed_total', { provider: 'Ali', action: 'update' })! >= 2);
  const lastOk = sample(m, 'cocoasyncer_dns_last_success_timestamp_seconds')!;
  t.true(Math.abs(lastOk - Date.now() / 1000) < 60, 'last success is a recent Unix time in seconds');
  t.is(sample(m, 'cocoasyncer_public_ip_known', { family: 'ipv4' }), 1);
  // The failover bound of the records served (FailAfterSeconds + DnsSyncSeconds + TTL, the seeded TTL being the emulator's 600 s).
  const timing = leader.config.timing;
  t.is(sample(m, 'cocoasyncer_dns_failover_bound_seconds'), Math.round(timing.failAfterMs / 1000 + timing.dnsSyncMs / 1000 + 600));
  t.is(type('cocoasyncer_dns_records_ttl_warning'), 'GAUGE');
  t.is(type('cocoasyncer_public_ip_detection_failures_total'), 'COUNTER');

  // The original's gauge, unchanged, for its Grafana board.
  t.is(type('cocoaSyncerStatus'), 'GAUGE');
  t.is(sample(m, 'cocoaSyncerStatus', { cocoaSyncerStatus: 'NodeNumber' }), 2);
  t.is(sample(m, 'cocoaSyncerStatus', { cocoaSyncerStatus: 'CocoaSyncerManagedService' }), 1);
  t.is(sample(m, 'cocoaSyncerStatus', { cocoaSyncerStatus: 'CocoaSyncerCloudPlatformInfo' }), 1);
  t.is(sample(m, 'cocoaSyncerStatus', { cocoaSyncerStatus: 'CocoaSyncerNodeOnlineCount' }), 2);
  t.is(sample(m, 'cocoaSyncerStatus', { cocoaSyncerStatus: 'CocoaSyncerNodeOfflineCount' }), 0);

  // Default process metrics.
  t.is(type('process_cpu_seconds_total'), 'COUNTER');
  t.truthy(m.get('nodejs_heap_size_used_bytes'));

  // The follower's own view: a follower, with the leader up.
  const f = await scrape(follower);
  t.is(sample(f, 'cocoasyncer_node_info', { node_name: 'ChinoCafe', role: 'follower' }), 1);
  t.is(sample(f, 'cocoasyncer_node_is_leader'), 0);
  t.is(sample(f, 'cocoasyncer_peer_up', { peer: 'LuckyCocoa' }), 1);
  t.is(m.get('cocoasyncer_follower_applied_state_version')?.metrics.length ?? 0, 1);
  t.is(f.get('cocoasyncer_follower_applied_state_version')?.metrics.length ?? 0, 0, 'followers do not push');
});

test('when the follower stops, the leader\'s metrics show it down and its lines taken over, at the next scrape', async (t) => {
  const { leader, follower } = await startCluster(t);
  t.is(sample(await scrape(leader), 'cocoasyncer_peer_up', { peer: 'ChinoCafe' }), 1);

  await follower.stop();
  let m = await scrape(leader);
  // Down on the next scrape after the fail-after window; the takeover follows at the next heartbeat round.
  await waitFor(
    async () => sample((m = await scrape(leader)), 'cocoasyncer_peer_up', { peer: 'ChinoCafe' }) === 0 && sample(m, 'cocoasyncer_lines_served', { kind: 'takeover' }) === 2,
    10_000,
    'the follower to be down and its lines taken over',
  );
  t.is(sample(m, 'cocoasyncer_cluster_nodes', { status: 'up' }), 1);
  t.is(sample(m, 'cocoasyncer_cluster_nodes', { status: 'down' }), 1);
  t.is(sample(m, 'cocoasyncer_cluster_health'), 1, 'degraded: some down, the leader is fine');
  t.is(sample(m, 'cocoaSyncerStatus', { cocoaSyncerStatus: 'CocoaSyncerNodeOfflineCount' }), 1);
  t.true(sample(m, 'cocoasyncer_peer_watchdog_age_seconds', { peer: 'ChinoCafe' })! >= 1.2);
  t.true(sample(m, 'cocoasyncer_heartbeat_failures_total', { peer: 'ChinoCafe' })! >= 1);
  t.is(sample(m, 'cocoasyncer_lines_served', { kind: 'takeover' }), 2, 'CU and CMCC taken over');
  t.is(sample(m, 'cocoasyncer_node_lines_served', { node: 'LuckyCocoa', kind: 'takeover' }), 2);
  t.is(sample(m, 'cocoasyncer_node_lines_served', { node: 'ChinoCafe', kind: 'own' }), 0);
});

test('an edit shows in the state version gauge without a restart (gauges are computed when scraped)', async (t) => {
  const { leader, admin } = await startCluster(t, { dns: false });
  const before = sample(await scrape(leader), 'cocoasyncer_state_version')!;
  await admin.post('/v2/admin/services', { name: 'api', domain: 'example.com', record: 'api', provider: 'Ali' });
  const m = await scrape(leader);
  t.is(sample(m, 'cocoasyncer_state_version'), before + 1);
  t.is(sample(m, 'cocoasyncer_managed_services'), 1);
});

test('HTTP metrics label requests by route pattern, with every unknown path under one label', async (t) => {
  const node = await startTestNode({ NodeName: 'Solo' });
  t.teardown(() => node.stop());
  for (let i = 0; i < 30; i++) await (await fetch(`${node.url}/no/such/path/${i}?q=${i}`)).arrayBuffer();
  await (await fetch(`${node.url}/v1/badge`)).arrayBuffer();
  await (await fetch(`${node.url}/v1/badge?style=bogus`)).arrayBuffer();
  await (await fetch(`${node.url}/v2/admin/nodes/some-node`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' })).arrayBuffer();
  await (await fetch(`${node.url}/v1/getClusterInfo`, { method: 'GET' })).arrayBuffer();

  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = parseMetrics(text);
  const family = m.get('cocoasyncer_http_requests_total')!;
  t.is(family.type, 'COUNTER');
  const routes = new Set(family.metrics.map((s) => s.labels!.route));
  t.false([...routes].some((r) => r.includes('/no/such')), 'raw paths never become labels');
  t.is(sample(m, 'cocoasyncer_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 30);
  t.is(sample(m, 'cocoasyncer_http_requests_total', { method: 'GET', route: '/v1/badge', status: '200' }), 1);
  t.is(sample(m, 'cocoasyncer_http_requests_total', { method: 'GET', route: '/v1/badge', status: '400' }), 1);
  t.is(sample(m, 'cocoasyncer_http_requests_total', { method: 'PATCH', route: '/v2/admin/nodes/:code', status: '401' }), 1, 'an unsigned admin call is labelled with its route pattern');
  t.is(sample(m, 'cocoasyncer_http_requests_total', { method: 'GET', route: 'unmatched', status: '405' }), 1);
  t.is(m.get('cocoasyncer_http_request_duration_seconds')!.type, 'HISTOGRAM');
  // The parser folds labelled histograms into one entry, so read the series' _count line directly.
  t.regex(text, /^cocoasyncer_http_request_duration_seconds_count\{method="GET",route="\/v1\/badge",status="200"\} 1$/m);
});

test('each node has its own registry: nodes in one process never mix series, and a registry can be cleared', async (t) => {
  const a = await startTestNode({ NodeName: 'Alpha', NodeCode: 'alpha' });
  t.teardown(() => a.stop());
  const b = await startTestNode({ NodeName: 'Beta', NodeCode: 'beta' });
  t.teardown(() => b.stop());
  t.not(a.metrics.registry, b.metrics.registry);
  const ma = await scrape(a);
  t.deepEqual(ma.get('cocoasyncer_node_info')!.metrics.map((s) => s.labels!.node_name), ['Alpha']);
  t.deepEqual((await scrape(b)).get('cocoasyncer_node_info')!.metrics.map((s) => s.labels!.node_name), ['Beta']);

  const standalone = new NodeMetrics({ defaultMetrics: false });
  t.true((await standalone.scrape()).includes('cocoasyncer_http_requests_total'));
  standalone.registry.clear();
  t.is((await standalone.scrape()).trim(), '');
});

test('two nodes that share a name get distinct peer labels', async (t) => {
  const { leader } = await startCluster(t, { leaderName: 'Twin', followerName: 'Twin', dns: false });
  const m = await scrape(leader);
  const peers = m.get('cocoasyncer_peer_up')!.metrics.map((s) => s.labels!.peer);
  t.deepEqual(peers, ['Twin #2']);
  t.deepEqual(m.get('cocoasyncer_node_lines_served')!.metrics.map((s) => s.labels!.node).filter((v, i, all) => all.indexOf(v) === i), ['Twin #1', 'Twin #2']);
  t.false(JSON.stringify([...m.values()]).includes(FOLLOWER_CODE), 'node codes are not labels');
});

test('every provider call is counted with its own outcome, retries included, through one wrapper per account', async (t) => {
  const metrics = new NodeMetrics({ defaultMetrics: false });
  let calls = 0;
  const inner: DnsProvider = {
    name: 'Ali',
    keyId: 'LTAI****0001',
    capabilities: { recordTypes: ['A', 'AAAA'], lines: true },
    listRecords: async () => {
      calls += 1;
      if (calls < 3) throw new Error('Throttling');
      return [];
    },
    updateRecord: async () => undefined,
    createRecord: async () => {
      throw new Error('Forbidden');
    },
  };
  const factory = metrics.instrumentProviders(() => inner);
  const account = { platformProvider: 'Ali', accessKey: 'k', accessSecret: 's', endpoint: null };
  const p = factory(account);
  t.is(factory(account), p, 'the same provider object for the same account');
  for (let i = 0; i < 3; i++) await p.listRecords({ domain: 'example.com', record: 'www', fqdn: 'www.example.com' }).catch(() => undefined);
  await p.createRecord({ domain: 'example.com', record: 'www', type: 'A', line: 'CT', value: '203.0.113.1', ttl: 600 }).catch(() => undefined);
  const m = parseMetrics(await metrics.scrape());
  t.is(sample(m, 'cocoasyncer_dns_provider_calls_total', { provider: 'Ali', action: 'list', outcome: 'failed' }), 2);
  t.is(sample(m, 'cocoasyncer_dns_provider_calls_total', { provider: 'Ali', action: 'list', outcome: 'ok' }), 1);
  t.is(sample(m, 'cocoasyncer_dns_provider_calls_total', { provider: 'Ali', action: 'create', outcome: 'failed' }), 1);
});
