// Leader edits as pure functions of the cluster state: each returns the next state (version bumped)
// or throws an EditError naming the field. Nothing here does I/O.
import type { CloudAccount, ClusterNode, ClusterState, HandOff, IspCode, LineCode, ManagedService, NetworkType, Notifier } from '../model.js';
import { DomainError } from '../errors.js';
import { normalizeProviderName } from '../dns/names.js';
import { maskAccessKeyId } from '../security/mask.js';
import { nextTerm } from './leadership.js';
import { handOffOnQuit, type HandOffResult } from './handoff.js';
import { patchCheck, type ServiceCheckPatch } from '../probe/check.js';

/** A refused edit; kept as a named subclass of the one domain error (src/errors.ts). */
export class EditError extends DomainError {
  constructor(status: 400 | 404 | 409, field: string, message: string) {
    super(status === 400 ? 'invalid' : status === 404 ? 'not-found' : 'conflict', message, field);
    this.name = 'EditError';
  }
}

const bump = (state: ClusterState, patch: Partial<ClusterState>): ClusterState => ({ ...state, ...patch, version: state.version + 1 });

export function addNode(state: ClusterState, node: ClusterNode): ClusterState {
  return joinNode(state, node).state;
}

/**
 * Adds a node (join). When it is a node that quit earlier, the lines handed over on its quit are
 * given back: each is taken off its taker's `isps` (cluster/handoff.ts recorded which) and the
 * record dropped, so the owner serves them again. Returns what was restored.
 */
export function joinNode(state: ClusterState, node: ClusterNode): { state: ClusterState; restored: RestoredLine[] } {
  if (state.nodes.some((n) => n.nodeCode === node.nodeCode)) throw new EditError(409, 'nodeCode', `a node with code "${node.nodeCode}" is already in the cluster`);
  if (state.nodes.some((n) => n.nodeAddress === node.nodeAddress)) throw new EditError(409, 'address', `${node.nodeAddress} is already in the cluster`);
  const { nodes, handOffs, restored } = restoreHandOffs(state, node.nodeCode);
  return { state: withHandOffs(bump(state, { nodes: [...nodes, node] }), handOffs), restored };
}

/** A line given back to a re-joining owner: `from` served it meanwhile. */
export interface RestoredLine {
  line: LineCode;
  from: string;
}

function restoreHandOffs(state: ClusterState, owner: string): { nodes: ClusterNode[]; handOffs: HandOff[]; restored: RestoredLine[] } {
  const mine = (state.handOffs ?? []).filter((h) => h.owner === owner);
  const restored: RestoredLine[] = [];
  const nodes = state.nodes.map((n) => {
    const lent = mine.filter((h) => h.taker === n.nodeCode && n.isps.includes(h.line));
    if (lent.length === 0) return n;
    for (const h of lent) restored.push({ line: h.line, from: n.nodeCode });
    const isps = n.isps.filter((isp) => !lent.some((h) => h.line === isp));
    // A node left with no line serves nothing: `None` says so explicitly, as an operator would.
    return { ...n, isps: isps.length ? isps : (['None'] as IspCode[]) };
  });
  return { nodes, handOffs: (state.handOffs ?? []).filter((h) => h.owner !== owner), restored };
}

/** The state with these hand-offs: the key is absent when there are none (as a state that never had any). */
function withHandOffs(state: ClusterState, handOffs: HandOff[]): ClusterState {
  const { handOffs: _old, ...rest } = state;
  return handOffs.length ? { ...rest, handOffs } : rest;
}

export interface NodePatch {
  nodeAddress?: string;
  isps?: IspCode[];
  networkType?: NetworkType;
  nodeName?: string;
}

export function setNode(state: ClusterState, code: string, patch: NodePatch): ClusterState {
  const node = requireNode(state, code);
  if (patch.nodeAddress && state.nodes.some((n) => n.nodeCode !== code && n.nodeAddress === patch.nodeAddress)) {
    throw new EditError(409, 'address', `${patch.nodeAddress} is already used by another node`);
  }
  const next = { ...node, ...definedOnly(patch) };
  // The operator set this node's lines: what it borrowed on a quit is now its own (no give-back).
  const handOffs = patch.isps ? (state.handOffs ?? []).filter((h) => h.taker !== code) : (state.handOffs ?? []);
  return withHandOffs(bump(state, { nodes: state.nodes.map((n) => (n.nodeCode === code ? next : n)) }), handOffs);
}

/** A node's new secret (`secret rotate`: the leader's own, or a follower's it received sealed). Throws EditError 404 for an unknown code. */
export function setNodeSecret(state: ClusterState, code: string, secret: string): ClusterState {
  requireNode(state, code);
  return bump(state, { nodes: state.nodes.map((n) => (n.nodeCode === code ? { ...n, secret } : n)) });
}

