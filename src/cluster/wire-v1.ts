// The v1 wire protocol of the original Go CocoaSyncer: the JSON shapes of `getClusterInfo` and
// `updateClusterInfo`, in both directions. Field names are exactly the original's.
import { z } from 'zod';
import { maskAccessKeyId as maskKeyId } from '../security/mask.js';
import type { ClusterNode, ClusterState, ManagedService } from '../model.js';
import {
  accessKeySchema,
  accessSecretSchema,
  domainSchema,
  endpointSchema,
  ispListSchema,
  networkTypeSchema,
  nodeAddressSchema,
  nodeCodeSchema,
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

const watchDogSchema = z
  .string()
  .max(64)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an RFC 3339 time')
  .transform((v) => new Date(v).toISOString());

const serviceV1Schema = z.object({
  serviceName: serviceNameSchema,
  domain: domainSchema,
  record: recordSchema,
  platformProvider: providerNameSchema,
  // CocoaSyncer 2 extensions; a Go peer ignores them and never sends them.
  nodes: z.array(nodeCodeSchema).max(1000).optional(),
  allowCreate: z.boolean().optional(),
  ttl: ttlSchema.optional(),
});

const nodeV1Schema = z.object({
  nodeName: nodeNameSchema,
  nodeCode: nodeCodeSchema,
  nodeAddress: nodeAddressSchema,
  workMode: workModeSchema,
  cocoaSecret: secretSchema,
  ISPs: ispListSchema,
  networkType: networkTypeSchema,
  statusCode: z.number().int().min(0).max(999).optional(),
  watchDog: watchDogSchema.optional(),
  cocoaManagedService: z.array(z.unknown()).max(10000).nullish(),
});

const cloudV1Schema = z.object({
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
});

/** Body of every v1 request: the receiving node's secret, plus `cocoaBasic` on a push. */
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

function toV1Service(s: ManagedService): V1Service {
  return {
    serviceName: s.serviceName,
    domain: s.domain,
    record: s.record,
    platformProvider: s.platformProvider,
    nodes: s.nodes,
    allowCreate: s.allowCreate,
    ttl: s.ttl,
  };
}

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
    watchDog: n.watchDog,
    cocoaManagedService: servicesServedBy(state.services, n.nodeCode).map(toV1Service),
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

/** The `cocoaBasic` a node answers with. Secrets are masked: a peer never needs them back. */
export function toV1CocoaBasic(state: ClusterState, local: LocalFacts): V1CocoaBasic {
  return {
    apiPort: local.apiPort,
    nodeName: local.nodeName,
    nodeCode: local.nodeCode,
    nodeAddress: local.nodeAddress,
    workMode: local.workMode,
    cocoaSecret: '***',
    reverseProxy: local.reverseProxy,
    otherCocoaSyncer: toV1Nodes(state, MASKED),
    cocoaManagedService: state.services.map(toV1Service),
    cloudPlatformInfo: toV1Clouds(state, MASKED),
    timeout: local.timeoutMinutes,
    DataBaseType: local.databaseType,
    Dsn: '***',
    createdAt: local.createdAt.toISOString(),
    updatedAt: local.updatedAt.toISOString(),
    configImported: true,
    stateVersion: state.version,
    term: state.term,
  };
}
