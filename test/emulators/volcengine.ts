// Volcengine TrafficRoute DNS emulator (OpenAPI 2018-08-01) on loopback, for tests and benchmarks.
// It verifies the HMAC-SHA256 request signature itself from what it received (canonical request
// over the declared signed headers, sorted RFC 3986 query, `x-content-sha256` equal to the body's
// hash), a 15-minute X-Date window and unknown keys; the credential scope must name region
// cn-north-1 and service DNS. Answers use the real envelope `{ResponseMetadata, Result}` with errors
// in `ResponseMetadata.Error {CodeN, Code, Message}`. ListRecords matches Host fuzzily unless
// SearchMode=exact and pages 10 by default (500 at most).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { CallCounter, Faults, Zone, fqdn, listen, readBody, sleep, type EmuRecord, type SeedRecord } from './common.js';

export const VOLC_READS = ['ListZones', 'ListRecords'] as const;
export const VOLC_WRITES = ['CreateRecord', 'UpdateRecord', 'DeleteRecord'] as const;
export const VOLC_LINES = ['default', 'telecom', 'unicom', 'mobile', 'oversea', 'telecom_beijing'];
const VERSION = '2018-08-01';
const WINDOW_MS = 15 * 60 * 1000;

export interface VolcengineEmulatorOptions {
  /** AccessKeyId → SecretAccessKey. */
  credentials: Record<string, string>;
  domains?: string[];
  now?: () => number;
}

export interface VolcengineEmulator {
  endpoint: string;
  close(): Promise<void>;
  zone: Zone;
  calls: CallCounter;
  faults: Faults;
  seed(r: SeedRecord): string;
  records(filter?: { domain?: string; rr?: string; type?: string; line?: string }): EmuRecord[];
  writes(): number;
  reads(): number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly codeN: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256hex = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const hmac = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();

export async function startVolcengineEmulator(opts: VolcengineEmulatorOptions): Promise<VolcengineEmulator> {
  const now = opts.now ?? Date.now;
  const zone = new Zone(9_079_256_848_785_000_000n, 'default');
  const calls = new CallCounter();
  const faults = new Faults();
  const zids = new Map<string, number>();
  let nextZid = 304_092;
  const addDomain = (d: string) => {
    const domain = d.toLowerCase();
    if (zids.has(domain)) return;
    zone.addDomain(domain);
    zids.set(domain, (nextZid += 11));
    zone.insert({ domain, rr: '@', type: 'NS', value: 'ns1.volcdns.com.', ttl: 86400 });
  };
  for (const d of opts.domains ?? []) addDomain(d);

  function authenticate(req: http.IncomingMessage, url: URL, body: Buffer): void {
    const auth = String(req.headers.authorization ?? '');
    const m = /^HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new ApiError(401, 100001, 'MissingAuthenticationToken', 'The request is missing a valid Authorization header.');
    const [, ak, day, region, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string, string];
    const names = signedHeaders.split(';');
    const xDate = String(req.headers['x-date'] ?? '');
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
    if (!dm || !names.includes('x-date')) throw new ApiError(400, 100006, 'InvalidTimestamp', 'X-Date is missing, malformed or not signed.');
    const at = Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!);
    if (Math.abs(now() - at) > WINDOW_MS) throw new ApiError(400, 100006, 'InvalidTimestamp', 'The request timestamp is more than 15 minutes off the server time.');
    const sk = opts.credentials[ak];
    if (sk === undefined) throw new ApiError(401, 100009, 'InvalidAccessKey', 'The access key is invalid.');
    if (day !== xDate.slice(0, 8) || region !== 'cn-north-1' || service !== 'DNS') {
      throw new ApiError(401, 100010, 'SignatureDoesNotMatch', `The credential scope ${day}/${region}/${service} does not match (expected <date>/cn-north-1/DNS).`);
    }
    const contentSha = req.headers['x-content-sha256'];
    if (contentSha !== undefined && contentSha !== sha256hex(body)) {
      throw new ApiError(401, 100010, 'SignatureDoesNotMatch', 'X-Content-Sha256 does not match the body.');
    }
    const query = [...url.searchParams]
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .sort()
      .join('&');
    const headers = names.map((n) => `${n}:${String(req.headers[n] ?? '').replace(/\s+/g, ' ').trim()}`).join('\n');
    const canonical = [req.method ?? 'GET', url.pathname, query, `${headers}\n`, signedHeaders, sha256hex(body)].join('\n');
    const sts = `HMAC-SHA256\n${xDate}\n${day}/${region}/${service}/request\n${sha256hex(canonical)}`;
    const key = hmac(hmac(hmac(hmac(sk, day), region), service), 'request');
    const expected = createHmac('sha256', key).update(sts).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(401, 100010, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
  }

  const invalid = (name: string) => new ApiError(400, 100008, 'InvalidParameter', `The parameter ${name} is invalid.`);
  const str = (p: Record<string, unknown>, name: string, required = false): string | undefined => {
    const v = p[name];
    if (v === undefined || v === null || v === '') {
      if (required) throw new ApiError(400, 100007, 'MissingParameter', `The parameter ${name} is required.`);
      return undefined;
    }
    return String(v);
  };
  const int = (p: Record<string, unknown>, name: string, dflt: number, min: number, max: number): number => {
    const raw = p[name];
    if (raw === undefined || raw === '') return dflt;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) throw invalid(name);
    return v;
  };
  const domainOf = (p: Record<string, unknown>) => {
    const zid = int(p, 'ZID', -1, -1, Number.MAX_SAFE_INTEGER);
    const d = [...zids].find(([, id]) => id === zid)?.[0];
    if (!d) throw new ApiError(404, 100023, 'ZoneNotFound', 'The zone does not exist.');
    return d;
  };
  const checkValue = (type: string, value: string) => {
    if ((type === 'A' && !isIPv4(value)) || (type === 'AAAA' && !isIPv6(value))) throw invalid('Value');
  };
  const lineOf = (p: Record<string, unknown>) => {
    const line = str(p, 'Line') ?? 'default';
    if (!VOLC_LINES.includes(line)) throw invalid('Line');
    return line;
  };
  const wire = (r: EmuRecord) => ({
    RecordID: r.id,
    Host: r.rr,
    Type: r.type,
    Value: r.value,
    Line: r.line,
    TTL: r.ttl,
    Weight: 1,
    Enable: r.status === 'ENABLE',
    FQDN: fqdn(r.rr, r.domain),
    PQDN: fqdn(r.rr, r.domain),
    Remark: '',
    Tags: [],
    Operators: [],
    CreatedAt: '2026-01-01T00:00:00+08:00',
    UpdatedAt: r.updatedAt.toISOString(),
  });

