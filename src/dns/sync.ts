// Runs DNS passes for this node. Runs never overlap; a trigger during a run queues exactly one more
// run with the newest inputs. It decides nothing about when to run: the node reactor
// (src/node/reactor.ts) owns every trigger (schedule, plan change, liveness, IP change) and hands
// in the serving plan; each run records the serving plan it applied next to its report.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/index.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { ServingPlan, SlotDown } from '../cluster/serving.js';
import { familiesOf, type Family, type LineCode } from '../model.js';
import type { Logger } from '../log.js';
import { detectIp, INITIAL_SLOT_READING, publishedOf, stepSlotReading, type DetectResult, type SlotReadingState } from '../ip/index.js';
import type { IpSourceConfig } from '../config/index.js';
import type { FamilyAddresses, PublishedAddresses } from '../cluster/addresses.js';
import type { AuditEntry } from './apply.js';
import type { Assignments, NodeIps } from './plan.js';
import { heldSlots, type KnownRecords } from './plan-rows.js';
import { AccountZones } from './accounts.js';
import { formatTtls, recordTtls, type FailoverTiming, type RecordTtl } from './ttl-bound.js';
import { cachedProviderFactory } from './registry.js';
import { reconcile, formatPlan, type ReconcileDeps, type ReconcileReport } from './reconcile.js';
import { parseStandInKey, type OwnerBack, type StandInMemory } from './stand-in.js';
import { DEFAULT_SAFETY } from './safety.js';

/** One DNS pass: the serving plan it was computed from, the addresses used and what it did. */
export interface DnsRun {
  at: Date;
  reason: string;
  serving: ServingPlan;
  ips: NodeIps;
  report: ReconcileReport;
}

/** Where an address comes from: `default` (PublicIP) or a line with its own sources (LineIP). */
export type AddressScope = 'default' | LineCode;

export interface DnsSyncEvents {
  report: [run: DnsRun];
  /** A confirmed change of this node's public address; `previous` null: the first one known. */
  ipChanged: [family: Family, address: string, previous: string | null, scope: AddressScope];
  ipFailed: [family: Family, reason: string, scope: AddressScope];
  /** What this node publishes (PublishedAddresses) changed: a slot went down or came back, an address moved. */
  published: [];
}

/** One (scope, family) this node detects an address for, with its sources. */
interface AddressSlot {
  scope: AddressScope;
  family: Family;
  config: IpSourceConfig;
}

export interface DnsSyncDeps {
  config: Config;
  runtime: ClusterRuntime;
  /** The serving plan now (the node reactor's, computed once per state and liveness view). */
  serving: () => ServingPlan;
  audit: (entry: AuditEntry) => void;
  log: Logger;
  reconcileDeps?: ReconcileDeps;
  detect?: typeof detectIp;
  /** Peers down in this node's view but held (no majority confirms them down); default none. */
  held?: () => ReadonlySet<string>;
  /** Slots (node, line, family, service) most probers fail to reach right now (probe/board.ts
   *  suspects); this node's own are passed to reconcile. Default none. */
  suspect?: () => readonly SlotDown[];
}

export class DnsSync extends EventEmitter<DnsSyncEvents> {
  // One reading tracker per (scope, family): two readings move an address, take a slot down, bring it back.
  private readonly readings = new Map<string, SlotReadingState>();
  // The (scope, family) slots whose detection is failing and was logged so: logged once per change of state.
  private readonly failing = new Set<string>();
  private checking: Promise<void> | null = null;
  private publishedKey = '';
  // One provider per account for the node's life (keep-alive connections); the node may wrap it (metrics).
  private readonly providerFor: NonNullable<ReconcileDeps['providerFor']>;
  private readonly abort = new AbortController();
  private recheck: NodeJS.Timeout | null = null;
  // A pass that failed for retryable reasons is run again with backoff until it succeeds.
  private retry: { timer: NodeJS.Timeout | null; attempt: number; failover: boolean } = { timer: null, attempt: 0, failover: false };
  private running: Promise<ReconcileReport | null> | null = null;
  private queued: string | null = null;
  private stopped = false;
  private planned = '';
  private failover = false;
  private held: Assignments | null = null;
  // The stand-in rule's memory (stand-in.ts), for the node's life.
  private standIn: StandInMemory = new Map();
  // Writes the providers refused for good (reconcile.ts refusalKey): not re-sent until the key changes.
  private refusals: ReadonlyMap<string, string> = new Map();
  private readonly addresses: { ipv4: string[]; ipv6: string[] } = { ipv4: [], ipv6: [] };
  last: DnsRun | null = null;
  lastSuccessAt: Date | null = null;
  /** When the current streak of failing runs began (the first run with an error after a clean one); null while runs are clean. */
  failingSince: Date | null = null;
  runs = 0;

