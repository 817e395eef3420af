// The serving plan: who serves which slot of every managed service, computed in this one place
// from the replicated state and one liveness view (pure). The node reactor (src/node/reactor.ts)
// computes it once per (state change, liveness view) and hands the same value to DNS sync, the
// status view and metrics; nothing else calls the failover planner for a running node.
import type { ClusterState, Family, LineCode, ManagedService } from '../model.js';
import { assignPairs, nodesForService, planAll, slotDownKey, type PlanNode, type ServedSlot, type SlotAssignment } from './failover.js';

/**
 * One (node, line, family) a live node cannot serve: for every service (its address for that line
 * is unknown) or for one service (a majority of probing nodes cannot reach that service there).
 * The slot fails over as a dead node's would; the node keeps its other slots.
 */
export interface SlotDown {
  readonly node: string;
  readonly line: LineCode;
  readonly family: Family;
  /** The service the verdict is about; absent: every service. */
  readonly service?: string;
  /** Why, for status pages and logs (e.g. "no IPv4 address for line CT", "probe: 2 of 2 probers fail"). */
  readonly reason: string;
}

/** What the planner is fed: the failover planner's own inputs `{nodes, live, me}` plus the services. */
export interface ServingInput {
  /** In cluster order (ClusterState.nodes). */
  readonly nodes: readonly PlanNode[];
  readonly services: readonly ManagedService[];
  /** Node codes live for planning (the heartbeat's view). */
  readonly live: ReadonlySet<string>;
  /** This node's code. */
  readonly me: string;
  /** The state version the plan is for (reported, not used by the rules). */
  readonly stateVersion: number;
  /** Slots live nodes cannot serve (see SlotDown); absent or empty: none. */
  readonly slotDown?: readonly SlotDown[];
}

/** One service's part of the plan. */
export interface ServiceServing {
  service: ManagedService;
  /** Every slot some node of the service owns, and who writes it, in canonical slot order. */
  assignments: SlotAssignment[];
  /** The slots this node writes for the service (may be empty). */
  mine: ServedSlot[];
  /** The SlotDown verdicts that applied to this service, in input order. */
  down: SlotDown[];
}

/** A slot of a service that no live node can serve: its records keep their last value. */
export interface UnservedSlot {
  service: string;
  line: LineCode;
  family: Family;
}

export interface ServingPlan {
  me: string;
  stateVersion: number;
  /** Live for planning, sorted. */
  live: string[];
  /** Every service, in state order. */
  services: ServiceServing[];
  /** Every node's slots across all services (union), every node a key; with no service yet,
   *  the node-level plan (which lines each node would serve). */
  byNode: ReadonlyMap<string, ServedSlot[]>;
  unserved: UnservedSlot[];
  /** Changes exactly when the slots this node writes change (failover, recovery, an edit). */
  key: string;
}

/** The serving plan for one state and one liveness view. Plans once per distinct service node list. */
export function planNodeServing(input: ServingInput): ServingPlan {
  const { nodes, live, me } = input;
  const slotDown = input.slotDown ?? [];
  // Services with the same node list and the same down slots share one plan.
  const perList = new Map<string, { assignments: SlotAssignment[]; byNode: Map<string, ServedSlot[]> }>();
  const planList = (codes: readonly string[], downs: readonly SlotDown[]) => {
    const down = new Set(downs.map((d) => slotDownKey(d.node, d.line, d.family)));
    const key = JSON.stringify([codes, [...down].sort()]);
    let p = perList.get(key);
    if (!p) {
      const members = nodesForService(nodes, codes);
      perList.set(key, (p = { assignments: assignPairs({ nodes: members, live, down }), byNode: planAll({ nodes: members, live, down }) }));
    }
    return p;
  };
  const downFor = (service: string | null) => slotDown.filter((d) => d.service === undefined || d.service === service);
  const services = input.services.map((service) => {
    const down = downFor(service.serviceName);
    const p = planList(service.nodes, down);
    return { service, assignments: p.assignments, mine: p.byNode.get(me) ?? [], down };
  });
  // With no service yet the node-level plan still tells an operator which lines each node would serve.
  const lists = input.services.length ? services.map((s) => [s.service.nodes, s.down] as const) : [[[], downFor(null)] as const];
  const byNode = new Map<string, ServedSlot[]>(nodes.map((n) => [n.nodeCode, []]));
  for (const [codes, downs] of lists) {
    for (const [code, slots] of planList(codes, downs).byNode) {
      const union = byNode.get(code) ?? [];
      for (const s of slots) if (!union.some((x) => x.line === s.line && x.family === s.family)) union.push(s);
      byNode.set(code, union);
    }
  }
  const unserved = services.flatMap((s) =>
    s.assignments.filter((a) => a.servedBy === null).map((a) => ({ service: s.service.serviceName, line: a.line, family: a.family })),
  );
  return { me, stateVersion: input.stateVersion, live: [...live].sort(), services, byNode, unserved, key: servingKey(services) };
}

/** The serving plan of a cluster state as this node sees it. */
export function planStateServing(
  state: ClusterState,
  live: ReadonlySet<string>,
  me: string,
  slotDown: readonly SlotDown[] = [],
): ServingPlan {
  return planNodeServing({ nodes: state.nodes, services: state.services, live, me, stateVersion: state.version, slotDown });
}

/** A stable key for the slots this node writes, to notice when they change. */
function servingKey(services: readonly ServiceServing[]): string {
  return services
    .filter((s) => s.mine.length > 0)
    .map((s) => `${s.service.serviceName}:${s.mine.map((e) => `${e.line}/${e.family}${e.takeover ? '*' : ''}`).join(',')}`)
    .join('|');
}
