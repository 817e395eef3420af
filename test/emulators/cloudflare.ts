// Cloudflare API v4 emulator (zones and DNS records) on loopback, for tests and benchmarks. API
// tokens have no signature or timestamp: the emulator checks the `Authorization: Bearer` header as
// Cloudflare does (400 6003/6111 for a malformed header, 403 10000 for a token it does not know),
// answers in the `{success, errors, messages, result, result_info}` envelope, filters with
// `name.exact`, pages with page/per_page, and keeps each record's `proxied` flag, TTL and comment on
// PATCH while PUT resets what it omits (as the real API does). No lines: every record is "default".
import type http from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { CallCounter, Faults, Zone, fqdn, listen, readBody, sleep, type EmuRecord, type SeedRecord } from './common.js';

export const CF_READS = ['ListZones', 'ListDnsRecords'] as const;
export const CF_WRITES = ['CreateDnsRecord', 'PatchDnsRecord', 'PutDnsRecord', 'DeleteDnsRecord'] as const;
export const CF_BASE_PATH = '/client/v4';

export interface CloudflareEmulatorOptions {
  /** API tokens the emulated account accepts. */
  tokens: string[];
  domains?: string[];
}

export interface CfExtra {
  proxied: boolean;
  comment: string | null;
}

export interface CloudflareEmulator {
  /** The API base URL (…/client/v4), as an account's endpoint. */
  endpoint: string;
  close(): Promise<void>;
  zone: Zone;
  calls: CallCounter;
  faults: Faults;
  seed(r: SeedRecord & Partial<CfExtra>): string;
  /** proxied flag and comment of a record. */
  extra(id: string): CfExtra;
  records(filter?: { domain?: string; rr?: string; type?: string }): EmuRecord[];
  wireId(id: string): string;
  writes(): number;
  reads(): number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly chain: { code: number; message: string }[] = [],
  ) {
    super(message);
  }
}

const hex32 = (id: string) => BigInt(id).toString(16).padStart(32, '0');
const fromHex32 = (h: string) => (/^[0-9a-f]{32}$/.test(h) ? BigInt(`0x${h}`).toString() : '');