  /** Each account's zones, listed once and kept until the accounts change (accounts.ts): which
   *  account a service that names none writes through, for passes and for `service add/set`. */
  readonly accountZones: AccountZones;

  constructor(private readonly deps: DnsSyncDeps) {
    super();
    this.providerFor = deps.reconcileDeps?.providerFor ?? cachedProviderFactory();
    this.accountZones = deps.reconcileDeps?.accountZones ?? new AccountZones(this.providerFor);
  }

  /** The timings in the failover bound (ttl-bound.ts), seconds: FailAfterSeconds and DnsSyncSeconds. */
  get timing(): FailoverTiming {
    const t = this.deps.config.timing;
    return { failAfterSeconds: t.failAfterMs / 1000, syncSeconds: t.dnsSyncMs / 1000 };
  }

  /** The (scope, family) slots this node detects: PublicIP per family it serves (unless Disabled), and each LineIP entry. */
  private addressSlots(): AddressSlot[] {
    const { config } = this.deps;
    const families = familiesOf(this.deps.runtime.self.networkType);
    const out: AddressSlot[] = families.filter((f) => !config.publicIp[f].disabled).map((family) => ({ scope: 'default' as const, family, config: config.publicIp[family] }));
    for (const [line, fams] of Object.entries(config.lineIp) as [LineCode, Partial<Record<Family, IpSourceConfig>>][]) {
      for (const family of families) {
        const c = fams[family];
        if (c) out.push({ scope: line, family, config: c });
      }
    }
    return out;
  }

  private reading(scope: AddressScope, family: Family): SlotReadingState {
    return this.readings.get(`${scope}/${family}`) ?? INITIAL_SLOT_READING;
  }

  /** The addresses this node writes: per family (PublicIP), and per line where LineIP gives one. null: that slot is down. */
  get ips(): NodeIps {
    // A line's own entry is always present (undefined before its first reading: nothing written, never the default's address).
    const lines: NonNullable<NodeIps['lines']> = {};
    for (const slot of this.addressSlots()) {
      if (slot.scope !== 'default') (lines[slot.scope] ??= {})[slot.family] = publishedOf(this.reading(slot.scope, slot.family));
    }
    const def = (family: Family) => publishedOf(this.reading('default', family));
    return { ipv4: def('ipv4'), ipv6: def('ipv6'), ...(Object.keys(lines).length ? { lines } : {}) };
  }

  /**
   * What this node publishes to its peers (heartbeat answers): per (scope, family) the accepted
   * address, null while detection has failed twice in a row (that slot fails over), absent before
   * the first reading and for a Disabled family (unknown, never down).
   */
  get published(): PublishedAddresses {
    const out: PublishedAddresses = { default: {}, lines: {} };
    for (const slot of this.addressSlots()) {
      const value = publishedOf(this.reading(slot.scope, slot.family));
      if (value === undefined && slot.scope === 'default') continue;
      const target: FamilyAddresses = slot.scope === 'default' ? out.default : (out.lines[slot.scope] ??= {});
      // Before a line's first reading nothing is published for it: the default's state stands for it.
      if (value !== undefined) target[slot.family] = value;
    }
    return out;
  }

  /** The serving key (ServingPlan.key) of the last run started: the reactor runs again when its plan's differs. */
  get plannedKey(): string {
    return this.planned;
  }

  async stop(): Promise<void> {
    // Ends retry waits at once: shutdown never waits out a provider's backoff.
    this.stopped = true;
    this.abort.abort();
    if (this.recheck) clearTimeout(this.recheck);
    if (this.retry.timer) clearTimeout(this.retry.timer);
    this.queued = null;
    await this.running;
  }

