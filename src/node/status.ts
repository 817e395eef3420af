// This node's view of the cluster, as the CLI's `status`, the admin API, the status page and the
// metrics show it. Built from the runtime, heartbeat, pusher, DNS sync and the serving plan the
// node reactor computed (never a plan of its own); secrets never enter it.
import type { ServedSlot } from '../cluster/failover.js';
import type { Heartbeat } from '../cluster/heartbeat.js';
import type { Pusher } from '../cluster/pusher.js';
import type { ClusterRuntime, UnpropagatedEdits } from '../cluster/runtime.js';
import type { ServingPlan, UnservedSlot } from '../cluster/serving.js';
import type { DnsSync } from '../dns/sync.js';
import type { DnsPlanRow } from '../dns/plan-rows.js';
import { recordTtls, type FailoverTiming, type RecordTtl } from '../dns/ttl-bound.js';
import type { ProbeStatus } from '../probe/board.js';
import { lineAddressRows, type LineAddress } from '../cluster/addresses.js';
import { familiesOf, type NetworkType } from '../model.js';

export interface NodeStatus {
  nodeCode: string;
  nodeName: string;
  nodeAddress: string;
  workMode: string;
  self: boolean;
  isps: string[];
  networkType: string;
  statusCode: number;
  up: boolean;
  recovering: boolean;
  watchDog: string | null;
  watchDogAgeSeconds: number | null;
  /** The slots the node serves now by this node's serving plan. */
  serving: ServedSlot[];
  /** The state version the node applied, as far as this node knows. */
  stateVersion: number | null;
  lastError: string | null;
  protocol: string | null;
  /** Down in this node's view, but held: no majority confirms it down, so nobody takes its lines. */
  held: boolean;
  /** The node's clock minus this node's, seconds (null: self, or not measured yet). */
  clockOffsetSeconds: number | null;
  /** The address it publishes per (line, family) it owns, serves or has a LineIP entry for (cluster/addresses.ts). */
  addresses: LineAddress[];
}

export interface ClusterStatus {
  node: {
    nodeCode: string;
    nodeName: string;
    workMode: string;
    stateVersion: number;
    /** Leadership term of the state this node holds. */
    term: number;
    joined: boolean;
    startedAt: string;
    uptimeSeconds: number;
    liveForPlanning: string[];
    /** Edits this node accepted as leader that no follower acknowledged before it stepped down. */
    unpropagatedEdits: UnpropagatedEdits | null;
  };
  nodes: NodeStatus[];
  services: { serviceName: string; domain: string; record: string; platformProvider: string; nodes: string[]; allowCreate: boolean; check: string | null }[];
  /** Service health probes: every prober's latest result per (service, node, line, family), and the verdicts. */
  probes: ProbeStatus;
  unserved: UnservedSlot[];
  dns: {
    ips: { ipv4: string | null; ipv6: string | null };
    lastRunAt: string | null;
    lastReason: string | null;
    lastSuccessAt: string | null;
    runs: number;
    lastCounts: Record<string, number> | null;
    lastErrors: string[];
    /** "DNS sync failing": the last run had an error (a failed read or write, a refused plan). */
    failing: boolean;
    /** When the current failing streak began; null while runs are clean. */
    failingSince: string | null;
    /** Whether a provider rejected credentials in the last run (the secret or key is wrong). */
    authFailing: boolean;
    /** Records nothing is sent to until something changes: CNAME conflicts and writes refused for good. */
    blocked: { fqdn: string; type: string; line: string; reason: 'conflict' | 'refused'; detail: string }[];
    /** Each record of the last run with its TTL and failover bound (ttl-bound.ts), warnings included. */
    records: RecordTtl[];
    /** The timings in the bound, seconds. */
    timing: FailoverTiming;
  };
}

export interface StatusSources {
  runtime: ClusterRuntime;
  heartbeat: Heartbeat;
  pusher: Pusher;
  dnsSync: DnsSync;
  /** The node reactor's serving plan for the runtime's state and the heartbeat's live set. */
  plan: ServingPlan;
  /** The probe matrix and verdicts (absent: nothing probed). */
  probes?: ProbeStatus;
  startedAt: Date;
  now?: number;
}

