// The cluster's health in one word, as the badge colours it and the status page headlines it.
// Computed from this node's view, with the same "up" rule as clusterStatus() so the badge, the
// status page and /metrics never disagree.
import type { Heartbeat } from '../cluster/heartbeat.js';
import type { ClusterRuntime } from '../cluster/runtime.js';

export interface NodeUp {
  nodeCode: string;
  nodeName: string;
  workMode: string;
  self: boolean;
  up: boolean;
}

/** healthy: every node up; degraded: some down, the leader reachable; leader-down: the leader is not. */
export type HealthLevel = 'healthy' | 'degraded' | 'leader-down';

export interface ClusterHealth {
  up: number;
  total: number;
  level: HealthLevel;
}

export function clusterHealth(nodes: readonly NodeUp[]): ClusterHealth {
  const up = nodes.filter((n) => n.up).length;
  // A follower that has not joined lists only itself: nobody to be unreachable.
  const leader = nodes.find((n) => n.workMode === 'leader');
  const level: HealthLevel = leader && !leader.up ? 'leader-down' : up < nodes.length ? 'degraded' : 'healthy';
  return { up, total: nodes.length, level };
}

/** Up/down per node without the failover plan: cheap enough for every badge request. */
export function nodesUp(runtime: ClusterRuntime, heartbeat: Heartbeat): NodeUp[] {
  const me = runtime.nodeCode;
  return runtime.state.nodes.map((n) => {
    const self = n.nodeCode === me;
    const up = self || (heartbeat.view(n.nodeCode)?.statusCode ?? n.statusCode) === 200;
    return { nodeCode: n.nodeCode, nodeName: n.nodeName, workMode: n.workMode, self, up };
  });
}
