// The DNS planner: a pure function from (what this node must serve, its public IPs, the records the
// provider holds) to a list of changes. It never plans a write that changes nothing (Alidns rejects
// it, DNSPod locks records after repeated ones), matches records on exact name + type + line, and
// touches only one record per name/type/line, reporting the rest. Whether a missing record may be
// created is the service's named policy (dnsPolicy). The table view of a plan is in plan-rows.ts.
import { FAMILIES, LINE_CODES, recordType, serviceFqdn, type Family, type LineCode, type LineSlot, type ManagedService } from '../model.js';
import { normalizeAddress } from '../ip/address.js';
import { unsupportedLines } from './lines.js';
import { normalizeProviderName } from './names.js';
import { canonicalName, type DnsRecord } from './provider.js';

/** A slot this node serves for a service; `takeover` when it stands in for a down owner. */
/** A slot this node serves; for a takeover, `owner` is the silent node it stands in for. */
export type AssignedSlot = LineSlot & { readonly takeover?: boolean; readonly owner?: string };

/** serviceName → the slots this node serves now (from the serving plan). */
export type Assignments = ReadonlyMap<string, readonly AssignedSlot[]>;

/**
 * What a service lets DNS sync do to its records (octoDNS-style named policy): `update-only`
 * rewrites existing records and reports a missing one (the original never creates);
 * `create-allowed` also creates a missing record (ManagedService.allowCreate).
 */
export type DnsPolicy = 'update-only' | 'create-allowed';

/** The named policy of a service. */
export function dnsPolicy(service: Pick<ManagedService, 'allowCreate'>): DnsPolicy {
  return service.allowCreate ? 'create-allowed' : 'update-only';
}

/** This node's address per family (PublicIP), and per line where LineIP gives a line its own. */
export interface NodeIps {
  ipv4?: string | null;
  ipv6?: string | null;
  /** LineIP: a line's own address per family; a family absent here uses the default above. */
  lines?: Partial<Record<LineCode, { ipv4?: string | null; ipv6?: string | null }>>;
}

/** The address this node writes on (line, family): the line's own (LineIP) when it has one, else the default. */
export function ipFor(ips: NodeIps, line: LineCode, family: Family): string | null | undefined {
  const own = ips.lines?.[line];
  return own && family in own ? own[family] : ips[family];
}

export interface PlanInput {
  services: readonly ManagedService[];
  serve: Assignments;
  ips: NodeIps;
  /** serviceName → records on the service's name. A service without an entry is skipped (listing failed). */
  records: ReadonlyMap<string, readonly DnsRecord[]>;
}

interface Target {
  service: string;
  /** Canonical provider name, or the configured one when unknown. */
  provider: string;
  domain: string;
  record: string;
  fqdn: string;
  type: 'A' | 'AAAA';
  family: Family;
  line: LineCode;
}

export type Change =
  /** `ttl`: the TTL to send instead of the record's own (ManagedService.enforceTtl); absent: kept.
   *  An update may change only the TTL (`oldValue` = `newValue`). */
  | (Target & { kind: 'update'; target: DnsRecord; oldValue: string; newValue: string; ttl?: number })
  | (Target & { kind: 'create'; newValue: string; ttl: number })
  | (Target & { kind: 'missing'; newValue: string })
  | (Target & { kind: 'duplicate'; kept: DnsRecord; extras: DnsRecord[] })
  /** `conflict`: an enabled CNAME holds the name on the line, so an A/AAAA cannot be created next to
   *  it (Alidns answers DomainRecordConflict); `target` is the CNAME. */
  | (Target & { kind: 'skip'; target: DnsRecord; reason: 'disabled' | 'unmanaged' | 'conflict' })
  /** The provider has no such line (Cloudflare: only default): a note, not an error; nothing written. */
  | (Target & { kind: 'unsupported' })
  | (Omit<Target, 'line'> & { kind: 'no-ip'; lines: LineCode[]; reason: 'unknown' | 'invalid' });

export type ChangeKind = Change['kind'];
export type WriteChange = Extract<Change, { kind: 'update' | 'create' }>;

export function isWrite(c: Change): c is WriteChange {
  return c.kind === 'update' || c.kind === 'create';
}

/** Deterministic order for record ids: numeric ids numerically, others as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameAddress(family: Family, a: string, b: string): boolean {
  const x = normalizeAddress(family, a);
  return x !== null && x === normalizeAddress(family, b);
}

/** The changes for every service that has slots and listed records, in service order (pure). */
export function planChanges(input: PlanInput): Change[] {
  const changes: Change[] = [];
  for (const service of input.services) {
    const slots = input.serve.get(service.serviceName);
    const records = input.records.get(service.serviceName);
    if (!slots || slots.length === 0 || !records) continue;
    changes.push(...planService(service, slots, input.ips, records));
  }
  return changes;
}

