// Volcengine TrafficRoute DNS over its OpenAPI (Version 2018-08-01, host dns.volcengineapi.com; the
// older open.volcengineapi.com host was retired in June 2025) with HMAC-SHA256 signing
// (volcengine-sign.ts), region cn-north-1, service DNS. Listing actions are GETs with query
// parameters; writes are POSTs with a JSON body. ListRecords matches `Host` fuzzily unless
// `SearchMode=exact` and pages 10 by default (500 at most), so both are always sent.
import { z } from 'zod';
import type { CloudAccount } from '../../model.js';
import { volcengineLines } from '../lines.js';
import {
  ProviderError,
  canonicalName,
  fqdnOf,
  maskKeyId,
  redact,
  type CreateRequest,
  type DnsProvider,
  type DnsRecord,
  type RecordContext,
  type RecordQuery,
} from '../provider.js';
import { endpointUrl, httpClient, type HttpClient, parseAnswer, ZoneIds } from './http.js';
import { sha256hex, volcAuthorization, volcDate } from './volcengine-sign.js';

export const VOLCENGINE_DEFAULT_ENDPOINT = 'https://dns.volcengineapi.com';
export const VOLCENGINE_VERSION = '2018-08-01';
export const VOLCENGINE_REGION = 'cn-north-1';
export const VOLCENGINE_SERVICE = 'DNS';
const PROVIDER = 'Volcengine';

/** Tuning and test hooks; `http` replaces the network leg (tests), `timeoutMs` bounds one call. */
export interface VolcengineProviderOptions {
  timeoutMs?: number;
  /** ListRecords page size; the API caps it at 500. */
  pageSize?: number;
  http?: HttpClient;
  now?: () => Date;
}

const recordSchema = z.object({
  RecordID: z.union([z.string(), z.number()]).transform(String),
  Host: z.string(),
  Type: z.string(),
  Value: z.string(),
  Line: z.string().default('default'),
  TTL: z.coerce.number().default(600),
  Enable: z.boolean().default(true),
});
const listSchema = z.object({
  Records: z.array(recordSchema).nullish().transform((r) => r ?? []),
  TotalCount: z.coerce.number().optional(),
});
const zonesSchema = z.object({
  Zones: z
    .array(z.object({ ZID: z.union([z.number(), z.string()]).transform(String), ZoneName: z.string() }))
    .nullish()
    .transform((z) => z ?? []),
  Total: z.coerce.number().optional(),
});
const writeSchema = z.object({ RecordID: z.union([z.string(), z.number()]).transform(String) });

/**
 * A Volcengine TrafficRoute DNS provider for one account (AccessKeyId = `accessKey`,
 * SecretAccessKey = `accessSecret`). Calls fail with ProviderError (see volcengineError); a zone
 * missing from the account is `ZoneNotFound`. CNEdu is not served (lines.ts).
 */