/** The status of this node and, as far as it knows, every other node. */
export function clusterStatus(src: StatusSources): ClusterStatus {
  const { runtime, heartbeat, pusher, dnsSync, plan } = src;
  const now = src.now ?? Date.now();
  const state = runtime.state;
  const me = runtime.nodeCode;
  const serving = plan.byNode;
  const pushes = new Map(pusher.status().map((p) => [p.nodeCode, p]));
  const nodes: NodeStatus[] = state.nodes.map((n) => {
    const self = n.nodeCode === me;
    const view = self ? null : heartbeat.view(n.nodeCode);
    const push = pushes.get(n.nodeCode);
    const up = self ? true : (view?.statusCode ?? n.statusCode) === 200;
    const watchDog = self ? n.watchDog : (view?.watchDog ?? null);
    return {
      nodeCode: n.nodeCode,
      nodeName: n.nodeName,
      nodeAddress: n.nodeAddress,
      workMode: n.workMode,
      self,
      isps: n.isps,
      networkType: n.networkType,
      statusCode: up ? 200 : 504,
      up,
      recovering: view?.recovering ?? false,
      watchDog,
      watchDogAgeSeconds: self ? ageSeconds(n.watchDog, now) : view?.ageMs != null ? Math.round(view.ageMs / 100) / 10 : null,
      serving: (serving.get(n.nodeCode) ?? []).map((e) => ({ line: e.line, family: e.family, takeover: e.takeover, owner: e.owner })),
      stateVersion: self ? state.version : (push?.appliedVersion ?? view?.stateVersion ?? null),
      lastError: push?.lastError ?? view?.lastError ?? null,
      protocol: push?.protocol ?? null,
      held: view?.held ?? false,
      clockOffsetSeconds: view?.clockOffsetMs != null ? Math.round(view.clockOffsetMs / 100) / 10 : null,
      addresses: lineAddressRows(heartbeat.addressesOf(n.nodeCode), n.isps, (serving.get(n.nodeCode) ?? []).map((e) => e.line), familiesOf(n.networkType as NetworkType)),
    };
  });
  const last = dnsSync.last;
  return {
    node: {
      nodeCode: me,
      nodeName: runtime.identity.nodeName,
      workMode: runtime.workMode,
      stateVersion: state.version,
      term: state.term,
      joined: runtime.joined,
      startedAt: src.startedAt.toISOString(),
      uptimeSeconds: Math.round((now - src.startedAt.getTime()) / 1000),
      // The nodes this node plans failover with (its own included once its peers see it live).
      liveForPlanning: [...plan.live],
      unpropagatedEdits: runtime.unpropagatedEdits,
    },
    nodes,
    services: state.services.map((s) => ({ serviceName: s.serviceName, domain: s.domain, record: s.record, platformProvider: s.platformProvider, nodes: s.nodes, allowCreate: s.allowCreate, check: s.check?.url ?? null })),
    probes: src.probes ?? { results: [], verdicts: [] },
    unserved: plan.unserved.map((u) => ({ ...u })),
    dns: {
      ips: { ipv4: dnsSync.ips.ipv4 ?? null, ipv6: dnsSync.ips.ipv6 ?? null },
      lastRunAt: last ? last.at.toISOString() : null,
      lastReason: last?.reason ?? null,
      lastSuccessAt: dnsSync.lastSuccessAt ? dnsSync.lastSuccessAt.toISOString() : null,
      runs: dnsSync.runs,
      lastCounts: last ? { ...last.report.counts } : null,
      lastErrors: last ? last.report.errors.map((e) => e.message) : [],
      failing: last ? last.report.errors.length > 0 : false,
      failingSince: dnsSync.failingSince ? dnsSync.failingSince.toISOString() : null,
      authFailing: last ? last.report.errors.some((e) => e.auth === true) : false,
      blocked: last ? blockedRows(last.report.rows) : [],
      records: last ? recordTtls(last.report.rows, dnsSync.timing) : [],
      timing: dnsSync.timing,
    },
  };
}

function ageSeconds(iso: string, now: number): number | null {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, Math.round((now - t) / 100) / 10) : null;
}

/** The rows nothing is sent to until something changes (a CNAME in the way, a write refused for good), described. */
function blockedRows(rows: readonly DnsPlanRow[]): ClusterStatus['dns']['blocked'] {
  const out: ClusterStatus['dns']['blocked'] = [];
  for (const r of rows) {
    if (r.reason === 'conflict') out.push({ fqdn: r.fqdn, type: r.type, line: r.line, reason: 'conflict', detail: 'a CNAME holds this name; nothing is created next to it' });
    else if (r.reason === 'refused') out.push({ fqdn: r.fqdn, type: r.type, line: r.line, reason: 'refused', detail: r.result?.error ?? 'refused by the provider' });
  }
  return out;
}
