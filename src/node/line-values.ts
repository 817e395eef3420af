// What this node last knew of each DNS record it serves: the value it read from the provider, or
// wrote, in its last DNS pass, taken from that pass's plan rows (the rows list exactly the slots of
// the serving plan the pass applied, so a slot the pass did not read is never "known"). A node only
// reads the records of the slots it serves, so slots served by other nodes are not known here (the
// status page says "unknown").
import type { DnsPlanRow } from '../dns/plan-rows.js';
import type { ReconcileReport } from '../dns/reconcile.js';
import type { Family, LineCode } from '../model.js';

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
  | 'not-read'
  /** The safety check refused the pass: the value is what the record still holds. */
  | 'refused';

export interface LineValue {
  value: string | null;
  state: LineValueState;
  /** When the run that observed it finished. */
  at: Date;
}

const key = (service: string, line: LineCode, family: Family) => `${service}\u0000${line}\u0000${family}`;

/** The values of one pass, per service and slot. */
export class LineValues {
  private values = new Map<string, LineValue>();

  get(service: string, line: LineCode, family: Family): LineValue | undefined {
    return this.values.get(key(service, line, family));
  }

  /** Replaces what is known with one pass's findings (its rows), observed at `at`. */
  observe(report: Pick<ReconcileReport, 'rows'> & Partial<ReconcileReport>, at: Date): void {
    const next = new Map<string, LineValue>();
    for (const row of report.rows) next.set(key(row.service, row.line, row.family), { ...valueOf(row), at });
    this.values = next;
  }
}

/** What a row says the record holds, and how that is known. */
export function valueOf(row: DnsPlanRow): Omit<LineValue, 'at'> {
  switch (row.action) {
    case 'keep':
      return { value: row.current, state: row.reason === 'duplicate' ? 'duplicate' : 'in-sync' };
    case 'update':
    case 'create':
      switch (row.result?.outcome) {
        case 'ok':
          return { value: row.desired, state: 'written' };
        case 'failed':
          return { value: row.current, state: 'write-failed' };
        case 'refused':
          return { value: row.current, state: 'refused' };
        default:
          // Not applied (dry run): what the record holds, and that a real pass would change it.
          return row.action === 'update' ? { value: row.current, state: 'would-change' } : { value: null, state: 'missing' };
      }
    case 'skip':
      if (row.reason === 'not-read') return { value: null, state: 'not-read' };
      if (row.reason === 'disabled' || row.reason === 'unmanaged') return { value: row.current, state: 'disabled' };
      if (row.reason === 'no-such-line') return { value: null, state: 'missing' };
      if (row.reason === 'missing') return { value: null, state: 'missing' };
      return { value: null, state: 'no-address' };
  }
}
