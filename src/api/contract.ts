// The signed admin and cluster API (protocol v2), written once: every endpoint's request schemas
// (zod) and reply type. The routes (src/http/routes/admin.ts) serve these endpoints, the CLI
// (src/cli/commands/*) calls them, and /v1/openapi.json describes their request bodies from these
// schemas (z.toJSONSchema), constraints included.
//
// Adding a command: one endpoint here (schema + reply type), one `serve(...)` line in the routes,
// one CLI command calling `client.call(api.<name>, ...)`.
import { z } from 'zod';
import type { FollowerPushStatus } from '../cluster/pusher.js';
import type { HandOffResult } from '../cluster/handoff.js';
import type { ClusterStatus, NodeStatus } from '../node/status.js';
import type { DnsAuditEntry, IspCode, ManagedService, NetworkType, Notifier, NotifyEvent, NotifyFormat, WorkMode } from '../model.js';
import { maskAccessKeyId, maskSecret, maskUrl } from '../security/mask.js';
import { notifierNameSchema, notifyEventsSchema, notifyFormatSchema, signingSecretSchema, templateSchema, urlProblem, webhookUrlSchema } from '../notify/schemas.js';
import { serviceCheckPatchSchema, serviceCheckSchema } from '../probe/check.js';
import {
  accessKeySchema,
  accessSecretSchema,
  domainSchema,
  endpointSchema,
  ispListSchema,
  knownProviderSchema,
  networkTypeSchema,
  nodeAddressSchema,
  nodeCodeSchema,
  nodeNameSchema,
  recordSchema,
  pastedSecretSchema,
  serviceNameSchema,
  ttlSchema,
} from '../schemas.js';
import { checkHostPart } from '../dns/domain-name.js';
import { endpoint } from './endpoint.js';

// ---- Request schemas: one per command, each field checked and named on error. ----

export const joinRequest = z
  .object({
    address: nodeAddressSchema.meta({ description: 'URL the leader reaches the node at (its NodeAddress).', format: 'uri' }),
    secret: pastedSecretSchema.meta({ description: 'The joining node\'s CocoaSecret (surrounding whitespace is trimmed).' }),
    isps: ispListSchema.optional().meta({ description: 'Lines it serves (default: what the node reports).' }),
    networkType: networkTypeSchema.optional().meta({ description: 'IPV4, IPV6 or Both (default: what the node reports).' }),
  })
  .strict();

