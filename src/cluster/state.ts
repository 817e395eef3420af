// Pure operations on the replicated cluster state. No I/O: the runtime persists and pushes results.
import type { ClusterNode, ClusterState } from '../model.js';

/** A follower has joined a cluster when its node list holds more than itself (the original's rule). */
export function isJoined(state: ClusterState): boolean {
  return state.nodes.length > 1;
}

export function findNode(state: ClusterState, nodeCode: string): ClusterNode | undefined {
  return state.nodes.find((n) => n.nodeCode === nodeCode);
}

/**
 * A follower applies the leader's state but keeps its own view of every node's liveness
 * (`statusCode`, `watchDog`): liveness is judged locally, not copied from the leader.
 */
export function applyPushedState(current: ClusterState, incoming: ClusterState): ClusterState {
  const mine = new Map(current.nodes.map((n) => [n.nodeCode, n]));
  return {
    ...incoming,
    nodes: incoming.nodes.map((n) => {
      const local = mine.get(n.nodeCode);
      return local ? { ...n, statusCode: local.statusCode, watchDog: local.watchDog } : { ...n };
    }),
  };
}

/** Leaving a cluster: back to a cluster of one, services and accounts forgotten, version kept monotonic. */
export function resetToSelf(current: ClusterState, self: ClusterNode): ClusterState {
  const mine = findNode(current, self.nodeCode) ?? self;
  return { version: current.version + 1, term: current.term, nodes: [{ ...mine }], services: [], cloudAccounts: [], notifiers: [] };
}
