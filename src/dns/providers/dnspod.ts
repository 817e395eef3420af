// Tencent DNSPod through the official SDK (tencentcloud-sdk-nodejs-dnspod, API 2021-03-23).
//
// Endpoint handling: the SDK signs for the service named by the endpoint's first DNS label
// (`endpoint.split('.')[0]`), and the host it signs is the URL's hostname. An endpoint such as
// `http://127.0.0.1:PORT` (an emulator) or a proxy name would therefore sign for service `127` or
// `proxy`, which the real API rejects. So whenever the endpoint's host is not a `dnspod.*` name we
// keep the SDK talking to the virtual host `dnspod.tencentcloudapi.com[:PORT]` and give it an
// HTTP agent whose DNS lookup answers with the endpoint's real address. The signed request is then
// byte-for-byte what the real service expects (service `dnspod`, host `dnspod.tencentcloudapi.com`),
// so an emulator that checks it as strictly as Tencent does proves the real call would pass.
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import net from 'node:net';
import tencentcloud from 'tencentcloud-sdk-nodejs-dnspod';
import { z } from 'zod';
import type { CloudAccount } from '../../model.js';
import { dnspodLines } from '../lines.js';
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

export const DNSPOD_DEFAULT_HOST = 'dnspod.tencentcloudapi.com';
const PROVIDER = 'DNSPod';

const DnspodClient = tencentcloud.dnspod.v20210323.Client;
type SdkClient = InstanceType<typeof DnspodClient>;

/** The SDK methods we use; a test may pass its own. */
export type DnspodApi = Pick<SdkClient, 'DescribeRecordList' | 'ModifyRecord' | 'CreateRecord'> & Partial<Pick<SdkClient, 'DescribeDomainList'>>;

export interface DnspodProviderOptions {
  /** Per-request timeout, ms (the SDK takes whole seconds; rounded up). */
  timeoutMs?: number;
  /** DescribeRecordList page size; the API caps it at 3000. */
  pageSize?: number;
  client?: DnspodApi;
}

export interface DnspodEndpoint {
  /** What the SDK is given as `httpProfile.endpoint`: host[:port], its first label `dnspod`. */
  host: string;
  protocol: 'http://' | 'https://';
  /** When set, connect here instead of resolving `host` (IP literal or name). */
  connectTo: string | null;
}

