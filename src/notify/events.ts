// Which events a node sees, and which node announces each: pure functions of what the node knows
// (its DNS pass, its liveness view, the cluster state). The rule that makes every event announced
// exactly once cluster-wide:
//
// - failover / recovery / dns-error: the node that made (or failed) the DNS change. A takeover slot
//   is planned on exactly one node (cluster/failover.ts), and a record is written once per change
//   (later passes find it in sync), so one write is one message.
// - node-down / node-up / clock-skew about node X: the *reporter* for X, `reporterFor` below — the
//   leader if it is live and is not X, else the first live node in cluster order other than X. Every
//   node computes the same reporter from the same view; X itself never reports about itself (it
//   cannot see its own absence, and on its return its own view is still forming).
// - leader-change: the new leader, once, when it takes the role.
import type { SlotDown } from '../cluster/serving.js';
import type { DnsPlanRow } from '../dns/plan-rows.js';
import type { ReconcileReport } from '../dns/reconcile.js';
import type { NotifyEvent } from '../model.js';
import type { NotifyMessage } from './message.js';

/**
 * The node that announces node-down, node-up and clock-skew about `subject`: the leader if it is
 * in `live` and is not `subject`, else the first node of `order` (cluster order) that is live and
 * is not `subject`; null when no such node exists.
 */
export function reporterFor(order: readonly string[], leader: string | null, live: ReadonlySet<string>, subject: string): string | null {
  if (leader !== null && leader !== subject && live.has(leader)) return leader;
  return order.find((code) => code !== subject && live.has(code)) ?? null;
}

/** What this node last knew of each peer's liveness: `up` once seen live, `down` after that. */
export type LivenessMemory = ReadonlyMap<string, 'up' | 'down'>;

export interface LivenessTransition {
  node: string;
  event: 'node-down' | 'node-up';
}

/**
 * The liveness transitions between the memory and the live set now, for the nodes of `order`
 * except `me`, and the memory after them. A node is first recorded when it is first seen live
 * (silently: a node starting up hears its peers for the first time, which is no news); after that,
 * leaving the live set is `node-down` and re-entering it `node-up`. Nodes no longer in `order` are
 * forgotten.
 */
export function livenessTransitions(memory: LivenessMemory, live: ReadonlySet<string>, order: readonly string[], me: string): { transitions: LivenessTransition[]; memory: Map<string, 'up' | 'down'> } {
  const next = new Map<string, 'up' | 'down'>();
  const transitions: LivenessTransition[] = [];
  for (const code of order) {
    if (code === me) continue;
    const before = memory.get(code);
    const now = live.has(code) ? 'up' : 'down';
    if (before === undefined) {
      if (now === 'up') next.set(code, 'up');
      continue;
    }
    next.set(code, now);
    if (before !== now) transitions.push({ node: code, event: now === 'up' ? 'node-up' : 'node-down' });
  }
  return { transitions, memory: next };
}

/** The message fields a DNS event fills in beyond the common ones (time, cluster, node). */
export type DnsEventFields = Pick<NotifyMessage, 'service' | 'record' | 'line' | 'family' | 'oldAddress' | 'newAddress' | 'reason'> & { event: NotifyEvent };

/**
 * The failover and recovery events of one applied DNS pass: a written takeover row is a `failover`
 * (the record moved to this node, standing in for a down owner); a written non-takeover row whose
 * slot came back to this node (`reassigned`) over another address is a `recovery` (the record is
 * back on its owner). Rows not written (in sync, failed, refused, dry run) are no event.
 *
 * `slotDown`: the (node, line, family) verdicts of the plan the pass ran on (serving.ts SlotDown).
 * A takeover of a slot with such a verdict (its owner runs, but its service probe or its line's
 * address failed) gives that verdict's reason; otherwise the owner itself is down.
 */
export function dnsRowEvents(rows: readonly DnsPlanRow[], slotDown: readonly SlotDown[] = []): DnsEventFields[] {
  const out: DnsEventFields[] = [];
  for (const r of rows) {
    if (r.result?.outcome !== 'ok' || (r.action !== 'update' && r.action !== 'create')) continue;
    const base = { service: r.service, record: r.fqdn, line: r.line, family: r.family, oldAddress: r.current, newAddress: r.desired };
    const verdict = slotDown.find((d) => d.line === r.line && d.family === r.family && (d.service === undefined || d.service === r.service));
    const why = verdict ? `node ${verdict.node}'s line is down (${verdict.reason})` : 'the line\'s owner is down';
    if (r.takeover) out.push({ event: 'failover', ...base, reason: `${why}; this node stands in for it` });
    else if (r.reason === 'reassigned' && r.current !== null && r.current !== r.desired) out.push({ event: 'recovery', ...base, reason: 'the line is back on its owner' });
  }
  return out;
}

/**
 * Whether a DNS pass starts a failing spell: it failed and the pass before did not (`wasFailing`).
 * A failing pass retried with backoff is one spell, one message; a pass that succeeds ends it.
 * Returns the event (or null) and whether the node is failing after this pass.
 */
export function dnsErrorEvent(report: Pick<ReconcileReport, 'errors' | 'dryRun'>, wasFailing: boolean): { event: DnsEventFields | null; failing: boolean } {
  if (report.dryRun) return { event: null, failing: wasFailing };
  const failing = report.errors.length > 0;
  if (!failing || wasFailing) return { event: null, failing };
  const first = report.errors[0]!;
  const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : '';
  return {
    event: { event: 'dns-error', service: first.service, record: null, line: null, family: null, oldAddress: null, newAddress: null, reason: `${first.provider} ${first.stage}: ${first.message}${more}` },
    failing,
  };
}
