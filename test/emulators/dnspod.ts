// Tencent Cloud DNSPod emulator (API 3.0, version 2021-03-23) on loopback, for tests and benchmarks.
// It verifies TC3-HMAC-SHA256 as the real endpoint does (docs/dns-providers.md): canonical request
// over the signed headers with the host WITHOUT its port, service taken from the credential scope
// and required to be `dnspod`, a 5-minute timestamp window. Answers use the real envelope
// `{"Response": {..., "RequestId"}}` with errors as `Response.Error` on HTTP 200.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import {
  CallCounter,
  Faults,
  Zone,
  listen,
  readBody,
  requestId,
  sleep,
  type EmuRecord,
  type SeedRecord,
} from './common.js';

export const DNSPOD_READS = ['DescribeRecordList', 'DescribeRecord', 'DescribeDomainList'] as const;
export const DNSPOD_WRITES = ['CreateRecord', 'ModifyRecord', 'DeleteRecord', 'ModifyDynamicDNS'] as const;

const VERSION = '2021-03-23';
const WINDOW_S = 5 * 60;

/** Line name → LineId, as DNSPod lists them. */
export const DNSPOD_LINE_IDS: Readonly<Record<string, string>> = {
  默认: '0',
  电信: '10=0',
  联通: '10=1',
  教育网: '10=2',
  移动: '10=3',
  境外: '3=0',
  境内: '7=0',
  北京电信: '20=2',
};

export interface DnspodEmulatorOptions {
  /** SecretId → SecretKey. */
  credentials: Record<string, string>;
  domains?: string[];
  /** Services accepted in the credential scope (default: only `dnspod`, as the real endpoint). */
  services?: string[];
  /** Clock (ms since epoch). */
  now?: () => number;
  /** The plan's minimum TTL, s (DNSPod free plan: 600); a lower TTL is refused `LimitExceeded.RecordTtlLimit`. Default 1. */
  minTtl?: number;
}

