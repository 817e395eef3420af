// The public status view: what /v1/status shows and /v1/status.json returns. Built from the same
// clusterStatus() as the admin API and the node reactor's serving plan, then reduced to what a
// visitor may see. Like the original's page it never carries a secret, an access key, the DSN, a
// node code or a node address; nodes are named by name and keyed by their position in the cluster
// order.
import type { ServingPlan } from '../../cluster/serving.js';
import type { ClusterStatus } from '../../node/status.js';
import type { Config } from '../../config/index.js';
import type { ClusterState, Family, LineCode } from '../../model.js';
import { recordType, serviceFqdn } from '../../model.js';
import { displayName } from '../../dns/domain-name.js';
import { clusterHealth, type ClusterHealth } from '../../metrics/health.js';
import { nodeLabels } from '../../metrics/labels.js';
import { makeScrubber, secretWarnings } from '../../security/index.js';
import type { TargetVerdict } from '../../probe/verdict.js';
import type { AuditEntry } from '../../store/index.js';
import type { LineValues, LineValueState } from '../../node/line-values.js';
import { softwareVersion } from './version.js';

/** A slot a node serves, as a visitor sees it. */
export interface PublicServedSlot {
  line: LineCode;
  family: Family;
  takeover: boolean;
  /** For a takeover: the name of the node whose line it is. */
  from: string | null;
}

export interface PublicNode {
  /** Position in the cluster order: the stable key (node codes are not public). */
  index: number;
  name: string;
  role: string;
  self: boolean;
  up: boolean;
  recovering: boolean;
  /** Down in this node's view, but no majority confirms it: its lines are held, not taken over. */
  held: boolean;
  watchdogAgeSeconds: number | null;
  /** Its clock minus this node's, seconds (null: this node, or not measured yet). */
  clockOffsetSeconds: number | null;
  networkType: string;
  /** The lines the node lists (its own). */
  owns: string[];
  /** The (line, family) slots it serves now, takeovers included. */
  serving: PublicServedSlot[];
  /** The address it publishes per (line, family): `up` with the address, `down` (detection failed; the slot fails over) or `unknown`. */
  addresses: { line: LineCode; family: Family; address: string | null; state: 'up' | 'down' | 'unknown'; ownEntry: boolean }[];
  stateVersion: number | null;
}

export interface PublicLine {
  line: LineCode;
  family: Family;
  type: 'A' | 'AAAA';
  owners: string[];
  servedBy: string | null;
  takeover: boolean;
  /** The record's value as this node last read or wrote it; null: unknown here. */
  value: string | null;
  state: LineValueState | 'unknown';
  observedAt: string | null;
}

export interface PublicService {
  name: string;
  fqdn: string;
  provider: string;
  lines: PublicLine[];
}

export interface PublicChange {
  at: string;
  node: string;
  fqdn: string;
  type: string;
  line: string;
  oldValue: string | null;
  newValue: string;
  outcome: string;
  error: string | null;
}

/** One prober's latest view of one target, as a visitor sees it (node names, never codes). */
export interface PublicProbeCell {
  prober: string;
  ok: boolean;
  /** Failed probes in a row. */
  failures: number;
  latencyMs: number | null;
  detail: string;
  /** Age of the prober's report on this node's clock, seconds. */
  ageSeconds: number;
}

/** A probed (service, node, line, family): the verdict, its tally (less `healthy`), and who sees it how. */
export interface PublicProbeTarget extends Omit<TargetVerdict, 'healthy'> {
  seenBy: PublicProbeCell[];
}

export interface PublicStatus {
  generatedAt: string;
  node: { name: string; role: string; version: string; stateVersion: number; joined: boolean; startedAt: string; uptimeSeconds: number };
  health: ClusterHealth;
  nodes: PublicNode[];
  services: PublicService[];
  dns: {
    ipv4: string | null;
    ipv6: string | null;
    dryRun: boolean;
    runs: number;
    lastRunAt: string | null;
    lastSuccessAt: string | null;
    lastErrors: string[];
    /** "DNS sync failing" (the page's second headline): the last run had an error. */
    failing: boolean;
    failingSince: string | null;
    authFailing: boolean;
    /** Records nothing is sent to until something changes (CNAME conflict, write refused for good). */
    blocked: { fqdn: string; type: string; line: string; reason: string; detail: string }[];
    /** Each record's TTL and failover bound (FailAfterSeconds + DnsSyncSeconds + TTL, s), with a warning when the TTL is far above FailAfterSeconds. */
    records: { fqdn: string; type: string; line: string; ttl: number; boundSeconds: number; warning: string | null }[];
    timing: { failAfterSeconds: number; syncSeconds: number };
  };
  /** Service health probes: the probe matrix (who sees whom, per line) and the verdicts. */
  probes: PublicProbeTarget[];
  /** Newest first; null when the audit log cannot be read now. */
  changes: PublicChange[] | null;
  /** Warnings for the operator about this node's setup (an example or short secret in use); never the secret. */
  warnings: string[];
}

export interface StatusViewInput {
  status: ClusterStatus;
  state: ClusterState;
  /** The serving plan `status` was built from (the reactor's). */
  plan: ServingPlan;
  /** The values of the last DNS pass (its plan rows). A value is shown only for a slot this node
   *  serves in `plan` and that pass served too: never a value read under another assignment. */
  lineValues: LineValues;
  audit: AuditEntry[] | null;
  config: Pick<Config, 'dryRun' | 'secret' | 'database' | 'credentialKey'>;
  /** The secret this node answers to (its stored identity's); only checked, never shown. */
  secretInUse?: string;
  now?: Date;
}

