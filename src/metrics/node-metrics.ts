// Prometheus metrics of one node, on the node's own registry (several nodes in one process, as in
// tests, never share series). Gauges are computed when scraped, from the same clusterStatus() the
// admin API and the status page use (the node reactor's snapshot, built on its serving plan);
// counters count events as the reactor reports them (count* methods): nothing here subscribes to
// anything. Label values are bounded: node names, fixed enums, route patterns.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FollowerPushStatus } from '../cluster/pusher.js';
import type { DnsProvider } from '../dns/provider.js';
import type { ReconcileReport } from '../dns/reconcile.js';
import { familiesOf, type CloudAccount, type Family, type NetworkType } from '../model.js';
import type { ClusterStatus } from '../node/status.js';
import { buildInfo } from '../version.js';
import { clusterHealth } from './health.js';
import { nodeLabels } from './labels.js';
import { instrumentProviderFactory, type ProviderCall } from './provider-calls.js';

/** What the gauges read at scrape time, computed once per scrape. */
export interface MetricsSnapshot {
  status: ClusterStatus;
  /** The leader's pushes per follower (empty on a follower). */
  pushes: readonly FollowerPushStatus[];
  /** DNS provider accounts in the cluster state. */
  cloudAccounts: number;
}

export interface NodeMetricsOptions {
  /** process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
}

const CHANGE_KINDS = ['update', 'create', 'missing', 'duplicate', 'skip', 'no-ip'] as const;
const FAMILY_LABELS: readonly Family[] = ['ipv4', 'ipv6'];
// Seconds; from a cached badge (sub-millisecond) to a slow admin edit that waits on a peer.
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Provider APIs answer in tens to hundreds of ms; retries and timeouts push into seconds.
const PROVIDER_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// Probes on a LAN answer in a millisecond; across carriers tens to hundreds; timeouts at seconds.
const PROBE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Tally = Map<string, number>;

export class NodeMetrics {
  readonly registry = new Registry();
  private source: (() => MetricsSnapshot) | null = null;
  /** One snapshot per scrape, shared by every gauge's collect(). */
  private snapshot: MetricsSnapshot | null = null;
  private scrapes = 0;

  // Per-peer event tallies, keyed by node code (stable across renames), labelled by name at scrape.
  private readonly pushAttempts: Tally = new Map();
  private readonly pushFailures: Tally = new Map();
  private readonly pullFailures: Tally = new Map();

  private readonly heartbeatRounds: Counter;
  private readonly reconcileRuns: Counter<'outcome'>;
  private readonly recordsChanged: Counter<'provider' | 'action'>;
  private readonly providerCalls: Counter<'provider' | 'action' | 'outcome'>;
  private readonly providerSeconds: Histogram<'provider' | 'action'>;
  private readonly ipFailures: Counter<'family'>;
  private readonly ipChanges: Counter<'family'>;
  private readonly notifySent: Counter<'name' | 'event'>;
  private readonly notifyFailures: Counter<'name'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly probeSeconds: Histogram<'service'>;

