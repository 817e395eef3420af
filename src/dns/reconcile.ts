// The DNS sync flow for one node, one pass, as plan then apply (octoDNS's plan/apply, external-dns's
// plan table): planDns lists the records of every service this node serves (I/O) and diffs them
// (pure, plan.ts) into one DnsPlan for the whole node; the safety hook (safety.ts) checks it;
// applyDnsPlan only writes. A dry run is the plan alone. Errors are collected per service; one
// service failing never stops the others. An account whose credentials were rejected is not called
// again in the pass, keyed by account (provider + access key), whatever provider objects the
// factory hands back.
import type { CloudAccount, ManagedService } from '../model.js';
import { serviceFqdn } from '../model.js';
import { AccountZones, accountsOfProvider, chooseAccount, needsZones, type ZoneKnowledge } from './accounts.js';
import { applyChanges, describeFailure, type ApplyResult, type AuditEntry } from './apply.js';
import { providerLineMap } from './lines.js';
import { normalizeProviderName } from './names.js';
import { countChanges, isWrite, planService, type Assignments, type Change, type ChangeKind, type NodeIps, type WriteChange } from './plan.js';
import { markRefused, markSuspect, markUnapplied, markYielded, serviceRows, withResults, type DnsPlanRow, type RowContext } from './plan-rows.js';
import { decideStandIn, recordStandInWrite, standInKey, type OwnerBack, type StandInEpisode, type StandInMemory, type StandInRow } from './stand-in.js';
import { ProviderError, canonicalName, type DnsProvider, type DnsRecord } from './provider.js';
import { createProvider } from './registry.js';
import { withRetry, type RetryDeps, type RetryOutcome } from './retry.js';
import { checkSafety, DEFAULT_SAFETY, type SafetyPolicy } from './safety.js';

export interface ReconcileInput {
  nodeCode: string;
  services: readonly ManagedService[];
  cloudAccounts: readonly CloudAccount[];
  /** What this node serves now, per service (services absent or empty are not touched). */
  serve: Assignments;
  ips: NodeIps;
  dryRun?: boolean;
  /** What this node knows from its earlier passes (the rows' update reasons); absent: first pass. */
  known?: RowContext['known'];
  /** The pass follows a liveness change (failover, recovery, their settle pass): the safety check
   *  does not apply, whatever the rows' reasons (a peer whose view lagged may have written this
   *  node's records, and taking them back is the failover itself). */
  failover?: boolean;
  /** The stand-in rule (stand-in.ts): what this node remembers of its takeovers, and which owners
   *  are back for a record (live, and not down for that record's slot: their episodes end).
   *  Absent: takeovers are written unguarded. */
  standIn?: { memory: StandInMemory; liveOwners: ReadonlySet<string> | OwnerBack };
  /** Writes the providers refused for good in earlier passes (refusalKey → secret-free reason):
   *  not re-sent while the same write is planned again. Absent: none known. */
  refusals?: ReadonlyMap<string, string>;
  /** This node's own (line, family) slots, per service, that most probers fail to reach right now
   *  (probe/board.ts suspects). A drift on one is not taken back this pass (deferSuspectDrift).
   *  Absent: none. */
  suspect?: readonly { service?: string | undefined; line: string; family: string }[];
}

export interface ReconcileDeps extends RetryDeps {
  /** Provider for an account; pass a cached factory in a long-running node (registry.ts). Called
   *  at most once per account per pass. */
  providerFor?: (account: CloudAccount) => DnsProvider;
  audit?: (entry: AuditEntry) => void;
  now?: () => Date;
  /** Services handled at once (default 4): bounded so one node stays far under the rate limits. */
  concurrency?: number;
  /** The safety hook's limits (default DEFAULT_SAFETY). */
  safety?: SafetyPolicy;
  /** Each account's zones, for services that name no account of a provider with several (accounts.ts);
   *  keep one for the node's life (it caches). Absent: listed afresh for the pass. */
  accountZones?: AccountZones;
}

export interface ReconcileError {
  service: string;
  provider: string;
  stage: 'account' | 'list' | 'apply' | 'safety';
  message: string;
  code?: string;
  auth?: boolean;
}

export interface ProviderCalls {
  reads: number;
  writes: number;
}