/** Removes a node; its lines go to the takeover node so none is left on an IP nobody maintains. */
export function removeNode(state: ClusterState, code: string, leaderCode: string): { state: ClusterState; handoff: HandOffResult } {
  requireNode(state, code);
  if (code === leaderCode) throw new EditError(409, 'nodeCode', 'the leader cannot remove itself; promote another node first');
  const handoff = handOffOnQuit(state.nodes, code);
  const services = state.services.map((s) => ({ ...s, nodes: s.nodes.filter((n) => n !== code) }));
  // Temporary: each line added to a taker is recorded, and given back when `code` re-joins.
  const at = new Date().toISOString();
  const lent: HandOff[] = [];
  for (const m of handoff.moves) {
    const taker = handoff.nodes.find((n) => n.nodeCode === m.to);
    const before = state.nodes.find((n) => n.nodeCode === m.to);
    if (!taker || !before || before.isps.includes(m.line) || lent.some((h) => h.taker === m.to && h.line === m.line)) continue;
    lent.push({ owner: code, taker: m.to, line: m.line, at });
  }
  // A removed taker's borrowed lines went on with its own hand-off; its old records describe nothing.
  const kept = (state.handOffs ?? []).filter((h) => h.taker !== code && h.owner !== code);
  return { state: withHandOffs(bump(state, { nodes: handoff.nodes, services }), [...kept, ...lent]), handoff };
}

export function addService(state: ClusterState, service: ManagedService): ClusterState {
  if (state.services.some((s) => s.serviceName === service.serviceName)) throw new EditError(409, 'name', `a service named "${service.serviceName}" already exists`);
  if (state.services.some((s) => s.domain === service.domain && s.record === service.record && s.platformProvider === service.platformProvider)) {
    throw new EditError(409, 'record', `${service.record}.${service.domain} on ${service.platformProvider} is already managed`);
  }
  for (const code of service.nodes) if (!state.nodes.some((n) => n.nodeCode === code)) throw new EditError(400, 'nodes', `no node with code "${code}"`);
  if (service.account) requireNamedAccount(state, service.platformProvider, service.account);
  return bump(state, { services: [...state.services, service] });
}

/**
 * The account a service names must be one of its provider's (issue 11, case 7): EditError 400
 * `account` otherwise. Provider names compare as the registry spells them (`ali` = `Ali`).
 */
function requireNamedAccount(state: ClusterState, provider: string, accessKey: string): void {
  const want = normalizeProviderName(provider) ?? provider;
  if (state.cloudAccounts.some((a) => (normalizeProviderName(a.platformProvider) ?? a.platformProvider) === want && a.accessKey === accessKey)) return;
  throw new EditError(400, 'account', `no ${want} cloud account with access key ${maskAccessKeyId(accessKey)}: add it first ("cocoasyncer dns add") or name one of "cocoasyncer dns list"`);
}

/** What `service set` may change on a service in place (absent: unchanged). */
export interface ServicePatch {
  allowCreate?: boolean;
  /** TTL of its records, s: created ones, and from then on existing ones too (enforceTtl). */
  ttl?: number;
  /** Node codes serving it; empty: every node. */
  nodes?: string[];
  /** Access key of the account it writes through; null: chosen by which account holds the zone. */
  account?: string | null;
  /** The health check: absent fields keep their value; null removes it (probe/check.ts patchCheck). */
  check?: ServiceCheckPatch | null;
}

/**
 * Changes a service in place (`service set`): its creation policy, TTL, serving nodes, named
 * account or health check. Throws EditError 404 (`name`) for an unknown service, 400 (`nodes`) for
 * an unknown node code, 400 (`account`) for an access key that is not an account of the service's
 * provider, 400 (`check.*`) for a check patch that leaves no valid check; changes nothing then.
 */
export function setService(state: ClusterState, name: string, patch: ServicePatch): ClusterState {
  const current = state.services.find((s) => s.serviceName === name);
  if (!current) throw new EditError(404, 'name', `no service named "${name}"`);
  for (const code of patch.nodes ?? []) if (!state.nodes.some((n) => n.nodeCode === code)) throw new EditError(400, 'nodes', `no node with code "${code}"`);
  if (patch.account) requireNamedAccount(state, current.platformProvider, patch.account);
  let check = current.check;
  if (patch.check !== undefined) {
    const r = patchCheck(current.check, patch.check);
    if (!r.ok) throw new EditError(400, r.field, r.message);
    check = r.check;
  }
  const { check: _old, ...rest } = current;
  const next: ManagedService = {
    ...rest,
    ...(check ? { check } : {}),
    ...(patch.allowCreate !== undefined ? { allowCreate: patch.allowCreate } : {}),
    // A TTL set here is the records' TTL: existing records are brought to it as well (issue 11, case 9).
    ...(patch.ttl !== undefined ? { ttl: patch.ttl, enforceTtl: true } : {}),
    ...(patch.nodes !== undefined ? { nodes: [...patch.nodes] } : {}),
    ...(patch.account !== undefined ? { account: patch.account } : {}),
  };
  if (next.account === null) delete next.account;
  return bump(state, { services: state.services.map((s) => (s.serviceName === name ? next : s)) });
}