  /**
   * Reconciles now, or once more right after the run in progress. `failover`: the trigger is a
   * liveness change, so the next pass is a failover pass (the safety check does not apply to it).
   */
  trigger(reason: string, opts: { failover?: boolean } = {}): Promise<ReconcileReport | null> {
    if (opts.failover) this.failover = true;
    if (this.running) {
      // Every trigger that waited is named by the next pass (`retry,addresses`): a retry that
      // shares its pass with a later trigger still shows in the log and the audit.
      const waiting = this.queued?.split(',') ?? [];
      this.queued = waiting.includes(reason) ? this.queued : [...waiting, reason].join(',');
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
  async plan(): Promise<{ report: ReconcileReport; text: string; records: RecordTtl[] }> {
    await this.ensureIps();
    const report = await this.reconcileNow(this.deps.serving(), true);
    const records = recordTtls(report.rows, this.timing);
    const ttls = formatTtls(records, this.timing);
    return { report, text: formatPlan(report.changes, report.rows) + (ttls ? `\n${ttls}` : ''), records };
  }

  /**
   * Reads the public IPs, per family and per LineIP line; a change (confirmed by a second reading)
   * is announced (`ipChanged`), and so is a change of what this node publishes (`published`).
   * Concurrent calls share one check (a start-up pass and the timer never read twice at once).
   */
  checkIp(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.checking ??= this.checkAll().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async checkAll(): Promise<void> {
    const slots = this.addressSlots();
    await Promise.all(slots.map((slot) => this.checkSlot(slot)));
    const key = JSON.stringify(this.published);
    if (key !== this.publishedKey) {
      this.publishedKey = key;
      this.emit('published');
    }
  }

  private async checkSlot({ scope, family, config }: AddressSlot): Promise<void> {
    const detect = this.deps.detect ?? detectIp;
    const key = `${scope}/${family}`;
    let result: DetectResult;
    try {
      result = await detect(config, family);
    } catch (err) {
      result = { family, address: null, method: 'http', readings: [], reason: (err as Error).message, warnings: [] };
    }
    const before = this.reading(scope, family);
    const state = stepSlotReading(before, result.address);
    this.readings.set(key, state);
    const where = scope === 'default' ? {} : { line: scope };
    if (!result.address) {
      this.emit('ipFailed', family, result.reason ?? 'no address', scope);
      // Logged once per change of state, with each source and its reason; not on every check.
      const reason = result.reason ?? 'no address';
      if (!this.failing.has(key)) {
        this.failing.add(key);
        const sources = result.readings.filter((r) => !r.address).map((r) => ({ source: r.source, reason: r.error ?? 'no address' }));
        this.deps.log.warn({ family, ...where, method: result.method, sources, reason }, 'public IP detection failed');
      }
      if (state.down && !before.down) this.deps.log.warn({ family, ...where }, scope === 'default' ? 'no public address after two readings: this node\'s lines of this family fail over until it is detected again' : `no public address for line ${scope} after two readings: this line fails over until it is detected again`);
    } else if (this.failing.has(key)) {
      this.failing.delete(key);
      this.deps.log.info({ family, ...where, address: result.address, method: result.method }, 'public IP detection recovered');
    }
    // An odd reading, a first good one after the slot went down, or a first failed one: the second
    // reading that confirms (or dismisses) it is taken soon rather than a whole interval later.
    if (state.stable.candidate !== null || (state.down && state.upCandidate !== null) || (state.failures > 0 && !state.down)) {
      if (this.recheck) clearTimeout(this.recheck);
      this.recheck = setTimeout(() => void this.checkIp(), Math.min(3000, this.deps.config.timing.ipCheckMs));
      this.recheck.unref();
    }
    if (before.down && !state.down) this.deps.log.info({ family, ...where, address: state.stable.accepted }, scope === 'default' ? 'public address detected again: this node takes its lines of this family back' : `public address for line ${scope} detected again: the line comes back`);
    const after = state.stable.accepted;
    if (after && after !== before.stable.accepted) {
      for (const warning of result.warnings ?? []) this.deps.log.warn({ family, ...where, address: after }, warning);
      this.deps.log.info({ family, ...where, address: after, method: result.method }, 'public IP changed');
      if (!this.addresses[family].includes(after)) this.addresses[family] = [...this.addresses[family], after].slice(-16);
      this.emit('ipChanged', family, after, before.stable.accepted, scope);
    }
  }

  private async ensureIps(): Promise<void> {
    if (this.addressSlots().some((slot) => !this.readings.has(`${slot.scope}/${slot.family}`))) await this.checkIp();
  }

  private async runOnce(reason: string, dryRun: boolean): Promise<ReconcileReport> {
    await this.ensureIps();
    const serving = this.deps.serving();
    const ips = this.ips;
    this.planned = serving.key;
    const failover = this.failover;
    this.failover = false;
    const report = await this.reconcileNow(serving, dryRun, ips, failover);
    this.runs += 1;
    this.last = { at: new Date(), reason, serving, ips, report };
    if (report.errors.length === 0) {
      this.lastSuccessAt = this.last.at;
      this.failingSince = null;
    } else {
      this.failingSince ??= this.last.at;
    }
    // What the next pass knows: a refused or dry-run pass wrote nothing, so it teaches nothing.
    if (!dryRun && !report.refused) this.held = heldSlots(report.rows);
    if (!dryRun && report.standIn) this.standIn = report.standIn;
    if (!dryRun && report.refusals) this.refusals = report.refusals;
    for (const r of report.results) if (r.note) this.deps.log.warn({ reason }, r.note);
    const yielded = report.rows.filter((r) => r.reason === 'yielded');
    if (yielded.length) this.deps.log.warn({ records: yielded.map((r) => `${r.fqdn} ${r.type} ${r.line}=${r.current}`) }, 'standing in: someone else rewrote these taken-over records; left to them until their owner is heard again');
    if (report.refused) this.deps.log.warn({ reason, refused: report.refused }, 'DNS plan refused by the safety check; nothing written');
    const { counts } = report;
    if (dryRun && (counts.update || counts.create)) {
      // --dry-run / DryRun: show what would be written, write nothing.
      this.deps.log.info({ reason, plan: formatPlan(report.changes) }, 'DNS plan (dry run: nothing written)');
    }
    if (report.errors.length) {
      // Failures are never info: a wrong secret is an error, anything else a warning (issue 11, case 6).
      const level = report.errors.some((e) => e.auth) ? 'error' : 'warn';
      this.deps.log[level]({ reason, written: counts.written, failed: counts.failed, errors: report.errors.map((e) => e.message) }, 'DNS reconcile failed');
    } else if (counts.written) {
      this.deps.log.info({ reason, written: counts.written, failed: counts.failed }, 'DNS reconcile');
    }
    if (!dryRun) this.retryIfNeeded(report, failover);
    this.emit('report', this.last);
    return report;
  }

  /**
   * A pass whose listings or writes failed for retryable reasons (throttling, 5xx, timeouts; not a
   * rejected credential) runs again after 1 s, 2 s, 4 s … (with jitter, at most one sync period)
   * until one succeeds, instead of waiting for the next scheduled sync: a failover held up by a
   * throttling provider lands seconds later, not a sync period later. A retried failover pass is
   * still a failover pass (the safety check does not apply to it).
   */
  private retryIfNeeded(report: ReconcileReport, failover: boolean): void {
    const retryable = report.errors.some((e) => (e.stage === 'list' || e.stage === 'apply') && !e.auth);
    if (!retryable) {
      if (this.retry.timer) clearTimeout(this.retry.timer);
      this.retry = { timer: null, attempt: 0, failover: false };
      return;
    }
    this.retry.failover ||= failover;
    if (this.retry.timer || this.stopped) return;
    const base = Math.min(this.deps.config.timing.dnsSyncMs, 1000 * 2 ** Math.min(this.retry.attempt, 10));
    this.retry.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.retry.timer = setTimeout(() => {
      const again = this.retry.failover;
      this.retry = { ...this.retry, timer: null, failover: false };
      void this.trigger('retry', { failover: again });
    }, delay);
    this.retry.timer.unref();
  }

  private async reconcileNow(serving: ServingPlan, dryRun: boolean, ips = this.ips, failover = false): Promise<ReconcileReport> {
    const { runtime } = this.deps;
    const serve: Assignments = new Map(serving.services.filter((s) => s.mine.length > 0).map((s) => [s.service.serviceName, s.mine]));
    const known: KnownRecords | undefined = this.held ? { held: this.held, addresses: this.addresses } : undefined;
    const heldPeers = this.deps.held?.() ?? new Set<string>();
    const standIn = { memory: this.standIn, liveOwners: ownerBackFor(serving, heldPeers) };
    return reconcile(
      { nodeCode: runtime.nodeCode, services: serving.services.map((s) => s.service), cloudAccounts: runtime.state.cloudAccounts, serve, ips, dryRun, known, failover, standIn, refusals: this.refusals, suspect: (this.deps.suspect?.() ?? []).filter((s) => s.node === runtime.nodeCode) },
      { safety: { maxChangeShare: this.deps.config.dnsMaxChangeShare, minManaged: DEFAULT_SAFETY.minManaged }, ...this.deps.reconcileDeps, providerFor: this.providerFor, accountZones: this.accountZones, audit: this.deps.audit, signal: this.abort.signal },
    );
  }
}

/**
 * Whether a taken-over record's owner is back, per record: heard live (and not merely held), AND not
 * down for that record's (service, line, family) in the serving plan (a probe verdict keeps a live
 * owner off one slot). So a stand-in that took a slot over because of a verdict writes it once per
 * value and yields as usual; its episode ends when the owner may serve the slot again.
 */
export function ownerBackFor(serving: Pick<ServingPlan, 'live' | 'services'>, heldPeers: ReadonlySet<string>): OwnerBack {
  const live = new Set(serving.live.filter((code) => !heldPeers.has(code)));
  return (owner, key) => {
    if (!live.has(owner)) return false;
    const { service, type, line } = parseStandInKey(key);
    const family = type === 'AAAA' ? 'ipv6' : 'ipv4';
    const down = serving.services.find((s) => s.service.serviceName === service)?.down ?? [];
    return !down.some((d) => d.node === owner && d.line === line && d.family === family);
  };
}