export interface DnspodEmulator {
  endpoint: string;
  close(): Promise<void>;
  zone: Zone;
  calls: CallCounter;
  faults: Faults;
  /** ModifyRecord calls that changed nothing (DNSPod locks a record after too many). */
  noopWrites(): number;
  seed(r: SeedRecord): string;
  records(filter?: { domain?: string; rr?: string; type?: string; line?: string }): EmuRecord[];
  writes(): number;
  reads(): number;
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

const AUTH_RE =
  /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

function beijingTime(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

export async function startDnspodEmulator(opts: DnspodEmulatorOptions): Promise<DnspodEmulator> {
  const now = opts.now ?? Date.now;
  const services = new Set(opts.services ?? ['dnspod']);
  const zone = new Zone(1_600_000_000n, '默认');
  const calls = new CallCounter();
  const faults = new Faults();
  let noop = 0;

  // Every real zone lists its NS records at the apex; they must never confuse a client.
  const addDomain = (d: string) => {
    const domain = d.toLowerCase();
    if (zone.domains.has(domain)) return;
    zone.addDomain(domain);
    for (const ns of ['f1g1ns1.dnspod.net.', 'f1g1ns2.dnspod.net.']) {
      zone.insert({ domain, rr: '@', type: 'NS', value: ns, line: '默认', ttl: 86400 });
    }
  };
  for (const d of opts.domains ?? []) addDomain(d);

  function authenticate(req: http.IncomingMessage, body: Buffer): void {
    const auth = header(req, 'authorization') ?? '';
    const m = AUTH_RE.exec(auth);
    if (!m) throw new ApiError('AuthFailure.InvalidAuthorization', 'Authorization header is malformed.');
    const [, secretId, date, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
    const tsRaw = header(req, 'x-tc-timestamp') ?? '';
    const ts = Number(tsRaw);
    if (!/^\d+$/.test(tsRaw)) throw new ApiError('MissingParameter', 'The request is missing a required parameter `X-TC-Timestamp`.');
    if (Math.abs(now() / 1000 - ts) > WINDOW_S) {
      throw new ApiError('AuthFailure.SignatureExpire', 'The signature has expired (timestamp out of the 5-minute window).');
    }
    const secret = opts.credentials[secretId];
    if (secret === undefined) throw new ApiError('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    if (!services.has(service)) {
      throw new ApiError('AuthFailure.SignatureFailure', `The provided credentials could not be validated: credential scope service \`${service}\` is not \`dnspod\`.`);
    }
    if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) {
      throw new ApiError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated: credential scope date does not match X-TC-Timestamp.');
    }
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('content-type')) {
      throw new ApiError('AuthFailure.SignatureFailure', 'SignedHeaders must include content-type and host.');
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const canonicalHeaders = names
      .map((n) => {
        let v = (header(req, n) ?? '').trim().toLowerCase();
        // The client signs the URL's hostname; the Host header carries the port as well.
        if (n === 'host') v = v.replace(/:\d+$/, '');
        return `${n}:${v}\n`;
      })
      .join('');
    const canonicalRequest = [
      (req.method ?? 'POST').toUpperCase(),
      url.pathname,
      url.search.slice(1),
      canonicalHeaders,
      signedHeaders,
      sha256hex(body),
    ].join('\n');
    const scope = `${date}/${service}/tc3_request`;
    const stringToSign = `TC3-HMAC-SHA256\n${ts}\n${scope}\n${sha256hex(canonicalRequest)}`;
    const kDate = hmac(`TC3${secret}`, date);
    const kService = hmac(kDate, service);
    const kSigning = hmac(kService, 'tc3_request');
    const expected = createHmac('sha256', kSigning).update(stringToSign).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
  }

  const str = (p: Record<string, unknown>, name: string, required = false): string | undefined => {
    const v = p[name];
    if (v === undefined || v === null || v === '') {
      if (required) throw new ApiError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
      return undefined;
    }
    if (typeof v !== 'string') throw new ApiError('InvalidParameter', `The value type of parameter \`${name}\` is incorrect.`);
    return v;
  };
  const int = (p: Record<string, unknown>, name: string, dflt: number, min: number, max: number): number => {
    const v = p[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ApiError('InvalidParameterValue', `The value of parameter \`${name}\` is invalid.`);
    }
    return v;
  };
  const domainOf = (p: Record<string, unknown>) => {
    const d = str(p, 'Domain', true)!.toLowerCase();
    if (!zone.domains.has(d)) throw new ApiError('InvalidParameterValue.DomainNotExists', '当前域名有误，请返回重新操作。');
    return d;
  };
  const lineOf = (p: Record<string, unknown>) => {
    const line = str(p, 'RecordLine', true)!;
    if (!(line in DNSPOD_LINE_IDS)) throw new ApiError('InvalidParameter.RecordLineInvalid', '记录线路错误。');
    return line;
  };
  const checkValue = (type: string, value: string) => {
    if ((type === 'A' && !isIPv4(value)) || (type === 'AAAA' && !isIPv6(value))) {
      throw new ApiError('InvalidParameter.RecordValueInvalid', '记录值有误，请修改后再操作。');
    }
  };
  const wire = (r: EmuRecord) => ({
    RecordId: Number(r.id),
    Value: r.value,
    Status: r.status,
    UpdatedOn: beijingTime(r.updatedAt),
    Name: r.rr,
    Line: r.line,
    LineId: DNSPOD_LINE_IDS[r.line] ?? '0',
    Type: r.type,
    Weight: null,
    MonitorStatus: '',
    Remark: '',
    TTL: r.ttl,
    MX: 0,
    DefaultNS: r.type === 'NS' && r.rr === '@',
  });

  // The plan's TTL floor (free plan: 600): LimitExceeded.RecordTtlLimit, the code of
  // tencentcloud-sdk-go dnspod/v20210323/errors.go ("记录的TTL值超出了限制。").
  const ttlOf = (p: Record<string, unknown>): number => {
    const ttl = int(p, 'TTL', 600, 1, 604_800);
    if (ttl < (opts.minTtl ?? 1)) throw new ApiError('LimitExceeded.RecordTtlLimit', '记录的TTL值超出了限制。');
    return ttl;
  };
  // A CNAME excludes any other record on its name and line (and the reverse). DNSPod's API 3.0 error
  // list has no conflict-specific code; the emulator answers InvalidParameter.DomainRecordExist
  // ("记录已经存在，无需再次添加。"), the documented code for a record already holding the name.
  const checkConflict = (domain: string, rr: string, type: string, line: string, except?: string): void => {
    const clash = zone
      .all()
      .some((r) => r.id !== except && r.domain === domain && r.rr.toLowerCase() === rr.toLowerCase() && r.line === line && (r.type === 'CNAME') !== (type === 'CNAME'));
    if (clash) throw new ApiError('InvalidParameter.DomainRecordExist', '记录已经存在，无需再次添加。');
  };

  const actions: Record<string, (p: Record<string, unknown>) => object> = {
    // The account's zones (Type ALL), Offset/Limit paged; no zones at all is ResourceNotFound.NoDataOfDomain.
    DescribeDomainList(p) {
      const offset = int(p, 'Offset', 0, 0, 1_000_000);
      const limit = int(p, 'Limit', 20, 1, 3000);
      const all = [...zone.domains].sort();
      if (all.length === 0) throw new ApiError('ResourceNotFound.NoDataOfDomain', '列表为空。');
      const page = all.slice(offset, offset + limit);
      return {
        DomainCountInfo: { DomainTotal: all.length, AllTotal: all.length, MineTotal: all.length, ShareTotal: 0 },
        DomainList: page.map((d, i) => ({ DomainId: offset + i + 1, Name: d, Status: 'ENABLE', TTL: 600, Punycode: d, Grade: 'DP_FREE', RecordCount: zone.all().filter((r) => r.domain === d).length })),
      };
    },
    DescribeRecordList(p) {
      const domain = domainOf(p);
      // `SubDomain` wins over the deprecated `Subdomain`.
      const sub = (str(p, 'SubDomain') ?? str(p, 'Subdomain'))?.toLowerCase();
      const type = str(p, 'RecordType')?.toUpperCase();
      const line = str(p, 'RecordLine');
      const offset = int(p, 'Offset', 0, 0, 1_000_000);
      const limit = int(p, 'Limit', 100, 1, 3000);
      const errorOnEmpty = (str(p, 'ErrorOnEmpty') ?? 'yes') !== 'no';
      const all = zone.all().filter((r) => r.domain === domain);
      const matched = all
        .filter((r) => sub === undefined || r.rr.toLowerCase() === sub)
        .filter((r) => !type || r.type === type)
        .filter((r) => !line || r.line === line);
      if (matched.length === 0 && errorOnEmpty) throw new ApiError('ResourceNotFound.NoDataOfRecord', '记录列表为空。');
      const page = matched.slice(offset, offset + limit);
      return {
        RecordCountInfo: {
          SubdomainCount: sub === undefined ? all.length : matched.length,
          ListCount: page.length,
          TotalCount: matched.length,
        },
        RecordList: page.map(wire),
      };
    },
    ModifyRecord(p) {
      const domain = domainOf(p);
      const type = str(p, 'RecordType', true)!.toUpperCase();
      const line = lineOf(p);
      const value = str(p, 'Value', true)!;
      const id = p.RecordId;
      if (typeof id !== 'number' && typeof id !== 'string') {
        throw new ApiError('MissingParameter', 'The request is missing a required parameter `RecordId`.');
      }
      const rec = zone.get(String(id));
      if (!rec || rec.domain !== domain) throw new ApiError('InvalidParameter.RecordIdInvalid', '记录编号错误。');
      const rr = str(p, 'SubDomain') ?? '@';
      checkValue(type, value);
      if (zone.findIdentical(domain, rr, type, line, value, rec.id)) {
        throw new ApiError('InvalidParameter.DomainRecordExist', '记录已经存在，无需再次添加。');
      }
      const ttl = ttlOf(p);
      checkConflict(domain, rr, type, line, rec.id);
      const status = (str(p, 'Status') ?? 'ENABLE') as EmuRecord['status'];
      const unchanged =
        rec.rr === rr && rec.type === type && rec.line === line && rec.value === value && rec.ttl === ttl && rec.status === status;
      if (unchanged) noop++;
      zone.update(rec, { rr, type, line, value, ttl, status, updatedAt: new Date() });
      return { RecordId: Number(rec.id) };
    },
    CreateRecord(p) {
      const domain = domainOf(p);
      const type = str(p, 'RecordType', true)!.toUpperCase();
      const line = lineOf(p);
      const value = str(p, 'Value', true)!;
      const rr = str(p, 'SubDomain') ?? '@';
      checkValue(type, value);
      if (zone.findIdentical(domain, rr, type, line, value)) {
        throw new ApiError('InvalidParameter.DomainRecordExist', '记录已经存在，无需再次添加。');
      }
      const ttl = ttlOf(p);
      checkConflict(domain, rr, type, line);
      const rec = zone.insert({
        domain,
        rr,
        type,
        value,
        line,
        ttl,
        status: (str(p, 'Status') ?? 'ENABLE') as EmuRecord['status'],
      });
      return { RecordId: Number(rec.id) };
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rid = requestId();
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Response: { ...body, RequestId: rid } }));
    };
    try {
      const body = await readBody(req);
      const action = header(req, 'x-tc-action') ?? '';
      calls.inc(action || '(none)');
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if ((req.method ?? '').toUpperCase() !== 'POST') throw new ApiError('UnsupportedProtocol', 'Only POST is supported by this emulator.');
      authenticate(req, body);
      if (header(req, 'x-tc-version') !== VERSION) throw new ApiError('NoSuchVersion', 'The API version does not exist.');
      const fault = faults.take();
      if (fault?.kind === 'throttle') throw new ApiError('RequestLimitExceeded', '请求的次数超过了频率限制。');
      if (fault?.kind === 'http') {
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end('upstream unavailable');
        return;
      }
      const fn = actions[action];
      if (!fn) throw new ApiError('InvalidAction', 'The action does not exist.');
      let params: unknown;
      try {
        params = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw new ApiError('InvalidParameter', 'The request body is not valid JSON.');
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new ApiError('InvalidParameter', 'The request body must be a JSON object.');
      }
      send(200, fn(params as Record<string, unknown>));
    } catch (err) {
      if (err instanceof ApiError) send(200, { Error: { Code: err.code, Message: err.message } });
      else send(200, { Error: { Code: 'InternalError', Message: 'Internal error.' } });
    }
  }

  const started = await listen((req, res) => void handle(req, res));
  return {
    endpoint: started.endpoint,
    close: started.close,
    zone,
    calls,
    faults,
    noopWrites: () => noop,
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
    writes: () => calls.sum(DNSPOD_WRITES),
    reads: () => calls.sum(DNSPOD_READS),
  };
}
