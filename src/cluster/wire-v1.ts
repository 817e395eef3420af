// The v1 wire protocol of the original Go CocoaSyncer: the JSON shapes of `getClusterInfo` and
// `updateClusterInfo`, in both directions. Field names are exactly the original's.
import { serviceCheckSchema } from '../probe/check.js';
import { z } from 'zod';
import { maskAccessKeyId as maskKeyId } from '../security/mask.js';
import { LINE_CODES, type ClusterNode, type ClusterState, type ManagedService, type ServiceCheck } from '../model.js';
import { notifierWireSchema } from '../notify/wire.js';
import {
  accessKeySchema,
  accessSecretSchema,
  domainSchema,
  endpointSchema,
  ispListSchema,
  networkTypeSchema,
  nodeAddressSchema,
  nodeNameSchema,
  providerNameSchema,
  recordSchema,
  secretSchema,
  serviceNameSchema,
  ttlSchema,
  workModeSchema,
} from '../schemas.js';

export const V1_OK = { statusCode: 200, statusString: 'MafuMafu~' } as const;
export const V1_NOT_JOINED = { statusCode: 201, statusString: 'Mafu?' } as const;
export const V1_UNAUTHORIZED = { statusCode: 401, statusString: 'Unauthorized! You are not Cocoa!' } as const;
export const V1_NOT_ALLOWED = {
  statusCode: 405,
  statusString: 'Not Allowed! Cocoa is soooo kawaii, Do you still sure you really want to eat Cocoa???',
} as const;

/**
 * A node code as it travels between peers: any text of 1-64 characters without control characters,
 * since the Go program takes `NodeCode` as any YAML string (`北京`, `sh-01`...). Our own config still
 * asks for `A-Za-z0-9_.-` (src/config), but a cluster may hold the codes a Go node chose.
 */
export const peerNodeCodeSchema = z
  .string()
  // Bounds in UTF-16 units for the published schema (64 characters are at most 128 units); the
  // refinement below counts characters.
  .min(1, 'must not be empty')
  .max(128, 'must be at most 64 characters')
  .refine((v) => {
    const n = [...v].length;
    return n >= 1 && n <= 64 && v.trim() !== '' && !/\p{Cc}/u.test(v);
  }, 'must be 1-64 characters, not blank, without control characters');

/**
 * Parses an RFC 3339 time the way Go's `time.Time.UnmarshalJSON` accepts it (its strict fast path:
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)`, fields in range) and returns it as an ISO string in
 * UTC (milliseconds), or null. Go's zero time `0001-01-01T00:00:00Z` is a valid time.
 */
