// Alibaba Cloud DNS through the official RPC client (@alicloud/pop-core, API 2015-01-09).
// pop-core signs every request (HMAC-SHA1) and throws on a body `Code`; we turn its errors into
// ProviderError without its message, which embeds the full signed URL.
import RPCClient from '@alicloud/pop-core';
import { z } from 'zod';
import type { CloudAccount } from '../../model.js';
import { aliLines } from '../lines.js';
import {
  ProviderError,
  canonicalName,
  fqdnOf,
  isAuthCode,
  isNetworkCode,
  isRetryableCode,
  maskKeyId,
  redact,
  type CreateRequest,
  type DnsProvider,
  type DnsRecord,
  type RecordContext,
  type RecordQuery,
} from '../provider.js';

export const ALI_DEFAULT_ENDPOINT = 'https://alidns.aliyuncs.com';
const API_VERSION = '2015-01-09';
const PROVIDER = 'Ali';

/** The slice of pop-core's RPCClient we use; a test may pass its own. */
export interface AliRpcClient {
  request<T>(action: string, params: object, options?: object): Promise<T>;
}

export interface AliProviderOptions {
  /** Per-request timeout (connect and read), ms. */
  timeoutMs?: number;
  /** DescribeSubDomainRecords page size; the API caps it at 100. */
  pageSize?: number;
  client?: AliRpcClient;
}

const recordSchema = z.object({
  RecordId: z.union([z.string(), z.number()]).transform(String),
  RR: z.string(),
  DomainName: z.string(),
  Type: z.string(),
  Value: z.string(),
  TTL: z.coerce.number(),
  Line: z.string().default('default'),
  Status: z.string().default('ENABLE'),
});
const listSchema = z.object({
  TotalCount: z.coerce.number(),
  DomainRecords: z.object({ Record: z.array(recordSchema) }),
});
const domainsSchema = z.object({
  TotalCount: z.coerce.number(),
  Domains: z.object({ Domain: z.array(z.object({ DomainName: z.string() })) }),
});
const writeSchema = z.object({ RecordId: z.union([z.string(), z.number()]).transform(String) });

/** `alidns.aliyuncs.com` or `http://127.0.0.1:1234` → a URL pop-core accepts (it needs a scheme). */
export function aliEndpoint(endpoint: string | null): string {
  const e = (endpoint ?? '').trim();
  if (!e) return ALI_DEFAULT_ENDPOINT;
  const withScheme = /^https?:\/\//i.test(e) ? e : `https://${e}`;
  return withScheme.replace(/\/+$/, '');
}