export function removeService(state: ClusterState, name: string): ClusterState {
  if (!state.services.some((s) => s.serviceName === name)) throw new EditError(404, 'name', `no service named "${name}"`);
  return bump(state, { services: state.services.filter((s) => s.serviceName !== name) });
}

/** Adds a cloud account; unlike the original's CLI this never overwrites the list. */
export function addAccount(state: ClusterState, account: CloudAccount): ClusterState {
  if (state.cloudAccounts.some((a) => a.platformProvider === account.platformProvider && a.accessKey === account.accessKey)) {
    throw new EditError(409, 'accessKey', `an ${account.platformProvider} account with this access key already exists`);
  }
  return bump(state, { cloudAccounts: [...state.cloudAccounts, account] });
}

export function setAccount(state: ClusterState, provider: string, accessKey: string, patch: { accessSecret?: string; endpoint?: string | null }): ClusterState {
  const idx = state.cloudAccounts.findIndex((a) => a.platformProvider === provider && a.accessKey === accessKey);
  if (idx < 0) throw new EditError(404, 'accessKey', `no ${provider} account with that access key`);
  const next = { ...state.cloudAccounts[idx]!, ...definedOnly(patch) };
  return bump(state, { cloudAccounts: state.cloudAccounts.map((a, i) => (i === idx ? next : a)) });
}

/**
 * Removes a cloud account. Refused (EditError 409 `accessKey`, nothing changed) while a service names
 * it (`service set NAME --account`): the message lists those services, so they can be moved first.
 */
export function removeAccount(state: ClusterState, provider: string, accessKey: string): ClusterState {
  if (!state.cloudAccounts.some((a) => a.platformProvider === provider && a.accessKey === accessKey)) {
    throw new EditError(404, 'accessKey', `no ${provider} account with that access key`);
  }
  const want = normalizeProviderName(provider) ?? provider;
  const naming = state.services.filter((s) => s.account === accessKey && (normalizeProviderName(s.platformProvider) ?? s.platformProvider) === want);
  if (naming.length > 0) {
    const names = naming.map((s) => s.serviceName).join(', ');
    throw new EditError(409, 'accessKey', `services ${names} write through this account; move them first ("cocoasyncer service set NAME --account OTHER_KEY" or --no-account), then remove it`);
  }
  return bump(state, { cloudAccounts: state.cloudAccounts.filter((a) => !(a.platformProvider === provider && a.accessKey === accessKey)) });
}

/** Adds a notifier (`notify add`). Throws EditError 409 (`name`) when the name is taken; changes nothing then. */
export function addNotifier(state: ClusterState, notifier: Notifier): ClusterState {
  if (state.notifiers.some((n) => n.name === notifier.name)) throw new EditError(409, 'name', `a notifier named "${notifier.name}" already exists`);
  return bump(state, { notifiers: [...state.notifiers, notifier] });
}

/** Removes a notifier (`notify remove`). Throws EditError 404 (`name`) for an unknown name; changes nothing then. */
export function removeNotifier(state: ClusterState, name: string): ClusterState {
  if (!state.notifiers.some((n) => n.name === name)) throw new EditError(404, 'name', `no notifier named "${name}"`);
  return bump(state, { notifiers: state.notifiers.filter((n) => n.name !== name) });
}

/**
 * Makes `newLeader` the leader in a new term; every other node becomes a follower. The version and
 * term go past what the old leader reported (`minVersion`, `minTerm`), so the new leader's state
 * wins wherever the two meet (cluster/leadership.ts).
 */
export function setLeader(state: ClusterState, newLeader: string, minVersion: number, minTerm = 0): ClusterState {
  requireNode(state, newLeader);
  return {
    ...state,
    version: Math.max(state.version, minVersion) + 1,
    term: nextTerm(state.term, minTerm),
    nodes: state.nodes.map((n) => ({ ...n, workMode: n.nodeCode === newLeader ? 'leader' : 'follower' })),
  };
}


function requireNode(state: ClusterState, code: string): ClusterNode {
  const node = state.nodes.find((n) => n.nodeCode === code);
  if (!node) throw new EditError(404, 'nodeCode', `no node with code "${code}"`);
  return node;
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
