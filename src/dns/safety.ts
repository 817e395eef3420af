// The safety hook that runs between plan and apply (octoDNS's update threshold: a plan that would
// rewrite more than a share of the existing records is refused unless forced; its defaults are 30%
// of at least 10 records). Here the "force" is the plan itself: rewrites caused by a failover
// (takeover, reassigned slots) or by this node's own address moving are what the node exists to do
// and always pass; what is counted are `drift` rewrites, records holding a value this node has no
// plan-level reason to replace (another writer, hand edits, a wrong node config). A pass that follows
// a liveness change is a failover pass as a whole and is not checked (reconcile.ts). Pure.
import type { DnsPlanRow } from './plan-rows.js';

export interface SafetyPolicy {
  /** Largest share (0..1] of managed records one plan may rewrite without a failover reason; 1 disables the hook. */
  maxChangeShare: number;
  /** Below this many managed records the hook never refuses (small zones still work). */
  minManaged: number;
}

/** octoDNS's MIN_EXISTING_RECORDS; DnsMaxChangeShare's default is 0.5 (config/schema.ts). */
export const DEFAULT_SAFETY: SafetyPolicy = { maxChangeShare: 0.5, minManaged: 10 };

export type SafetyVerdict =
  | { ok: true; managed: number; rewrites: number }
  | { ok: false; managed: number; rewrites: number; message: string };

/** Rows counted as managed: a record exists on the slot and this node keeps it (rewrite or keep). */
function isManaged(row: DnsPlanRow): boolean {
  return row.action === 'keep' || row.action === 'update';
}

/**
 * Checks a whole node's plan. `managed` counts slots whose record exists and is kept by this node,
 * `rewrites` the updates without a failover or address-change reason. Refuses when there are at
 * least `minManaged` managed records and rewrites exceed `maxChangeShare` of them.
 */
export function checkSafety(rows: readonly DnsPlanRow[], policy: SafetyPolicy = DEFAULT_SAFETY): SafetyVerdict {
  const managed = rows.filter(isManaged).length;
  const rewrites = rows.filter((r) => r.action === 'update' && r.reason === 'drift').length;
  if (managed < policy.minManaged || policy.maxChangeShare >= 1 || rewrites <= managed * policy.maxChangeShare) {
    return { ok: true, managed, rewrites };
  }
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  return {
    ok: false,
    managed,
    rewrites,
    message:
      `safety: plan refused, it would rewrite ${rewrites} of ${managed} managed records (${pct(rewrites / managed)}) holding values ` +
      `no failover or address change explains; the limit is ${pct(policy.maxChangeShare)} (DnsMaxChangeShare). ` +
      'Check for another writer or a wrong node config; raise DnsMaxChangeShare (1 disables the check) to let it through',
  };
}