export async function startCloudflareEmulator(opts: CloudflareEmulatorOptions): Promise<CloudflareEmulator> {
  const zone = new Zone(5_000_000_000n, 'default');
  const calls = new CallCounter();
  const faults = new Faults();
  const tokens = new Set(opts.tokens);
  const zoneIds = new Map<string, string>();
  const extras = new Map<string, CfExtra>();
  const addDomain = (d: string) => {
    const domain = d.toLowerCase();
    if (zoneIds.has(domain)) return;
    zone.addDomain(domain);
    zoneIds.set(domain, Buffer.from(domain.padEnd(16, '.')).toString('hex').slice(0, 32));
  };
  for (const d of opts.domains ?? []) addDomain(d);
  const domainOfZone = (zid: string) => [...zoneIds].find(([, id]) => id === zid)?.[0];
  const extraOf = (id: string): CfExtra => extras.get(id) ?? { proxied: false, comment: null };

  function authenticate(req: http.IncomingMessage): void {
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer ([A-Za-z0-9_-]{8,})$/.exec(auth) : null;
    if (!m) throw new ApiError(400, 6003, 'Invalid request headers', [{ code: 6111, message: 'Invalid format for Authorization header' }]);
    if (!tokens.has(m[1]!)) throw new ApiError(403, 10000, 'Authentication error');
  }

  const wire = (r: EmuRecord) => {
    const name = fqdn(r.rr, r.domain);
    const x = extraOf(r.id);
    return {
      id: hex32(r.id),
      zone_id: zoneIds.get(r.domain),
      zone_name: r.domain,
      name,
      type: r.type,
      content: r.value,
      proxiable: true,
      proxied: x.proxied,
      ttl: r.ttl,
      comment: x.comment,
      tags: [],
      settings: {},
      meta: {},
      created_on: '2026-01-01T00:00:00.000000Z',
      modified_on: r.updatedAt.toISOString(),
    };
  };
  const rrOf = (name: string, domain: string): string | null => {
    const n = name.toLowerCase().replace(/\.$/, '');
    if (n === domain) return '@';
    return n.endsWith(`.${domain}`) ? n.slice(0, -domain.length - 1) : null;
  };
  const checkContent = (type: string, content: unknown): string => {
    if (typeof content !== 'string' || (type === 'A' && !isIPv4(content)) || (type === 'AAAA' && !isIPv6(content))) {
      throw new ApiError(400, 9005, 'Content for A record must be a valid IPv4 address.'.replace('A record', `${type} record`).replace('IPv4', type === 'AAAA' ? 'IPv6' : 'IPv4'));
    }
    return content;
  };
  const checkTtl = (ttl: unknown, dflt: number): number => {
    if (ttl === undefined) return dflt;
    if (typeof ttl !== 'number' || !(ttl === 1 || (ttl >= 30 && ttl <= 86400))) throw new ApiError(400, 9021, 'Invalid TTL. Must be between 30 and 86400 seconds, or 1 for Automatic.');
    return ttl;
  };

  function route(method: string, url: URL, body: Buffer): { status: number; result: unknown; info?: object } {
    if (!url.pathname.startsWith(CF_BASE_PATH)) {
      calls.inc('(unknown)');
      throw new ApiError(404, 7000, 'No route for that URI');
    }
    const p = url.pathname.slice(CF_BASE_PATH.length).replace(/\/+$/, '');
    const json = (): Record<string, unknown> => {
      try {
        const v = JSON.parse(body.toString('utf8')) as unknown;
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
      } catch {
        /* below */
      }
      throw new ApiError(400, 9207, 'Request body is invalid.');
    };
    if (method === 'GET' && p === '/zones') {
      calls.inc('ListZones');
      const name = url.searchParams.get('name')?.toLowerCase();
      const result = [...zoneIds].filter(([d]) => !name || d === name).map(([d, id]) => ({ id, name: d, status: 'active', paused: false, type: 'full' }));
      return { status: 200, result, info: { page: 1, per_page: 20, count: result.length, total_count: result.length, total_pages: 1 } };
    }
    const m = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(p);
    if (!m) {
      calls.inc('(unknown)');
      throw new ApiError(404, 7000, 'No route for that URI');
    }
    const [, zid, rid] = m as unknown as [string, string, string | undefined];
    const action =
      method === 'GET' && !rid ? 'ListDnsRecords' : method === 'POST' && !rid ? 'CreateDnsRecord' : method === 'PATCH' && rid ? 'PatchDnsRecord' : method === 'PUT' && rid ? 'PutDnsRecord' : '(unknown)';
    calls.inc(action);
    const domain = domainOfZone(zid);
    if (!domain) throw new ApiError(404, 7003, 'Could not route to /zones/' + zid + '/dns_records, perhaps your object identifier is invalid?');
    if (action === 'ListDnsRecords') {
      const exact = (url.searchParams.get('name.exact') ?? url.searchParams.get('name'))?.toLowerCase();
      const contains = url.searchParams.get('name.contains')?.toLowerCase();
      const type = url.searchParams.get('type')?.toUpperCase();
      const page = Number(url.searchParams.get('page') ?? 1);
      const perPage = Number(url.searchParams.get('per_page') ?? 100);
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 5 || perPage > 5_000_000) {
        throw new ApiError(400, 1004, 'DNS Validation Error', [{ code: 9009, message: 'Invalid page or per_page.' }]);
      }
      const matched = zone
        .all()
        .filter((r) => r.domain === domain)
        .filter((r) => !exact || fqdn(r.rr, r.domain) === exact)
        .filter((r) => !contains || fqdn(r.rr, r.domain).includes(contains))
        .filter((r) => !type || r.type === type);
      const slice = matched.slice((page - 1) * perPage, page * perPage);
      return {
        status: 200,
        result: slice.map(wire),
        info: { page, per_page: perPage, count: slice.length, total_count: matched.length, total_pages: Math.max(1, Math.ceil(matched.length / perPage)) },
      };
    }
    if (action === 'CreateDnsRecord') {
      const b = json();
      const type = String(b.type ?? '').toUpperCase();
      const rr = rrOf(String(b.name ?? ''), domain);
      if (!type || rr === null) throw new ApiError(400, 9000, 'DNS name is invalid.');
      const content = checkContent(type, b.content);
      if (zone.findIdentical(domain, rr, type, 'default', content)) throw new ApiError(400, 81058, 'An identical record already exists.');
      const rec = zone.insert({ domain, rr, type, value: content, line: 'default', ttl: checkTtl(b.ttl, 1) });
      extras.set(rec.id, { proxied: b.proxied === true, comment: typeof b.comment === 'string' ? b.comment : null });
      zone.countWrite(rec.id);
      return { status: 200, result: wire(rec) };
    }
    const rec = zone.get(fromHex32(rid!));
    if (!rec || rec.domain !== domain) throw new ApiError(404, 81044, 'Record does not exist.');
    const b = json();
    if (action === 'PatchDnsRecord') {
      const type = b.type === undefined ? rec.type : String(b.type).toUpperCase();
      const content = b.content === undefined ? rec.value : checkContent(type, b.content);
      const rr = b.name === undefined ? rec.rr : rrOf(String(b.name), domain);
      if (rr === null) throw new ApiError(400, 9000, 'DNS name is invalid.');
      const x = extraOf(rec.id);
      extras.set(rec.id, { proxied: b.proxied === undefined ? x.proxied : b.proxied === true, comment: b.comment === undefined ? x.comment : (b.comment as string | null) });
      zone.update(rec, { rr, type, value: content, ttl: checkTtl(b.ttl, rec.ttl), updatedAt: new Date() });
      zone.countWrite(rec.id);
      return { status: 200, result: wire(rec) };
    }
    if (action === 'PutDnsRecord') {
      const type = String(b.type ?? '').toUpperCase();
      const rr = rrOf(String(b.name ?? ''), domain);
      if (!type || rr === null) throw new ApiError(400, 9000, 'DNS name is invalid.');
      const content = checkContent(type, b.content);
      extras.set(rec.id, { proxied: b.proxied === true, comment: typeof b.comment === 'string' ? b.comment : null });
      zone.update(rec, { rr, type, value: content, ttl: checkTtl(b.ttl, 1), updatedAt: new Date() });
      zone.countWrite(rec.id);
      return { status: 200, result: wire(rec) };
    }
    throw new ApiError(405, 10405, 'Method not allowed for this route.');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cf-ray': `${Math.random().toString(16).slice(2, 18)}-EMU` });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      try {
        authenticate(req);
      } catch (err) {
        calls.inc('(rejected)');
        throw err;
      }
      const fault = faults.take();
      if (fault?.kind === 'throttle') throw new ApiError(429, 971, 'Please wait and consider throttling your request speed');
      if (fault?.kind === 'http') {
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end('<html><body>error code: 502</body></html>');
        return;
      }
      const out = route((req.method ?? 'GET').toUpperCase(), url, body);
      send(out.status, { success: true, errors: [], messages: [], result: out.result, ...(out.info ? { result_info: out.info } : {}) });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 10001, 'Internal error');
      send(e.status, { success: false, errors: [{ code: e.code, message: e.message, ...(e.chain.length ? { error_chain: e.chain } : {}) }], messages: [], result: null });
    }
  }

  const started = await listen((req, res) => void handle(req, res));
  return {
    endpoint: `${started.endpoint}${CF_BASE_PATH}`,
    close: started.close,
    zone,
    calls,
    faults,
    seed: (r) => {
      addDomain(r.domain);
      const rec = zone.insert({ ...r, line: 'default', ttl: r.ttl ?? 1 });
      extras.set(rec.id, { proxied: r.proxied ?? false, comment: r.comment ?? null });
      return rec.id;
    },
    extra: extraOf,
    records: (f = {}) =>
      zone
        .all()
        .filter((r) => !f.domain || r.domain === f.domain.toLowerCase())
        .filter((r) => f.rr === undefined || r.rr === f.rr)
        .filter((r) => !f.type || r.type === f.type),
    wireId: hex32,
    writes: () => calls.sum(CF_WRITES),
    reads: () => calls.sum(CF_READS),
  };
}
