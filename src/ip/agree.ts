// Deciding on one address from several readings, and not moving on a single odd one. Both are
// pure: a detected IP can alternate (dual-WAN load balancing, IPv6 temporary addresses, a v6 answer
// to a v4 query), and writing DNS on every flicker would make records flap.

/**
 * The address at least `minAgree` readings agree on, and more than agree on any other; null when
 * there is no such address. Failed readings (null/undefined) count for nothing.
 */
export function agree(readings: readonly (string | null | undefined)[], minAgree: number): string | null {
  const counts = new Map<string, number>();
  for (const r of readings) if (r) counts.set(r, (counts.get(r) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const [top, second] = ranked;
  if (!top || top[1] < Math.max(1, minAgree)) return null;
  if (second && second[1] === top[1]) return null;
  return top[0];
}

export interface StableState {
  /** The address in use, null until the first reading. */
  accepted: string | null;
  /** A different address seen lately, and how many times in a row. */
  candidate: string | null;
  count: number;
}

export const INITIAL_STABLE: StableState = Object.freeze({ accepted: null, candidate: null, count: 0 });

/**
 * One step of the tracker: the accepted address changes only after the same new address was read
 * `confirmations` times in a row. The first address is accepted at once (nothing to protect yet);
 * a failed reading (null) changes nothing.
 */
export function stepStable(state: StableState, reading: string | null, confirmations: number): StableState {
  if (reading === null) return state;
  if (state.accepted === null) return { accepted: reading, candidate: null, count: 0 };
  if (reading === state.accepted) return { accepted: state.accepted, candidate: null, count: 0 };
  const count = state.candidate === reading ? state.count + 1 : 1;
  if (count >= Math.max(1, confirmations)) return { accepted: reading, candidate: null, count: 0 };
  return { accepted: state.accepted, candidate: reading, count };
}

/** A small stateful wrapper around stepStable, one per address family. */
export class StableIp {
  private state: StableState = INITIAL_STABLE;

  constructor(readonly confirmations = 2) {}

  /** Feeds one reading (null = detection failed); returns the accepted address. */
  observe(reading: string | null): string | null {
    this.state = stepStable(this.state, reading, this.confirmations);
    return this.state.accepted;
  }

  get current(): string | null {
    return this.state.accepted;
  }

  get pending(): { address: string; count: number } | null {
    return this.state.candidate ? { address: this.state.candidate, count: this.state.count } : null;
  }
}