/** One served service in a DNS plan: its changes, or null when its records could not be read. */
export interface PlannedService {
  service: ManagedService;
  /** Canonical provider name, or the configured one when unknown. */
  provider: string;
  /** accountKey() of its account; null when none could be used. */
  account: string | null;
  changes: Change[] | null;
  errors: ReconcileError[];
  /** The records listed for it (absent when they could not be read). */
  records?: DnsRecord[];
}

/** The whole node's DNS plan for one pass: what planDns found, before anything is written. */
export interface DnsPlan {
  services: PlannedService[];
  changes: Change[];
  /** One row per served service and slot (plan-rows.ts). */
  rows: DnsPlanRow[];
  errors: ReconcileError[];
  /** Calls made while planning (listings), per provider name. */
  calls: Record<string, ProviderCalls>;
}

/** A plan plus the providers it was read through (apply writes through the same ones). */
export interface Planning {
  plan: DnsPlan;
  providers: ReadonlyMap<string, DnsProvider>;
  /** accountKey → why its credentials were rejected. */
  rejected: Map<string, string>;
}

export interface ReconcileReport {
  dryRun: boolean;
  changes: Change[];
  /** The plan table, with each write's result merged in. */
  rows: DnsPlanRow[];
  results: ApplyResult[];
  errors: ReconcileError[];
  /** Calls through the provider interface (attempts, retries included), per provider name. */
  calls: Record<string, ProviderCalls>;
  counts: Record<ChangeKind, number> & { written: number; failed: number };
  /** The safety hook's refusal (nothing was written), or null. */
  refused: string | null;
  /** The stand-in memory after this pass (keep it for the next one); null without the rule. */
  standIn: Map<string, StandInEpisode> | null;
  /** Permanent refusals to remember for the next pass (refusalKey → reason): the ones still planned
   *  plus this pass's new ones; a key that is no longer planned (record, write or service changed) is dropped.
   *  (Optional only for reports built by hand; reconcile always sets it.) */
  refusals?: Map<string, string>;
}

/**
 * Identifies one planned write for the refusal memory: the row (service, name, type, line) plus
 * everything the write depends on (the record it targets with its value and TTL, the value sent,
 * the TTL of a create). Any change of these makes a new key, so the write is tried again.
 */
export function refusalKey(c: WriteChange): string {
  const target = c.kind === 'update' ? [c.target.id, c.target.value, c.target.ttl, c.target.providerLine, c.ttl ?? null] : [c.ttl];
  return JSON.stringify([c.service, c.fqdn, c.type, c.line, c.kind, c.domain, c.record, c.newValue, ...target]);
}

/**
 * The account a service uses when no zone listing is needed: the one it names, or its provider's
 * only account; null when it names none and its provider has several (or none) — then
 * chooseAccount (accounts.ts) decides from the accounts' zones.
 */
export function accountFor(service: ManagedService, accounts: readonly CloudAccount[]): CloudAccount | null {
  const choice = chooseAccount(service, accounts, () => ({ known: false, why: 'not listed' }));
  return choice.ok ? choice.account : null;
}

/** Identifies an account for a pass: canonical provider name and access key id (never the secret). */
export function accountKey(account: CloudAccount): string {
  return `${normalizeProviderName(account.platformProvider) ?? account.platformProvider}\u0000${account.accessKey}`;
}

/** Plans, checks and applies: the whole pass. A dry run stops at the plan; a refused plan writes nothing. */
export async function reconcile(input: ReconcileInput, deps: ReconcileDeps = {}): Promise<ReconcileReport> {
  const dryRun = input.dryRun ?? false;
  const planning = await planDns(input, deps);
  const stand = input.standIn ? guardTakeovers(planning, input, input.standIn) : null;
  deferSuspectDrift(planning, input.suspect ?? []);
  const refusals = holdRefused(planning, input.refusals ?? new Map());
  const { plan } = planning;
  const memory = stand?.memory ?? null;
  if (dryRun) return report(plan, { dryRun, rows: markUnapplied(plan.rows, 'dry-run'), standIn: input.standIn ? new Map(input.standIn.memory) : null, refusals });
  const verdict = input.failover ? null : checkSafety(plan.rows, deps.safety ?? DEFAULT_SAFETY);
  if (verdict && !verdict.ok) {
    const error: ReconcileError = { service: '*', provider: '*', stage: 'safety', message: verdict.message };
    return report(plan, { dryRun, rows: markUnapplied(plan.rows, 'refused', verdict.message), errors: [error], refused: verdict.message, standIn: memory, refusals });
  }
  auditBlockedReads(plan, input, deps);
  const applied = await applyDnsPlan(planning, input.nodeCode, deps);
  for (const r of applied.results) if (r.outcome === 'failed' && r.permanent) refusals.set(refusalKey(r.change), r.error ?? r.permanent);
  return report(plan, {
    refusals,
    dryRun,
    rows: withResults(plan.rows, applied.results),
    results: applied.results,
    errors: applied.errors,
    writes: applied.calls,
    standIn: stand ? rememberTakeoverWrites(stand.memory, stand.owners, applied.results) : null,
  });
}

