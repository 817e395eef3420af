// Huawei Cloud DNS emulator (public zones: v2 zone listing, v2.1 record sets with lines) on
// loopback, for tests and benchmarks. It checks APIG `SDK-HMAC-SHA256` signatures the way the API
// gateway does, recomputing them from the received request with its own code (not the client's):
// canonical URI with a trailing slash, sorted RFC 3986 query, the signed headers as received, a
// 15-minute X-Sdk-Date window, unknown access keys. Gateway errors answer
// `{"error_code":"APIGW.xxxx","error_msg"}` (401 APIGW.0301, 429 APIGW.0308, 404 APIGW.0101), DNS
// errors `{"code":"DNS.xxxx","message"}`; writes answer 202 with a PENDING_* status. A record set
// holds a list of values (seed one with `value: 'a,b'`).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { CallCounter, Faults, Zone, fqdn, listen, readBody, sleep, type EmuRecord, type SeedRecord } from './common.js';

export const HUAWEI_READS = ['ListPublicZones', 'ListRecordSetsByZone'] as const;
export const HUAWEI_WRITES = ['CreateRecordSet', 'UpdateRecordSet', 'DeleteRecordSet'] as const;
export const HUAWEI_LINES = ['default_view', 'Dianxin', 'Liantong', 'Yidong', 'Jiaoyuwang', 'Abroad', 'Tietong', 'Pengboshi', 'CN', 'Dianxin_Beijing'];
const WINDOW_MS = 15 * 60 * 1000;

export interface HuaweiEmulatorOptions {
  /** AK → SK. */
  credentials: Record<string, string>;
  domains?: string[];
  now?: () => number;
}

export interface HuaweiEmulator {
  endpoint: string;
  close(): Promise<void>;
  zone: Zone;
  calls: CallCounter;
  faults: Faults;
  seed(r: SeedRecord): string;
  records(filter?: { domain?: string; rr?: string; type?: string; line?: string }): EmuRecord[];
  /** The wire id (32 hex digits) of a stored record. */
  wireId(id: string): string;
  /** Gives a zone a new id, as deleting and re-adding it would (its records are kept). */
  renumberZone(domain: string): void;
  writes(): number;
  reads(): number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
  ) {
    super(JSON.stringify(body));
  }
}
const gateway = (status: number, code: string, msg: string) => new ApiError(status, { error_code: code, error_msg: msg, request_id: crypto.randomUUID().replace(/-/g, '') });
const dnsError = (status: number, code: string, message: string) => new ApiError(status, { code, message });

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hex32 = (id: string) => BigInt(id).toString(16).padStart(32, '0');
const fromHex32 = (h: string) => (/^[0-9a-f]{32}$/.test(h) ? BigInt(`0x${h}`).toString() : '');

