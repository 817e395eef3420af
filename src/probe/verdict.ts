// Service health verdicts, the pure part: from every prober's latest results (this node's own and the
// ones that came with heartbeats) to "(node, line, family) is down for service S".
//
// The rule (issue 14): a target is down for a service when a MAJORITY of its probing nodes (the live
// nodes other than the target that report probe results) have failed to reach it continuously for
// `failAfterMs`; once down it is up again only when a majority reach it with `recoverAfter` good
// probes in a row (calm recovery: a target that answers every other probe stays down). With two
// nodes the majority is the other node. A dead node is the heartbeat's business: targets that are
// not live get no verdict here.
import type { Family, LineCode } from '../model.js';
import type { SlotDown } from '../cluster/serving.js';

/** One prober's latest result for one target, as it travels with heartbeats (v2 answers). */
export interface ProbeResult {
  service: string;
  /** The probed node's code. */
  target: string;
  line: LineCode;
  family: Family;
  /** The last probe reached the service. */
  ok: boolean;
  /** Failed probes in a row (0 when ok). */
  failures: number;
  /** How long the target has been failing without a break, ms, as of the report (0 when ok); a
   *  duration, not a time, so the prober's clock never matters. */
  failingForMs: number;
  /** Good probes in a row (0 when failing). */
  goodStreak: number;
  /** The last probe's duration, ms (null before any). */
  latencyMs: number | null;
  /** Short reason: `HTTP 200`, `ECONNREFUSED: ...`, `timed out`. */
  detail: string;
}

/** What one prober last reported, and when it arrived (this node's clock, ms). */
export interface ProberReport {
  atMs: number;
  results: readonly ProbeResult[];
}

export interface VerdictConfig {
  /** Continuous failure a prober must see before it votes "down", ms (FailAfterSeconds). */
  failAfterMs: number;
  /** Good probes in a row a prober must see before it votes "up again" (RecoverAfter). */
  recoverAfter: number;
  /** A report older than this (this node's clock) no longer counts, ms. */
  freshMs: number;
}

/** One target's verdict with its tally, for status pages and logs. */
export interface TargetVerdict {
  service: string;
  node: string;
  line: LineCode;
  family: Family;
  down: boolean;
  /** Probing nodes counted (live, not the target, with a fresh report). */
  probers: number;
  /** Of them, those that failed to reach it for failAfterMs. */
  failing: number;
  /** Of them, those that reached it with recoverAfter good probes in a row. */
  healthy: number;
}

/** The key of a (service, node, line, family) in verdict memories. */
export function targetKey(service: string, node: string, line: LineCode, family: Family): string {
  return `${service}\u0000${node}\u0000${line}\u0000${family}`;
}

/**
 * The verdicts now. `downBefore`: keys (targetKey) that were down at the previous step (recovery
 * needs the calm majority, not just the end of the failing one). `reports`: per prober code.
 * Returns every target some counted prober reports, in a stable order, and the keys down now.
 */
export function decideVerdicts(
  downBefore: ReadonlySet<string>,
  reports: ReadonlyMap<string, ProberReport>,
  live: ReadonlySet<string>,
  nowMs: number,
  cfg: VerdictConfig,
): { verdicts: TargetVerdict[]; down: Set<string> } {
  const fresh = [...reports].filter(([code, r]) => live.has(code) && nowMs - r.atMs <= cfg.freshMs);
  const tally = new Map<string, TargetVerdict>();
  for (const [prober, report] of fresh) {
    for (const r of report.results) {
      if (r.target === prober || !live.has(r.target)) continue;
      const key = targetKey(r.service, r.target, r.line, r.family);
      let v = tally.get(key);
      if (!v) {
        // Every fresh live prober other than the target counts, reporting this target or not: one
        // that has not probed it yet counts as not failing (a verdict never rests on fewer voters).
        const probers = fresh.filter(([code]) => code !== r.target).length;
        tally.set(key, (v = { service: r.service, node: r.target, line: r.line, family: r.family, down: false, probers, failing: 0, healthy: 0 }));
      }
      const failingSince = report.atMs - r.failingForMs;
      if (!r.ok && nowMs - failingSince >= cfg.failAfterMs) v.failing += 1;
      if (r.ok && r.goodStreak >= cfg.recoverAfter) v.healthy += 1;
    }
  }
  const down = new Set<string>();
  for (const [key, v] of tally) {
    const majority = (n: number) => n * 2 > v.probers;
    v.down = downBefore.has(key) ? !majority(v.healthy) : majority(v.failing);
    if (v.down) down.add(key);
  }
  const verdicts = [...tally.values()].sort((a, b) => targetKey(a.service, a.node, a.line, a.family).localeCompare(targetKey(b.service, b.node, b.line, b.family)));
  return { verdicts, down };
}

/** The planner's input for the down verdicts: one SlotDown per target, with the service set. */
export function verdictsToSlotDown(verdicts: readonly TargetVerdict[]): SlotDown[] {
  return verdicts
    .filter((v) => v.down)
    .map((v) => ({ node: v.node, line: v.line, family: v.family, service: v.service, reason: `probe: ${v.failing} of ${v.probers} probing nodes cannot reach ${v.service}` }));
}
