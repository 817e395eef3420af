// The address of one (line, family) as a node publishes it, from successive detection readings.
// Pure. The same "taken after two readings" rule works in both directions, so one odd reading never
// moves a line: a new address is taken after `confirmations` equal readings in a row (stepStable),
// the slot is down (published null) after `confirmations` failed readings in a row, and back up
// after `confirmations` equal good readings in a row.
import { INITIAL_STABLE, stepStable, type StableState } from './agree.js';

export interface SlotReadingState {
  /** The accepted address (stepStable); kept while down so a return to it is recognised. */
  readonly stable: StableState;
  /** Failed readings in a row. */
  readonly failures: number;
  /** Detection failed `confirmations` times in a row, and has not recovered since. */
  readonly down: boolean;
  /** While down: the address read lately and how many times in a row. */
  readonly upCandidate: string | null;
  readonly upCount: number;
}

export const INITIAL_SLOT_READING: SlotReadingState = Object.freeze({ stable: INITIAL_STABLE, failures: 0, down: false, upCandidate: null, upCount: 0 });

/** One reading (null: detection failed) applied to the state. */
export function stepSlotReading(state: SlotReadingState, reading: string | null, confirmations = 2): SlotReadingState {
  const need = Math.max(1, confirmations);
  if (reading === null) {
    const failures = state.failures + 1;
    return { ...state, failures, down: state.down || failures >= need, upCandidate: null, upCount: 0 };
  }
  if (!state.down) return { ...state, stable: stepStable(state.stable, reading, need), failures: 0 };
  const upCount = state.upCandidate === reading ? state.upCount + 1 : 1;
  if (upCount < need) return { ...state, failures: 0, upCandidate: reading, upCount };
  return { stable: { accepted: reading, candidate: null, count: 0 }, failures: 0, down: false, upCandidate: null, upCount: 0 };
}

/**
 * What the node publishes for the slot: the accepted address, null while down, undefined before
 * any reading decided anything (a node that has not read its address yet is unknown, not down).
 */
export function publishedOf(state: SlotReadingState): string | null | undefined {
  if (state.down) return null;
  return state.stable.accepted ?? undefined;
}
