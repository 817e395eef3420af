// Quit hand-off: when a node leaves the cluster for good, the leader gives its lines to the
// remaining nodes in the state it pushes, so no record is left on an address nobody maintains.
//
// Ownership is `isps × networkType`, so a line can only be handed over by adding it to a node's
// `isps`; the node then owns that line for every family it covers. That shapes the rules:
// - For each (line, family) the quitter owned that no remaining node owns, the taker is the first
//   remaining node in cluster order that is not `None` and covers the family — the node the
//   failover planner would already have picked while the quitter was merely down, so the quit
//   itself moves no record.
// - Except when adding the line would make the taker the *first* owner of another family of the
//   line that a later node owns today: that would silently steal that node's records (the planner
//   gives a pair to its first live owner). Such a candidate is skipped for the next one. Becoming
//   a second owner behind an earlier owner is harmless (a standby) and allowed.
// - networkType is never widened: that would put a new address family of the node into DNS,
//   which is the operator's call, not a side effect of somebody else quitting.
// - A pair nobody can take is reported as unserved; its records keep their last value.

import { FAMILIES, LINE_CODES, type ClusterNode, type Family, type LineCode, type LineSlot } from '../model.js';
import { canTakeOver, ownedPairs, ownsPair } from './failover.js';

/** A pair of the quitter that a remaining node now owns because of the hand-off. */
export interface HandOffMove {
  line: LineCode;
  family: Family;
  to: string;
}

/** A pair a taker now owns besides its moves, because it covers that family too. */
export interface HandOffExtra {
  node: string;
  line: LineCode;
  family: Family;
  /** An earlier node that owns the pair and keeps serving it (the taker is a standby), or null
   *  when the taker is now the pair's first owner (nobody owned it before). */
  firstOwner: string | null;
}

export interface HandOffResult {
  /** The cluster without the quitter, in the same order; changed nodes are new objects. */
  nodes: ClusterNode[];
  /** The quitter, or null when no node has that code (then `nodes` is an unchanged copy). */
  removed: ClusterNode | null;
  moves: HandOffMove[];
  /** Pairs of the quitter that remaining nodes already owned: nothing to do, reported for clarity. */
  alreadyOwned: Array<LineSlot & { by: string }>;
  /** Pairs of the quitter nobody can take: no remaining non-`None` node covers the family
   *  without stealing another node's records. */
  unserved: LineSlot[];
  extras: HandOffExtra[];
}

function firstOwnerIndex(nodes: readonly ClusterNode[], pair: LineSlot): number {
  return nodes.findIndex((node) => ownsPair(node, pair));
}

export function handOffOnQuit(nodes: readonly ClusterNode[], quittingCode: string): HandOffResult {
  const quitIndex = nodes.findIndex((node) => node.nodeCode === quittingCode);
  if (quitIndex < 0) {
    return { nodes: [...nodes], removed: null, moves: [], alreadyOwned: [], unserved: [], extras: [] };
  }
  const removed = nodes[quitIndex];
  const remaining = nodes.filter((_, i) => i !== quitIndex);
  // Snapshot of who owned what before any line was added, to tell moves from pre-existing owners.
  const before = remaining.slice();

  const moves: HandOffMove[] = [];
  const alreadyOwned: Array<LineSlot & { by: string }> = [];
  const unserved: LineSlot[] = [];

  for (const pair of ownedPairs([removed])) {
    const existing = firstOwnerIndex(before, pair);
    if (existing >= 0) {
      alreadyOwned.push({ ...pair, by: before[existing].nodeCode });
      continue;
    }
    // An earlier pair of this line may already have been handed to a node covering this family.
    const gained = firstOwnerIndex(remaining, pair);
    if (gained >= 0) {
      moves.push({ ...pair, to: remaining[gained].nodeCode });
      continue;
    }
    const takerIndex = remaining.findIndex(
      (node, i) => canTakeOver(node, pair.family) && !wouldSteal(remaining, i, pair.line),
    );
    if (takerIndex < 0) {
      unserved.push(pair);
      continue;
    }
    const taker = remaining[takerIndex];
    remaining[takerIndex] = { ...taker, isps: [...taker.isps, pair.line] };
    moves.push({ ...pair, to: taker.nodeCode });
  }

  const moved = new Set(moves.map((m) => `${m.to}:${pairKey(m)}`));
  const extras: HandOffExtra[] = [];
  remaining.forEach((node, i) => {
    if (node === before[i]) return;
    for (const line of LINE_CODES) {
      for (const family of FAMILIES) {
        const pair = { line, family };
        if (ownsPair(before[i], pair) || !ownsPair(node, pair) || moved.has(`${node.nodeCode}:${pairKey(pair)}`)) continue;
        const first = firstOwnerIndex(remaining, pair);
        extras.push({ node: node.nodeCode, line, family, firstOwner: first === i ? null : remaining[first].nodeCode });
      }
    }
  });

  return { nodes: remaining, removed, moves, alreadyOwned, unserved, extras };
}

// Adding `line` to nodes[index] steals when, for some family the node covers, the line is owned
// by a node after it in cluster order and by none before it.
function wouldSteal(nodes: readonly ClusterNode[], index: number, line: LineCode): boolean {
  return FAMILIES.some((family) => {
    if (!canTakeOver(nodes[index], family)) return false;
    const first = firstOwnerIndex(nodes, { line, family });
    return first > index;
  });
}

function pairKey(pair: LineSlot): string {
  return `${pair.line}/${pair.family}`;
}
