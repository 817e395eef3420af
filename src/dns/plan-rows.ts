// The DNS plan as a table (external-dns's plan table, octoDNS's plan output): one row per service and
// slot this node serves, saying what the record holds, what it should hold, what will be done and
// why. Pure: built from the planner's changes and the serving context; results are merged in after
// apply. The status page's line values and the safety hook (safety.ts) read these rows.
import { FAMILIES, recordType, serviceFqdn, type Family, type LineCode, type ManagedService } from '../model.js';
import { normalizeAddress } from '../ip/address.js';
import { ipFor, linesOf, type AssignedSlot, type Assignments, type Change, type NodeIps, type WriteChange } from './plan.js';
import { canonicalName, type DnsRecord } from './provider.js';

/**
 * What the plan does to a slot's record:
 * - `update`: an enabled record holds another value; it is rewritten.
 * - `create`: no record on the line and the service allows creation.
 * - `keep`: the record already holds this node's address (nothing written).
 * - `skip`: nothing is written and an operator may need to look (see the reason).
 */
export type DnsAction = 'update' | 'create' | 'keep' | 'skip';

/**
 * Why. For `update`: `takeover` (this node stands in for a down owner); `reassigned` (the slot is
 * not one whose record this node last saw holding its address: it became this node's through a
 * failover, a recovery or an edit, a write of it failed, or this is the node's first pass since it
 * started, which is a recovery too); `address-changed` (the record holds an address this node held
 * before: its own address moved); `drift` (none of these: the record held this node's address at
 * its last pass and now holds a value nothing explains: another writer, a hand edit). For
 * `create`: `missing`; an update that only sets the record's TTL to the service's (`service set
 * --ttl`) is `ttl`. For `keep`: `in-sync`, or `duplicate` (several enabled records; the one
 * holding the address is kept, the rest are left alone). For `skip`: `missing` (update-only
 * policy), `disabled`, `no-address`, `invalid-address`, `not-read`, `no-such-line` (the provider has no such line, e.g. Cloudflare's ISP lines),
 * `unmanaged` (a record this node must not write, e.g. a Huawei record set holding several values),
 * `conflict` (a CNAME holds the name and line: nothing can be created next to it), `refused` (the
 * provider refused this very write for good in an earlier pass; not re-sent until the record, the
 * planned write or the service changes), `yielded` (a takeover whose record
 * someone else rewrote after this node wrote it: the stand-in rule, stand-in.ts), `suspect` (a
 * drift on a slot of this node that most probers fail to reach right now: a stand-in may have
 * taken it over on a verdict this node has not drawn yet, so it is not taken back this pass).
 */
export type DnsRowReason =
  | 'takeover'
  | 'reassigned'
  | 'address-changed'
  | 'drift'
  | 'missing'
  | 'in-sync'
  | 'duplicate'
  | 'disabled'
  | 'no-address'
  | 'invalid-address'
  | 'not-read'
  | 'yielded'
  | 'suspect'
  | 'no-such-line'
  | 'unmanaged'
  | 'conflict'
  | 'refused'
  | 'ttl';

/** The outcome of a row's write: done, failed, refused by the safety hook, or not applied (dry run). */
export interface DnsRowResult {
  outcome: 'ok' | 'failed' | 'refused' | 'dry-run';
  /** Secret-free. */
  error?: string;
}

export interface DnsPlanRow {
  service: string;
  fqdn: string;
  type: 'A' | 'AAAA';
  line: LineCode;
  family: Family;
  /** The value the record holds (the kept one among duplicates, the disabled one); null: none or unknown. */
  current: string | null;
  /** This node's address for the family; null when unknown or invalid. */
  desired: string | null;
  action: DnsAction;
  reason: DnsRowReason;
  /** Served as a takeover of a down owner's slot. */
  takeover: boolean;
  /** Extra enabled records on the line, left alone. */
  duplicates: number;
  /** The TTL resolvers may cache the record's answer for now, s: the record's own (a planned TTL
   *  change shows in the change, not here), or a create's TTL; null when there is no record or it
   *  is unknown (not read). Absent only in rows built by hand. */
  ttl?: number | null;
  /** Set once the plan was applied (or refused, or stopped at the plan in a dry run). */
  result?: DnsRowResult;
}

