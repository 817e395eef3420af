// The node reactor: the one place that decides what a node does when something happens. It owns
// every trigger (a state change: a push applied, an edit, a join or quit, a role change; a liveness
// change; a public-IP change; a change of what a node publishes per line, its own or a peer's; the
// DNS schedule and IP-check timers) and the order of the reactions
// to each. It computes the serving plan once per (state change, liveness view) and hands that same
// value to DNS sync, the status view and the metrics. The parts it drives (runtime, heartbeat,
// pusher, DNS sync, metrics, audit writer, notifications) subscribe to nothing themselves.
import type { Heartbeat } from '../cluster/heartbeat.js';
import type { Pusher } from '../cluster/pusher.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import { planStateServing, type ServingPlan } from '../cluster/serving.js';
import { addressSlotDown } from '../cluster/addresses.js';
import type { Config } from '../config/index.js';
import type { DnsRun, DnsSync } from '../dns/sync.js';
import type { ClusterState, Family } from '../model.js';
import { LineValues } from './line-values.js';
import type { NodeMetrics } from '../metrics/index.js';
import type { Notifications } from '../notify/notifications.js';
import { clusterStatus, type ClusterStatus } from './status.js';
import type { ProbeBoard } from '../probe/board.js';
import type { Prober } from '../probe/prober.js';
import type { ProbeJob } from '../probe/targets.js';
import type { ProbeResult } from '../probe/verdict.js';

/** Service health probes (src/probe/): this node's prober and the board of every prober's results. */
export interface ProbeParts {
  prober: Prober;
  board: ProbeBoard;
}

/** The audit writer's part the reactor drives: entries that waited for the database go in later. */
export interface AuditBacklog {
  readonly backlog: number;
  flush(): Promise<unknown>;
}

export interface ReactorParts {
  config: Pick<Config, 'timing'>;
  runtime: ClusterRuntime;
  heartbeat: Heartbeat;
  pusher: Pusher;
  dnsSync: DnsSync;
  metrics: NodeMetrics;
  audit: AuditBacklog;
  /** Told about DNS passes, liveness, state and clock changes; sends what the rules say (src/notify/events.ts). */
  notifications: Notifications;
  startedAt: Date;
  /** Absent: this node probes nothing and every service fails over with its nodes only. */
  probes?: ProbeParts;
}

/** What the status page is built from: one status, the plan it was built on and the last pass's values. */
export interface StatusInputs {
  status: ClusterStatus;
  plan: ServingPlan;
  lineValues: LineValues;
}