export const nodePatchRequest = z
  .object({
    address: nodeAddressSchema.optional().meta({ description: 'How peers reach the node.', format: 'uri' }),
    isps: ispListSchema.optional(),
    networkType: networkTypeSchema.optional(),
    name: nodeNameSchema.optional().meta({ description: 'Friendly name.' }),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'give at least one of address, isps, networkType, name')
  .meta({ minProperties: 1 });

export const serviceRequest = z
  .object({
    name: serviceNameSchema.meta({ description: 'A name for the service, e.g. `www`.' }),
    domain: domainSchema.meta({ description: 'The registered domain, e.g. `example.com`.' }),
    record: recordSchema.meta({ description: 'The host record under the domain; `@` for the apex.' }),
    provider: knownProviderSchema,
    nodes: z.array(nodeCodeSchema).max(1000).default([]).meta({ description: 'Node codes serving it; empty: every node.' }),
    allowCreate: z.boolean().default(false).meta({ description: 'Create a missing record for a served line (default: only update existing ones).' }),
    ttl: ttlSchema.default(600).meta({ description: 'TTL of created records, seconds.' }),
    account: accessKeySchema.optional().meta({ description: 'Access key of the provider account to write through (several accounts of one provider); absent: the account that holds the zone.' }),
    check: serviceCheckSchema.optional().meta({ description: 'Health check every node runs against the other nodes\' published addresses (`http://{ip}:PORT/path`, `https://{ip}:PORT/path`, `tcp://{ip}:PORT`); absent: not probed.' }),
  })
  .strict();

/**
 * `service add`: serviceRequest, and a record given as the full name is refused with the host part
 * as a hint (`--domain example.com --record www.example.com` would manage
 * www.example.com.example.com). Kept apart so serviceRequest stays a plain object.
 */
export const serviceAddRequest = serviceRequest.superRefine((s, ctx) => {
  const r = checkHostPart(s.record, s.domain);
  if (!r.ok) ctx.addIssue({ code: 'custom', path: ['record'], message: r.message });
});

/** `service set NAME`: what may change in place; at least one field. */
export const servicePatchRequest = z
  .object({
    allowCreate: z.boolean().optional().meta({ description: 'Create a missing record for a served line.' }),
    ttl: ttlSchema.optional().meta({ description: 'TTL of created records, seconds.' }),
    nodes: z.array(nodeCodeSchema).max(1000).optional().meta({ description: 'Node codes serving it; empty: every node.' }),
    account: accessKeySchema.nullable().optional().meta({ description: 'Access key of the provider account to write through; null: the account that holds the zone.' }),
    check: serviceCheckPatchSchema.nullable().optional().meta({ description: 'Change the health check (absent fields keep their value; a service without a check needs `url`); null removes it.' }),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'give at least one of allowCreate, ttl, nodes, account, check')
  .meta({ minProperties: 1 });

export const accountRequest = z
  .object({
    provider: knownProviderSchema,
    accessKey: accessKeySchema.meta({ description: 'AccessKey ID (Ali) / SecretId (DNSPod).' }),
    accessSecret: accessSecretSchema.meta({ description: 'AccessKey secret (Ali) / SecretKey (DNSPod).' }),
    endpoint: endpointSchema.nullish().meta({ description: 'API endpoint (regional, or an emulator); null: the provider\'s public one.' }),
  })
  .strict();

/** `dns add` / `dns set` credential check: the account to try (the secret may be omitted for a stored account). */
export const accountVerifyRequest = z
  .object({
    provider: knownProviderSchema,
    accessKey: accessKeySchema,
    accessSecret: accessSecretSchema.optional().meta({ description: 'The secret to try; absent: the stored account\'s.' }),
    endpoint: endpointSchema.nullish().meta({ description: 'API endpoint to try; absent: the stored account\'s, else the provider\'s public one.' }),
  })
  .strict();

export const accountPatchRequest = z
  .object({
    accessSecret: accessSecretSchema.optional(),
    endpoint: endpointSchema.nullable().optional().meta({ description: 'A new API endpoint; null: back to the provider\'s public one.' }),
  })
  .strict()
  .refine((p) => p.accessSecret !== undefined || p.endpoint !== undefined, 'give accessSecret or endpoint')
  .meta({ minProperties: 1 });

/** The formats that sign their requests with the notifier's secret. */
const SIGNED_FORMATS: readonly NotifyFormat[] = ['dingtalk', 'feishu'];

/**
 * `notify add`: a webhook and what it is told. The URL is checked against the format's needs
 * (notify/schemas.ts urlProblem); a secret only for the signed formats (dingtalk, feishu), a
 * template only for json.
 */
export const notifierRequest = z
  .object({
    name: notifierNameSchema.meta({ description: 'A name for the notifier, e.g. `ops`.' }),
    url: webhookUrlSchema.meta({ description: 'The webhook URL (a secret: it carries the token). Telegram: `https://api.telegram.org/bot<token>/sendMessage?chat_id=<id>`.', format: 'uri' }),
    format: notifyFormatSchema.default('json').meta({ description: 'Message shape: json (default), dingtalk, feishu, wecom, telegram, bark, serverchan.' }),
    secret: signingSecretSchema.optional().meta({ description: 'Signing secret (dingtalk, feishu); a secret.' }),
    template: templateSchema.optional().meta({ description: 'json only: the body, with `{{field}}` placeholders.' }),
    events: notifyEventsSchema.default([]).meta({ description: 'Events to send; empty: every event.' }),
  })
  .strict()
  .superRefine((n, ctx) => {
    const problem = urlProblem(n.format, n.url);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
    if (n.secret !== undefined && !SIGNED_FORMATS.includes(n.format)) ctx.addIssue({ code: 'custom', path: ['secret'], message: `only the ${SIGNED_FORMATS.join(' and ')} formats sign with a secret` });
    if (n.template !== undefined && n.format !== 'json') ctx.addIssue({ code: 'custom', path: ['template'], message: 'only the json format takes a template' });
  });

export const quitRequest = z.object({ force: z.boolean().default(false).meta({ description: 'Reset even if the leader cannot be told.' }) }).strict();
export const leaveRequest = z.object({ nodeCode: nodeCodeSchema.meta({ description: 'Must be the signing node.' }) }).strict();
export const demoteRequest = z.object({ newLeader: nodeCodeSchema.meta({ description: 'Must be the signing node.' }) }).strict();
export const rotateSecretRequest = z
  .object({
    secret: pastedSecretSchema.min(8, 'must be at least 8 characters').meta({ description: 'The node\'s new CocoaSecret (surrounding whitespace is trimmed).' }),
  })
  .strict();
export const clusterSecretRequest = z
  .object({
    nodeCode: nodeCodeSchema.meta({ description: 'Must be the signing node.' }),
    secret: z.string().min(1).max(2048).meta({ description: 'The node\'s new secret, sealed for the leader (never in clear).' }),
  })
  .strict();
export const dnsLogQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

const codeParams = z.object({ code: nodeCodeSchema });
const nameParams = z.object({ name: serviceNameSchema });
const notifierParams = z.object({ name: notifierNameSchema });
const accountParams = z.object({ provider: knownProviderSchema, accessKey: accessKeySchema });

// ---- Reply shapes. ----

/** A node as edits answer it: no secret, no liveness. */
export interface PublicNode {
  nodeCode: string;
  nodeName: string;
  nodeAddress: string;
  workMode: WorkMode;
  isps: IspCode[];
  networkType: NetworkType;
}

/** A cloud account as listings show it: the secret masked (`maskSecret`), the key id in full and masked (`maskAccessKeyId`). */
export interface PublicAccount {
  provider: string;
  accessKey: string;
  accessKeyMasked: string;
  accessSecret: string;
  endpoint: string | null;
}

/** A notifier as listings show it: `url` keeps scheme and host only (the path and query carry the
 *  token, `maskUrl`); `secret` is `****`-masked (`maskSecret`), null when unsigned. */
export type PublicNotifier = Notifier;

/** Every edit answers with the state version it produced. */
interface Versioned {
  stateVersion: number;
}

export interface JoinReply extends Versioned {
  joined: PublicNode;
  /** Lines this node handed over when it quit, given back now (`from`: who served them meanwhile). */
  restored: { line: string; from: string }[];
}
export interface QuitReply {
  leaderTold: boolean;
  error?: string;
}
export interface NodeListReply extends Versioned {
  nodes: NodeStatus[];
}
export interface NodeReply extends Versioned {
  node: PublicNode;
}
export interface RemoveNodeReply extends Versioned, Pick<HandOffResult, 'moves' | 'extras' | 'alreadyOwned' | 'unserved'> {
  removed: string;
  /** Whether the removed node was told it left. */
  nodeTold: boolean;
  tellError?: string;
}
export interface ServiceListReply extends Versioned {
  services: ManagedService[];
}
export interface ServiceAddReply extends Versioned {
  service: ManagedService;
  warnings: string[];
}
export interface ServiceRemoveReply extends Versioned {
  removed: string;
}
/** A credential check's outcome (secret-free): nothing is stored either way. */
export interface AccountVerifyReply {
  ok: boolean;
  /** `auth`: the credentials do not work; `unreachable`: the check could not be made. */
  reason: 'auth' | 'unreachable' | 'other' | null;
  message: string;
}
export interface AccountListReply extends Versioned {
  accounts: PublicAccount[];
}
export interface AccountReply extends Versioned {
  account: PublicAccount;
  /** Services of the provider whose account can no longer be told by zone after this change (several holders, none, unknown). */
  warnings: string[];
}
export interface AccountRemoveReply extends Versioned {
  /** `accessKey` masked (`maskAccessKeyId`). */
  removed: { provider: string; accessKey: string };
  /** As AccountReply.warnings. */
  warnings: string[];
}
export interface NotifierListReply extends Versioned {
  notifiers: PublicNotifier[];
}
export interface NotifierReply extends Versioned {
  notifier: PublicNotifier;
}
export interface NotifierRemoveReply extends Versioned {
  removed: string;
}
/** `notify test`: one test message, one attempt (no retries), from the node asked. */
export interface NotifierTestReply {
  name: string;
  delivered: boolean;
  /** The webhook's HTTP status on delivery. */
  status?: number;
  /** Why not (secret-free: never the URL). */
  error?: string;
}
export interface PromoteReply extends Versioned {
  oldLeader: string | null;
  oldLeaderTold: boolean;
  error?: string;
}
export interface PushesReply extends Versioned {
  followers: FollowerPushStatus[];
}
export interface DnsPlanReply {
  /** The plan as text, with the services that could not be read listed after it. */
  text: string;
  /** False when some service could not be read (then `errors` says which). */
  complete: boolean;
  changes: unknown[];
  errors: { service: string; provider: string; stage: string; message: string }[];
  ips: { ipv4?: string | null; ipv6?: string | null };
  /** Each served record's TTL and failover bound (FailAfterSeconds + DnsSyncSeconds + TTL, s), with a warning when the TTL is far above FailAfterSeconds. */
  records: { service: string; fqdn: string; type: string; line: string; ttl: number; boundSeconds: number; warning: string | null }[];
  /** Always true: a plan never writes. */
  dryRun: boolean;
}
/** An audit entry as JSON carries it: the time as ISO-8601 text. */
export type DnsLogEntry = Omit<DnsAuditEntry, 'at'> & { at: string };
export interface DnsLogReply {
  entries: DnsLogEntry[];
}
export interface PeerReply {
  statusCode: number;
  statusString: string;
}
export interface LeaveReply extends PeerReply, Versioned, Pick<HandOffResult, 'moves'> {}
export interface RotateSecretReply extends Versioned {
  /** Where the new secret was stored: this node's identity, and the leader's copy when in a cluster. */
  leaderUpdated: boolean;
  /** The node now answers to the new secret only. */
  rotated: true;
}
export interface ClusterSecretReply extends PeerReply, Versioned {}
export interface DemoteReply extends PeerReply, Versioned {
  /** The term the stepped-down leader held: the new leader starts a term above it. */
  term: number;
}

// ---- The endpoints. ----

/** Every signed endpoint, by operation name (the OpenAPI operationId). */
export const api = {
  adminStatus: endpoint<ClusterStatus>()({ method: 'GET', path: '/v2/admin/status', status: 200 }),
  listPushes: endpoint<PushesReply>()({ method: 'GET', path: '/v2/admin/pushes', status: 200 }),
  join: endpoint<JoinReply>()({ method: 'POST', path: '/v2/admin/join', status: 201, body: joinRequest }),
  quit: endpoint<QuitReply>()({ method: 'POST', path: '/v2/admin/quit', status: 200, body: quitRequest }),
  listNodes: endpoint<NodeListReply>()({ method: 'GET', path: '/v2/admin/nodes', status: 200 }),
  setNode: endpoint<NodeReply>()({ method: 'PATCH', path: '/v2/admin/nodes/:code', status: 200, params: codeParams, body: nodePatchRequest }),
  removeNode: endpoint<RemoveNodeReply>()({ method: 'DELETE', path: '/v2/admin/nodes/:code', status: 200, params: codeParams }),
  listServices: endpoint<ServiceListReply>()({ method: 'GET', path: '/v2/admin/services', status: 200 }),
  addService: endpoint<ServiceAddReply>()({ method: 'POST', path: '/v2/admin/services', status: 201, body: serviceAddRequest }),
  setService: endpoint<ServiceAddReply>()({ method: 'PATCH', path: '/v2/admin/services/:name', status: 200, params: nameParams, body: servicePatchRequest }),
  removeService: endpoint<ServiceRemoveReply>()({ method: 'DELETE', path: '/v2/admin/services/:name', status: 200, params: nameParams }),
  listAccounts: endpoint<AccountListReply>()({ method: 'GET', path: '/v2/admin/accounts', status: 200 }),
  addAccount: endpoint<AccountReply>()({ method: 'POST', path: '/v2/admin/accounts', status: 201, body: accountRequest }),
  verifyAccount: endpoint<AccountVerifyReply>()({ method: 'POST', path: '/v2/admin/accounts/verify', status: 200, body: accountVerifyRequest }),
  setAccount: endpoint<AccountReply>()({ method: 'PATCH', path: '/v2/admin/accounts/:provider/:accessKey', status: 200, params: accountParams, body: accountPatchRequest }),
  removeAccount: endpoint<AccountRemoveReply>()({ method: 'DELETE', path: '/v2/admin/accounts/:provider/:accessKey', status: 200, params: accountParams }),
  listNotifiers: endpoint<NotifierListReply>()({ method: 'GET', path: '/v2/admin/notifiers', status: 200 }),
  addNotifier: endpoint<NotifierReply>()({ method: 'POST', path: '/v2/admin/notifiers', status: 201, body: notifierRequest }),
  removeNotifier: endpoint<NotifierRemoveReply>()({ method: 'DELETE', path: '/v2/admin/notifiers/:name', status: 200, params: notifierParams }),
  testNotifier: endpoint<NotifierTestReply>()({ method: 'POST', path: '/v2/admin/notifiers/:name/test', status: 200, params: notifierParams }),
  promote: endpoint<PromoteReply>()({ method: 'POST', path: '/v2/admin/promote', status: 200 }),
  dnsPlan: endpoint<DnsPlanReply>()({ method: 'GET', path: '/v2/admin/dns/plan', status: 200 }),
  dnsLog: endpoint<DnsLogReply>()({ method: 'GET', path: '/v2/admin/dns/log', status: 200, query: dnsLogQuery }),
  clusterLeave: endpoint<LeaveReply>()({ method: 'POST', path: '/v2/cluster/leave', status: 200, body: leaveRequest }),
  clusterDemote: endpoint<DemoteReply>()({ method: 'POST', path: '/v2/cluster/demote', status: 200, body: demoteRequest }),
  rotateSecret: endpoint<RotateSecretReply>()({ method: 'POST', path: '/v2/admin/secret', status: 200, body: rotateSecretRequest }),
  clusterSecret: endpoint<ClusterSecretReply>()({ method: 'POST', path: '/v2/cluster/secret', status: 200, body: clusterSecretRequest }),
} as const;

export type Api = typeof api;

// ---- Views: domain values as replies show them. ----

/** A node as edits answer it. */
export function publicNode(n: PublicNode): PublicNode {
  return { nodeCode: n.nodeCode, nodeName: n.nodeName, nodeAddress: n.nodeAddress, workMode: n.workMode, isps: n.isps, networkType: n.networkType };
}

/** An account as listings show it: the secret never, the key id masked. */
export function publicAccount(a: { platformProvider: string; accessKey: string; accessSecret: string; endpoint: string | null }): PublicAccount {
  return { provider: a.platformProvider, accessKey: a.accessKey, accessKeyMasked: maskAccessKeyId(a.accessKey), accessSecret: maskSecret(a.accessSecret), endpoint: a.endpoint };
}

/** A notifier as listings show it: never its URL's path or query, never its secret. */
export function publicNotifier(n: Notifier): PublicNotifier {
  return { name: n.name, url: maskUrl(n.url), format: n.format, secret: n.secret === null ? null : maskSecret(n.secret), template: n.template, events: [...n.events] };
}
