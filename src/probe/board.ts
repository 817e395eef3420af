// The probe board: every prober's latest results as this node knows them (its own prober's, and the
// ones each peer's heartbeat answer carried), and the verdicts drawn from them (verdict.ts). The node
// reactor asks it for the SlotDown entries the serving plan takes, and hears `verdicts` when the set
// of down targets changes. Holds memory; decides nothing itself.
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { SlotDown } from '../cluster/serving.js';
import { FAMILIES, LINE_CODES } from '../model.js';
import { decideVerdicts, verdictsToSlotDown, type ProbeResult, type ProberReport, type TargetVerdict, type VerdictConfig } from './verdict.js';

/** The `probes` field of a v2 heartbeat answer: the answering node's latest results. */
export const probeResultsSchema = z
  .array(
    z.object({
      service: z.string().max(128),
      target: z.string().max(64),
      line: z.enum(LINE_CODES as [string, ...string[]]).transform((v) => v as ProbeResult['line']),
      family: z.enum(FAMILIES as [string, ...string[]]).transform((v) => v as ProbeResult['family']),
      ok: z.boolean(),
      failures: z.number().int().min(0),
      failingForMs: z.number().min(0),
      goodStreak: z.number().int().min(0),
      latencyMs: z.number().min(0).nullable(),
      detail: z.string().max(300),
    }),
  )
  // Bounded (a hostile peer cannot make this node hold an unbounded list); far above any real matrix.
  .max(50_000);

/** The probe matrix as status surfaces show it: who sees whom, per line, and the verdicts. */
export interface ProbeStatus {
  /** Every prober's latest result per target (this node's own included), by prober then target. */
  results: (ProbeResult & { prober: string; ageSeconds: number })[];
  /** One per probed target: down or not, with the tally. */
  verdicts: TargetVerdict[];
}

export interface ProbeBoardEvents {
  /** The set of down targets changed. */
  verdicts: [down: readonly SlotDown[]];
}

export class ProbeBoard extends EventEmitter<ProbeBoardEvents> {
  private readonly reports = new Map<string, ProberReport>();
  private downKeys: Set<string> = new Set();
  private last: TargetVerdict[] = [];
  private slotDownList: SlotDown[] = [];

  constructor(
    private readonly cfg: VerdictConfig,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /**
   * Takes one prober's latest results (this node's own, or a peer's from its heartbeat answer). A
   * peer's `probes` field that does not read is ignored (returns false): an older or foreign peer.
   */
  record(prober: string, results: unknown): boolean {
    const parsed = probeResultsSchema.safeParse(results);
    if (!parsed.success) return false;
    this.reports.set(prober, { atMs: this.now(), results: parsed.data });
    return true;
  }

  /** Forgets probers no longer in the cluster. */
  retain(codes: readonly string[]): void {
    for (const code of this.reports.keys()) if (!codes.includes(code)) this.reports.delete(code);
  }

  /**
   * Draws the verdicts for the live set now; emits `verdicts` when the down set changed. Returns
   * whether it changed.
   */
  step(live: ReadonlySet<string>): boolean {
    const { verdicts, down } = decideVerdicts(this.downKeys, this.reports, live, this.now(), this.cfg);
    this.last = verdicts;
    const changed = down.size !== this.downKeys.size || [...down].some((k) => !this.downKeys.has(k));
    this.downKeys = down;
    if (changed) {
      this.slotDownList = verdictsToSlotDown(verdicts);
      this.emit('verdicts', this.slotDownList);
    }
    return changed;
  }

  /** The down targets as the planner takes them (service set), from the last step. */
  get slotDown(): readonly SlotDown[] {
    return this.slotDownList;
  }

  /**
   * The targets a majority of fresh probers fail to reach right now, however briefly (the verdict
   * rule without the FailAfterSeconds wait), for the live set now. A node finding one of its own
   * slots here does not take the slot's record back from another writer yet: the stand-in may
   * have seen the verdict a heartbeat earlier (reconcile.ts deferSuspectDrift).
   */
  suspects(live: ReadonlySet<string>): SlotDown[] {
    const { verdicts } = decideVerdicts(new Set(), this.reports, live, this.now(), { ...this.cfg, failAfterMs: 0 });
    return verdictsToSlotDown(verdicts);
  }

  /** A stable key of the down set (changes exactly when slotDown does). */
  get downKey(): string {
    return [...this.downKeys].sort().join('|');
  }

  /** The last step's verdicts, one per probed target. */
  get verdicts(): readonly TargetVerdict[] {
    return this.last;
  }

  /**
   * The probe matrix and verdicts for status surfaces (ages on this node's clock, seconds). Only
   * fresh reports (as the verdicts count them): a dead prober's last view is not shown as current.
   */
  status(): ProbeStatus {
    const results = this.matrix()
      .filter((m) => m.ageMs <= this.cfg.freshMs)
      .flatMap((m) => m.results.map((r) => ({ ...r, prober: m.prober, ageSeconds: Math.round(m.ageMs / 100) / 10 })));
    return { results, verdicts: [...this.last] };
  }

  /** Every prober's latest results with their age (this node's clock), for the probe matrix. */
  matrix(): { prober: string; ageMs: number; results: readonly ProbeResult[] }[] {
    const now = this.now();
    return [...this.reports].map(([prober, r]) => ({ prober, ageMs: now - r.atMs, results: r.results })).sort((a, b) => a.prober.localeCompare(b.prober));
  }
}
