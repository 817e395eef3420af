// The failover planner: who serves which (line, family) pair, for any number of nodes.
//
// Every node runs this on the replicated state and its own liveness view, and only writes the
// records of the pairs planned for itself. Everything here is a pure function of its inputs, so
// nodes with the same state and the same live set compute the same partition; no tie is ever left
// to iteration order of a Set or Map (only the cluster order of `nodes` and the fixed order of
// LINE_CODES × FAMILIES decide).
//
// Rules (see docs/failover.md):
// - A node owns (line, family) when it lists the line in `isps` and its networkType covers the
//   family. A node whose `isps` contains `None` owns nothing and never takes over, even if other
//   codes are listed beside `None`: `None` marks a node whose address must never land in DNS (an
//   admin-only leader on a VPS, say), and "None wins" is the safe reading of a contradictory list.
// - The first live owner in cluster order serves a pair. Operators should not list a line on two
//   nodes, but if they do the later owners are standbys rather than a second writer of one record.
// - A pair with no live owner is taken over by the first live node in cluster order that is not a
//   `None` node and covers the family. A node with an empty `isps` is eligible: that is a spare.
// - If no live node is eligible the pair is unserved: its records keep whatever value they have.
// - Only pairs some node owns are planned; lines nobody lists are never invented.

import {
  FAMILIES,
  LINE_CODES,
  servesFamily,
  type Family,
  type IspCode,
  type LineCode,
  type LineSlot,
  type NetworkType,
} from '../model.js';

/** The part of a ClusterNode the planner looks at (a ClusterNode is one). */
export interface PlanNode {
  readonly nodeCode: string;
  readonly isps: readonly IspCode[];
  readonly networkType: NetworkType;
}

/** One slot (model.ts LineSlot) a node must write, and whose it is. */
export interface ServedSlot extends LineSlot {
  /** The node whose line it is: the serving node itself unless this is a takeover; for a
   *  takeover, the first owner in cluster order (all owners are down). */
  owner: string;
  /** True when the serving node does not own the pair and stands in for dead owners. */
  takeover: boolean;
}

/** The full decision for one slot: who owns it and who writes it, for status pages and the unserved report. */
export interface SlotAssignment extends LineSlot {
  /** Every node owning the pair, in cluster order. Never empty. */
  owners: string[];
  /** The node that writes the pair's records, or null when nobody can. */
  servedBy: string | null;
  takeover: boolean;
}

export interface PlanAllInput {
  /** In cluster order: the order that breaks every tie, identical on every node. */
  readonly nodes: readonly PlanNode[];
  /** Node codes considered live for planning (see liveness.ts); unknown codes are ignored. */
  readonly live: ReadonlySet<string>;
  /**
   * Slots a live node cannot serve, as `slotDownKey(node, line, family)` keys: its address for that
   * line is unknown, or health probes say users on that line cannot reach it. Such a node neither
   * serves the slot as owner nor stands in for it; the slot falls to the next live owner, else to
   * a stand-in, exactly as if the node were dead for that one slot. Absent: no slot is down.
   */
  readonly down?: ReadonlySet<string>;
}

export interface PlanInput extends PlanAllInput {
  /** The node asking: which pairs must I write? */
  readonly me: string;
}

/** Whether the node is a `None` node: owns no line, never serves, never takes over. */
export function isNoneNode(node: PlanNode): boolean {
  return node.isps.includes('None');
}

/** Whether the node owns the pair (lists the line and covers the family, and is not `None`). */
export function ownsPair(node: PlanNode, pair: LineSlot): boolean {
  return !isNoneNode(node) && node.isps.includes(pair.line) && servesFamily(node.networkType, pair.family);
}

/** Whether the node may stand in for a dead owner of a pair of this family. */
export function canTakeOver(node: PlanNode, family: Family): boolean {
  return !isNoneNode(node) && servesFamily(node.networkType, family);
}

/** Pairs owned by at least one of the nodes, in canonical order (LINE_CODES, then FAMILIES). */
export function ownedPairs(nodes: readonly PlanNode[]): LineSlot[] {
  const pairs: LineSlot[] = [];
  for (const line of LINE_CODES) {
    for (const family of FAMILIES) {
      const pair = { line, family };
      if (nodes.some((node) => ownsPair(node, pair))) pairs.push(pair);
    }
  }
  return pairs;
}

/** The key of one (node, line, family) in PlanAllInput.down. */
export function slotDownKey(node: string, line: LineCode, family: Family): string {
  return `${node}/${line}/${family}`;
}

