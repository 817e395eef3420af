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
  /**
   * The access key of the cloud account (of `platformProvider`) this service writes through, when
   * the operator named one (`service add|set --account KEY`). Absent or null: the account is chosen
   * by which account of the provider holds the zone (dns/accounts.ts). Replicated in pushes (a
   * CocoaSyncer 2 extension; a Go peer ignores it).
   */
  account?: string | null;
  /**
   * Whether existing records are kept at `ttl` too (set by `service set --ttl`): a record holding
   * the right address with another TTL is updated (a TTL under the plan's minimum is raised to it,
   * dns/apply.ts). Absent/false: `ttl` applies to created records only, existing TTLs are left.
   */
  enforceTtl?: boolean;
  /** A health check every node runs against the other nodes' published addresses (probe/check.ts);
   *  absent: the service is not probed and fails over only with its nodes. */
  check?: ServiceCheck;
}

/**
 * A service's health check (`service add --check URL`). `url` is a template: `http://{ip}:PORT/path`,
 * `https://{ip}:PORT/path` (certificate checked against the service's own name, SNI = its FQDN) or
 * `tcp://{ip}:PORT`; `{ip}` becomes the address a node publishes for a (line, family), IPv6 in
 * brackets. Parsed and templated by src/probe/check.ts.
 */
export interface ServiceCheck {
  url: string;
  /** Seconds between two probes of one target (1..3600, default 10). */
  intervalSeconds: number;
  /** Seconds a probe may take before it counts as failed (1..60, default 3, at most the interval). */
  timeoutSeconds: number;
  /** The HTTP status a healthy answer has; null: any 2xx or 3xx. Ignored for tcp://. */
  expectStatus: number | null;
}

export interface CloudAccount {
  platformProvider: string;
  accessKey: string;
  accessSecret: string;
  /** Optional API endpoint (regional endpoint, or an emulator in tests). */
  endpoint: string | null;
}

/** The message shapes a notifier sends (src/notify/formats/). */
export const NOTIFY_FORMATS = ['json', 'dingtalk', 'feishu', 'wecom', 'telegram', 'bark', 'serverchan'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

/**
 * The events a notifier can be told about (src/notify/events.ts says who sends each):
 * `failover` a record moved to a stand-in node, `recovery` a record back on its owner, `dns-error` a
 * DNS pass started failing, `node-down` / `node-up` a node's liveness changed, `leader-change` a new
 * leader, `clock-skew` a peer's clock is more than 30 s off.
 */
export const NOTIFY_EVENTS = ['failover', 'recovery', 'dns-error', 'node-down', 'node-up', 'leader-change', 'clock-skew'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** A webhook the cluster announces events to. `url` and `secret` are secrets (they carry tokens). */
export interface Notifier {
  /** Unique name, as `notify remove|test` take it. */
  name: string;
  /** The webhook URL (for Telegram: `https://api.telegram.org/bot<token>/sendMessage?chat_id=<id>`). */
  url: string;
  format: NotifyFormat;
  /** Signing secret (DingTalk, Feishu); null: unsigned. */
  secret: string | null;
  /** The JSON format's body template (`{{field}}` substitution); null: the default body. */
  template: string | null;
  /** Events it is told about; empty: every event. */
  events: NotifyEvent[];
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
  /** Where the cluster's events are announced (src/notify/); carried by v2 pushes only. */
  notifiers: Notifier[];
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