const rowKey = (row: { service: string; fqdn: string; type: string; line: string }) => standInKey(row.service, row.fqdn, row.type, row.line);

/** Takes the writes `drop` picks out of a plan: from each service's changes, and so from the plan's. */
function dropWrites(plan: DnsPlan, drop: (c: WriteChange) => boolean): void {
  for (const p of plan.services) if (p.changes) p.changes = p.changes.filter((c) => !(isWrite(c) && drop(c)));
  plan.changes = plan.services.flatMap((p) => p.changes ?? []);
}

/**
 * Takes out of the plan every write the provider refused for good with the same key (refusalKey)
 * in an earlier pass; their rows say `refused` with the refusal. Returns the refusals still planned
 * (the memory to keep). Mutates `planning.plan` in place.
 */
function holdRefused(planning: Planning, known: ReadonlyMap<string, string>): Map<string, string> {
  const kept = new Map<string, string>();
  if (known.size === 0) return kept;
  const held = new Map<string, string>();
  for (const c of planning.plan.changes) {
    if (!isWrite(c)) continue;
    const why = known.get(refusalKey(c));
    if (why === undefined) continue;
    kept.set(refusalKey(c), why);
    held.set(rowKey(c), why);
  }
  if (kept.size === 0) return kept;
  dropWrites(planning.plan, (c) => kept.has(refusalKey(c)));
  planning.plan.rows = markRefused(planning.plan.rows, held, rowKey);
  return kept;
}

/**
 * A record of this node's own slot found holding another value (`drift`) is not taken back while
 * most probers fail to reach this node on that slot: the verdict that takes the slot off this node
 * reaches the stand-in (whose own probes count at once) up to a heartbeat before it reaches this
 * node (whose voters report by heartbeat), and taking the record back in that gap would put a
 * failing site's address on it for the whole outage (the stand-in yields to the rewrite). The row
 * says `suspect`; it is not held, so writing it again later is a recovery. Mutates `planning.plan`.
 */
function deferSuspectDrift(planning: Planning, suspect: NonNullable<ReconcileInput['suspect']>): void {
  if (suspect.length === 0) return;
  const keys = new Set<string>();
  for (const row of planning.plan.rows) {
    if (row.takeover || row.action !== 'update' || row.reason !== 'drift') continue;
    if (suspect.some((s) => s.line === row.line && s.family === row.family && (s.service === undefined || s.service === row.service))) keys.add(rowKey(row));
  }
  if (keys.size === 0) return;
  dropWrites(planning.plan, (c) => keys.has(rowKey(c)));
  planning.plan.rows = markSuspect(planning.plan.rows, keys, rowKey);
}

/**
 * The stand-in rule (stand-in.ts) on a plan: takeover writes this node has yielded are taken out
 * of the plan (their rows say `yielded`); the rest go ahead. Mutates `planning.plan` in place.
 */
function guardTakeovers(planning: Planning, input: ReconcileInput, stand: NonNullable<ReconcileInput['standIn']>): { memory: Map<string, StandInEpisode>; owners: Map<string, string> } {
  const slotOf = (service: string, line: string, family: string) => input.serve.get(service)?.find((s) => s.line === line && s.family === family);
  const owners = new Map<string, string>();
  const rows: StandInRow[] = [];
  for (const row of planning.plan.rows) {
    if (!row.takeover || row.desired === null || (row.action !== 'update' && row.action !== 'create' && row.action !== 'keep')) continue;
    const owner = slotOf(row.service, row.line, row.family)?.owner ?? '';
    const key = rowKey(row);
    owners.set(key, owner);
    rows.push({ key, owner, current: row.action === 'keep' ? row.desired : row.current, desired: row.desired });
  }
  const decision = decideStandIn(stand.memory, rows, stand.liveOwners);
  if (decision.yielded.length > 0) {
    const yielded = new Set(decision.yielded.map((y) => y.key));
    dropWrites(planning.plan, (c) => yielded.has(rowKey(c)));
    planning.plan.rows = markYielded(planning.plan.rows, yielded, rowKey);
  }
  return { memory: decision.memory, owners };
}