/** What the rows need to know beyond the changes: what this node knew from its earlier passes. */
export interface RowContext {
  /** Absent on a node's first pass. */
  known?: KnownRecords | undefined;
  /** The records listed for the service (for the TTL of records kept as they are). */
  records?: readonly DnsRecord[] | undefined;
}

/** What a node knows from its earlier passes in this process. */
export interface KnownRecords {
  /** Per service, the slots whose record this node saw holding its address (kept) or wrote, in its
   *  last applied pass (a refused or dry-run pass changes nothing here). */
  held: Assignments;
  /** Every address this node has held, per family. */
  addresses: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
}

const slotKey = (service: string, line: LineCode, family: Family) => `${service}\u0000${line}\u0000${family}`;

/**
 * The rows of one service: one per served slot in canonical order (FAMILIES, then LINE_CODES).
 * `changes` are planService's for the service, or null when its records could not be read.
 */
export function serviceRows(
  service: ManagedService,
  slots: readonly AssignedSlot[],
  ips: NodeIps,
  changes: readonly Change[] | null,
  ctx: RowContext = {},
): DnsPlanRow[] {
  const fqdn = canonicalName(serviceFqdn(service));
  const rows: DnsPlanRow[] = [];
  for (const family of FAMILIES) {
    for (const line of linesOf(slots, family)) {
      const raw = ipFor(ips, line, family) ?? null;
      const desired = raw ? normalizeAddress(family, raw) : null;
      const takeover = slots.some((s) => s.line === line && s.family === family && s.takeover === true);
      const base = { service: service.serviceName, fqdn, type: recordType(family), line, family, desired, takeover, duplicates: 0 };
      if (changes === null) {
        rows.push({ ...base, current: null, action: 'skip', reason: 'not-read', ttl: null });
        continue;
      }
      const decision = decide(service.serviceName, line, family, changes, desired, takeover, ctx);
      rows.push({ ...base, ...decision, ttl: rowTtl(fqdn, line, family, decision, changes, ctx.records ?? []) });
    }
  }
  return rows;
}

type Decision = Pick<DnsPlanRow, 'current' | 'action' | 'reason' | 'duplicates'>;

function decide(service: string, line: LineCode, family: Family, changes: readonly Change[], desired: string | null, takeover: boolean, ctx: RowContext): Decision {
  const noIp = changes.find((c) => c.kind === 'no-ip' && c.family === family && c.lines.includes(line));
  if (noIp?.kind === 'no-ip') return { current: null, action: 'skip', reason: noIp.reason === 'invalid' ? 'invalid-address' : 'no-address', duplicates: 0 };
  const here = changes.filter((c): c is Exclude<Change, { kind: 'no-ip' }> => c.kind !== 'no-ip' && c.family === family && c.line === line);
  if (here.some((c) => c.kind === 'unsupported')) return { current: null, action: 'skip', reason: 'no-such-line', duplicates: 0 };
  const dup = here.find((c) => c.kind === 'duplicate');
  const duplicates = dup?.kind === 'duplicate' ? dup.extras.length : 0;
  const write = here.find((c): c is WriteChange => c.kind === 'update' || c.kind === 'create');
  if (write?.kind === 'update') {
    const ttlOnly = write.ttl !== undefined && normalizeAddress(family, write.oldValue) === normalizeAddress(family, write.newValue);
    return { current: write.oldValue, action: 'update', reason: ttlOnly && !takeover ? 'ttl' : updateReason(service, line, family, write.oldValue, takeover, ctx), duplicates };
  }
  if (write?.kind === 'create') return { current: null, action: 'create', reason: 'missing', duplicates };
  if (dup?.kind === 'duplicate') return { current: dup.kept.value, action: 'keep', reason: 'duplicate', duplicates };
  if (here.some((c) => c.kind === 'missing')) return { current: null, action: 'skip', reason: 'missing', duplicates };
  const skip = here.find((c) => c.kind === 'skip');
  if (skip?.kind === 'skip') return { current: skip.reason === 'conflict' ? null : skip.target.value, action: 'skip', reason: skip.reason, duplicates };
  // Listed, and nothing to change: the record holds this node's address.
  return { current: desired, action: 'keep', reason: 'in-sync', duplicates };
}

