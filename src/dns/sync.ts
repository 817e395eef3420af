// Runs DNS reconciliation for this node: on a schedule, at once when the failover plan changes
// (failover, recovery, an edit), and when the public IP changes. Runs never overlap; a trigger
// during a run queues exactly one more run with the newest inputs.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/index.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import { myServing, servingKey } from '../cluster/serving.js';
import type { Family } from '../model.js';
import type { Logger } from '../log.js';
import { detectIp, StableIp, type DetectResult } from '../ip/index.js';
import type { AuditEntry } from './apply.js';
import type { Assignments, NodeIps } from './plan.js';
import { cachedProviderFactory } from './registry.js';
import { reconcile, formatPlan, type ReconcileDeps, type ReconcileReport } from './reconcile.js';

export interface DnsSyncEvents {
  report: [report: ReconcileReport, reason: string];
  ipChanged: [family: Family, address: string];
  ipFailed: [family: Family, reason: string];
}

export interface DnsSyncDeps {
  config: Config;
  runtime: ClusterRuntime;
  /** Nodes live for planning (the heartbeat's view). */
  live: () => ReadonlySet<string>;
  audit: (entry: AuditEntry) => void;
  log: Logger;
  reconcileDeps?: ReconcileDeps;
  detect?: typeof detectIp;
}

const familiesOf = (networkType: string): Family[] => (networkType === 'Both' ? ['ipv4', 'ipv6'] : networkType === 'IPV6' ? ['ipv6'] : ['ipv4']);

export class DnsSync extends EventEmitter<DnsSyncEvents> {
  private readonly stable = { ipv4: new StableIp(2), ipv6: new StableIp(2) };
  // One provider per account for the node's life (keep-alive connections); the node may wrap it (metrics).
  private readonly providerFor: NonNullable<ReconcileDeps['providerFor']>;
  private timers: NodeJS.Timeout[] = [];
  private readonly abort = new AbortController();
  private running: Promise<ReconcileReport | null> | null = null;
  private queued: string | null = null;
  private lastPlanKey = '';
  last: { at: Date; reason: string; report: ReconcileReport } | null = null;
  lastSuccessAt: Date | null = null;
  runs = 0;

  constructor(private readonly deps: DnsSyncDeps) {
    super();
    this.providerFor = deps.reconcileDeps?.providerFor ?? cachedProviderFactory();
  }

  get ips(): NodeIps {
    return { ipv4: this.stable.ipv4.current ?? undefined, ipv6: this.stable.ipv6.current ?? undefined };
  }

  start(): void {
    const { timing } = this.deps.config;
    this.timers.push(setInterval(() => void this.trigger('schedule'), timing.dnsSyncMs));
    this.timers.push(setInterval(() => void this.checkIp(), timing.ipCheckMs));
    for (const t of this.timers) t.unref();
    void this.checkIp().then(() => this.trigger('start'));
  }

  async stop(): Promise<void> {
    // Ends retry waits at once: shutdown never waits out a provider's backoff.
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.queued = null;
    await this.running;
  }

  /** Runs now if the plan changed since the last run (failover, recovery, edits). */
  planMaybeChanged(reason: string): void {
    const key = servingKey(this.serving());
    if (key !== this.lastPlanKey) void this.trigger(reason);
  }

  /** Reconciles now, or once more right after the run in progress. */
  trigger(reason: string): Promise<ReconcileReport | null> {
    if (this.running) {
      this.queued = reason;
      return this.running;
    }
    this.running = (async () => {
      let report: ReconcileReport | null = null;
      let why: string | null = reason;
      while (why !== null) {
        this.queued = null;
        report = await this.runOnce(why, this.deps.config.dryRun);
        why = this.queued;
      }
      return report;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The changes a reconcile would make now, without making any (octoDNS-style plan). */
  async plan(): Promise<{ report: ReconcileReport; text: string }> {
    await this.ensureIps();
    const report = await this.reconcileNow(true);
    return { report, text: formatPlan(report.changes) };
  }

  /** Reads the public IPs; a change (confirmed by a second reading) triggers a reconcile. */
  async checkIp(): Promise<void> {
    const detect = this.deps.detect ?? detectIp;
    const self = this.deps.runtime.self;
    for (const family of familiesOf(self.networkType)) {
      const cfg = this.deps.config.publicIp[family];
      let result: DetectResult;
      try {
        result = await detect(cfg, family);
      } catch (err) {
        this.emit('ipFailed', family, (err as Error).message);
        continue;
      }
      if (!result.address) {
        this.emit('ipFailed', family, result.reason ?? 'no address');
        this.deps.log.warn({ family, reason: result.reason }, 'public IP detection failed');
        continue;
      }
      const before = this.stable[family].current;
      const after = this.stable[family].observe(result.address);
      if (this.stable[family].pending) {
        // An odd reading: confirm (or dismiss) it soon rather than a whole interval later.
        const t = setTimeout(() => void this.checkIp(), Math.min(3000, this.deps.config.timing.ipCheckMs));
        t.unref();
      }
      if (after && after !== before) {
        for (const warning of result.warnings ?? []) this.deps.log.warn({ family, address: after }, warning);
        this.deps.log.info({ family, address: after, method: result.method }, 'public IP changed');
        this.emit('ipChanged', family, after);
        if (before !== null) void this.trigger('ip-changed');
      }
    }
  }

  private async ensureIps(): Promise<void> {
    const self = this.deps.runtime.self;
    if (familiesOf(self.networkType).some((f) => this.stable[f].current === null)) await this.checkIp();
  }

  private serving() {
    const { runtime } = this.deps;
    return myServing(runtime.state, this.deps.live(), runtime.nodeCode);
  }

  private async runOnce(reason: string, dryRun: boolean): Promise<ReconcileReport> {
    await this.ensureIps();
    const report = await this.reconcileNow(dryRun);
    this.runs += 1;
    this.last = { at: new Date(), reason, report };
    if (report.errors.length === 0) this.lastSuccessAt = this.last.at;
    const { counts } = report;
    if (dryRun && (counts.update || counts.create)) {
      // --dry-run / DryRun: show what would be written, write nothing.
      this.deps.log.info({ reason, plan: formatPlan(report.changes) }, 'DNS plan (dry run: nothing written)');
    }
    if (counts.written || counts.failed || report.errors.length) {
      this.deps.log.info({ reason, written: counts.written, failed: counts.failed, errors: report.errors.map((e) => e.message) }, 'DNS reconcile');
    }
    this.emit('report', report, reason);
    return report;
  }

  private async reconcileNow(dryRun: boolean): Promise<ReconcileReport> {
    const { runtime } = this.deps;
    const serving = this.serving();
    this.lastPlanKey = servingKey(serving);
    const serve: Assignments = new Map(serving.map((s) => [s.service.serviceName, s.entries]));
    return reconcile(
      { nodeCode: runtime.nodeCode, services: runtime.state.services, cloudAccounts: runtime.state.cloudAccounts, serve, ips: this.ips, dryRun },
      { ...this.deps.reconcileDeps, providerFor: this.providerFor, audit: this.deps.audit, signal: this.abort.signal },
    );
  }
}