/** Pure: how to reach and sign for a configured endpoint (null = the public default). */
export function dnspodEndpoint(endpoint: string | null): DnspodEndpoint {
  const e = (endpoint ?? '').trim();
  if (!e) return { host: DNSPOD_DEFAULT_HOST, protocol: 'https://', connectTo: null };
  const url = new URL(/^https?:\/\//i.test(e) ? e : `https://${e}`);
  const protocol = url.protocol === 'http:' ? 'http://' : 'https://';
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port ? `:${url.port}` : '';
  if (hostname.split('.')[0] === 'dnspod') return { host: `${hostname}${port}`, protocol, connectTo: null };
  return { host: `${DNSPOD_DEFAULT_HOST}${port}`, protocol, connectTo: hostname };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** An agent whose lookups for any name answer with `target` (resolved itself when it is a name). */
function pinnedAgent(protocol: DnspodEndpoint['protocol'], target: string): http.Agent {
  const lookup = (_host: string, options: dns.LookupOptions, cb: LookupCallback): void => {
    const answer = (address: string, family: number) =>
      options.all ? cb(null, [{ address, family }]) : cb(null, address, family);
    const literal = net.isIP(target);
    if (literal) return answer(target, literal);
    dns.lookup(target, { family: options.family ?? 0 }, (err, address, family) =>
      err ? cb(err, '', 0) : answer(address, family),
    );
  };
  const agentOpts = { keepAlive: true, lookup } as http.AgentOptions;
  return protocol === 'http://' ? new http.Agent(agentOpts) : new https.Agent(agentOpts);
}

const itemSchema = z.object({
  RecordId: z.union([z.number(), z.string(), z.bigint()]).transform(String),
  Name: z.string(),
  Type: z.string(),
  Value: z.string(),
  Line: z.string(),
  Status: z.string().default('ENABLE'),
  TTL: z.coerce.number(),
});
const listSchema = z.object({
  RecordCountInfo: z.object({ TotalCount: z.coerce.number() }).partial().optional(),
  RecordList: z.array(itemSchema).optional(),
});
const domainListSchema = z.object({
  DomainCountInfo: z.object({ AllTotal: z.coerce.number() }).partial().optional(),
  DomainList: z.array(z.object({ Name: z.string() })).optional(),
});
const writeSchema = z.object({ RecordId: z.union([z.number(), z.string(), z.bigint()]).transform(String).optional() });

export function createDnspodProvider(account: CloudAccount, opts: DnspodProviderOptions = {}): DnsProvider {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 3000, 1), 3000);
  const api: DnspodApi = opts.client ?? buildClient(account, opts.timeoutMs ?? 10_000);
  const secrets = [account.accessSecret];

  async function call<T>(action: string, run: () => Promise<unknown>, schema: z.ZodType<T>): Promise<T> {
    let raw: unknown;
    try {
      raw = await run();
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

  /** DescribeRecordList, every page (bounded at 100 pages), as canonical records of `domain`. */
  async function listPaged(domain: string, filter: { Subdomain?: string; RecordType?: string }): Promise<DnsRecord[]> {
    const out: DnsRecord[] = [];
    let offset = 0;
    for (let page = 0; page < 100; page++) {
      let res: z.infer<typeof listSchema>;
      try {
        res = await call(
          'DescribeRecordList',
          () =>
            api.DescribeRecordList({
              Domain: domain,
              ...filter,
              Offset: offset,
              Limit: pageSize,
              // An empty list is an error by default; we want "no records".
              ErrorOnEmpty: 'no',
            }),
          listSchema,
        );
      } catch (err) {
        // Older API behaviour (and ErrorOnEmpty ignored by some gateways): still "no records".
        if (err instanceof ProviderError && err.code === 'ResourceNotFound.NoDataOfRecord') break;
        throw err;
      }
      const batch = res.RecordList ?? [];
      for (const r of batch) {
        out.push({
          id: r.RecordId,
          name: fqdnOf(r.Name, domain),
          type: r.Type.toUpperCase(),
          line: dnspodLines.fromProvider(r.Line),
          providerLine: r.Line,
          value: r.Value,
          ttl: r.TTL,
          enabled: r.Status.toUpperCase() === 'ENABLE',
        });
      }
      offset += batch.length;
      const total = res.RecordCountInfo?.TotalCount ?? offset;
      if (batch.length === 0 || offset >= total) break;
    }
    return out;
  }

  return {
    name: PROVIDER,
    keyId: maskKeyId(account.accessKey),
    capabilities: { recordTypes: ['A', 'AAAA'], lines: true },

    async listRecords(q: RecordQuery): Promise<DnsRecord[]> {
      const fqdn = canonicalName(q.fqdn);
      const all = await listPaged(q.domain, { Subdomain: q.record || '@', ...(q.type ? { RecordType: q.type } : {}) });
      // Exact match only: never trust the server-side filter with a name.
      return all.filter((rec) => rec.name === fqdn && (!q.type || rec.type === q.type.toUpperCase()));
    },

    async listZoneRecords(domain: string): Promise<DnsRecord[]> {
      // DescribeRecordList without Subdomain: the whole zone, paged by Offset/Limit (Limit ≤ 3000).
      return listPaged(domain, {});
    },

    async listZones(): Promise<string[]> {
      const out: string[] = [];
      const list = api.DescribeDomainList?.bind(api);
      if (!list) throw new ProviderError({ provider: PROVIDER, action: 'DescribeDomainList', code: 'Unsupported', message: 'this client cannot list zones', retryable: false, auth: false });
      // DescribeDomainList, Offset/Limit (Limit ≤ 3000); bounded at 100 pages.
      for (let page = 0; page < 100; page++) {
        let res: z.infer<typeof domainListSchema>;
        try {
          res = await call('DescribeDomainList', () => list({ Type: 'ALL', Offset: out.length, Limit: 3000 }), domainListSchema);
        } catch (err) {
          // An account with no zones at all is answered as an error.
          if (err instanceof ProviderError && err.code === 'ResourceNotFound.NoDataOfDomain') break;
          throw err;
        }
        const batch = res.DomainList ?? [];
        for (const d of batch) out.push(canonicalName(d.Name));
        const total = res.DomainCountInfo?.AllTotal ?? out.length;
        if (batch.length === 0 || out.length >= total) break;
      }
      return out;
    },

    async updateRecord(r: DnsRecord, value: string, ctx: RecordContext): Promise<void> {
      await call(
        'ModifyRecord',
        () =>
          api.ModifyRecord({
            Domain: ctx.domain,
            SubDomain: ctx.record || '@',
            RecordId: Number(r.id),
            RecordType: r.type,
            RecordLine: r.providerLine,
            Value: value,
            TTL: ctx.ttl ?? r.ttl,
            // ModifyRecord resets an omitted Status to ENABLE; we only ever update enabled records.
            Status: 'ENABLE',
          }),
        writeSchema,
      );
    },

    async createRecord(c: CreateRequest): Promise<DnsRecord> {
      const providerLine = dnspodLines.toProvider(c.line);
      const res = await call(
        'CreateRecord',
        () =>
          api.CreateRecord({
            Domain: c.domain,
            SubDomain: c.record || '@',
            RecordType: c.type,
            RecordLine: providerLine,
            Value: c.value,
            TTL: c.ttl,
          }),
        writeSchema,
      );
      return {
        id: res.RecordId ?? '',
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

function buildClient(account: CloudAccount, timeoutMs: number): SdkClient {
  const ep = dnspodEndpoint(account.endpoint);
  return new DnspodClient({
    credential: { secretId: account.accessKey, secretKey: account.accessSecret },
    profile: {
      httpProfile: {
        endpoint: ep.host,
        protocol: ep.protocol,
        reqTimeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
        // Always our own agent: it also keeps the SDK from picking up an `http_proxy` variable.
        agent: ep.connectTo
          ? pinnedAgent(ep.protocol, ep.connectTo)
          : ep.protocol === 'http://'
            ? new http.Agent({ keepAlive: true })
            : new https.Agent({ keepAlive: true }),
      },
    },
  });
}

interface TencentSdkError {
  code?: unknown;
  httpCode?: unknown;
  message?: unknown;
  name?: unknown;
}

/** SDK error → ProviderError: API errors carry `.code`, HTTP failures `.httpCode`, socket errors neither. */
export function toProviderError(action: string, err: unknown, secrets: readonly string[]): ProviderError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as TencentSdkError;
  const rawMessage = redact(typeof e.message === 'string' ? e.message : String(err), secrets).slice(0, 300);
  if (typeof e.code === 'string' && e.code && !isNetworkCode(e.code)) {
    return new ProviderError({
      provider: PROVIDER,
      action,
      code: e.code,
      message: rawMessage,
      retryable: isRetryableCode(e.code),
      auth: isAuthCode(e.code),
    });
  }
  if (typeof e.httpCode === 'number') {
    return new ProviderError({
      provider: PROVIDER,
      action,
      code: `HTTP${e.httpCode}`,
      message: rawMessage,
      retryable: e.httpCode >= 500 || e.httpCode === 429,
      auth: false,
      httpStatus: e.httpCode,
    });
  }
  // The SDK wraps socket errors and timeouts in a plain exception with only the message
  // (`request to ... failed, reason: connect ECONNREFUSED`, `network timeout at: ...`).
  const network = /ECONN|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|EHOST|ENETUNREACH|socket hang up|timeout/i.test(rawMessage);
  return new ProviderError({
    provider: PROVIDER,
    action,
    code: network ? 'NetworkError' : 'UnknownError',
    message: rawMessage,
    retryable: network,
    auth: false,
  });
}
