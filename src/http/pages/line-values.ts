// What this node last knew of each DNS record it serves: the value it read from the provider, or
// wrote, in its last reconcile run. A node only reads the records of the lines it serves, so lines
// served by other nodes are not known here (the status page says "unknown").
import { myServing } from '../../cluster/serving.js';
import type { ClusterRuntime } from '../../cluster/runtime.js';
import type { Change } from '../../dns/plan.js';
import type { ReconcileReport } from '../../dns/reconcile.js';
import type { DnsSync } from '../../dns/sync.js';
import type { Family, LineCode } from '../../model.js';

export type LineValueState =
  /** The record already held this node's address. */
  | 'in-sync'
  /** This node wrote the value in its last run. */
  | 'written'
  /** The write failed; the value is what the record still holds. */
  | 'write-failed'
  /** Dry run: the record holds the value shown; a real run would change it. */
  | 'would-change'
  /** No enabled record on the line (and creation not allowed, or not attempted). */
  | 'missing'
  /** The operator disabled the record; it is left alone. */
  | 'disabled'
  /** Several enabled records on the line: the value is the one kept in sync. */
  | 'duplicate'
  /** This node does not know its public address for the family: nothing was written. */
  | 'no-address'
  /** The records could not be read (provider or account error). */
  | 'not-read';

export interface LineValue {
  value: string | null;
  state: LineValueState;
  /** When the run that observed it finished. */
  at: Date;
}

const key = (service: string, line: LineCode, family: Family) => `${service}\u0000${line}\u0000${family}`;

export class LineValues {
  private values = new Map<string, LineValue>();

  constructor(
    private readonly runtime: ClusterRuntime,
    private readonly live: () => ReadonlySet<string>,
  ) {}

  /** Follows a node's DNS sync; returns an unsubscribe. */
  follow(dnsSync: DnsSync): () => void {
    const onReport = (report: ReconcileReport) => this.observe(report, dnsSync.ips, new Date());
    if (dnsSync.last) this.observe(dnsSync.last.report, dnsSync.ips, dnsSync.last.at);
    dnsSync.on('report', onReport);
    return () => dnsSync.off('report', onReport);
  }

  get(service: string, line: LineCode, family: Family): LineValue | undefined {
    return this.values.get(key(service, line, family));
  }

  /** Replaces what is known with one run's findings, for the pairs this node serves now. */
  observe(report: ReconcileReport, ips: { ipv4?: string | null; ipv6?: string | null }, at: Date): void {
    const next = new Map<string, LineValue>();
    const served = myServing(this.runtime.state, this.live(), this.runtime.nodeCode);
    for (const { service, entries } of served) {
      const name = service.serviceName;
      const unread = report.errors.some((e) => e.service === name && e.stage !== 'apply');
      const changes = report.changes.filter((c) => c.service === name);
      for (const { line, family } of entries) {
        const found = unread ? { value: null, state: 'not-read' as const } : valueFor(report, changes, line, family, ips[family] ?? null);
        next.set(key(name, line, family), { ...found, at });
      }
    }
    this.values = next;
  }
}

function valueFor(report: ReconcileReport, changes: readonly Change[], line: LineCode, family: Family, ip: string | null): Omit<LineValue, 'at'> {
  const noIp = changes.find((c) => c.kind === 'no-ip' && c.family === family && c.lines.includes(line));
  if (noIp) return { value: null, state: 'no-address' };
  const here = changes.filter((c) => c.kind !== 'no-ip' && c.family === family && c.line === line);
  // The provider has no such line (Cloudflare): there is no record to show.
  if (here.some((c) => c.kind === 'unsupported')) return { value: null, state: 'missing' };
  for (const c of here) {
    if (c.kind !== 'update' && c.kind !== 'create') continue;
    const result = report.results.find((r) => r.change === c);
    const before = c.kind === 'update' ? c.oldValue : null;
    if (!result) return { value: before, state: c.kind === 'update' ? 'would-change' : 'missing' };
    return result.outcome === 'ok' ? { value: c.newValue, state: 'written' } : { value: before, state: 'write-failed' };
  }
  const dup = here.find((c): c is Extract<Change, { kind: 'duplicate' }> => c.kind === 'duplicate');
  if (dup) return { value: dup.kept.value, state: 'duplicate' };
  if (here.some((c) => c.kind === 'missing')) return { value: null, state: 'missing' };
  const skip = here.find((c): c is Extract<Change, { kind: 'skip' }> => c.kind === 'skip');
  if (skip) return { value: skip.target.value, state: 'disabled' };
  // Listed, and nothing to change: the record holds this node's address.
  return ip ? { value: ip, state: 'in-sync' } : { value: null, state: 'no-address' };
}
