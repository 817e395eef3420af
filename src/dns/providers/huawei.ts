// Huawei Cloud DNS (public zones) over its REST API with APIG AK/SK signing (huawei-sign.ts).
// Zones: `GET /v2/zones?name=` (there is no GET on /v2.1/zones); record sets: v2.1 with lines.
// A record set holds a list of values: we manage a set whose only value is ours and report a
// multi-value set as unmanaged (left alone). Create and update answer 202 with a PENDING_* status.
import { z } from 'zod';
import type { CloudAccount } from '../../model.js';
import { huaweiLines } from '../lines.js';
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
import { huaweiAuthorization, huaweiSdkDate } from './huawei-sign.js';

export const HUAWEI_DEFAULT_ENDPOINT = 'https://dns.myhuaweicloud.com';
const PROVIDER = 'Huawei';

/** Tuning and test hooks; `http` replaces the network leg (tests), `timeoutMs` bounds one call. */
export interface HuaweiProviderOptions {
  timeoutMs?: number;
  /** Record-set page size; the API caps `limit` at 500. */
  pageSize?: number;
  http?: HttpClient;
  /** Clock for X-Sdk-Date. */
  now?: () => Date;
}

export interface HuaweiEndpoint {
  /** Scheme, host and port; requests go to `${base}/v2...`. */
  base: URL;
  /** Sent (and signed) as X-Project-Id when the endpoint carries `?project_id=`. */
  projectId: string | null;
}

/**
 * Pure: the configured endpoint → where to send requests. Accepts a host (`dns.cn-north-4.myhuaweicloud.com`),
 * a URL, or either with `?project_id=<id>` for accounts whose IAM policy needs the project header.
 */
export function huaweiEndpoint(endpoint: string | null): HuaweiEndpoint {
  const url = endpointUrl(endpoint, HUAWEI_DEFAULT_ENDPOINT);
  const projectId = url.searchParams.get('project_id');
  const base = new URL(`${url.protocol}//${url.host}`);
  return { base, projectId: projectId && projectId.trim() ? projectId.trim() : null };
}

const recordSetSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  ttl: z.coerce.number().default(300),
  records: z.array(z.string()).default([]),
  status: z.string().default('ACTIVE'),
  line: z.string().default('default_view'),
});
const listSchema = z.object({
  recordsets: z.array(recordSetSchema),
  metadata: z.object({ total_count: z.coerce.number() }).partial().optional(),
});
const zonesSchema = z.object({
  zones: z.array(z.object({ id: z.string(), name: z.string() })),
  metadata: z.object({ total_count: z.coerce.number() }).partial().optional(),
});
const writeSchema = z.object({ id: z.string() });

/** Record-set statuses under which the set answers queries (Huawei: ACTIVE and in-flight changes). */
const LIVE = new Set(['ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE']);

/**
 * A Huawei Cloud DNS provider for one account (AK = `accessKey`, SK = `accessSecret`). Calls fail
 * with ProviderError: 401/403 and APIGW.0301 are auth errors, 429/APIGW.0308 and 5xx retryable;
 * a zone missing from the account is `ZoneNotFound` (not retryable).
 */