export async function startHuaweiEmulator(opts: HuaweiEmulatorOptions): Promise<HuaweiEmulator> {
  const now = opts.now ?? Date.now;
  const zone = new Zone(3_000_000_000n, 'default_view');
  const calls = new CallCounter();
  const faults = new Faults();
  const zoneIds = new Map<string, string>();
  const addDomain = (d: string) => {
    const domain = d.toLowerCase();
    if (zoneIds.has(domain)) return;
    zone.addDomain(domain);
    zoneIds.set(domain, createHash('md5').update(`zone:${domain}`).digest('hex'));
    // Every zone has its SOA and NS record sets at the apex (system-made, `default: true`).
    zone.insert({ domain, rr: '@', type: 'NS', value: 'ns1.huaweicloud-dns.com.,ns1.huaweicloud-dns.net.', ttl: 172800 });
  };
  for (const d of opts.domains ?? []) addDomain(d);
  const domainOfZone = (zid: string) => [...zoneIds].find(([, id]) => id === zid)?.[0];

  function authenticate(req: http.IncomingMessage, url: URL, body: Buffer): void {
    const auth = String(req.headers.authorization ?? '');
    const m = /^SDK-HMAC-SHA256 Access=([^,\s]+), ?SignedHeaders=([a-z0-9;_-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw gateway(401, 'APIGW.0301', 'Incorrect IAM authentication information: Authorization header is missing or malformed');
    const [, ak, signedHeaders, signature] = m as unknown as [string, string, string, string];
    const names = signedHeaders.split(';');
    if (!names.includes('x-sdk-date') || !names.includes('host')) {
      throw gateway(401, 'APIGW.0301', 'Incorrect IAM authentication information: host and x-sdk-date must be signed');
    }
    const date = String(req.headers['x-sdk-date'] ?? '');
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!dm) throw gateway(401, 'APIGW.0301', 'Incorrect IAM authentication information: x-sdk-date is malformed');
    const at = Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!);
    if (Math.abs(now() - at) > WINDOW_MS) {
      throw gateway(401, 'APIGW.0301', 'Incorrect IAM authentication information: request expired (x-sdk-date more than 15 minutes off)');
    }
    const sk = opts.credentials[ak];
    if (sk === undefined) throw gateway(401, 'APIGW.0301', `Incorrect IAM authentication information: ak ${ak.slice(0, 4)}**** not exist`);
    const uri = url.pathname
      .split('/')
      .map((s) => enc(decodeURIComponent(s)))
      .join('/');
    const query = [...url.searchParams]
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .sort()
      .join('&');
    const headers = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}\n`).join('');
    const canonical = [req.method ?? 'GET', uri.endsWith('/') ? uri : `${uri}/`, query, headers, signedHeaders, createHash('sha256').update(body).digest('hex')].join('\n');
    const sts = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const expected = createHmac('sha256', sk).update(sts).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw gateway(401, 'APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail');
    }
  }

  const wire = (r: EmuRecord, status = 'ACTIVE') => ({
    id: hex32(r.id),
    name: `${fqdn(r.rr, r.domain)}.`,
    description: null,
    zone_id: zoneIds.get(r.domain),
    zone_name: `${r.domain}.`,
    type: r.type,
    ttl: r.ttl,
    records: r.value.split(','),
    created_at: '2026-01-01T00:00:00.000',
    updated_at: r.updatedAt.toISOString().replace('Z', ''),
    status: r.status === 'DISABLE' ? 'DISABLE' : status,
    default: r.type === 'NS' || r.type === 'SOA',
    project_id: 'emulated0project0id00000000000000',
    line: r.line,
    weight: null,
    links: { self: `/v2.1/zones/${zoneIds.get(r.domain)}/recordsets/${hex32(r.id)}` },
  });

  const rrOf = (name: string, domain: string): string | null => {
    const n = name.toLowerCase().replace(/\.$/, '');
    if (n === domain) return '@';
    return n.endsWith(`.${domain}`) ? n.slice(0, -domain.length - 1) : null;
  };
  const checkValues = (type: string, records: unknown): string[] => {
    if (!Array.isArray(records) || records.length === 0 || !records.every((v) => typeof v === 'string')) {
      throw dnsError(400, 'DNS.0303', 'Invalid records: a non-empty list of strings is required.');
    }
    for (const v of records as string[]) {
      if ((type === 'A' && !isIPv4(v)) || (type === 'AAAA' && !isIPv6(v))) throw dnsError(400, 'DNS.0308', `Invalid record value ${v} for type ${type}.`);
    }
    return records as string[];
  };

  async function route(method: string, url: URL, body: Buffer): Promise<{ status: number; body: object }> {
    const p = url.pathname.replace(/\/+$/, '');
    const json = (): Record<string, unknown> => {
      try {
        const v = JSON.parse(body.toString('utf8')) as unknown;
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
      } catch {
        /* fall through */
      }
      throw dnsError(400, 'DNS.0301', 'The request body is not a JSON object.');
    };
    if (method === 'GET' && p === '/v2/zones') {
      calls.inc('ListPublicZones');
      const name = (url.searchParams.get('name') ?? '').toLowerCase().replace(/\.$/, '');
      const equal = url.searchParams.get('search_mode') === 'equal';
      const zones = [...zoneIds]
        .filter(([d]) => !name || (equal ? d === name : d.includes(name)))
        .map(([d, id]) => ({ id, name: `${d}.`, zone_type: 'public', status: 'ACTIVE', record_num: zone.all().filter((r) => r.domain === d).length }));
      return { status: 200, body: { links: { self: url.pathname }, zones, metadata: { total_count: zones.length } } };
    }
    const m = /^\/v2\.1\/zones\/([^/]+)\/recordsets(?:\/([^/]+))?$/.exec(p);
    if (!m) {
      calls.inc('(unknown)');
      if (p === '/v2.1/zones') throw gateway(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
      throw gateway(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
    }
    const [, zid, rid] = m as unknown as [string, string, string | undefined];
    const action = method === 'GET' ? 'ListRecordSetsByZone' : method === 'POST' && !rid ? 'CreateRecordSet' : method === 'PUT' && rid ? 'UpdateRecordSet' : '(unknown)';
    calls.inc(action);
    const domain = domainOfZone(zid);
    if (!domain) throw dnsError(404, 'DNS.0302', 'This zone does not exist.');
    if (action === 'ListRecordSetsByZone') {
      const name = (url.searchParams.get('name') ?? '').toLowerCase().replace(/\.$/, '');
      const equal = url.searchParams.get('search_mode') === 'equal';
      const type = url.searchParams.get('type')?.toUpperCase();
      const line = url.searchParams.get('line_id');
      const limit = Number(url.searchParams.get('limit') ?? 500);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 0 || limit > 500 || !Number.isInteger(offset) || offset < 0) {
        throw dnsError(400, 'DNS.0303', 'Invalid limit or offset.');
      }
      const matched = zone
        .all()
        .filter((r) => r.domain === domain)
        .filter((r) => {
          const n = fqdn(r.rr, r.domain);
          return !name || (equal ? n === name : n.includes(name));
        })
        .filter((r) => !type || r.type === type)
        .filter((r) => !line || r.line === line);
      const page = matched.slice(offset, offset + limit);
      return { status: 200, body: { links: { self: url.pathname }, recordsets: page.map((r) => wire(r)), metadata: { total_count: matched.length } } };
    }
    if (action === 'CreateRecordSet') {
      const b = json();
      const type = String(b.type ?? '').toUpperCase();
      const rr = rrOf(String(b.name ?? ''), domain);
      if (!type || rr === null) throw dnsError(400, 'DNS.0303', 'Invalid name or type.');
      const values = checkValues(type, b.records);
      const line = b.line === undefined ? 'default_view' : String(b.line);
      if (!HUAWEI_LINES.includes(line)) throw dnsError(400, 'DNS.0308', `Invalid line ${line}.`);
      const clash = zone.all().find((r) => r.domain === domain && r.rr === rr && r.type === type && r.line === line);
      if (clash) throw dnsError(400, 'DNS.0312', `Attribute 'name' conflicts with Record Set '${fqdn(rr, domain)}.' type '${type}' line '${line}'.`);
      const rec = zone.insert({ domain, rr, type, value: values.join(','), line, ttl: typeof b.ttl === 'number' ? b.ttl : 300 });
      zone.countWrite(rec.id);
      return { status: 202, body: wire(rec, 'PENDING_CREATE') };
    }
    if (action === 'UpdateRecordSet') {
      const rec = zone.get(fromHex32(rid!));
      if (!rec || rec.domain !== domain) throw dnsError(404, 'DNS.0313', 'This record set does not exist.');
      const b = json();
      const type = String(b.type ?? '').toUpperCase();
      const rr = rrOf(String(b.name ?? ''), domain);
      if (!type || rr === null) throw dnsError(400, 'DNS.0303', 'The name and type of the record set are required.');
      if (rr !== rec.rr || type !== rec.type) throw dnsError(400, 'DNS.0303', 'The name and type of a record set cannot be changed.');
      if (b.line !== undefined && b.line !== rec.line) throw dnsError(400, 'DNS.0308', 'The line of a record set cannot be changed.');
      const values = checkValues(type, b.records);
      zone.update(rec, { value: values.join(','), ttl: typeof b.ttl === 'number' ? b.ttl : rec.ttl, updatedAt: new Date() });
      zone.countWrite(rec.id);
      return { status: 202, body: wire(rec, 'PENDING_UPDATE') };
    }
    throw gateway(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': crypto.randomUUID().replace(/-/g, '') });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      try {
        authenticate(req, url, body);
      } catch (err) {
        calls.inc('(rejected)');
        throw err;
      }
      const fault = faults.take();
      if (fault?.kind === 'throttle') throw gateway(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit');
      if (fault?.kind === 'http') {
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway</body></html>');
        return;
      }
      const out = await route((req.method ?? 'GET').toUpperCase(), url, body);
      send(out.status, out.body);
    } catch (err) {
      if (err instanceof ApiError) send(err.status, err.body);
      else send(500, { code: 'DNS.0001', message: 'Internal server error.' });
    }
  }

  const started = await listen((req, res) => void handle(req, res));
  return {
    endpoint: started.endpoint,
    close: started.close,
    zone,
    calls,
    faults,
    seed: (r) => {
      addDomain(r.domain);
      return zone.insert(r).id;
    },
    records: (f = {}) =>
      zone
        .all()
        .filter((r) => !f.domain || r.domain === f.domain.toLowerCase())
        .filter((r) => f.rr === undefined || r.rr === f.rr)
        .filter((r) => !f.type || r.type === f.type)
        .filter((r) => !f.line || r.line === f.line),
    wireId: hex32,
    renumberZone: (d) => void zoneIds.set(d.toLowerCase(), createHash('md5').update(`zone:${d}:${Date.now()}:${Math.random()}`).digest('hex')),
    writes: () => calls.sum(HUAWEI_WRITES),
    reads: () => calls.sum(HUAWEI_READS),
  };
}