// A node code listed twice would make two entries claim one identity; the first occurrence is the
// one that counts (config validation should reject duplicates; the planner must still not split).
function distinctNodes(nodes: readonly PlanNode[]): PlanNode[] {
  const seen = new Set<string>();
  return nodes.filter((node) => {
    if (seen.has(node.nodeCode)) return false;
    seen.add(node.nodeCode);
    return true;
  });
}

/** The decision for every owned pair, in canonical pair order. */
export function assignPairs(input: PlanAllInput): SlotAssignment[] {
  const nodes = distinctNodes(input.nodes);
  const down = input.down;
  return ownedPairs(nodes).map((pair) => {
    // Live for this slot: live, and not down for this (line, family) alone.
    const up = (node: PlanNode) => input.live.has(node.nodeCode) && !down?.has(slotDownKey(node.nodeCode, pair.line, pair.family));
    const owners = nodes.filter((node) => ownsPair(node, pair));
    const liveOwner = owners.find(up);
    const ownerCodes = owners.map((node) => node.nodeCode);
    if (liveOwner) {
      // A later owner serving because an earlier one is down for this slot serves its own line
      // (takeover: false), exactly as a standby owner does when the first owner is dead.
      return { ...pair, owners: ownerCodes, servedBy: liveOwner.nodeCode, takeover: false };
    }
    const standIn = nodes.find((node) => up(node) && canTakeOver(node, pair.family));
    return { ...pair, owners: ownerCodes, servedBy: standIn ? standIn.nodeCode : null, takeover: standIn !== undefined };
  });
}

function toEntry(a: SlotAssignment): ServedSlot {
  // A non-takeover pair is served by its first live owner, which is the serving node itself.
  return { line: a.line, family: a.family, owner: a.takeover ? a.owners[0] : a.servedBy!, takeover: a.takeover };
}

/** Who serves what: every input node is a key (a node serving nothing maps to []). */
export function planAll(input: PlanAllInput): Map<string, ServedSlot[]> {
  const plan = new Map<string, ServedSlot[]>();
  for (const node of distinctNodes(input.nodes)) plan.set(node.nodeCode, []);
  for (const a of assignPairs(input)) {
    if (a.servedBy !== null) plan.get(a.servedBy)!.push(toEntry(a));
  }
  return plan;
}

/** The pairs `me` must write, in canonical pair order; [] if `me` is not live or not in `nodes`. */
export function planServing(input: PlanInput): ServedSlot[] {
  return assignPairs(input)
    .filter((a) => a.servedBy === input.me)
    .map(toEntry);
}

/** Owned pairs that nobody can serve: all owners down and no live node eligible to stand in. */
export function unservedPairs(input: PlanAllInput): SlotAssignment[] {
  return assignPairs(input).filter((a) => a.servedBy === null);
}

/**
 * The nodes that serve a service, in cluster order. `serviceNodeCodes` is ManagedService.nodes:
 * empty means every node; codes that name no node are ignored.
 */
export function nodesForService<N extends PlanNode>(nodes: readonly N[], serviceNodeCodes: readonly string[]): N[] {
  if (serviceNodeCodes.length === 0) return [...nodes];
  const wanted = new Set(serviceNodeCodes);
  return nodes.filter((node) => wanted.has(node.nodeCode));
}

/**
 * The pairs `me` must write for one service. Only the service's nodes own, serve and take over
 * its records: a node outside `serviceNodeCodes` never stands in for it, and lines only such a
 * node lists are not planned for the service.
 */
export function planForService(
  nodes: readonly PlanNode[],
  serviceNodeCodes: readonly string[],
  live: ReadonlySet<string>,
  me: string,
): ServedSlot[] {
  return planServing({ nodes: nodesForService(nodes, serviceNodeCodes), live, me });
}

/** planAll for one service; only the service's nodes are keys. */
export function planAllForService(
  nodes: readonly PlanNode[],
  serviceNodeCodes: readonly string[],
  live: ReadonlySet<string>,
): Map<string, ServedSlot[]> {
  return planAll({ nodes: nodesForService(nodes, serviceNodeCodes), live });
}

/** unservedPairs for one service. */
export function unservedForService(
  nodes: readonly PlanNode[],
  serviceNodeCodes: readonly string[],
  live: ReadonlySet<string>,
): SlotAssignment[] {
  return unservedPairs({ nodes: nodesForService(nodes, serviceNodeCodes), live });
}
