// Who serves what now: the failover plan applied to every managed service (pure).
import type { ClusterState, ManagedService } from '../model.js';
import { planAllForService, planForService, unservedForService, type PairAssignment, type ServeEntry } from './failover.js';

export interface ServiceServing {
  service: ManagedService;
  entries: ServeEntry[];
}

/** The (line, family) pairs `me` must write now, per service it serves (services with none are left out). */
export function myServing(state: ClusterState, live: ReadonlySet<string>, me: string): ServiceServing[] {
  return state.services
    .map((service) => ({ service, entries: planForService(state.nodes, service.nodes, live, me) }))
    .filter((s) => s.entries.length > 0);
}

/** Every node's pairs across all services: for status pages (union of services, per node). */
export function servingByNode(state: ClusterState, live: ReadonlySet<string>): Map<string, ServeEntry[]> {
  const out = new Map<string, ServeEntry[]>(state.nodes.map((n) => [n.nodeCode, []]));
  // With no service yet the node-level plan still tells an operator which lines each node would serve.
  const services = state.services.length ? state.services.map((s) => s.nodes) : [[]];
  for (const serviceNodes of services) {
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
  return state.services
    .map((s) => ({ service: s.serviceName, pairs: unservedForService(state.nodes, s.nodes, live) }))
    .filter((u) => u.pairs.length > 0);
}

/** A stable key for a serving plan, to notice when it changes. */
export function servingKey(serving: ServiceServing[]): string {
  return serving
    .map((s) => `${s.service.serviceName}:${s.entries.map((e) => `${e.line}/${e.family}${e.takeover ? '*' : ''}`).join(',')}`)
    .join('|');
}