  const actions: Record<string, (p: Record<string, unknown>) => object> = {
    ListZones(p) {
      const key = str(p, 'Key')?.toLowerCase();
      const exact = str(p, 'SearchMode') === 'exact';
      const zones = [...zids]
        .filter(([d]) => !key || (exact ? d === key : d.includes(key)))
        .map(([d, id]) => ({ ZID: id, ZoneName: d, RecordCount: zone.all().filter((r) => r.domain === d).length, InstanceID: 'emulated', TradeCode: 'free_inst' }));
      return { Zones: zones, Total: zones.length };
    },
    ListRecords(p) {
      const domain = domainOf(p);
      const host = str(p, 'Host')?.toLowerCase();
      const exact = (str(p, 'SearchMode') ?? 'like') === 'exact';
      const type = str(p, 'Type')?.toUpperCase();
      const line = str(p, 'Line');
      const pageNumber = int(p, 'PageNumber', 1, 1, 1_000_000);
      const pageSize = int(p, 'PageSize', 10, 1, 500);
      const matched = zone
        .all()
        .filter((r) => r.domain === domain)
        .filter((r) => host === undefined || (exact ? r.rr.toLowerCase() === host : r.rr.toLowerCase().includes(host)))
        .filter((r) => !type || r.type === type)
        .filter((r) => !line || r.line === line);
      const page = matched.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return { TotalCount: matched.length, PageNumber: pageNumber, PageSize: pageSize, Records: page.map(wire) };
    },
    CreateRecord(p) {
      const domain = domainOf(p);
      const rr = str(p, 'Host', true)!;
      const type = str(p, 'Type', true)!.toUpperCase();
      const value = str(p, 'Value', true)!;
      const line = lineOf(p);
      checkValue(type, value);
      if (zone.findIdentical(domain, rr, type, line, value)) throw new ApiError(400, 300002, 'ErrDBDuplicated', 'The record already exists.');
      const rec = zone.insert({ domain, rr, type, value, line, ttl: int(p, 'TTL', 600, 1, 86400) });
      zone.countWrite(rec.id);
      return { ...wire(rec), ZID: zids.get(domain) };
    },
    UpdateRecord(p) {
      const id = str(p, 'RecordID', true)!;
      const rr = str(p, 'Host', true)!;
      const line = str(p, 'Line', true)!;
      const rec = zone.get(id);
      if (!rec) throw new ApiError(404, 300003, 'RecordNotFound', 'The record does not exist.');
      if (!VOLC_LINES.includes(line)) throw invalid('Line');
      const type = (str(p, 'Type') ?? rec.type).toUpperCase();
      const value = str(p, 'Value') ?? rec.value;
      checkValue(type, value);
      if (zone.findIdentical(rec.domain, rr, type, line, value, rec.id)) throw new ApiError(400, 300002, 'ErrDBDuplicated', 'The record already exists.');
      zone.update(rec, { rr, type, line, value, ttl: int(p, 'TTL', rec.ttl, 1, 86400), updatedAt: new Date() });
      zone.countWrite(rec.id);
      return wire(rec);
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const action = url.searchParams.get('Action') ?? '';
    const meta = { RequestId: `${Date.now()}${Math.random().toString(16).slice(2, 10)}`.toUpperCase(), Action: action, Version: url.searchParams.get('Version') ?? '', Service: 'dns', Region: 'cn-north-1' };
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readBody(req);
      calls.inc(action || '(none)');
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      authenticate(req, url, body);
      if (url.searchParams.get('Version') !== VERSION) throw new ApiError(400, 100002, 'InvalidVersion', 'The version is invalid.');
      const fault = faults.take();
      if (fault?.kind === 'throttle') throw new ApiError(429, 100018, 'FlowLimitExceeded', 'The request rate exceeds the limit of this API.');
      if (fault?.kind === 'http') {
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end('<html>service unavailable</html>');
        return;
      }
      const fn = actions[action];
      if (!fn) throw new ApiError(404, 100003, 'InvalidActionOrVersion', 'The action does not exist.');
      const params: Record<string, unknown> = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'Action' && k !== 'Version'));
      if ((req.method ?? 'GET').toUpperCase() === 'POST' && body.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw invalid('body');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('body');
        Object.assign(params, parsed);
      }
      send(200, { ResponseMetadata: meta, Result: fn(params) });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 100014, 'InternalError', 'Internal error.');
      send(e.status, { ResponseMetadata: { ...meta, Error: { CodeN: e.codeN, Code: e.code, Message: e.message } } });
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
    writes: () => calls.sum(VOLC_WRITES),
    reads: () => calls.sum(VOLC_READS),
  };
}