export function buildStatusView(input: StatusViewInput): PublicStatus {
  const { status, state } = input;
  const names = nodeLabels(state.nodes);
  const nameOf = (code: string | null) => (code === null ? null : (names.get(code) ?? 'a former node'));
  const scrub = scrubberFor(input.config, state);

  const nodes: PublicNode[] = status.nodes.map((n, index) => ({
    index,
    name: nameOf(n.nodeCode)!,
    role: n.workMode,
    self: n.self,
    up: n.up,
    recovering: n.recovering,
    held: n.held,
    watchdogAgeSeconds: n.watchDogAgeSeconds,
    clockOffsetSeconds: n.clockOffsetSeconds,
    networkType: n.networkType,
    owns: n.isps,
    serving: n.serving.map((e) => ({ line: e.line, family: e.family, takeover: e.takeover, from: e.takeover ? nameOf(e.owner) : null })),
    addresses: n.addresses.map((a) => ({ ...a })),
    stateVersion: n.stateVersion,
  }));

  const me = input.plan.me;
  const services: PublicService[] = input.plan.services.map(({ service: s, assignments }) => ({
    name: s.serviceName,
    fqdn: displayName(serviceFqdn(s)),
    provider: s.platformProvider,
    lines: assignments.map((a) => {
      const seen = a.servedBy === me ? input.lineValues.get(s.serviceName, a.line, a.family) : undefined;
      return {
        line: a.line,
        family: a.family,
        type: recordType(a.family),
        owners: a.owners.map((o) => nameOf(o)!),
        servedBy: nameOf(a.servedBy),
        takeover: a.takeover,
        value: seen?.value ?? null,
        state: seen?.state ?? 'unknown',
        observedAt: seen ? seen.at.toISOString() : null,
      };
    }),
  }));

  return {
    generatedAt: (input.now ?? new Date()).toISOString(),
    node: {
      name: status.node.nodeName,
      role: status.node.workMode,
      version: softwareVersion(),
      stateVersion: status.node.stateVersion,
      joined: status.node.joined,
      startedAt: status.node.startedAt,
      uptimeSeconds: status.node.uptimeSeconds,
    },
    health: clusterHealth(status.nodes),
    nodes,
    services,
    dns: {
      ipv4: status.dns.ips.ipv4,
      ipv6: status.dns.ips.ipv6,
      dryRun: input.config.dryRun,
      runs: status.dns.runs,
      lastRunAt: status.dns.lastRunAt,
      lastSuccessAt: status.dns.lastSuccessAt,
      lastErrors: status.dns.lastErrors.map(scrub),
      failing: status.dns.failing,
      failingSince: status.dns.failingSince,
      authFailing: status.dns.authFailing,
      blocked: status.dns.blocked.map((b) => ({ ...b, detail: scrub(b.detail) })),
      records: status.dns.records.map((r) => ({ fqdn: displayName(r.fqdn), type: r.type, line: r.line, ttl: r.ttl, boundSeconds: r.boundSeconds, warning: r.warning })),
      timing: status.dns.timing,
    },
    probes: publicProbes(status, nameOf, scrub),
    changes:
      input.audit?.map((e) => ({
        at: e.at.toISOString(),
        node: nameOf(e.nodeCode)!,
        fqdn: e.fqdn,
        type: e.type,
        line: e.line,
        oldValue: e.oldValue,
        newValue: e.newValue,
        outcome: e.outcome,
        error: e.error ? scrub(e.error) : null,
      })) ?? null,
    warnings: secretWarnings(input.secretInUse ?? input.config.secret),
  };
}

/** The probe matrix by target: every verdict, then any target probed but not yet judged. */
function publicProbes(status: ClusterStatus, nameOf: (code: string | null) => string | null, scrub: (text: string) => string): PublicProbeTarget[] {
  const key = (r: { service: string; line: string; family: string }, node: string) => `${r.service}\u0000${node}\u0000${r.line}\u0000${r.family}`;
  const out = new Map<string, PublicProbeTarget>();
  for (const v of status.probes.verdicts) out.set(key(v, v.node), { service: v.service, node: nameOf(v.node)!, line: v.line, family: v.family, down: v.down, probers: v.probers, failing: v.failing, seenBy: [] });
  for (const r of status.probes.results) {
    const k = key(r, r.target);
    let target = out.get(k);
    if (!target) out.set(k, (target = { service: r.service, node: nameOf(r.target)!, line: r.line, family: r.family, down: false, probers: 0, failing: 0, seenBy: [] }));
    target.seenBy.push({ prober: nameOf(r.prober)!, ok: r.ok, failures: r.failures, latencyMs: r.latencyMs, detail: scrub(r.detail), ageSeconds: r.ageSeconds });
  }
  return [...out.values()];
}

/** Error texts come from providers and peers: belt and braces, every known secret, access key and
 *  node code is removed from them (codes as whole tokens, so a short code cannot eat a word). */
function scrubberFor(config: StatusViewInput['config'], state: ClusterState): (text: string) => string {
  const secrets = [config.secret, ...state.nodes.map((n) => n.secret), ...state.cloudAccounts.flatMap((a) => [a.accessSecret, a.accessKey])];
  if (config.database.dialect === 'mysql' && config.database.password) secrets.push(config.database.password);
  if (config.credentialKey) secrets.push(config.credentialKey);
  const scrubSecrets = makeScrubber(secrets);
  const codes = state.nodes.map((n) => n.nodeCode.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  const codePattern = codes.length ? new RegExp(`(?<![A-Za-z0-9_.-])(?:${codes.join('|')})(?![A-Za-z0-9_-])`, 'g') : null;
  return (text) => {
    const out = scrubSecrets(text);
    return codePattern ? out.replace(codePattern, '(node)') : out;
  };
}