/**
 * A failed read that blocked a planned change leaves a trace in the audit log (issue 11, case 6):
 * one failed entry per slot that a failover pass or a takeover meant to write but whose records
 * could not be read (row reason `not-read`). A steady-state pass whose read fails audits nothing
 * (nothing was planned to change; the error is logged and shown on the status page).
 */
function auditBlockedReads(plan: DnsPlan, input: ReconcileInput, deps: ReconcileDeps): void {
  if (!deps.audit) return;
  const at = (deps.now ?? (() => new Date()))();
  for (const row of plan.rows) {
    if (row.reason !== 'not-read' || row.desired === null || !(input.failover || row.takeover)) continue;
    const p = plan.services.find((s) => s.service.serviceName === row.service);
    const why = p?.errors[0]?.message ?? 'records could not be read';
    try {
      deps.audit({ at, nodeCode: input.nodeCode, provider: p?.provider ?? '', fqdn: row.fqdn, type: row.type, line: row.line, oldValue: null, newValue: row.desired, outcome: 'failed', error: `not written: the read failed: ${why}` });
    } catch {
      /* the audit sink failing changes nothing */
    }
  }
}

/** Remembers the takeover writes that succeeded: a later change by someone else makes this node yield. */
function rememberTakeoverWrites(memory: Map<string, StandInEpisode>, owners: ReadonlyMap<string, string>, results: readonly ApplyResult[]): Map<string, StandInEpisode> {
  let next = memory;
  for (const r of results) {
    if (r.outcome !== 'ok') continue;
    const key = rowKey(r.change);
    const owner = owners.get(key);
    if (owner !== undefined) next = recordStandInWrite(next, key, owner, r.change.newValue);
  }
  return next;
}

function report(
  plan: DnsPlan,
  run: { dryRun: boolean; rows: DnsPlanRow[]; results?: ApplyResult[]; errors?: ReconcileError[]; writes?: Record<string, number>; refused?: string; standIn?: Map<string, StandInEpisode> | null; refusals: Map<string, string> },
): ReconcileReport {
  const results = run.results ?? [];
  const calls: Record<string, ProviderCalls> = {};
  for (const [name, c] of Object.entries(plan.calls)) calls[name] = { ...c };
  for (const [name, writes] of Object.entries(run.writes ?? {})) (calls[name] ??= { reads: 0, writes: 0 }).writes += writes;
  const errors = inServiceOrder(plan, run.errors ?? []);
  return {
    dryRun: run.dryRun,
    changes: plan.changes,
    rows: run.rows,
    results,
    errors,
    calls,
    counts: {
      ...countChanges(plan.changes),
      written: results.filter((r) => r.outcome === 'ok').length,
      failed: results.filter((r) => r.outcome === 'failed').length,
    },
    refused: run.refused ?? null,
    standIn: run.standIn ?? null,
    refusals: run.refusals,
  };
}

/** Every error of a pass in service order (a service's planning errors, then its apply errors), then the pass's own. */
function inServiceOrder(plan: DnsPlan, later: readonly ReconcileError[]): ReconcileError[] {
  const names = new Set(plan.services.map((p) => p.service.serviceName));
  const ofService = (name: string) => later.filter((e) => e.service === name);
  return [...plan.services.flatMap((p) => [...p.errors, ...ofService(p.service.serviceName)]), ...later.filter((e) => !names.has(e.service))];
}

/** Lists and diffs every service this node serves into one plan; writes nothing. */
export async function planDns(input: ReconcileInput, deps: ReconcileDeps = {}): Promise<Planning> {
  const served = input.services.filter((s) => (input.serve.get(s.serviceName)?.length ?? 0) > 0);
  const lister = new AccountLister(deps);
  const zones = await zoneKnowledge(served, input.cloudAccounts, deps, lister);
  const services = await mapLimit(served, Math.max(1, deps.concurrency ?? 4), (service) => planOne(service, input, lister, zones));
  const ctx: RowContext = { known: input.known };
  const rows = services.flatMap((p) => serviceRows(p.service, input.serve.get(p.service.serviceName) ?? [], input.ips, p.changes, { ...ctx, records: p.records }));
  return {
    plan: { services, changes: services.flatMap((p) => p.changes ?? []), rows, errors: services.flatMap((p) => p.errors), calls: lister.calls },
    providers: lister.providers,
    rejected: lister.rejected,
  };
}