export function createAliProvider(account: CloudAccount, opts: AliProviderOptions = {}): DnsProvider {
  const timeout = opts.timeoutMs ?? 10_000;
  const pageSize = Math.min(Math.max(opts.pageSize ?? 100, 1), 100);
  const client: AliRpcClient =
    opts.client ??
    new RPCClient({
      endpoint: aliEndpoint(account.endpoint),
      apiVersion: API_VERSION,
      accessKeyId: account.accessKey,
      accessKeySecret: account.accessSecret,
    });
  const secrets = [account.accessSecret];

  async function call<T>(action: string, params: Record<string, string | number>, schema: z.ZodType<T>): Promise<T> {
    let raw: unknown;
    try {
      raw = await client.request<unknown>(action, params, { timeout });
    } catch (err) {
      throw toProviderError(action, err, secrets);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new ProviderError({
        provider: PROVIDER,
        action,
        code: 'InvalidResponse',
        message: `unexpected response shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        retryable: false,
        auth: false,
      });
    }
    return parsed.data;
  }

  function toRecord(r: z.infer<typeof recordSchema>): DnsRecord {
    return {
      id: r.RecordId,
      name: fqdnOf(r.RR, r.DomainName),
      type: r.Type.toUpperCase(),
      line: aliLines.fromProvider(r.Line),
      providerLine: r.Line,
      value: r.Value,
      ttl: r.TTL,
      // Documented both as Enable and ENABLE.
      enabled: r.Status.toUpperCase() === 'ENABLE',
    };
  }

  return {
    name: PROVIDER,
    keyId: maskKeyId(account.accessKey),
    capabilities: { recordTypes: ['A', 'AAAA'], lines: true },

    async listRecords(q: RecordQuery): Promise<DnsRecord[]> {
      const fqdn = canonicalName(q.fqdn);
      const out: DnsRecord[] = [];
      let seen = 0;
      // Bounded: 100 pages of 100 is far beyond any real name's record count.
      for (let page = 1; page <= 100; page++) {
        const params: Record<string, string | number> = {
          SubDomain: fqdn,
          DomainName: q.domain,
          PageNumber: page,
          PageSize: pageSize,
        };
        if (q.type) params.Type = q.type;
        const res = await call('DescribeSubDomainRecords', params, listSchema);
        const batch = res.DomainRecords.Record;
        seen += batch.length;
        for (const r of batch) {
          const rec = toRecord(r);
          // Exact match only: never trust the server-side filter with a name (docs/dns-providers.md, "Lessons").
          if (rec.name !== fqdn) continue;
          if (q.type && rec.type !== q.type.toUpperCase()) continue;
          out.push(rec);
        }
        if (batch.length === 0 || seen >= res.TotalCount) break;
      }
      return out;
    },

    async listZoneRecords(domain: string): Promise<DnsRecord[]> {
      const out: DnsRecord[] = [];
      let seen = 0;
      // DescribeDomainRecords, PageSize up to 500; bounded at 200 pages (100 000 records).
      for (let page = 1; page <= 200; page++) {
        const res = await call('DescribeDomainRecords', { DomainName: domain, PageNumber: page, PageSize: 500 }, listSchema);
        const batch = res.DomainRecords.Record;
        seen += batch.length;
        for (const r of batch) out.push(toRecord(r));
        if (batch.length === 0 || seen >= res.TotalCount) break;
      }
      return out;
    },

    async listZones(): Promise<string[]> {
      const out: string[] = [];
      let seen = 0;
      // DescribeDomains, PageSize up to 100; bounded at 100 pages (10 000 zones).
      for (let page = 1; page <= 100; page++) {
        const res = await call('DescribeDomains', { PageNumber: page, PageSize: 100 }, domainsSchema);
        const batch = res.Domains.Domain;
        seen += batch.length;
        for (const d of batch) out.push(canonicalName(d.DomainName));
        if (batch.length === 0 || seen >= res.TotalCount) break;
      }
      return out;
    },

    async updateRecord(r: DnsRecord, value: string, ctx: RecordContext): Promise<void> {
      await call(
        'UpdateDomainRecord',
        { RecordId: r.id, RR: ctx.record || '@', Type: r.type, Value: value, TTL: ctx.ttl ?? r.ttl, Line: r.providerLine },
        writeSchema,
      );
    },

    async createRecord(c: CreateRequest): Promise<DnsRecord> {
      const providerLine = aliLines.toProvider(c.line);
      const res = await call(
        'AddDomainRecord',
        { DomainName: c.domain, RR: c.record || '@', Type: c.type, Value: c.value, TTL: c.ttl, Line: providerLine },
        writeSchema,
      );
      return {
        id: res.RecordId,
        name: fqdnOf(c.record, c.domain),
        type: c.type,
        line: c.line,
        providerLine,
        value: c.value,
        ttl: c.ttl,
        enabled: true,
      };
    },
  };
}

interface PopCoreError {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  data?: { Code?: unknown; Message?: unknown };
  entry?: { response?: { statusCode?: unknown } };
}

/** pop-core error → ProviderError. API errors carry `.data` (the JSON body); socket errors do not. */
export function toProviderError(action: string, err: unknown, secrets: readonly string[]): ProviderError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as PopCoreError;
  const status = typeof e.entry?.response?.statusCode === 'number' ? e.entry.response.statusCode : undefined;
  if (e.data && typeof e.data.Code === 'string') {
    const code = e.data.Code;
    const message = typeof e.data.Message === 'string' ? e.data.Message : '';
    return new ProviderError({
      provider: PROVIDER,
      action,
      code,
      // The server's string-to-sign echo is long and useless in a log line.
      message: redact(message, secrets).split(' server string to sign is:')[0]!.slice(0, 300),
      retryable: isRetryableCode(code, status),
      auth: isAuthCode(code),
      httpStatus: status,
    });
  }
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' ? e.code : name.startsWith('RequestTimeout') ? 'RequestTimeout' : name;
  const network = isNetworkCode(code) || code === 'RequestTimeout';
  // A body that is not JSON is a proxy's or load balancer's error page: transient.
  const badBody = err instanceof SyntaxError;
  const rawMessage = typeof e.message === 'string' ? e.message : String(err);
  return new ProviderError({
    provider: PROVIDER,
    action,
    code: badBody ? 'InvalidResponse' : code,
    // Never the SDK message as is: pop-core's includes the whole signed request URL.
    message: redact(rawMessage.split(/,? URL:|(?:GET|POST) https?:\/\//)[0]!, secrets).slice(0, 200),
    retryable: network || badBody || (status !== undefined && status >= 500),
    auth: false,
    httpStatus: status,
  });
}
