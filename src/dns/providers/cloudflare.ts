// Cloudflare DNS over API v4 with an API token (a small typed client: the official `cloudflare`
// package is a 120 MB install for the four calls used here). Cloudflare has no ISP lines: every
// record is on "default", and the planner serves only that line through this provider.
//   `accessSecret` is the API token (sent as `Authorization: Bearer`); `accessKey` is a label or
//   the token's id, used only to tell accounts apart (masked in every message); `endpoint` is the
//   API base URL (default https://api.cloudflare.com/client/v4).
// Updates use PATCH with only `content`, so each record's `proxied` flag, TTL and comment are kept
// (PUT would reset what it omits); listings filter with `name.exact` and page with page/per_page.
import { z } from 'zod';
import type { CloudAccount } from '../../model.js';
import { cloudflareLines } from '../lines.js';
import {
  ProviderError,
  canonicalName,
  fqdnOf,
  maskKeyId,
  redact,
  type CreateRequest,
  type DnsProvider,
  type DnsRecord,
  type RecordQuery,
} from '../provider.js';
import { endpointUrl, httpClient, type HttpClient, parseAnswer, ZoneIds } from './http.js';

export const CLOUDFLARE_DEFAULT_ENDPOINT = 'https://api.cloudflare.com/client/v4';
const PROVIDER = 'Cloudflare';
const LINE = 'default';

/** Tuning and test hooks; `http` replaces the network leg (tests), `timeoutMs` bounds one call. */
export interface CloudflareProviderOptions {
  timeoutMs?: number;
  /** dns_records page size (per_page); capped at 5000 here. */
  pageSize?: number;
  http?: HttpClient;
}

const recordSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  content: z.string(),
  ttl: z.coerce.number().default(1),
});
const pageInfo = z.object({ page: z.coerce.number(), total_pages: z.coerce.number() }).partial().optional();
const listSchema = z.object({ result: z.array(recordSchema), result_info: pageInfo });
const zonesSchema = z.object({
  result: z.array(z.object({ id: z.string(), name: z.string() })),
  result_info: z.object({ total_pages: z.coerce.number() }).partial().optional(),
});
const writeSchema = z.object({ result: recordSchema.pick({ id: true }) });

/** Pure: the configured endpoint → the API base URL, without a trailing slash. */
export function cloudflareBase(endpoint: string | null): string {
  return endpointUrl(endpoint, CLOUDFLARE_DEFAULT_ENDPOINT).href.replace(/\/+$/, '');
}

/**
 * A Cloudflare provider for one API token (`accessSecret`; `accessKey` is only a label). Only the
 * default line exists: `createRecord` for another line fails with `NoSuchLine` (the planner never
 * asks). Calls fail with ProviderError (see cloudflareError).
 */
