// Which probes this node runs (pure): for every checked service, every OTHER node of the service, every
// (line, family) that node owns or serves, at the address it publishes for that line and family.
// Probes that would hit the same URL for one service and node are run once and fanned out to every
// (line, family) sharing it (without per-line addresses, all of a node's lines share one address).
import type { ServingPlan } from '../cluster/serving.js';
import { nodesForService } from '../cluster/failover.js';
import { familiesOf, serviceFqdn, type ClusterState, type Family, type LineCode, type ServiceCheck } from '../model.js';
import { probeEndpoint, type ProbeEndpoint } from './check.js';

/** The address a node publishes for a (line, family), or null when it publishes none. */
export type AddressOf = (node: string, line: LineCode, family: Family) => string | null;

/** One probe to run: one service, one node, one URL, and every (line, family) it stands for. */
export interface ProbeJob {
  /** `service|node|url`: stable across rounds while nothing changes. */
  key: string;
  service: string;
  check: ServiceCheck;
  node: string;
  endpoint: ProbeEndpoint;
  slots: { line: LineCode; family: Family }[];
}

/**
 * The probes for this node (`me`) now. Lines a node owns come from its ISP list; lines it serves from
 * the serving plan (a stand-in's takeover), so a stand-in that cannot serve a line is noticed too.
 * A (line, family) with no published address is not probed (the address failure is its own verdict).
 */
export function probeJobs(state: ClusterState, plan: Pick<ServingPlan, 'byNode'>, me: string, addressOf: AddressOf): ProbeJob[] {
  const jobs = new Map<string, ProbeJob>();
  for (const service of state.services) {
    if (!service.check) continue;
    const fqdn = serviceFqdn(service);
    for (const node of nodesForService(state.nodes, service.nodes)) {
      if (node.nodeCode === me) continue;
      const slots: { line: LineCode; family: Family }[] = [];
      const add = (line: LineCode, family: Family) => {
        if (!slots.some((s) => s.line === line && s.family === family)) slots.push({ line, family });
      };
      for (const family of familiesOf(node.networkType)) for (const isp of node.isps) if (isp !== 'None') add(isp, family);
      for (const s of plan.byNode.get(node.nodeCode) ?? []) add(s.line, s.family);
      for (const { line, family } of slots) {
        const address = addressOf(node.nodeCode, line, family);
        if (!address) continue;
        const endpoint = probeEndpoint(service.check, address, family, fqdn);
        if (!endpoint) continue;
        const key = `${service.serviceName}|${node.nodeCode}|${endpoint.url}`;
        const job = jobs.get(key) ?? { key, service: service.serviceName, check: service.check, node: node.nodeCode, endpoint, slots: [] };
        job.slots.push({ line, family });
        jobs.set(key, job);
      }
    }
  }
  return [...jobs.values()];
}