export function createVolcengineProvider(account: CloudAccount, opts: VolcengineProviderOptions = {}): DnsProvider {
  const base = endpointUrl(account.endpoint, VOLCENGINE_DEFAULT_ENDPOINT);
  const http = opts.http ?? httpClient(PROVIDER);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pageSize = Math.min(Math.max(opts.pageSize ?? 500, 1), 500);
  const now = opts.now ?? (() => new Date());
  const secrets = [account.accessSecret];
  // Zone name → id lookup, shared by concurrent callers; a failed lookup is forgotten.
  const zoneIds = new ZoneIds((name) => lookupZone(name));

  async function call<T>(action: string, params: Record<string, string | number>, body: object | undefined, schema: z.ZodType<T>): Promise<T> {
    const url = new URL('/', base);
    url.searchParams.set('Action', action);
    url.searchParams.set('Version', VOLCENGINE_VERSION);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const text = body === undefined ? '' : JSON.stringify(body);
    const method = body === undefined ? 'GET' : 'POST';
    const signed: Record<string, string> = { host: url.host, 'x-date': volcDate(now()) };
    if (body !== undefined) signed['x-content-sha256'] = sha256hex(text);
    const authorization = volcAuthorization(
      { method, url, signedHeaders: signed, body: text, region: VOLCENGINE_REGION, service: VOLCENGINE_SERVICE },
      account.accessKey,
      account.accessSecret,
    );
    const headers: Record<string, string> = { ...signed, authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await http.send({ method, url, headers, ...(body !== undefined ? { body: text } : {}), timeoutMs }, action);
    const envelope = answer.json as { ResponseMetadata?: { Error?: unknown }; Result?: unknown } | undefined;
    if (answer.status < 200 || answer.status >= 300 || envelope?.ResponseMetadata?.Error) {
      const err = volcengineError(action, answer.status, answer.json, secrets);
      // A zone deleted and created again has a new id: look it up afresh next time.
      if (answer.status === 404 || err.code === 'ZoneNotFound') zoneIds.clear();
      throw err;
    }
    return parseAnswer(PROVIDER, action, answer.status, answer.json, envelope?.Result, schema);
  }

  function zoneId(domain: string): Promise<string> {
    return zoneIds.get(canonicalName(domain));
  }

  async function lookupZone(name: string): Promise<string> {
    const res = await call('ListZones', { Key: name, SearchMode: 'exact', PageSize: 100 }, undefined, zonesSchema);
    const zone = res.Zones.find((z) => canonicalName(z.ZoneName) === name);
    if (!zone) {
      throw new ProviderError({ provider: PROVIDER, action: 'ListZones', code: 'ZoneNotFound', message: `no zone "${name}" in this account`, retryable: false, auth: false });
    }
    return zone.ZID;
  }

  /** ListRecords of a zone with extra filters, page by page (bounded: 100 pages). */
  async function listPaged(domain: string, filters: Record<string, string | number>): Promise<DnsRecord[]> {
    const zid = await zoneId(domain);
    const out: DnsRecord[] = [];
    for (let page = 1; page <= 100; page++) {
      const res = await call('ListRecords', { ZID: zid, ...filters, PageNumber: page, PageSize: pageSize }, undefined, listSchema);
      for (const r of res.Records) {
        out.push({
          id: r.RecordID,
          name: fqdnOf(r.Host, domain),
          type: r.Type.toUpperCase(),
          line: volcengineLines.fromProvider(r.Line),
          providerLine: r.Line,
          value: r.Value,
          ttl: r.TTL,
          enabled: r.Enable,
        });
      }
      if (res.Records.length === 0 || page * pageSize >= (res.TotalCount ?? (res.Records.length < pageSize ? 0 : Infinity))) break;
    }
    return out;
  }

  return {
    name: PROVIDER,
    keyId: maskKeyId(account.accessKey),
    capabilities: { recordTypes: ['A', 'AAAA'], lines: true },

    async listRecords(q: RecordQuery): Promise<DnsRecord[]> {
      const fqdn = canonicalName(q.fqdn);
      const host = q.record.trim() === '' ? '@' : q.record.trim();
      const params: Record<string, string | number> = { Host: host, SearchMode: 'exact' };
      if (q.type) params.Type = q.type.toUpperCase();
      const records = await listPaged(q.domain, params);
      return records.filter((r) => r.name === fqdn && (!q.type || r.type === q.type.toUpperCase()));
    },

    async listZones(): Promise<string[]> {
      // ListZones without a key, page by page (PageSize ≤ 100; bounded: 100 pages).
      const out: string[] = [];
      for (let page = 1; page <= 100; page++) {
        const res = await call('ListZones', { PageNumber: page, PageSize: 100 }, undefined, zonesSchema);
        for (const z of res.Zones) out.push(canonicalName(z.ZoneName));
        if (res.Zones.length === 0 || out.length >= (res.Total ?? out.length)) break;
      }
      return out;
    },

    async listZoneRecords(domain: string): Promise<DnsRecord[]> {
      return (await listPaged(domain, {})).filter((r) => r.type === 'A' || r.type === 'AAAA');
    },

    async updateRecord(r: DnsRecord, value: string, ctx: RecordContext): Promise<void> {
      // UpdateRecord needs RecordID, Host and Line; the rest is sent so nothing is reset.
      await call(
        'UpdateRecord',
        {},
        { RecordID: r.id, Host: ctx.record.trim() || '@', Line: r.providerLine, Type: r.type, Value: value, TTL: r.ttl },
        // The answer's Result (the updated record) is not needed.
        z.unknown(),
      );
    },

    async createRecord(c: CreateRequest): Promise<DnsRecord> {
      const zid = await zoneId(c.domain);
      const providerLine = volcengineLines.toProvider(c.line);
      const res = await call(
        'CreateRecord',
        {},
        { ZID: Number(zid), Host: c.record.trim() || '@', Type: c.type, Value: c.value, Line: providerLine, TTL: c.ttl },
        writeSchema,
      );
      return { id: res.RecordID, name: fqdnOf(c.record, c.domain), type: c.type, line: c.line, providerLine, value: c.value, ttl: c.ttl, enabled: true };
    },
  };
}

const AUTH_CODES = new Set([
  'InvalidAccessKey',
  'SignatureDoesNotMatch',
  'InvalidTimestamp',
  'MissingAuthenticationToken',
  'InvalidAuthorization',
  'InvalidCredential',
  'AccessDenied',
]);
const RETRY_CODES = new Set(['FlowLimitExceeded', 'AccountFlowLimitExceeded', 'ServiceUnavailableTemporary', 'InternalError', 'InternalServiceError', 'ServiceUnavailable']);

/**
 * An error answer → ProviderError. Errors come as `ResponseMetadata.Error {CodeN, Code, Message}`
 * (SignatureDoesNotMatch 100010, InvalidAccessKey 100009, InvalidTimestamp 100006...), usually with
 * a 4xx/5xx status. Throttling (FlowLimitExceeded, 429) and 5xx are retried.
 */
export function volcengineError(action: string, status: number, body: unknown, secrets: readonly string[]): ProviderError {
  const meta = (body as { ResponseMetadata?: { Error?: { Code?: unknown; Message?: unknown } } } | undefined)?.ResponseMetadata;
  const e = meta?.Error;
  const code = typeof e?.Code === 'string' && e.Code ? e.Code : `HTTP${status}`;
  const message = typeof e?.Message === 'string' ? e.Message : body === undefined ? 'answer is not JSON' : '';
  return new ProviderError({
    provider: PROVIDER,
    action,
    code,
    message: redact(message, secrets).slice(0, 300),
    retryable: RETRY_CODES.has(code) || status === 429 || status >= 500,
    auth: AUTH_CODES.has(code) || status === 401 || status === 403,
    httpStatus: status,
  });
}
