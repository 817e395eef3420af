// The provider interface the reconciler talks to (external-dns style): list the records of one
// name, update one, create one. Small on purpose so a test can swap in a fake; each provider maps
// its SDK's errors to ProviderError so retry and reporting decisions are made in one place.
import type { LineCode } from '../model.js';
import { canonicalName as canonicalDnsName } from './domain-name.js';

export interface DnsRecord {
  /** Provider record id, always a string (Alidns ids exceed 2^53; DNSPod's are integers). */
  id: string;
  /** Fully qualified name, lower-case, no trailing dot. */
  name: string;
  type: 'A' | 'AAAA' | (string & {});
  /** Our line code, or null for a provider line we do not map (left alone). */
  line: LineCode | null;
  /** The provider's own line name, sent back unchanged on update. */
  providerLine: string;
  value: string;
  ttl: number;
  enabled: boolean;
  /**
   * Set when the record is enabled but must not be written by us, with the reason in words (e.g. a
   * Huawei record set holding several values: we manage only sets whose one value is ours). The
   * planner treats such a record like a disabled one: reported, never written, nothing created next
   * to it. Absent for ordinary records (additive; Alidns and DNSPod never set it).
   */
  unmanaged?: string;
}

export interface RecordQuery {
  /** The zone, e.g. `example.com`. */
  domain: string;
  /** Host label(s) under the zone, `@` for the apex. */
  record: string;
  /** `record.domain`, or `domain` for the apex. */
  fqdn: string;
  /** Only records of this type; all types when absent. */
  type?: string;
}

export interface RecordContext {
  domain: string;
  record: string;
  /** The TTL to send instead of the record's own, s (additive: a TTL the plan refused, raised to its minimum). */
  ttl?: number;
}

export interface CreateRequest {
  domain: string;
  record: string;
  type: string;
  line: LineCode;
  value: string;
  ttl: number;
}

export interface ProviderCapabilities {
  recordTypes: readonly string[];
  /** Whether the provider has ISP lines at all (Cloudflare would not). */
  lines: boolean;
}

export interface DnsProvider {
  /** Canonical provider name (`Ali`, `DNSPod`). */
  readonly name: string;
  /** The account's access key id, masked: safe to log. */
  readonly keyId: string;
  readonly capabilities: ProviderCapabilities;
  /** Records whose name equals `q.fqdn` exactly (and type, when given). */
  listRecords(q: RecordQuery): Promise<DnsRecord[]>;
  /** Sets `value` on an existing record, keeping its name, type, line and TTL. */
  updateRecord(r: DnsRecord, value: string, ctx: RecordContext): Promise<void>;
  createRecord(c: CreateRequest): Promise<DnsRecord>;
  /**
   * Optional (additive): every record (A and AAAA at least; CNAMEs too where the API lists them, so a
   * CNAME in the way of a wanted A is seen before writing) of a zone of a zone (all names), in as few paged calls as the
   * API allows, for a caller that lists once per zone per reconcile and plans each name from it.
   * Names are canonical (lower-case, no trailing dot). Providers without it are listed per name.
   */
  listZoneRecords?(domain: string): Promise<DnsRecord[]>;
  /**
   * Optional (additive): the names of every zone this account holds (canonical, paged through), so
   * a service that names no account goes to the account of its provider that holds its zone
   * (dns/accounts.ts; issue 11, case 7). Providers without it: the operator names the account when
   * a provider has several.
   */
  listZones?(): Promise<string[]>;
}

export interface ProviderErrorInit {
  provider: string;
  action: string;
  code: string;
  message: string;
  retryable: boolean;
  auth: boolean;
  httpStatus?: number;
}