  constructor(opts: NodeMetricsOptions = {}) {
    const registers = [this.registry];
    const status = () => this.current()?.status ?? null;
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], collect: (g: Gauge<L>, s: ClusterStatus) => void) => {
      const g: Gauge<L> = new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect: () => {
          const s = status();
          if (!s) return;
          g.reset();
          collect(g, s);
        },
      });
      return g;
    };
    // `always`: the peers whose series exist from the start (at 0), so rate() works at once.
    const tallied = <L extends string>(name: string, help: string, label: L, tally: Tally, always: (s: ClusterStatus) => string[]) => {
      const c: Counter<L> = new Counter<L>({
        name,
        help,
        labelNames: [label],
        registers,
        collect: () => {
          const s = status();
          if (!s) return;
          c.reset();
          const names = nodeLabels(s.nodes);
          // A node that left the cluster: its series ends (bounded cardinality).
          for (const code of tally.keys()) if (!names.has(code)) tally.delete(code);
          for (const code of new Set([...always(s), ...tally.keys()])) {
            c.inc({ [label]: names.get(code)! } as Record<L, string>, tally.get(code) ?? 0);
          }
        },
      });
      return c;
    };
    const peers = (s: ClusterStatus) => s.nodes.filter((n) => !n.self).map((n) => n.nodeCode);
    const followers = (s: ClusterStatus) => (s.node.workMode === 'leader' ? peers(s) : []);

    // Cluster, as this node sees it.
    gauge('cocoasyncer_cluster_nodes', 'Cluster nodes by status as this node sees them (this node counts as up).', ['status'], (g, s) => {
      const up = s.nodes.filter((n) => n.up).length;
      g.set({ status: 'up' }, up);
      g.set({ status: 'down' }, s.nodes.length - up);
    });
    // Static: set once, so it is there from the first scrape (even before the node's state is read).
    const info = buildInfo();
    new Gauge({ name: 'cocoasyncer_build_info', help: 'This build: the CocoaSyncer version (package.json) and the Node.js version running it (value always 1).', labelNames: ['version', 'nodejs_version'], registers }).set(
      { version: info.version, nodejs_version: info.node },
      1,
    );
    gauge('cocoasyncer_node_info', 'This node: its name and role (value always 1).', ['node_name', 'role'], (g, s) => {
      g.set({ node_name: s.node.nodeName, role: s.node.workMode }, 1);
    });
    gauge('cocoasyncer_node_is_leader', '1 when this node is the leader, 0 when a follower.', [], (g, s) => g.set(s.node.workMode === 'leader' ? 1 : 0));
    gauge('cocoasyncer_node_joined', '1 when this node\'s cluster has other nodes (a follower: the leader has pushed to it), else 0.', [], (g, s) => g.set(s.node.joined ? 1 : 0));
    gauge('cocoasyncer_state_version', 'Version of the cluster state this node has applied.', [], (g, s) => g.set(s.node.stateVersion));
    gauge('cocoasyncer_cluster_health', 'Cluster health as the badge shows it: 2 all nodes up, 1 some down, 0 the leader unreachable.', [], (g, s) => {
      const level = clusterHealth(s.nodes).level;
      g.set(level === 'healthy' ? 2 : level === 'degraded' ? 1 : 0);
    });
    gauge('cocoasyncer_peer_up', 'Whether a peer is live for failover planning (1) or down/recovering (0), per peer.', ['peer'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const n of s.nodes) if (!n.self) g.set({ peer: names.get(n.nodeCode)! }, n.up ? 1 : 0);
    });
    gauge('cocoasyncer_peer_recovering', 'Whether a returning peer is still proving itself before taking its lines back, per peer.', ['peer'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const n of s.nodes) if (!n.self) g.set({ peer: names.get(n.nodeCode)! }, n.recovering ? 1 : 0);
    });
    gauge('cocoasyncer_peer_watchdog_age_seconds', 'Seconds since the peer was last seen alive, on this node\'s clock (absent: never seen).', ['peer'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const n of s.nodes) if (!n.self && n.watchDogAgeSeconds !== null) g.set({ peer: names.get(n.nodeCode)! }, n.watchDogAgeSeconds);
    });
    gauge('cocoasyncer_peer_clock_offset_seconds', 'The peer\'s clock minus this node\'s, seconds, learnt from its answers (requests are signed for its clock; status warns above 30 s).', ['peer'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const n of s.nodes) if (!n.self && n.clockOffsetSeconds !== null) g.set({ peer: names.get(n.nodeCode)! }, n.clockOffsetSeconds);
    });
    gauge('cocoasyncer_peer_held', 'Whether a peer down in this node\'s view is held (1): no majority confirms it down, so nobody takes its lines over.', ['peer'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const n of s.nodes) if (!n.self) g.set({ peer: names.get(n.nodeCode)! }, n.held ? 1 : 0);
    });
    gauge('cocoasyncer_leader_term', 'The leadership term of the state this node holds (bumped by every promote).', [], (g, s) => g.set(s.node.term));
    gauge('cocoasyncer_unpropagated_edits', 'Edits this node accepted as leader that no follower acknowledged before it stepped down (re-apply them on the leader).', [], (g, s) => g.set(s.node.unpropagatedEdits?.edits.length ?? 0));
    gauge('cocoasyncer_follower_applied_state_version', 'State version each follower confirmed applying (leader only).', ['follower'], (g, s) => {
      const snap = this.current();
      if (!snap || s.node.workMode !== 'leader') return;
      const names = nodeLabels(s.nodes);
      for (const p of snap.pushes) {
        const follower = names.get(p.nodeCode);
        if (follower !== undefined && p.appliedVersion !== null) g.set({ follower }, p.appliedVersion);
      }
    });
    gauge('cocoasyncer_managed_services', 'Managed services (DNS names) in the cluster state.', [], (g, s) => g.set(s.services.length));
    gauge('cocoasyncer_cloud_accounts', 'DNS provider accounts in the cluster state.', [], (g) => g.set(this.current()?.cloudAccounts ?? 0));
    gauge('cocoasyncer_lines_served', 'Line/family pairs this node writes now: its own, or taken over from down nodes.', ['kind'], (g, s) => {
      const me = s.nodes.find((n) => n.self);
      const takeover = me?.serving.filter((e) => e.takeover).length ?? 0;
      g.set({ kind: 'own' }, (me?.serving.length ?? 0) - takeover);
      g.set({ kind: 'takeover' }, takeover);
    });
    gauge('cocoasyncer_node_lines_served', 'Line/family pairs each node serves now by this node\'s failover plan: own or taken over.', ['node', 'kind'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const n of s.nodes) {
        const takeover = n.serving.filter((e) => e.takeover).length;
        g.set({ node: names.get(n.nodeCode)!, kind: 'own' }, n.serving.length - takeover);
        g.set({ node: names.get(n.nodeCode)!, kind: 'takeover' }, takeover);
      }
    });
    gauge('cocoasyncer_lines_unserved', 'Service line/family pairs no live node can serve (their records keep their last value).', [], (g, s) => g.set(s.unserved.length));
    // The original's gauge, same name and label values, so its Grafana board keeps working.
    gauge('cocoaSyncerStatus', 'cocoaSyncer运行状态 (CocoaSyncer 1 compatible status gauge).', ['cocoaSyncerStatus'], (g, s) => {
      const up = s.nodes.filter((n) => n.up).length;
      g.set({ cocoaSyncerStatus: 'NodeNumber' }, s.nodes.length);
      g.set({ cocoaSyncerStatus: 'CocoaSyncerManagedService' }, s.services.length);
      g.set({ cocoaSyncerStatus: 'CocoaSyncerCloudPlatformInfo' }, this.current()?.cloudAccounts ?? 0);
      g.set({ cocoaSyncerStatus: 'CocoaSyncerNodeOnlineCount' }, up);
      g.set({ cocoaSyncerStatus: 'CocoaSyncerNodeOfflineCount' }, s.nodes.length - up);
    });

    // Cluster traffic.
    tallied('cocoasyncer_push_attempts_total', 'State pushes the leader attempted, per follower.', 'follower', this.pushAttempts, followers);
    tallied('cocoasyncer_push_failures_total', 'State pushes that failed, per follower.', 'follower', this.pushFailures, followers);
    this.heartbeatRounds = new Counter({ name: 'cocoasyncer_heartbeat_rounds_total', help: 'Heartbeat rounds this node completed.', registers });
    tallied('cocoasyncer_heartbeat_failures_total', 'Heartbeat pulls from a peer that failed, per peer.', 'peer', this.pullFailures, peers);

    // DNS.
    this.reconcileRuns = new Counter({ name: 'cocoasyncer_dns_reconcile_runs_total', help: 'DNS reconcile runs, by outcome (error: at least one service or record failed).', labelNames: ['outcome'], registers });
    this.recordsChanged = new Counter({ name: 'cocoasyncer_dns_records_changed_total', help: 'DNS records this node changed, by provider and action (update, create).', labelNames: ['provider', 'action'], registers });
    this.providerCalls = new Counter({ name: 'cocoasyncer_dns_provider_calls_total', help: 'DNS provider API calls (each attempt, retries included), by provider, action (list, update, create) and outcome.', labelNames: ['provider', 'action', 'outcome'], registers });
    this.providerSeconds = new Histogram({ name: 'cocoasyncer_dns_provider_call_duration_seconds', help: 'Duration of DNS provider API calls, by provider and action.', labelNames: ['provider', 'action'], buckets: PROVIDER_BUCKETS, registers });
    gauge('cocoasyncer_dns_last_success_timestamp_seconds', 'Unix time of the last DNS reconcile run without any error (0: none yet).', [], (g, s) => {
      g.set(s.dns.lastSuccessAt ? Date.parse(s.dns.lastSuccessAt) / 1000 : 0);
    });
    gauge('cocoasyncer_dns_last_run_timestamp_seconds', 'Unix time of the last DNS reconcile run (0: none yet).', [], (g, s) => {
      g.set(s.dns.lastRunAt ? Date.parse(s.dns.lastRunAt) / 1000 : 0);
    });
    gauge('cocoasyncer_dns_sync_failing', 'Whether DNS sync is failing on this node (1: the last run had an error; 0: clean or not run yet).', [], (g, s) => g.set(s.dns.failing ? 1 : 0));
    gauge('cocoasyncer_dns_records_blocked', 'Records nothing is sent to until something changes (a CNAME conflict, a write the provider refused for good).', [], (g, s) => g.set(s.dns.blocked.length));
    gauge('cocoasyncer_dns_failover_bound_seconds', 'The longest time clients may still get a failed site\'s address among the records this node serves: FailAfterSeconds + DnsSyncSeconds + TTL (0: no record known).', [], (g, s) => {
      g.set(s.dns.records.reduce((max, r) => Math.max(max, r.boundSeconds), 0));
    });
    gauge('cocoasyncer_dns_records_ttl_warning', 'Records this node serves whose TTL is far above FailAfterSeconds (more than 4 times).', [], (g, s) => g.set(s.dns.records.filter((r) => r.warning !== null).length));
    gauge('cocoasyncer_dns_last_run_errors', 'Errors in the last DNS reconcile run (services or records that failed).', [], (g, s) => g.set(s.dns.lastErrors.length));
    gauge('cocoasyncer_dns_last_run_changes', 'Changes the last DNS reconcile run planned, by kind (missing, duplicate, skip and no-ip need an operator).', ['kind'], (g, s) => {
      const counts = s.dns.lastCounts;
      for (const kind of CHANGE_KINDS) g.set({ kind }, counts?.[kind] ?? 0);
    });
    this.ipFailures = new Counter({ name: 'cocoasyncer_public_ip_detection_failures_total', help: 'Public IP detections that found no usable address, by family.', labelNames: ['family'], registers });
    this.ipChanges = new Counter({ name: 'cocoasyncer_public_ip_changes_total', help: 'Confirmed changes of this node\'s public IP, by family.', labelNames: ['family'], registers });
    gauge('cocoasyncer_public_ip_known', 'Whether this node knows its public address, by family (1) or not (0); only families it serves.', ['family'], (g, s) => {
      const self = s.nodes.find((n) => n.self);
      if (!self) return;
      for (const family of familiesOf(self.networkType as NetworkType)) g.set({ family }, s.dns.ips[family] ? 1 : 0);
    });

    // Notifications (src/notify/): `name` is the notifier's name (operator-chosen, bounded by the state).
    this.notifySent = new Counter({ name: 'cocoasyncer_notify_sent_total', help: 'Notifications delivered by this node, by notifier name and event.', labelNames: ['name', 'event'], registers });
    this.notifyFailures = new Counter({ name: 'cocoasyncer_notify_failures_total', help: 'Notifications this node could not deliver (refused, out of retries, or dropped from a full queue), by notifier name.', labelNames: ['name'], registers });

    gauge(
      'cocoasyncer_line_address_info',
      'The address this node publishes per line and family (1), or 0 with address="" while it has none (detection failed: the line fails over; or not read yet). One series per line this node owns, serves or has a LineIP entry for.',
      ['line', 'family', 'address'],
      (g, s) => {
        const self = s.nodes.find((n) => n.self);
        for (const a of self?.addresses ?? []) g.set({ line: a.line, family: a.family, address: a.address ?? '' }, a.state === 'up' ? 1 : 0);
      },
    );

    // Service health probes (src/probe/): the matrix as this node knows it, every prober's view.
    gauge('cocoasyncer_probe_up', 'Whether a prober reached a service at a node\'s published address for a line and family (1) or not (0), by its latest probe; every prober\'s view as this node collected it.', ['service', 'target', 'line', 'family', 'prober'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const r of s.probes.results) {
        const target = names.get(r.target);
        const prober = names.get(r.prober);
        if (target !== undefined && prober !== undefined) g.set({ service: r.service, target, line: r.line, family: r.family, prober }, r.ok ? 1 : 0);
      }
    });
    gauge('cocoasyncer_probe_target_down', 'Whether a (node, line, family) is down for a service by the probe verdict (1: a majority of probing nodes cannot reach it; its line fails over for that service).', ['service', 'target', 'line', 'family'], (g, s) => {
      const names = nodeLabels(s.nodes);
      for (const v of s.probes.verdicts) {
        const target = names.get(v.node);
        if (target !== undefined) g.set({ service: v.service, target, line: v.line, family: v.family }, v.down ? 1 : 0);
      }
    });
    this.probeSeconds = new Histogram({ name: 'cocoasyncer_probe_duration_seconds', help: 'Duration of this node\'s service health probes (failed ones included; a timeout counts its full wait), by service.', labelNames: ['service'], buckets: PROBE_BUCKETS, registers });

    // HTTP.
    this.httpRequests = new Counter({ name: 'cocoasyncer_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status'], registers });
    this.httpSeconds = new Histogram({ name: 'cocoasyncer_http_request_duration_seconds', help: 'HTTP request duration, by method, route pattern and status code.', labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers });

    for (const outcome of ['ok', 'error']) this.reconcileRuns.inc({ outcome }, 0);
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Lets the gauges read this node's state: `source` is called once per scrape. */
  readFrom(source: () => MetricsSnapshot): void {
    this.source = source;
    for (const family of FAMILY_LABELS) {
      this.ipFailures.inc({ family }, 0);
      this.ipChanges.inc({ family }, 0);
    }
  }

  /** A push to a follower was attempted (`ok`: it applied it). */
  countPush(nodeCode: string, ok: boolean): void {
    bump(this.pushAttempts, nodeCode);
    if (!ok) bump(this.pushFailures, nodeCode);
  }

  /** A heartbeat round finished. */
  countHeartbeatRound(): void {
    this.heartbeatRounds.inc();
  }

  /** A heartbeat pull from a peer failed. */
  countPullFailure(nodeCode: string): void {
    bump(this.pullFailures, nodeCode);
  }

  /** One of this node's service probes finished after `seconds` (reached or not). */
  observeProbe(service: string, seconds: number): void {
    this.probeSeconds.observe({ service }, seconds);
  }

  /** A public IP detection found no usable address. */
  countIpFailure(family: Family): void {
    this.ipFailures.inc({ family });
  }

  /** This node's public IP changed (confirmed). */
  countIpChange(family: Family): void {
    this.ipChanges.inc({ family });
  }

  /** A notification was delivered (`event`: the event, or `test`). */
  countNotifySent(name: string, event: string): void {
    this.notifySent.inc({ name, event });
  }

  /** A notification could not be delivered. */
  countNotifyFailure(name: string): void {
    this.notifyFailures.inc({ name });
  }

  /** The exposition text, every gauge computed now from one consistent view of the cluster. */
  async scrape(): Promise<string> {
    this.snapshot = this.source?.() ?? null;
    this.scrapes += 1;
    try {
      return await this.registry.metrics();
    } finally {
      // Overlapping scrapes share the newest view; the last one out drops it.
      this.scrapes -= 1;
      if (this.scrapes === 0) this.snapshot = null;
    }
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpSeconds.observe(labels, seconds);
  }

  /** Records one provider API call (see provider-calls.ts). */
  readonly providerCall = (call: ProviderCall): void => {
    this.providerCalls.inc({ provider: call.provider, action: call.action, outcome: call.outcome });
    this.providerSeconds.observe({ provider: call.provider, action: call.action }, call.seconds);
  };

  /** Wraps the provider factory DNS sync uses, so every provider API call is counted. */
  instrumentProviders(factory: (account: CloudAccount) => DnsProvider): (account: CloudAccount) => DnsProvider {
    return instrumentProviderFactory(factory, this.providerCall);
  }

  private current(): MetricsSnapshot | null {
    return this.snapshot ?? this.source?.() ?? null;
  }

  /** A DNS pass finished: its outcome and the records it changed. */
  countReport(report: ReconcileReport): void {
    this.reconcileRuns.inc({ outcome: report.errors.length === 0 ? 'ok' : 'error' });
    if (report.dryRun) return;
    for (const r of report.results) {
      if (r.outcome === 'ok') this.recordsChanged.inc({ provider: r.change.provider, action: r.change.kind });
    }
  }
}

function bump(tally: Tally, code: string): void {
  tally.set(code, (tally.get(code) ?? 0) + 1);
}
