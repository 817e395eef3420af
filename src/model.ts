// The domain vocabulary shared by every module: ISP line codes, nodes, services, cloud accounts and
// the replicated cluster state. Plain data only; no I/O and no behaviour beyond tiny helpers.
import { canonicalName } from './dns/domain-name.js';

export const ISP_CODES = ['default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea', 'None'] as const;
export type IspCode = (typeof ISP_CODES)[number];
/** A real DNS line: every ISP code except `None` (which means "this node serves no line"). */
export type LineCode = Exclude<IspCode, 'None'>;
export const LINE_CODES: readonly LineCode[] = ['default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea'];

export const NETWORK_TYPES = ['IPV4', 'IPV6', 'Both'] as const;
export type NetworkType = (typeof NETWORK_TYPES)[number];

/** An address family; `ipv4` is served by A records, `ipv6` by AAAA records. */
export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export const WORK_MODES = ['leader', 'follower'] as const;
export type WorkMode = (typeof WORK_MODES)[number];

/** v1 status codes for a node as seen by a peer: 200 live, 504 watchdog stale. */
export const STATUS_UP = 200;
export const STATUS_DOWN = 504;

export interface ClusterNode {
  nodeCode: string;
  nodeName: string;
  nodeAddress: string;
  workMode: WorkMode;
  /** The node's own secret: what a peer must present (v1) or sign with (v2) to talk to it. */
  secret: string;
  isps: IspCode[];
  networkType: NetworkType;
  /** This node's view of the peer: 200 or 504. */
  statusCode: number;
  /** ISO-8601 time of the peer's last watchdog refresh as last seen by this node. */
  watchDog: string;
}

export interface ManagedService {
  serviceName: string;
  /** The zone in normal form (dns/domain-name.ts): `example.com`, `xn--fsqu00a.xn--fiqs8s` for `例子.中国`. */
  domain: string;
  /** The host label(s) under `domain`, `@` for the apex; same normal form. */
  record: string;
  /** Provider name as the original spells it (`Ali`, `DNSPod`, ...). */
  platformProvider: string;
  /** Node codes serving this service; empty means every node. */
  nodes: string[];
  /** Create a missing record for a served line (opt-in; the original never creates). */
  allowCreate: boolean;
  /** TTL for created records, seconds. */
  ttl: number;
}

export interface CloudAccount {
  platformProvider: string;
  accessKey: string;
  accessSecret: string;
  /** Optional API endpoint (regional endpoint, or an emulator in tests). */
  endpoint: string | null;
}

/** The replicated "CocoaBasic": everything the leader owns and pushes. */
/** One line a quitting node's taker serves for it until the owner is joined again. */
export interface HandOff {
  /** The node that quit. */
  owner: string;
  /** The node the line was added to (its `isps`). */
  taker: string;
  line: LineCode;
  /** When it was handed over (ISO 8601). */
  at: string;
}

export interface ClusterState {
  /** Monotonically increasing; bumped by the leader on every edit. */
  version: number;
  /**
   * The leadership term (a fencing token, as in Raft): bumped by every `promote`. Wherever two
   * leaders meet, the higher term wins (then the higher version, then cluster order); see
   * cluster/leadership.ts. 0 for a cluster that never changed leader, and for v1 pushes.
   */
  term: number;
  /** In cluster order: the order that breaks takeover ties on every node alike. */
  nodes: ClusterNode[];
  services: ManagedService[];
  cloudAccounts: CloudAccount[];
  /**
   * Lines lent to a remaining node when their owner quit (cluster/handoff.ts), given back when the
   * owner is joined again. Absent: none. Replicated (v2 pushes) so any later leader knows them.
   */
  handOffs?: HandOff[];
}

/** One DNS change this node made or attempted, as the audit log keeps it. */
export interface DnsAuditEntry {
  at: Date;
  nodeCode: string;
  provider: string;
  fqdn: string;
  type: string;
  line: string;
  oldValue: string | null;
  newValue: string;
  outcome: 'ok' | 'failed';
  error?: string | null;
}

/**
 * One record set a node may keep: a DNS line and an address family (the A or AAAA records of that
 * line). The failover planner assigns slots to nodes; DNS sync writes the slots assigned to it.
 */
export interface LineSlot {
  readonly line: LineCode;
  readonly family: Family;
}

/** Whether a network type serves a family. */
export function servesFamily(networkType: NetworkType, family: Family): boolean {
  return networkType === 'Both' || (networkType === 'IPV4' ? family === 'ipv4' : family === 'ipv6');
}

/** The families a node of this network type serves, in FAMILIES order (`Both`: ipv4 then ipv6). */
export function familiesOf(networkType: NetworkType): Family[] {
  return FAMILIES.filter((family) => servesFamily(networkType, family));
}

/** DNS record type for a family. */
export function recordType(family: Family): 'A' | 'AAAA' {
  return family === 'ipv4' ? 'A' : 'AAAA';
}

/**
 * The fully qualified name a service manages (`@` is the apex), in the one normal form names are
 * stored, sent and compared in: lower-case ASCII, IDN labels in punycode, no trailing dot (see
 * dns/domain-name.ts; show it with displayName).
 */
export function serviceFqdn(service: Pick<ManagedService, 'record' | 'domain'>): string {
  const record = service.record.trim();
  return canonicalName(record === '@' || record === '' ? service.domain : `${record}.${service.domain}`);
}
