// How long users may still reach a dead site after a failover (issue 11, case 9): the survivors
// notice it (FailAfterSeconds), the next DNS pass rewrites its lines (at worst one DnsSyncSeconds
// period), and resolvers drop the old answer, which they may keep for the record's TTL. Pure.
import type { DnsPlanRow } from './plan-rows.js';

/**
 * "Far above": a TTL more than this many times FailAfterSeconds is warned about. At 4× the TTL is
 * at least 80 % of the failover bound, so the failure detection tuned by FailAfterSeconds no longer
 * decides how fast clients move; documented in the README ("How fast clients see a failover").
 */
export const TTL_WARN_FACTOR = 4;

/** The two cluster timings in the bound, seconds. */
export interface FailoverTiming {
  failAfterSeconds: number;
  syncSeconds: number;
}

/** One record's TTL and its failover bound: `failAfterSeconds + syncSeconds + ttl`, seconds. */
export interface TtlBound {
  ttl: number;
  boundSeconds: number;
  /** Set when the TTL is far above FailAfterSeconds (more than TTL_WARN_FACTOR times). */
  warning: string | null;
}

/** The failover bound of a record with this TTL (s) under these timings. */
export function ttlBound(ttl: number, timing: FailoverTiming): TtlBound {
  const boundSeconds = Math.round(timing.failAfterSeconds + timing.syncSeconds + ttl);
  const far = ttl > TTL_WARN_FACTOR * timing.failAfterSeconds;
  return {
    ttl,
    boundSeconds,
    warning: far
      ? `TTL ${ttl} s is far above FailAfterSeconds ${timing.failAfterSeconds} s: resolvers may keep a dead site's address up to ${boundSeconds} s after it fails; lower it with "cocoasyncer service set NAME --ttl N" if the DNS plan allows`
      : null,
  };
}

/** A served record with its TTL and failover bound, as `dns plan`, `status` and the status page show it. */
export interface RecordTtl extends TtlBound {
  service: string;
  fqdn: string;
  type: string;
  line: string;
}

/** The TTL and bound of every row whose record's TTL is known, in row order. */
export function recordTtls(rows: readonly DnsPlanRow[], timing: FailoverTiming): RecordTtl[] {
  const out: RecordTtl[] = [];
  for (const r of rows) {
    if (r.ttl === null || r.ttl === undefined) continue;
    out.push({ service: r.service, fqdn: r.fqdn, type: r.type, line: r.line, ...ttlBound(r.ttl, timing) });
  }
  return out;
}

/** The TTL section of a plan's text: one line per record, warnings marked. Empty when none is known. */
export function formatTtls(records: readonly RecordTtl[], timing: FailoverTiming): string {
  if (records.length === 0) return '';
  const head = `TTL and failover bound (FailAfterSeconds ${timing.failAfterSeconds} + DnsSyncSeconds ${timing.syncSeconds} + TTL):`;
  const lines = records.map((r) => `  ${r.fqdn} ${r.type} ${r.line}: ttl ${r.ttl} s, clients move within ${r.boundSeconds} s${r.warning ? `\n    warning: ${r.warning}` : ''}`);
  return `${head}\n${lines.join('\n')}\n`;
}