export class NodeReactor {
  private generation = 0;
  private cached: { key: string; plan: ServingPlan } | null = null;
  private readonly values = new LineValues();
  private timers: NodeJS.Timeout[] = [];
  private settle: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly parts: ReactorParts) {
    // The gauges read this node's status on the reactor's plan, from the first scrape on.
    const { runtime, pusher, metrics } = parts;
    metrics.readFrom(() => ({ status: this.status(), pushes: pusher.status(), cloudAccounts: runtime.state.cloudAccounts.length }));
  }

  /**
   * The serving plan for the runtime's state and the heartbeat's live set now, computed once per
   * (state change, liveness view): every reader between two changes gets the same value.
   */
  get plan(): ServingPlan {
    const { runtime, heartbeat, probes } = this.parts;
    const key = `${this.generation}|${runtime.state.version}|${[...heartbeat.live].sort().join(',')}|${probes?.board.downKey ?? ''}`;
    if (this.cached?.key !== key) {
      // A live node whose address for a (line, family) cannot be determined is down for that slot
      // alone (every service); one a majority of probing nodes cannot reach is down for that service.
      const slotDown = [...addressSlotDown({ nodes: runtime.state.nodes, addressesOf: (code) => heartbeat.addressesOf(code) }), ...(probes?.board.slotDown ?? [])];
      this.cached = { key, plan: planStateServing(runtime.state, heartbeat.live, runtime.nodeCode, slotDown) };
    }
    return this.cached.plan;
  }

  /** This node's latest probe results, as its v2 heartbeat answers carry them. */
  probeResults(): ProbeResult[] {
    return this.parts.probes?.prober.results() ?? [];
  }

  /** This node's status, on the current plan (admin API, CLI, metrics, status page). */
  status(): ClusterStatus {
    return this.statusOn(this.plan);
  }

  private statusOn(plan: ServingPlan): ClusterStatus {
    const { runtime, heartbeat, pusher, dnsSync, startedAt, probes } = this.parts;
    return clusterStatus({ runtime, heartbeat, pusher, dnsSync, startedAt, plan, probes: probes?.board.status() });
  }

  /** The status page's inputs: the status, the plan it was built on, the last DNS pass's values. */
  statusInputs(): StatusInputs {
    const plan = this.plan;
    return { status: this.statusOn(plan), plan, lineValues: this.values };
  }

  /** Subscribes to every event source and starts the parts and the timers. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { runtime, heartbeat, pusher, dnsSync, config } = this.parts;
    runtime.on('changed', this.onStateChanged);
    heartbeat.on('live', this.onLiveness);
    heartbeat.on('tick', this.onHeartbeatRound);
    heartbeat.on('pullFailed', this.onPullFailed);
    heartbeat.on('clock', this.onClock);
    heartbeat.on('addresses', this.onAddresses);
    pusher.on('pushed', this.onPushed);
    dnsSync.on('report', this.onDnsRun);
    dnsSync.on('ipChanged', this.onIpChanged);
    dnsSync.on('ipFailed', this.onIpFailed);
    dnsSync.on('published', this.onAddresses);
    if (dnsSync.last) this.values.observe(dnsSync.last.report, dnsSync.last.at);
    if (this.parts.probes) {
      heartbeat.on('probes', this.onPeerProbes);
      this.parts.probes.prober.on('probed', this.onProbed);
      this.parts.probes.board.on('verdicts', this.onVerdicts);
    }

    heartbeat.start();
    pusher.start();
    this.timers.push(setInterval(() => void dnsSync.trigger('schedule'), config.timing.dnsSyncMs));
    this.timers.push(setInterval(() => void dnsSync.checkIp(), config.timing.ipCheckMs));
    for (const t of this.timers) t.unref();
    void dnsSync.checkIp().then(() => dnsSync.trigger('start'));
    this.parts.probes?.prober.start();
  }

  /** Stops the timers and the parts; resolves when in-flight heartbeat and DNS runs are done. */
  async stop(): Promise<void> {
    const { runtime, heartbeat, pusher, dnsSync } = this.parts;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.settle) clearTimeout(this.settle);
    this.settle = null;
    runtime.off('changed', this.onStateChanged);
    heartbeat.off('live', this.onLiveness);
    pusher.stop();
    await Promise.all([heartbeat.stop(), dnsSync.stop(), this.parts.probes?.prober.stop()]);
    if (this.parts.probes) {
      heartbeat.off('probes', this.onPeerProbes);
      this.parts.probes.prober.off('probed', this.onProbed);
      this.parts.probes.board.off('verdicts', this.onVerdicts);
    }
    heartbeat.off('tick', this.onHeartbeatRound);
    heartbeat.off('pullFailed', this.onPullFailed);
    heartbeat.off('clock', this.onClock);
    heartbeat.off('addresses', this.onAddresses);
    pusher.off('pushed', this.onPushed);
    dnsSync.off('report', this.onDnsRun);
    dnsSync.off('ipChanged', this.onIpChanged);
    dnsSync.off('ipFailed', this.onIpFailed);
    dnsSync.off('published', this.onAddresses);
    this.parts.notifications.stop();
    this.started = false;
  }

  /**
   * A new state was installed (a push applied, an edit, a join, a quit, a role change). In order:
   * the live set for the new node list (a new peer is unknown until heard, never dead), then the
   * plan (a DNS pass at once if what this node writes changed), then hear the new peers now rather
   * than a heartbeat later, then push the state to the followers (a no-op on a follower). A new
   * leader announces itself first (notifications, fire-and-forget).
   */
  private readonly onStateChanged = (state: ClusterState, cause: string): void => {
    const { heartbeat, pusher, dnsSync, notifications } = this.parts;
    this.generation += 1;
    notifications.observeState(state);
    heartbeat.recompute();
    if (this.plan.key !== dnsSync.plannedKey) void dnsSync.trigger(cause);
    void heartbeat.beat();
    pusher.pushAll();
  };

  /**
   * The live set changed: a DNS pass at once (reads only when nothing differs), and once more a
   * couple of heartbeats later: a peer whose view lagged by a round may have written one of this
   * node's records meanwhile, and this node's own plan may not have changed to notice it. Both are
   * failover passes: the DNS safety check does not hold them back.
   */
  private readonly onLiveness = (live: ReadonlySet<string>): void => {
    this.parts.notifications.observeLiveness(live);
    this.failoverPass();
  };

  /** A failover pass now (the safety check does not apply), and a settle pass a couple of heartbeats later. */
  private failoverPass(): void {
    const { dnsSync, config } = this.parts;
    void dnsSync.trigger('liveness', { failover: true });
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => void dnsSync.trigger('liveness-settle', { failover: true }), 2 * config.timing.heartbeatMs + 250);
    this.settle.unref();
  }

  /**
   * What a node publishes changed (this node's detection, or a peer's answer): a (line, family)
   * slot may have gone down or come back (addresses.ts addressSlotDown). The plan is recomputed;
   * when what this node writes changes, a failover pass runs at once (as for a liveness change).
   */
  private readonly onAddresses = (): void => {
    const { dnsSync } = this.parts;
    this.generation += 1;
    if (this.plan.key !== dnsSync.plannedKey) void dnsSync.trigger('addresses', { failover: true });
  };

  private readonly onHeartbeatRound = (): void => {
    this.parts.metrics.countHeartbeatRound();
    // The peers' probe results of this round are in: the verdicts for the live set now.
    // This node's own results are re-recorded too, so they stay as fresh as the peers' whatever the
    // check interval (their failure runs are durations up to now).
    this.parts.probes?.board.retain(this.parts.runtime.state.nodes.map((n) => n.nodeCode));
    this.judgeProbes();
    // Entries that waited for the database go in as soon as it answers again.
    if (this.parts.audit.backlog) void this.parts.audit.flush();
  };

  /** A peer's heartbeat answer carried its probe results: onto the board (judged at the round's end). */
  private readonly onPeerProbes = (peer: string, results: unknown): void => {
    this.parts.probes?.board.record(peer, results);
  };

  /** One of this node's probes finished: timed, and this node's results onto the board, judged now. */
  private readonly onProbed = (job: ProbeJob, _ok: boolean, seconds: number): void => {
    this.parts.metrics.observeProbe(job.service, seconds);
    this.judgeProbes();
  };

  /** This node's latest results onto the board, and the verdicts for the live set now. */
  private judgeProbes(): void {
    const probes = this.parts.probes;
    if (!probes) return;
    probes.board.record(this.parts.runtime.nodeCode, probes.prober.results());
    probes.board.step(this.parts.heartbeat.live);
  }

  /**
   * The set of (node, line, family) down for a service changed: the plan changes with it (its key
   * carries the down set) and a failover pass runs at once, as for a liveness change, with the same
   * settle pass a couple of heartbeats later.
   */
  private readonly onVerdicts = (): void => {
    this.failoverPass();
  };

  private readonly onPullFailed = (peer: string): void => this.parts.metrics.countPullFailure(peer);

  /** A peer's clock went off (or back): a clock-skew notification from the peer's reporter. */
  private readonly onClock = (peer: string, offsetMs: number, skewed: boolean): void => this.parts.notifications.observeClock(peer, offsetMs, skewed, this.parts.heartbeat.live);

  private readonly onPushed = (peer: string, ok: boolean): void => this.parts.metrics.countPush(peer, ok);

  /** A DNS pass finished: its rows become the status page's values, its outcome is counted, its writes announced. */
  private readonly onDnsRun = (run: DnsRun): void => {
    this.values.observe(run.report, run.at);
    this.parts.metrics.countReport(run.report);
    this.parts.notifications.observeDnsRun(run.report, this.plan.services.flatMap((s) => s.down));
  };

  /** A confirmed new public address: counted, and a DNS pass at once (not for the first one known). */
  private readonly onIpChanged = (family: Family, _address: string, previous: string | null): void => {
    this.parts.metrics.countIpChange(family);
    if (previous !== null) void this.parts.dnsSync.trigger('ip-changed');
  };

  private readonly onIpFailed = (family: Family): void => this.parts.metrics.countIpFailure(family);
}