/**
 * The zones of the accounts that services naming no account share with other accounts of their
 * provider (only those are listed; a provider with one account needs none). Zone listings made in
 * this pass count as reads of their provider.
 */
async function zoneKnowledge(served: readonly ManagedService[], accounts: readonly CloudAccount[], deps: ReconcileDeps, lister: AccountLister): Promise<(a: CloudAccount) => ZoneKnowledge> {
  const wanted = new Map<string, CloudAccount>();
  for (const s of served) if (needsZones(s, accounts)) for (const a of accountsOfProvider(s.platformProvider, accounts)) wanted.set(accountKey(a), a);
  if (wanted.size === 0) return () => ({ known: false, why: 'not listed' });
  const cache = deps.accountZones ?? new AccountZones(deps.providerFor ?? ((a: CloudAccount) => createProvider(a)));
  const before = { ...cache.reads };
  const known = await cache.knowledge([...wanted.values()], accounts);
  for (const [name, n] of Object.entries(cache.reads)) {
    const made = n - (before[name] ?? 0);
    if (made > 0) (lister.calls[name] ??= { reads: 0, writes: 0 }).reads += made;
  }
  return (a) => AccountZones.of(known, a);
}

async function planOne(service: ManagedService, input: ReconcileInput, lister: AccountLister, zonesOf: (a: CloudAccount) => ZoneKnowledge): Promise<PlannedService> {
  const label = normalizeProviderName(service.platformProvider) ?? service.platformProvider;
  const planned: PlannedService = { service, provider: label, account: null, changes: null, errors: [] };
  const fail = (stage: ReconcileError['stage'], message: string, err?: unknown): PlannedService => {
    planned.errors.push(serviceError(service, label, stage, message, err));
    return planned;
  };
  if (!normalizeProviderName(service.platformProvider)) {
    return fail('account', `service ${service.serviceName}: unknown DNS provider "${service.platformProvider}"`);
  }
  const choice = chooseAccount(service, input.cloudAccounts, zonesOf);
  if (!choice.ok) return fail('account', choice.message);
  const account = choice.account;
  const listed = await lister.list(account, service);
  if (!listed.ok) return fail(listed.stage, listed.message, listed.error);
  planned.account = accountKey(account);
  planned.records = listed.records;
  planned.changes = planService(service, input.serve.get(service.serviceName) ?? [], input.ips, listed.records);
  return planned;
}

function serviceError(service: ManagedService, provider: string, stage: ReconcileError['stage'], message: string, err?: unknown): ReconcileError {
  const pe = err instanceof ProviderError ? err : null;
  return { service: service.serviceName, provider, stage, message, ...(pe ? { code: pe.code, auth: pe.auth } : {}) };
}

type Listing =
  | { ok: true; records: Awaited<ReturnType<DnsProvider['listRecords']>> }
  | { ok: false; stage: 'account' | 'list'; message: string; error?: unknown };

/**
 * Reads records for a pass, per account: one provider per account, and the account's first listing
 * goes alone (the others wait for it), so an account whose credentials are rejected is called once.
 */
class AccountLister {
  readonly providers = new Map<string, DnsProvider>();
  readonly rejected = new Map<string, string>();
  readonly calls: Record<string, ProviderCalls> = {};
  private readonly probes = new Map<string, Promise<void>>();
  // One listing per (account, zone) per pass, shared by every service of the zone.
  private readonly zones = new Map<string, Promise<RetryOutcome<DnsRecord[]>>>();
  private readonly providerFor: (account: CloudAccount) => DnsProvider;

  constructor(private readonly deps: ReconcileDeps) {
    this.providerFor = deps.providerFor ?? ((a: CloudAccount) => createProvider(a));
  }

  async list(account: CloudAccount, service: ManagedService): Promise<Listing> {
    const key = accountKey(account);
    const release = await this.gate(key);
    try {
      const already = this.rejected.get(key);
      if (already) return { ok: false, stage: 'list', message: `not attempted: ${already}` };
      const provider = this.providerOf(key, account);
      if (!provider.ok) return { ok: false, stage: 'account', message: `service ${service.serviceName}: ${provider.message}` };
      return await this.read(key, provider.value, service);
    } finally {
      release();
    }
  }