export function createCloudflareProvider(account: CloudAccount, opts: CloudflareProviderOptions = {}): DnsProvider {
  const base = cloudflareBase(account.endpoint);
  const http = opts.http ?? httpClient(PROVIDER);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pageSize = Math.min(Math.max(opts.pageSize ?? 500, 5), 5000);
  const secrets = [account.accessSecret];
  // Zone name → id lookup, shared by concurrent callers; a failed lookup is forgotten.
  const zoneIds = new ZoneIds((name) => lookupZone(name));

  async function call<T>(action: string, method: 'GET' | 'POST' | 'PATCH', path: string, query: Record<string, string>, body: object | undefined, schema: z.ZodType<T>): Promise<T> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: `Bearer ${account.accessSecret}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await http.send({ method, url, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), timeoutMs }, action);
    if (answer.status >= 200 && answer.status < 300 && answer.json === undefined) {
      // A 2xx page that is not JSON comes from a proxy in between: transient.
      throw new ProviderError({ provider: PROVIDER, action, code: 'InvalidResponse', message: `HTTP ${answer.status} answer is not JSON`, retryable: true, auth: false, httpStatus: answer.status });
    }
    const ok = (answer.json as { success?: unknown } | undefined)?.success === true;
    if (answer.status < 200 || answer.status >= 300 || !ok) {
      const err = cloudflareError(action, answer.status, answer.json, secrets);
      // A zone deleted and added again has a new id: look it up afresh next time.
      if (answer.status === 404 || err.code === '7003') zoneIds.clear();
      throw err;
    }
    return parseAnswer(PROVIDER, action, answer.status, answer.json, answer.json, schema);
  }

  function zoneId(domain: string): Promise<string> {
    return zoneIds.get(canonicalName(domain));
  }

  async function lookupZone(name: string): Promise<string> {
    const res = await call('ListZones', 'GET', '/zones', { name, per_page: '50' }, undefined, zonesSchema);
    const zone = res.result.find((z) => canonicalName(z.name) === name);
    if (!zone) {
      throw new ProviderError({
        provider: PROVIDER,
        action: 'ListZones',
        code: 'ZoneNotFound',
        message: `no zone "${name}" visible to this token (it needs Zone:Read and DNS:Edit on the zone)`,
        retryable: false,
        auth: false,
      });
    }
    return zone.id;
  }

  /** dns_records of a zone with extra filters, page by page (bounded: 100 pages). */
  async function listPaged(domain: string, filters: Record<string, string>): Promise<DnsRecord[]> {
    const zid = await zoneId(domain);
    const out: DnsRecord[] = [];
    for (let page = 1; page <= 100; page++) {
      const query = { ...filters, page: String(page), per_page: String(pageSize) };
      const res = await call('ListDnsRecords', 'GET', `/zones/${encodeURIComponent(zid)}/dns_records`, query, undefined, listSchema);
      for (const r of res.result) {
        out.push({
          id: r.id,
          name: canonicalName(r.name),
          type: r.type.toUpperCase(),
          line: cloudflareLines.fromProvider(LINE),
          providerLine: LINE,
          value: r.content,
          ttl: r.ttl,
          enabled: true,
        });
      }
      if (res.result.length === 0 || page >= (res.result_info?.total_pages ?? page)) break;
    }
    return out;
  }

  return {
    name: PROVIDER,
    keyId: maskKeyId(account.accessKey),
    capabilities: { recordTypes: ['A', 'AAAA'], lines: false },

    async listRecords(q: RecordQuery): Promise<DnsRecord[]> {
      const fqdn = canonicalName(q.fqdn);
      const query: Record<string, string> = { 'name.exact': fqdn };
      if (q.type) query.type = q.type.toUpperCase();
      const records = await listPaged(q.domain, query);
      return records.filter((r) => r.name === fqdn && (!q.type || r.type === q.type.toUpperCase()));
    },

    async listZones(): Promise<string[]> {
      // GET /zones, page by page (per_page ≤ 50; bounded: 100 pages): the zones this token can see.
      const out: string[] = [];
      for (let page = 1; page <= 100; page++) {
        const res = await call('ListZones', 'GET', '/zones', { page: String(page), per_page: '50' }, undefined, zonesSchema);
        for (const z of res.result) out.push(canonicalName(z.name));
        if (res.result.length === 0 || page >= (res.result_info?.total_pages ?? page)) break;
      }
      return out;
    },

    async listZoneRecords(domain: string): Promise<DnsRecord[]> {
      return (await listPaged(domain, {})).filter((r) => r.type === 'A' || r.type === 'AAAA');
    },

    async updateRecord(r: DnsRecord, value: string, ctx): Promise<void> {
      const zid = await zoneId(ctx.domain);
      await call('PatchDnsRecord', 'PATCH', `/zones/${encodeURIComponent(zid)}/dns_records/${encodeURIComponent(r.id)}`, {}, { content: value }, writeSchema);
    },

    async createRecord(c: CreateRequest): Promise<DnsRecord> {
      if (!cloudflareLines.supports(c.line)) {
        throw new ProviderError({ provider: PROVIDER, action: 'CreateDnsRecord', code: 'NoSuchLine', message: `Cloudflare has no ${c.line} line; only default is served`, retryable: false, auth: false });
      }
      const zid = await zoneId(c.domain);
      const name = fqdnOf(c.record, c.domain);
      const res = await call('CreateDnsRecord', 'POST', `/zones/${encodeURIComponent(zid)}/dns_records`, {}, { type: c.type, name, content: c.value, ttl: c.ttl, proxied: false }, writeSchema);
      return { id: res.result.id, name, type: c.type, line: c.line, providerLine: LINE, value: c.value, ttl: c.ttl, enabled: true };
    },
  };
}

/** Cloudflare codes that mean the token (or its header) was not accepted. */
const AUTH_CODES = new Set([10000, 10001, 9109, 9106, 9103, 6003, 6111, 6102, 6103]);

/**
 * An error answer → ProviderError. The envelope is `{success:false, errors:[{code, message,
 * error_chain?}]}`: 403 `10000` Authentication error / `9109` Invalid access token, 400 `6003`
 * Invalid request headers with a `6111` chain for a malformed Authorization header; 429 (`971`) and
 * 5xx are retried. The code is the vendor's number as text.
 */
export function cloudflareError(action: string, status: number, body: unknown, secrets: readonly string[]): ProviderError {
  const errors = (body as { errors?: { code?: unknown; message?: unknown; error_chain?: { code?: unknown; message?: unknown }[] }[] } | undefined)?.errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  const num = typeof first?.code === 'number' ? first.code : null;
  const chain = Array.isArray(first?.error_chain) ? first.error_chain.map((c) => `${String(c.code)} ${String(c.message)}`).join('; ') : '';
  const message = [typeof first?.message === 'string' ? first.message : body === undefined ? 'answer is not JSON' : `HTTP ${status}`, chain].filter(Boolean).join(': ');
  return new ProviderError({
    provider: PROVIDER,
    action,
    code: num !== null ? String(num) : `HTTP${status}`,
    message: redact(message, secrets).slice(0, 300),
    retryable: status === 429 || status >= 500 || num === 971,
    auth: status === 401 || (num !== null && AUTH_CODES.has(num)) || (status === 403 && num === null),
    httpStatus: status,
  });
}