/**
 * Why a write was refused for good (the same request can never succeed until something changes):
 * `ttl-below-minimum` (the plan's minimum TTL is above the one sent) or `conflict` (another record,
 * e.g. a CNAME, holds the name and line). Null for anything else. Sources: Alidns `QuotaExceeded.TTL`
 * and `DomainRecordConflict` (observed, issue 11); DNSPod `LimitExceeded.RecordTtlLimit` ("记录的TTL值
 * 超出了限制。") and `InvalidParameter.DomainRecordExist` ("记录已经存在，无需再次添加。"), from the
 * API 3.0 error list (tencentcloud-sdk-go dnspod/v20210323/errors.go). DNSPod's list has no
 * CNAME-specific conflict code; a record already holding the name is the documented answer, and
 * re-sending the same write cannot change it.
 */
export type PermanentReason = 'ttl-below-minimum' | 'conflict';
const PERMANENT_CODES: Record<string, PermanentReason> = {
  'QuotaExceeded.TTL': 'ttl-below-minimum',
  'LimitExceeded.RecordTtlLimit': 'ttl-below-minimum',
  DomainRecordConflict: 'conflict',
  'InvalidParameter.DomainRecordExist': 'conflict',
};
/** The permanent-refusal reason of a provider error code, or null (see PermanentReason). */
export function permanentReason(code: string): PermanentReason | null {
  return PERMANENT_CODES[code] ?? null;
}

/** A provider call that failed. The message never carries a secret (nor a signed URL). */
export class ProviderError extends Error {
  readonly provider: string;
  readonly action: string;
  readonly code: string;
  readonly retryable: boolean;
  readonly auth: boolean;
  readonly httpStatus: number | undefined;
  /** The provider's own message, already stripped of secrets. */
  readonly detail: string;

  constructor(init: ProviderErrorInit) {
    super(`${init.provider} ${init.action} failed: ${init.code}: ${init.message}`);
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.action = init.action;
    this.code = init.code;
    this.retryable = init.retryable;
    this.auth = init.auth;
    this.httpStatus = init.httpStatus;
    this.detail = init.message;
  }
}

// Codes seen from both vendors (docs/dns-providers.md). Throttling and server-side failures go away
// on their own; credential and clock problems do not, and retrying them only burns the quota.
const RETRYABLE_CODES = new Set([
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailableTemporary',
  'FailedOperation.FrequencyLimit',
  // A repeated nonce can only be our bad luck; the retry signs with a fresh one.
  'SignatureNonceUsed',
]);
const AUTH_CODES = new Set([
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidTimeStamp.Expired',
  'Forbidden.RAM',
  'Forbidden.AccessKeyDisabled',
  'UnauthorizedOperation',
]);

export function isRetryableCode(code: string, httpStatus?: number): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (code.startsWith('RequestLimitExceeded.') || code.startsWith('Throttling.') || code.startsWith('InternalError.')) {
    return true;
  }
  return httpStatus !== undefined && httpStatus >= 500;
}

export function isAuthCode(code: string): boolean {
  return AUTH_CODES.has(code) || code.startsWith('AuthFailure') || code.startsWith('UnauthorizedOperation.');
}

/** Node socket / timeout error codes: the request may not have reached the provider; retry. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

export function isNetworkCode(code: string): boolean {
  return NETWORK_CODES.has(code);
}

/** `LTAI5tAbCdEf1234` → `LTAI****1234` (the one key-id mask, src/security/mask.ts). */
export { maskAccessKeyId as maskKeyId } from '../security/mask.js';

/** Removes every occurrence of the given secrets from a text (belt and braces for SDK messages). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/**
 * How names are compared: lower-case ASCII with IDN labels in punycode, no trailing dot (see
 * dns/domain-name.ts), so a provider listing `www.例子.中国` matches our `www.xn--fsqu00a.xn--fiqs8s`.
 */
export function canonicalName(name: string): string {
  return canonicalDnsName(name);
}

/** The fqdn of a host label under a zone (`@` / empty is the apex). */
export function fqdnOf(record: string, domain: string): string {
  const r = record.trim();
  return canonicalName(r === '@' || r === '' ? domain : `${r}.${domain}`);
}