  /** The zone's records for this pass: listed once (paged) per account and zone, then shared. */
  private zoneListing(key: string, provider: DnsProvider, domain: string): Promise<RetryOutcome<DnsRecord[]>> {
    const zoneKey = `${key}\u0000${canonicalName(domain)}`;
    let listing = this.zones.get(zoneKey);
    if (!listing) {
      listing = this.count(provider, withRetry(() => provider.listZoneRecords!(domain), this.deps));
      this.zones.set(zoneKey, listing);
    }
    return listing;
  }

  private async count<T>(provider: DnsProvider, run: Promise<RetryOutcome<T>>): Promise<RetryOutcome<T>> {
    const out = await run;
    (this.calls[provider.name] ??= { reads: 0, writes: 0 }).reads += out.attempts;
    return out;
  }

  /** The account's first caller passes at once and holds the gate; later callers wait for it to finish. */
  private async gate(key: string): Promise<() => void> {
    const probe = this.probes.get(key);
    if (probe) {
      await probe;
      return () => undefined;
    }
    let release = (): void => undefined;
    this.probes.set(key, new Promise<void>((resolve) => (release = resolve)));
    return release;
  }

  private providerOf(key: string, account: CloudAccount): { ok: true; value: DnsProvider } | { ok: false; message: string } {
    const known = this.providers.get(key);
    if (known) return { ok: true, value: known };
    try {
      const created = this.providerFor(account);
      this.providers.set(key, created);
      return { ok: true, value: created };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async read(key: string, provider: DnsProvider, service: ManagedService): Promise<Listing> {
    const fqdn = canonicalName(serviceFqdn(service));
    const listed = provider.listZoneRecords
      ? await this.zoneListing(key, provider, service.domain)
      : await this.count(provider, withRetry(() => provider.listRecords({ domain: service.domain, record: service.record, fqdn }), this.deps));
    if (listed.ok) {
      const records = listed.value ?? [];
      return { ok: true, records: provider.listZoneRecords ? records.filter((r) => canonicalName(r.name) === fqdn) : records };
    }
    const message = describeFailure(provider, listed.error);
    if (listed.error instanceof ProviderError && listed.error.auth) this.rejected.set(key, message);
    return { ok: false, stage: 'list', message, error: listed.error };
  }
}

/**
 * Carries out a plan's writes (update, create) through the providers it was read with; writes
 * nothing else. A credential failure on a write marks the account rejected for the rest of the pass.
 */
export async function applyDnsPlan(
  planning: Planning,
  nodeCode: string,
  deps: ReconcileDeps = {},
): Promise<{ results: ApplyResult[]; errors: ReconcileError[]; calls: Record<string, number> }> {
  const calls: Record<string, number> = {};
  const todo = planning.plan.services.filter((p) => p.account !== null && (p.changes ?? []).some(isWrite));
  const outcomes = await mapLimit(todo, Math.max(1, deps.concurrency ?? 4), async (p) => {
    const out = await applyService(planning, p, nodeCode, deps);
    calls[out.provider] = (calls[out.provider] ?? 0) + out.results.reduce((n, r) => n + r.attempts, 0);
    return out;
  });
  return { results: outcomes.flatMap((o) => o.results), errors: outcomes.flatMap((o) => o.errors), calls };
}

async function applyService(planning: Planning, p: PlannedService, nodeCode: string, deps: ReconcileDeps): Promise<{ provider: string; results: ApplyResult[]; errors: ReconcileError[] }> {
  const key = p.account!;
  const provider = planning.providers.get(key)!;
  const rejected = planning.rejected.get(key);
  const results = rejected ? notAttempted(p.changes!, rejected) : await applyChanges(provider, p.changes!, { ...deps, nodeCode });
  const errors: ReconcileError[] = [];
  for (const r of results.filter((x) => x.outcome === 'failed')) {
    errors.push({
      service: p.service.serviceName,
      provider: provider.name,
      stage: 'apply',
      message: `${r.change.fqdn} ${r.change.type} ${r.change.line}: ${r.error ?? 'failed'}`,
      ...(r.code ? { code: r.code } : {}),
      ...(r.auth ? { auth: true } : {}),
    });
    if (r.auth && r.error && !planning.rejected.has(key)) planning.rejected.set(key, r.error);
  }
  return { provider: provider.name, results, errors };
}

/** Writes of an account already rejected in this pass: failed without a call. */
function notAttempted(changes: readonly Change[], why: string): ApplyResult[] {
  return changes.filter(isWrite).map((change) => ({ change, outcome: 'failed', attempts: 0, error: `not attempted: ${why}`, auth: true }));
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const BAR = '*'.repeat(80);

/** A human-readable plan, grouped per provider then per name, in the spirit of `octodns-sync`. */
export function formatPlan(changes: readonly Change[], rows: readonly DnsPlanRow[] = []): string {
  const refused = rows.filter((r) => r.reason === 'refused');
  const tail = refused.map((r) => `Refused   ${r.fqdn} ${r.type} ${r.line}: ${r.result?.error ?? 'refused by the provider'} — not re-sent until the record, the planned write or the service changes\n`).join('');
  if (changes.length === 0) return `No changes: every served record already holds this node's address.\n${tail}`;
  return formatChanges(changes) + tail;
}

function formatChanges(changes: readonly Change[]): string {
  const byProvider = new Map<string, Change[]>();
  for (const c of changes) {
    const list = byProvider.get(c.provider) ?? [];
    list.push(c);
    byProvider.set(c.provider, list);
  }
  const lines: string[] = [];
  for (const [provider, list] of byProvider) {
    lines.push(BAR, `* ${provider}`, BAR);
    const byName = new Map<string, Change[]>();
    for (const c of list) byName.set(c.fqdn, [...(byName.get(c.fqdn) ?? []), c]);
    for (const [fqdn, group] of byName) {
      lines.push(`* ${fqdn} (service ${group[0]!.service})`);
      for (const c of group) lines.push(`*   ${describeChange(c)}`);
    }
    const n = countChanges(list);
    lines.push(
      `* Summary: Updates=${n.update}, Creates=${n.create}, Missing=${n.missing}, Duplicates=${n.duplicate}, ` +
        `Skipped=${n.skip}, NoAddress=${n['no-ip']}${n.unsupported ? `, NoSuchLine=${n.unsupported}` : ''}`,
      BAR,
    );
  }
  return `${lines.join('\n')}\n`;
}

function describeChange(c: Change): string {
  switch (c.kind) {
    case 'update':
      if (c.ttl !== undefined && c.oldValue === c.newValue) return `TTL       ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.newValue} (record ${c.target.id}, ttl ${c.target.ttl} -> ${c.ttl})`;
      return `Update    ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.oldValue} -> ${c.newValue} (record ${c.target.id}, ttl ${c.ttl !== undefined ? `${c.target.ttl} -> ${c.ttl}` : c.target.ttl})`;
    case 'create':
      return `Create    ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.newValue} (ttl ${c.ttl})`;
    case 'missing':
      return `Missing   ${c.type.padEnd(4)} ${c.line.padEnd(7)} no record; would be ${c.newValue} — create it or set allowCreate`;
    case 'duplicate':
      return `Duplicate ${c.type.padEnd(4)} ${c.line.padEnd(7)} kept record ${c.kept.id}; left alone: ${c.extras
        .map((r) => `${r.id}=${r.value}`)
        .join(', ')}`;
    case 'skip':
      if (c.reason === 'conflict') {
        return `Conflict  ${c.type.padEnd(4)} ${c.line.padEnd(7)} a CNAME (${c.target.value}, record ${c.target.id}) holds this name; nothing created — remove the CNAME or serve another name`;
      }
      return c.reason === 'unmanaged'
        ? `Skip      ${c.type.padEnd(4)} ${c.line.padEnd(7)} left alone: ${c.target.unmanaged ?? `record ${c.target.id} is not managed here`}`
        : `Skip      ${c.type.padEnd(4)} ${c.line.padEnd(7)} record ${c.target.id} is disabled (${c.target.value})`;
    case 'unsupported':
      return `Note      ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.provider} has no ${c.line} line; not planned (only ${
        providerLineMap(c.provider)?.codes.join(', ') ?? 'its own lines'
      } served through this provider)`;
    case 'no-ip':
      return `NoAddress ${c.type.padEnd(4)} ${c.lines.join(',')}: ${
        c.reason === 'invalid' ? 'detected address is not a valid' : 'no known'
      } ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} address; nothing written`;
  }
}
