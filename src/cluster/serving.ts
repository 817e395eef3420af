// Who serves what now: the failover plan applied to every managed service (pure).
import type { ClusterState, ManagedService } from '../model.js';
import { planAllForService, planForService, unservedForService, type PairAssignment, type ServeEntry } from './failover.js';

export interface ServiceServing {
  service: ManagedService;
  entries: ServeEntry[];
}

/** The (line, family) pairs `me` must write now, per service it serves (services with none are left out). */
export function myServing(state: ClusterState, live: ReadonlySet<string>, me: string): ServiceServing[] {
  const byList = new Map<string, ServeEntry[]>();
  return state.services
    .map((service) => {
      const key = JSON.stringify(service.nodes);
      let entries = byList.get(key);
      if (!entries) byList.set(key, (entries = planForService(state.nodes, service.nodes, live, me)));
      return { service, entries };
    })
    .filter((s) => s.entries.length > 0);
}

/** The distinct node lists services are served by: the plan depends on nothing else of a service. */
function distinctNodeLists(state: ClusterState): string[][] {
  const lists = new Map<string, string[]>();
  for (const s of state.services) lists.set(JSON.stringify(s.nodes), s.nodes);
  // With no service yet the node-level plan still tells an operator which lines each node would serve.
  return lists.size ? [...lists.values()] : [[]];
}

/** Every node's pairs across all services: for status pages (union of services, per node). */
export function servingByNode(state: ClusterState, live: ReadonlySet<string>): Map<string, ServeEntry[]> {
  const out = new Map<string, ServeEntry[]>(state.nodes.map((n) => [n.nodeCode, []]));
  // Planned once per distinct node list, not per service: 200 services on one list plan once.
  for (const serviceNodes of distinctNodeLists(state)) {
    for (const [code, entries] of planAllForService(state.nodes, serviceNodes, live)) {
      const list = out.get(code) ?? [];
      for (const e of entries) {
        if (!list.some((x) => x.line === e.line && x.family === e.family)) list.push(e);
      }
      out.set(code, list);
    }
  }
  return out;
}

/** Pairs no live node can serve, per service. */
export function unserved(state: ClusterState, live: ReadonlySet<string>): { service: string; pairs: PairAssignment[] }[] {
  const byList = new Map<string, PairAssignment[]>();
  return state.services
    .map((s) => {
      const key = JSON.stringify(s.nodes);
      let pairs = byList.get(key);
      if (!pairs) byList.set(key, (pairs = unservedForService(state.nodes, s.nodes, live)));
      return { service: s.serviceName, pairs };
    })
    .filter((u) => u.pairs.length > 0);
}

/** A stable key for a serving plan, to notice when it changes. */
export function servingKey(serving: ServiceServing[]): string {
  return serving
    .map((s) => `${s.service.serviceName}:${s.entries.map((e) => `${e.line}/${e.family}${e.takeover ? '*' : ''}`).join(',')}`)
    .join('|');
}