export function parseRfc3339(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days || hour > 23 || min > 59 || sec > 59) return null;
  let offsetMin = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[8]!.slice(1, 3));
    const om = Number(m[8]!.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[8]![0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min - offsetMin, sec, Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')));
  return d.toISOString();
}

/** Go's zero `time.Time` as `json.Marshal` writes it. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A time as a Go peer can decode it: an ISO string in years 0001-9999 stays as it is (ISO 8601 in
 * UTC is RFC 3339); anything Go could not parse becomes the zero time. A Go peer stops decoding a
 * whole message at the first time it cannot parse, so no time may leave this node unchecked.
 */
export function toGoTime(value: string | Date): string {
  const iso = typeof value === 'string' ? parseRfc3339(value) : Number.isNaN(value.getTime()) ? null : value.toISOString();
  return iso !== null && /^\d{4}-/.test(iso) ? iso : GO_ZERO_TIME;
}

const watchDogSchema = z
  .string()
  .max(64)
  .transform((v, ctx) => parseRfc3339(v) ?? (ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 time' }), z.NEVER));

export const serviceV1Schema = z.object({
  serviceName: serviceNameSchema,
  domain: domainSchema,
  record: recordSchema,
  platformProvider: providerNameSchema,
  // CocoaSyncer 2 extensions; a Go peer ignores them and never sends them.
  nodes: z.array(peerNodeCodeSchema).max(1000).optional(),
  allowCreate: z.boolean().optional(),
  ttl: ttlSchema.optional(),
  /** The access key of the account the service names (null/absent: chosen by zone). */
  account: accessKeySchema.nullish(),
  /** Existing records are kept at `ttl` too (`service set --ttl`). */
  enforceTtl: z.boolean().optional(),
  check: serviceCheckSchema.optional(),
});

const nodeV1Schema = z.object({
  nodeName: nodeNameSchema,
  nodeCode: peerNodeCodeSchema,
  nodeAddress: nodeAddressSchema,
  workMode: workModeSchema,
  cocoaSecret: secretSchema,
  ISPs: ispListSchema,
  networkType: networkTypeSchema,
  statusCode: z.number().int().min(0).max(999).optional(),
  watchDog: watchDogSchema.optional(),
  cocoaManagedService: z.array(z.unknown()).max(10000).nullish(),
});

export const cloudV1Schema = z.object({
  platformProvider: providerNameSchema,
  accessKey: accessKeySchema,
  accessSecret: accessSecretSchema,
  endpoint: endpointSchema.nullish(),
});

/** The part of `cocoaBasic` a push carries that a follower applies. */
export const pushedBasicSchema = z.object({
  otherCocoaSyncer: z.array(nodeV1Schema).min(1, 'must list at least one node').max(1000),
  cocoaManagedService: z.array(serviceV1Schema).max(10000).nullish(),
  cloudPlatformInfo: z.array(cloudV1Schema).max(1000).nullish(),
  stateVersion: z.number().int().min(0).optional(),
  /** Leadership term (protocol v2 extension; a v1 Go peer sends none). */
  term: z.number().int().min(0).optional(),
  /** Notifiers, secrets sealed (protocol v2 extension, src/notify/wire.ts; a v1 Go peer sends none). */
  notifiers: z.array(notifierWireSchema).max(100).optional(),
  /** Lines lent on a quit until the owner re-joins (protocol v2 extension; see model.ts HandOff). */
  handOffs: z
    .array(z.object({ owner: peerNodeCodeSchema, taker: peerNodeCodeSchema, line: z.enum(LINE_CODES), at: z.string().max(40) }))
    .max(10000)
    .optional(),
});

/** A push body as a CocoaSyncer 2 leader writes it (checked strictly; see wire-v1-read.ts for v1). */
/** Body of a v1 request without a push (documentation: the routes read bodies the Go way, wire-v1-read.ts). */
export const v1RequestSchema = z.object({
  cocoaSecret: z.string().max(1024).optional(),
});

export const v1PushSchema = z.object({
  cocoaSecret: z.string().max(1024).optional(),
  cocoaBasic: pushedBasicSchema,
});

export type PushedBasic = z.infer<typeof pushedBasicSchema>;

/** Converts a validated push into cluster state (version: the pushed one, or next for an unversioned v1 push). */
export function stateFromPush(basic: PushedBasic, currentVersion: number, currentTerm = 0): ClusterState {
  const nodes: ClusterNode[] = basic.otherCocoaSyncer.map((n) => ({
    nodeCode: n.nodeCode,
    nodeName: n.nodeName,
    nodeAddress: n.nodeAddress,
    workMode: n.workMode,
    secret: n.cocoaSecret,
    isps: n.ISPs,
    networkType: n.networkType,
    statusCode: n.statusCode ?? 200,
    watchDog: n.watchDog ?? new Date(0).toISOString(),
  }));
  const services: ManagedService[] = (basic.cocoaManagedService ?? []).map((s) => ({
    serviceName: s.serviceName,
    domain: s.domain,
    record: s.record,
    platformProvider: s.platformProvider,
    nodes: s.nodes ?? [],
    allowCreate: s.allowCreate ?? false,
    ttl: s.ttl ?? 600,
    ...(s.account ? { account: s.account } : {}),
    ...(s.enforceTtl ? { enforceTtl: true } : {}),
    ...(s.check ? { check: s.check } : {}),
  }));
  return {
    version: basic.stateVersion ?? currentVersion + 1,
    // A push without a term (a v1 Go leader) keeps the term this node holds.
    term: basic.term ?? currentTerm,
    nodes,
    services,
    cloudAccounts: (basic.cloudPlatformInfo ?? []).map((a) => ({
      platformProvider: a.platformProvider,
      accessKey: a.accessKey,
      accessSecret: a.accessSecret,
      endpoint: a.endpoint ?? null,
    })),
    // Still sealed here on v2 (opened by openPushSecrets); none from a v1 (Go) leader.
    notifiers: (basic.notifiers ?? []).map((n) => ({ ...n, events: [...n.events] })),
    ...(basic.handOffs?.length ? { handOffs: basic.handOffs } : {}),
  };
}

export interface V1Node {
  nodeName: string;
  nodeCode: string;
  nodeAddress: string;
  workMode: string;
  cocoaSecret: string;
  ISPs: string[];
  networkType: string;
  statusCode: number;
  watchDog: string;
  cocoaManagedService: V1Service[];
}

export interface V1Service {
  serviceName: string;
  domain: string;
  record: string;
  platformProvider: string;
  nodes: string[];
  allowCreate: boolean;
  ttl: number;
  /** The account the service names (v2 extension; present only when named, masked in answers). */
  account?: string;
  /** v2 extension, present only when true. */
  enforceTtl?: boolean;
  /** The health check (CocoaSyncer 2 extension; a Go peer ignores it). */
  check?: ServiceCheck;
}

export interface V1Cloud {
  platformProvider: string;
  accessKey: string;
  accessSecret: string;
  endpoint: string | null;
}

export interface V1CocoaBasic {
  apiPort: number;
  nodeName: string;
  nodeCode: string;
  nodeAddress: string;
  workMode: string;
  cocoaSecret: string;
  reverseProxy: boolean;
  otherCocoaSyncer: V1Node[];
  cocoaManagedService: V1Service[];
  cloudPlatformInfo: V1Cloud[];
  timeout: number;
  DataBaseType: string;
  Dsn: string;
  createdAt: string;
  updatedAt: string;
  configImported: boolean;
  stateVersion: number;
  /** Leadership term of the state (v2 extension; Go ignores unknown fields). */
  term: number;
}

export interface V1Reply {
  statusCode: number;
  statusString: string;
  cocoaBasic?: V1CocoaBasic;
}

/** How secrets are written into an outgoing `cocoaBasic`: masked for answers, real (or sealed) for pushes. */
export type SecretWriter = (value: string, field: 'cocoaSecret' | 'accessSecret' | 'accessKey', owner: string) => string;

export const MASKED: SecretWriter = (_value, field, owner) => (field === 'accessKey' ? maskKeyId(owner) : '***');
export const CLEAR: SecretWriter = (value) => value;

export function servicesServedBy(services: ManagedService[], nodeCode: string): ManagedService[] {
  return services.filter((s) => s.nodes.length === 0 || s.nodes.includes(nodeCode));
}

function toV1Service(s: ManagedService, secrets: SecretWriter = MASKED): V1Service {
  return {
    serviceName: s.serviceName,
    domain: s.domain,
    record: s.record,
    platformProvider: s.platformProvider,
    nodes: s.nodes,
    allowCreate: s.allowCreate,
    ttl: s.ttl,
    // The access key id is shown as every answer shows one (masked); pushes carry state.services as is.
    ...(s.account ? { account: secrets(s.account, 'accessKey', s.account) } : {}),
    ...(s.enforceTtl ? { enforceTtl: true } : {}),
    ...(s.check ? { check: s.check } : {}),
  };
}

/** The node list as the v1 wire carries it; every `watchDog` is a time a Go peer can decode. */
export function toV1Nodes(state: ClusterState, secrets: SecretWriter): V1Node[] {
  return state.nodes.map((n) => ({
    nodeName: n.nodeName,
    nodeCode: n.nodeCode,
    nodeAddress: n.nodeAddress,
    workMode: n.workMode,
    cocoaSecret: secrets(n.secret, 'cocoaSecret', n.nodeCode),
    ISPs: n.isps,
    networkType: n.networkType,
    statusCode: n.statusCode,
    watchDog: toGoTime(n.watchDog),
    cocoaManagedService: servicesServedBy(state.services, n.nodeCode).map((s) => toV1Service(s, secrets)),
  }));
}

export function toV1Clouds(state: ClusterState, secrets: SecretWriter): V1Cloud[] {
  return state.cloudAccounts.map((a) => ({
    platformProvider: a.platformProvider,
    accessKey: secrets(a.accessKey, 'accessKey', a.accessKey),
    accessSecret: secrets(a.accessSecret, 'accessSecret', `${a.platformProvider}/${a.accessKey}`), // owner as accountOwner() names it
    endpoint: a.endpoint,
  }));
}

export interface LocalFacts {
  apiPort: number;
  nodeName: string;
  nodeCode: string;
  nodeAddress: string;
  workMode: string;
  reverseProxy: boolean;
  timeoutMinutes: number;
  databaseType: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The receiving follower's own entry in a v1 push: a Go follower stores every pushed node as pushed,
 * its own `watchDog` and `statusCode` included, and other Go peers then read that watchdog from it.
 * So the entry carries status 200 (it is being pushed to) and a watchdog that cannot move the
 * follower's stored one backwards: the later of `landsByMs` and the last value this node saw from it.
 * `landsByMs` (ms since the epoch) must be the latest moment the push can be stored — the send time
 * plus the request timeout — because the follower may feed its watchdog while the push is in flight.
 * A watchdog up to that much in the future is harmless: Go peers only ask whether it is older than
 * `Timeout` minutes, and the follower's next feed replaces it. Other entries are returned unchanged.
 */
export function forV1Follower(nodes: V1Node[], followerCode: string, landsByMs: number): V1Node[] {
  return nodes.map((n) => {
    if (n.nodeCode !== followerCode) return n;
    const seen = Date.parse(n.watchDog);
    const at = Number.isFinite(seen) && seen > landsByMs ? seen : landsByMs;
    return { ...n, statusCode: 200, watchDog: toGoTime(new Date(at)) };
  });
}

/** What a `getClusterInfo` answer may carry in clear (see toV1CocoaBasic). */
export interface AnswerSecrets {
  /**
   * This node's own secret, for a v1 caller that authenticated with it (V1Compat only): the Go
   * leader's add-node step stores the secret it reads from the answer (the last `otherCocoaSyncer`
   * entry, which for a node that has not joined is the node itself) as the node's secret for every
   * later push, and the Go node answers it there and in `cocoaBasic.cocoaSecret`.
   */
  ownSecret?: string;
}

/**
 * The `cocoaBasic` a node answers with. Every other node's secret, the access keys and secrets and
 * the DSN are masked; this node's own secret appears only when `secrets.ownSecret` is given.
 */
export function toV1CocoaBasic(state: ClusterState, local: LocalFacts, secrets: AnswerSecrets = {}): V1CocoaBasic {
  const own = secrets.ownSecret;
  const writer: SecretWriter = own === undefined ? MASKED : (value, field, owner) => (field === 'cocoaSecret' && owner === local.nodeCode ? own : MASKED(value, field, owner));
  return {
    apiPort: local.apiPort,
    nodeName: local.nodeName,
    nodeCode: local.nodeCode,
    nodeAddress: local.nodeAddress,
    workMode: local.workMode,
    cocoaSecret: own ?? '***',
    reverseProxy: local.reverseProxy,
    otherCocoaSyncer: toV1Nodes(state, writer),
    cocoaManagedService: state.services.map((s) => toV1Service(s, MASKED)),
    cloudPlatformInfo: toV1Clouds(state, MASKED),
    // Go reads an int: a fractional Timeout would be a decode error there.
    timeout: Math.max(1, Math.ceil(local.timeoutMinutes)),
    DataBaseType: local.databaseType,
    Dsn: '***',
    createdAt: toGoTime(local.createdAt),
    updatedAt: toGoTime(local.updatedAt),
    configImported: true,
    stateVersion: state.version,
    term: state.term,
  };
}