export function createHuaweiProvider(account: CloudAccount, opts: HuaweiProviderOptions = {}): DnsProvider {
  const ep = huaweiEndpoint(account.endpoint);
  const http = opts.http ?? httpClient(PROVIDER);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pageSize = Math.min(Math.max(opts.pageSize ?? 500, 1), 500);
  const now = opts.now ?? (() => new Date());
  const secrets = [account.accessSecret];
  // Zone name → id lookup, shared by concurrent callers; a failed lookup is forgotten.
  const zoneIds = new ZoneIds((name) => lookupZone(name));

  async function call<T>(action: string, method: 'GET' | 'POST' | 'PUT', path: string, query: Record<string, string>, body: object | undefined, schema: z.ZodType<T>): Promise<T> {
    const url = new URL(path, ep.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const text = body === undefined ? '' : JSON.stringify(body);
    const signed: Record<string, string> = { host: url.host, 'x-sdk-date': huaweiSdkDate(now()) };
    if (body !== undefined) signed['content-type'] = 'application/json';
    if (ep.projectId) signed['x-project-id'] = ep.projectId;
    const authorization = huaweiAuthorization({ method, url, signedHeaders: signed, body: text }, account.accessKey, account.accessSecret);
    const answer = await http.send(
      { method, url, headers: { ...signed, authorization, accept: 'application/json' }, ...(body !== undefined ? { body: text } : {}), timeoutMs },
      action,
    );
    if (answer.status < 200 || answer.status >= 300) {
      const err = huaweiError(action, answer.status, answer.json, secrets);
      // A zone deleted and created again has a new id: look it up afresh next time.
      if (answer.status === 404 || err.code === 'DNS.0302') zoneIds.clear();
      throw err;
    }
    return parseAnswer(PROVIDER, action, answer.status, answer.json, answer.json, schema);
  }

  function zoneId(domain: string): Promise<string> {
    return zoneIds.get(canonicalName(domain));
  }

  async function lookupZone(name: string): Promise<string> {
    const res = await call('ListPublicZones', 'GET', '/v2/zones', { type: 'public', name: `${name}.`, search_mode: 'equal', limit: '500' }, undefined, zonesSchema);
    const zone = res.zones.find((z) => canonicalName(z.name) === name);
    if (!zone) {
      throw new ProviderError({
        provider: PROVIDER,
        action: 'ListPublicZones',
        code: 'ZoneNotFound',
        message: `no public zone "${name}" in this account (check the domain and the key's project)`,
        retryable: false,
        auth: false,
      });
    }
    return zone.id;
  }

  /** Every record set matching `query` in a zone, page by page (bounded: 100 pages). */
  async function listSets(zid: string, query: Record<string, string>): Promise<DnsRecord[]> {
    const out: DnsRecord[] = [];
    let offset = 0;
    for (let page = 0; page < 100; page++) {
      const res = await call(
        'ListRecordSetsByZone',
        'GET',
        `/v2.1/zones/${encodeURIComponent(zid)}/recordsets`,
        { ...query, limit: String(pageSize), offset: String(offset) },
        undefined,
        listSchema,
      );
      out.push(...res.recordsets.map(toRecord));
      offset += res.recordsets.length;
      const total = res.metadata?.total_count ?? offset;
      if (res.recordsets.length === 0 || offset >= total) break;
    }
    return out;
  }

  function toRecord(r: z.infer<typeof recordSetSchema>): DnsRecord {
    const rec: DnsRecord = {
      id: r.id,
      name: canonicalName(r.name),
      type: r.type.toUpperCase(),
      line: huaweiLines.fromProvider(r.line),
      providerLine: r.line,
      value: r.records.join(','),
      ttl: r.ttl,
      enabled: LIVE.has(r.status.toUpperCase()),
    };
    if (r.records.length !== 1) {
      rec.unmanaged = `record set ${r.id} holds ${r.records.length} values (${r.records.join(', ')}); CocoaSyncer manages only record sets whose one value is ours`;
    }
    return rec;
  }

  return {
    name: PROVIDER,
    keyId: maskKeyId(account.accessKey),
    capabilities: { recordTypes: ['A', 'AAAA'], lines: true },

    async listRecords(q: RecordQuery): Promise<DnsRecord[]> {
      const fqdn = canonicalName(q.fqdn);
      const query: Record<string, string> = { name: `${fqdn}.`, search_mode: 'equal' };
      if (q.type) query.type = q.type.toUpperCase();
      const sets = await listSets(await zoneId(q.domain), query);
      // Exact match only, whatever the server-side filter did.
      return sets.filter((r) => r.name === fqdn && (!q.type || r.type === q.type.toUpperCase()));
    },

    async listZones(): Promise<string[]> {
      // GET /v2/zones?type=public, by offset (limit ≤ 500; bounded: 100 pages).
      const out: string[] = [];
      for (let page = 0; page < 100; page++) {
        const res = await call('ListPublicZones', 'GET', '/v2/zones', { type: 'public', limit: '500', offset: String(out.length) }, undefined, zonesSchema);
        for (const z of res.zones) out.push(canonicalName(z.name));
        if (res.zones.length === 0 || out.length >= (res.metadata?.total_count ?? out.length)) break;
      }
      return out;
    },

    async listZoneRecords(domain: string): Promise<DnsRecord[]> {
      const zone = canonicalName(domain);
      const sets = await listSets(await zoneId(domain), {});
      return sets.filter((r) => (r.type === 'A' || r.type === 'AAAA') && (r.name === zone || r.name.endsWith(`.${zone}`)));
    },

    async updateRecord(r: DnsRecord, value: string, ctx: RecordContext): Promise<void> {
      if (r.unmanaged) {
        throw new ProviderError({ provider: PROVIDER, action: 'UpdateRecordSet', code: 'Unmanaged', message: r.unmanaged, retryable: false, auth: false });
      }
      const zid = await zoneId(ctx.domain);
      // Update needs name, type and a non-empty records list; the line cannot change (it is not sent).
      await call(
        'UpdateRecordSet',
        'PUT',
        `/v2.1/zones/${encodeURIComponent(zid)}/recordsets/${encodeURIComponent(r.id)}`,
        {},
        { name: `${fqdnOf(ctx.record, ctx.domain)}.`, type: r.type, records: [value], ttl: r.ttl },
        writeSchema,
      );
    },

    async createRecord(c: CreateRequest): Promise<DnsRecord> {
      const zid = await zoneId(c.domain);
      const providerLine = huaweiLines.toProvider(c.line);
      const name = fqdnOf(c.record, c.domain);
      const res = await call(
        'CreateRecordSet',
        'POST',
        `/v2.1/zones/${encodeURIComponent(zid)}/recordsets`,
        {},
        { name: `${name}.`, type: c.type, records: [c.value], ttl: c.ttl, line: providerLine },
        writeSchema,
      );
      return { id: res.id, name, type: c.type, line: c.line, providerLine, value: c.value, ttl: c.ttl, enabled: true };
    },
  };
}

interface HuaweiErrorBody {
  code?: unknown;
  message?: unknown;
  error_code?: unknown;
  error_msg?: unknown;
}

/**
 * A non-2xx answer → ProviderError. DNS errors come as `{"code":"DNS.xxxx","message"}`, API-gateway
 * errors as `{"error_code":"APIGW.xxxx","error_msg"}` (APIGW.0301 bad AK/SK signature or clock,
 * APIGW.0308 throttled). 401/403 are credential or permission problems; 429 and 5xx are retried.
 */
export function huaweiError(action: string, status: number, body: unknown, secrets: readonly string[]): ProviderError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as HuaweiErrorBody;
  const code = typeof b.code === 'string' ? b.code : typeof b.error_code === 'string' ? b.error_code : `HTTP${status}`;
  const raw = typeof b.message === 'string' ? b.message : typeof b.error_msg === 'string' ? b.error_msg : body === undefined ? 'answer is not JSON' : '';
  const throttled = status === 429 || code === 'APIGW.0308';
  return new ProviderError({
    provider: PROVIDER,
    action,
    code,
    message: redact(raw, secrets).slice(0, 300),
    retryable: throttled || status >= 500,
    auth: status === 401 || status === 403 || code === 'APIGW.0301' || code === 'APIGW.0303',
    httpStatus: status,
  });
}