/** The distinct lines of a family among the slots, in LINE_CODES order (whatever order they came in). */
export function linesOf(slots: readonly LineSlot[], family: Family): LineCode[] {
  return LINE_CODES.filter((l) => slots.some((s) => s.family === family && s.line === l));
}

/** The changes for one service whose records were listed (pure). */
export function planService(
  service: ManagedService,
  slots: readonly LineSlot[],
  ips: NodeIps,
  records: readonly DnsRecord[],
): Change[] {
  const fqdn = canonicalName(serviceFqdn(service));
  const provider = normalizeProviderName(service.platformProvider) ?? service.platformProvider;
  const out: Change[] = [];
  for (const family of FAMILIES) {
    // Stable order whatever order the failover planner produced, and no slot twice.
    const wanted = linesOf(slots, family);
    if (wanted.length === 0) continue;
    const type = recordType(family);
    const base = { service: service.serviceName, provider, domain: service.domain, record: service.record, fqdn, type, family };
    // Lines the provider does not have (lines.ts) are noted once each and never planned.
    const missingLines = unsupportedLines(service.platformProvider, wanted);
    for (const line of missingLines) out.push({ ...base, line, kind: 'unsupported' });
    const lines = wanted.filter((l) => !missingLines.includes(l));
    if (lines.length === 0) continue;
    // No trustworthy address for the (line, family): write nothing rather than something wrong.
    // Lines sharing one address (and so one reason) are reported together.
    const addressOf = (line: LineCode) => {
      const raw = ipFor(ips, line, family);
      return { raw, ip: raw ? normalizeAddress(family, raw) : null };
    };
    for (const reason of ['invalid', 'unknown'] as const) {
      const none = lines.filter((l) => {
        const a = addressOf(l);
        return !a.ip && (a.raw ? 'invalid' : 'unknown') === reason;
      });
      if (none.length) out.push({ ...base, kind: 'no-ip', lines: none, reason });
    }
    for (const line of lines) {
      const ip = addressOf(line).ip;
      if (!ip) continue;
      const t: Target = { ...base, line };
      const matching = records.filter(
        (r) => canonicalName(r.name) === fqdn && r.type.toUpperCase() === type && r.line === line,
      );
      // A record we must not write (disabled by the operator, or unmanaged such as a Huawei
      // multi-value set) stays as it is; so does its line (no create next to it).
      const leftAlone = (r: DnsRecord) => !r.enabled || r.unmanaged !== undefined;
      const disabled = matching.filter(leftAlone).sort((a, b) => compareIds(a.id, b.id));
      const enabled = matching.filter((r) => !leftAlone(r)).sort((a, b) => compareIds(a.id, b.id));
      for (const r of disabled) out.push({ ...t, kind: 'skip', target: r, reason: r.enabled ? 'unmanaged' : 'disabled' });
      if (enabled.length === 0) {
        if (disabled.length > 0) continue;
        // A CNAME on the name and line excludes any other record there (RFC 1034 §3.6.2): report it,
        // never send a create the provider must refuse.
        const cname = records.find((r) => canonicalName(r.name) === fqdn && r.type.toUpperCase() === 'CNAME' && r.enabled && r.line === line);
        if (cname) {
          out.push({ ...t, kind: 'skip', target: cname, reason: 'conflict' });
          continue;
        }
        out.push(dnsPolicy(service) === 'create-allowed' ? { ...t, kind: 'create', newValue: ip, ttl: service.ttl } : { ...t, kind: 'missing', newValue: ip });
        continue;
      }
      // Keep the record already right if there is one (so nothing is written), else the lowest id.
      const kept = enabled.find((r) => sameAddress(family, r.value, ip)) ?? enabled[0]!;
      // The service's TTL for existing records too, when it was set (`service set --ttl`).
      const ttl = service.enforceTtl && kept.ttl !== service.ttl ? { ttl: service.ttl } : {};
      if (!sameAddress(family, kept.value, ip) || 'ttl' in ttl) {
        out.push({ ...t, kind: 'update', target: kept, oldValue: kept.value, newValue: ip, ...ttl });
      }
      if (enabled.length > 1) {
        out.push({ ...t, kind: 'duplicate', kept, extras: enabled.filter((r) => r !== kept) });
      }
    }
  }
  return out;
}

/** Counts per change kind, every kind present (zero when absent). */
export function countChanges(changes: readonly Change[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { update: 0, create: 0, missing: 0, duplicate: 0, skip: 0, 'no-ip': 0, unsupported: 0 };
  for (const c of changes) counts[c.kind]++;
  return counts;
}