/** The TTL of a row's record as it stands (a create: the TTL it is created with); null: no record. */
function rowTtl(fqdn: string, line: LineCode, family: Family, d: Decision, changes: readonly Change[], records: readonly DnsRecord[]): number | null {
  const here = changes.filter((c) => c.kind !== 'no-ip' && c.family === family && c.line === line);
  for (const c of here) {
    if (c.kind === 'update') return c.target.ttl;
    if (c.kind === 'create') return c.ttl;
  }
  for (const c of here) if (c.kind === 'duplicate') return c.kept.ttl;
  for (const c of here) if (c.kind === 'skip' && c.reason !== 'conflict') return c.target.ttl;
  if (d.action !== 'keep' || d.current === null) return null;
  const type = recordType(family);
  const value = normalizeAddress(family, d.current);
  const kept = records.find((r) => canonicalName(r.name) === fqdn && r.type.toUpperCase() === type && r.line === line && r.enabled && normalizeAddress(family, r.value) === value);
  return kept?.ttl ?? null;
}

function updateReason(service: string, line: LineCode, family: Family, current: string, takeover: boolean, ctx: RowContext): DnsRowReason {
  if (takeover) return 'takeover';
  const known = ctx.known;
  if (!known) return 'reassigned';
  const held = known.held.get(service)?.some((s) => s.line === line && s.family === family && !s.takeover) ?? false;
  if (!held) return 'reassigned';
  const value = normalizeAddress(family, current);
  if (value !== null && known.addresses[family].some((a) => normalizeAddress(family, a) === value)) return 'address-changed';
  return 'drift';
}

/** The slots a pass leaves this node knowing hold its address: kept, or written successfully. */
export function heldSlots(rows: readonly DnsPlanRow[]): Map<string, AssignedSlot[]> {
  const held = new Map<string, AssignedSlot[]>();
  for (const row of rows) {
    if (row.action !== 'keep' && row.result?.outcome !== 'ok') continue;
    const list = held.get(row.service) ?? [];
    list.push({ line: row.line, family: row.family, takeover: row.takeover });
    held.set(row.service, list);
  }
  return held;
}

/** Rows with each write's outcome merged in (by service and slot). */
export function withResults(rows: readonly DnsPlanRow[], results: readonly { change: WriteChange; outcome: 'ok' | 'failed'; error?: string }[]): DnsPlanRow[] {
  const byKey = new Map(results.map((r) => [slotKey(r.change.service, r.change.line, r.change.family), r]));
  return rows.map((row) => {
    const r = byKey.get(slotKey(row.service, row.line, row.family));
    if (!r || (row.action !== 'update' && row.action !== 'create')) return row;
    return { ...row, result: r.error ? { outcome: r.outcome, error: r.error } : { outcome: r.outcome } };
  });
}

/** Rows whose writes were not made, marked with why (a dry run, or the safety hook's refusal). */
export function markUnapplied(rows: readonly DnsPlanRow[], outcome: 'refused' | 'dry-run', error?: string): DnsPlanRow[] {
  return rows.map((row) => (row.action === 'update' || row.action === 'create' ? { ...row, result: error ? { outcome, error } : { outcome } } : row));
}

/** Rows whose write the provider refused for good in an earlier pass (not re-sent), with the refusal. */
export function markRefused(rows: readonly DnsPlanRow[], refused: ReadonlyMap<string, string>, keyOf: (row: DnsPlanRow) => string): DnsPlanRow[] {
  return rows.map((row) => {
    const why = refused.get(keyOf(row));
    return why === undefined ? row : { ...row, action: 'skip' as const, reason: 'refused' as const, result: { outcome: 'failed' as const, error: why } };
  });
}

/** Rows whose key is in `suspect` become skipped `suspect` rows (their writes are taken out of the plan). */
export function markSuspect(rows: readonly DnsPlanRow[], suspect: ReadonlySet<string>, keyOf: (row: DnsPlanRow) => string): DnsPlanRow[] {
  return rows.map((row) => (suspect.has(keyOf(row)) ? { ...row, action: 'skip' as const, reason: 'suspect' as const } : row));
}

/** Rows of taken-over records this node yielded (stand-in.ts): nothing is written to them. */
export function markYielded(rows: readonly DnsPlanRow[], yielded: ReadonlySet<string>, keyOf: (row: DnsPlanRow) => string): DnsPlanRow[] {
  return rows.map((row) => (yielded.has(keyOf(row)) ? { ...row, action: 'skip' as const, reason: 'yielded' as const } : row));
}
