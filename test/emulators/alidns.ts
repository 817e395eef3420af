// Alibaba Cloud DNS emulator (RPC API 2015-01-09) on loopback, for tests and benchmarks.
// It checks requests the way the real service does (docs/dns-providers.md): the HMAC-SHA1
// signature recomputed from the received parameters, a 15-minute timestamp window, nonce reuse,
// unknown keys. It answers in the real JSON shapes with the real error codes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import {
  CallCounter,
  Faults,
  Zone,
  fqdn,
  listen,
  readBody,
  requestId,
  sleep,
  type EmuRecord,
  type SeedRecord,
} from './common.js';

export const ALIDNS_READS = ['DescribeSubDomainRecords', 'DescribeDomainRecords', 'DescribeDomains'] as const;
export const ALIDNS_WRITES = ['AddDomainRecord', 'UpdateDomainRecord', 'DeleteDomainRecord'] as const;

const VERSION = '2015-01-09';
const WINDOW_MS = 15 * 60 * 1000;

export interface AlidnsEmulatorOptions {
  /** AccessKeyId → AccessKeySecret. */
  credentials: Record<string, string>;
  domains?: string[];
  /** Clock for the timestamp window (ms since epoch). */
  now?: () => number;
  /** The plan's minimum TTL, s (Alidns free plan: 600); a lower TTL is refused `QuotaExceeded.TTL`. Default 1. */
  minTtl?: number;
}

export interface AlidnsEmulator {
  endpoint: string;
  close(): Promise<void>;
  zone: Zone;
  calls: CallCounter;
  faults: Faults;
  seed(r: SeedRecord): string;
  records(filter?: { domain?: string; rr?: string; type?: string; line?: string }): EmuRecord[];
  /** Write requests received (Add/Update/Delete), accepted or not. */
  writes(): number;
  reads(): number;
}

/** pop-core's percent-encoding (RFC 3986 plus `!'()*`). */
export function aliEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseForm(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const i = pair.indexOf('=');
    const k = i < 0 ? pair : pair.slice(0, i);
    const v = i < 0 ? '' : pair.slice(i + 1);
    // Form bodies may use `+` for space; pop-core never does, but the real service accepts it.
    out.set(decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' ')));
  }
  return out;
}

/** The StringToSign the server computes from what it received. */
export function aliStringToSign(method: string, params: Map<string, string>): string {
  const keys = [...params.keys()].filter((k) => k !== 'Signature')
    // Byte order, as the real service sorts (`RR` before `RecordId`).
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const canonical = keys.map((k) => `${aliEncode(k)}=${aliEncode(params.get(k)!)}`).join('&');
  return `${method}&${aliEncode('/')}&${aliEncode(canonical)}`;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const missing = (name: string) =>
  new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

export async function startAlidnsEmulator(opts: AlidnsEmulatorOptions): Promise<AlidnsEmulator> {
  const now = opts.now ?? Date.now;
  const zone = new Zone(1_876_543_210_000_000_000n, 'default');
  for (const d of opts.domains ?? []) zone.addDomain(d);
  const calls = new CallCounter();
  const faults = new Faults();
  const nonces = new Map<string, number>();

  function authenticate(method: string, p: Map<string, string>): void {
    for (const name of ['AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp', 'SignatureMethod', 'Version']) {
      if (!p.get(name)) throw missing(name);
    }
    if (p.get('Version') !== VERSION) {
      throw new ApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    }
    const secret = opts.credentials[p.get('AccessKeyId')!];
    if (secret === undefined) throw new ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (p.get('SignatureMethod') !== 'HMAC-SHA1' || p.get('SignatureVersion') !== '1.0') {
      throw new ApiError(400, 'InvalidSignatureMethod', 'Specified signature method is not valid.');
    }
    const ts = p.get('Timestamp')!;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(ts)) {
      throw new ApiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(now() - Date.parse(ts)) > WINDOW_MS) {
      throw new ApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    const stringToSign = aliStringToSign(method, p);
    const expected = createHmac('sha1', `${secret}&`).update(stringToSign).digest();
    const given = Buffer.from(p.get('Signature')!, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
      );
    }
    // Nonces are remembered only once the signature holds, so a forged request cannot burn one.
    const t = now();
    for (const [n, exp] of nonces) if (exp < t) nonces.delete(n);
    const nonce = p.get('SignatureNonce')!;
    if (nonces.has(nonce)) throw new ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.set(nonce, t + WINDOW_MS);
  }

  function wireRecord(r: EmuRecord) {
    return {
      DomainName: r.domain,
      RecordId: r.id,
      RR: r.rr,
      Type: r.type,
      Value: r.value,
      TTL: r.ttl,
      Line: r.line,
      Status: r.status,
      Locked: false,
      Weight: 1,
      UpdateTimestamp: r.updatedAt.getTime(),
    };
  }

  function requireDomain(name: string): string {
    const d = name.toLowerCase();
    if (!zone.domains.has(d)) throw new ApiError(400, 'InvalidDomainName.NoExist', 'The specified domain name does not exist.');
    return d;
  }

  function checkValue(type: string, value: string): void {
    if ((type === 'A' && !isIPv4(value)) || (type === 'AAAA' && !isIPv6(value))) {
      throw new ApiError(400, 'InvalidParameter', `The specified Value is invalid for type ${type}.`);
    }
  }

  // The plan's TTL floor: Alidns answers QuotaExceeded.TTL (HTTP 400) for a TTL under the edition's minimum.
  function ttlParam(p: Map<string, string>): number {
    const ttl = intParam(p, 'TTL', 600, 1, 86_400);
    if (ttl < (opts.minTtl ?? 1)) throw new ApiError(400, 'QuotaExceeded.TTL', `The TTL ${ttl} is below the minimum of your DNS edition.`);
    return ttl;
  }

  // A CNAME excludes any other record on its name and line (and the reverse): DomainRecordConflict.
  function checkConflict(domain: string, rr: string, type: string, line: string, except?: string): void {
    const clash = zone
      .all()
      .some((r) => r.id !== except && r.domain === domain && r.rr.toLowerCase() === rr.toLowerCase() && r.line === line && (r.type === 'CNAME') !== (type === 'CNAME'));
    if (clash) throw new ApiError(400, 'DomainRecordConflict', 'The DNS record conflicts with other records.');
  }

  function intParam(p: Map<string, string>, name: string, dflt: number, min: number, max: number): number {
    const raw = p.get(name);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ApiError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid.`);
    }
    return n;
  }

  const actions: Record<string, (p: Map<string, string>) => object> = {
    // The account's zones, paged (PageSize 1-100, default 20), in the real envelope.
    DescribeDomains(p) {
      const pageNumber = intParam(p, 'PageNumber', 1, 1, 1_000_000);
      const pageSize = intParam(p, 'PageSize', 20, 1, 100);
      const all = [...zone.domains].sort();
      const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return { TotalCount: all.length, PageNumber: pageNumber, PageSize: pageSize, Domains: { Domain: page.map((d) => ({ DomainName: d, PunyCode: d, RecordCount: zone.all().filter((r) => r.domain === d).length })) } };
    },
    DescribeDomainRecords(p) {
      const domain = requireDomain(p.get('DomainName') ?? '');
      const pageNumber = intParam(p, 'PageNumber', 1, 1, 1_000_000);
      const pageSize = intParam(p, 'PageSize', 20, 1, 500);
      const type = p.get('TypeKeyWord')?.toUpperCase();
      const matched = zone
        .all()
        .filter((r) => r.domain === domain)
        .filter((r) => !type || r.type === type);
      const page = matched.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return { TotalCount: matched.length, PageNumber: pageNumber, PageSize: pageSize, DomainRecords: { Record: page.map(wireRecord) } };
    },
    DescribeSubDomainRecords(p) {
      const sub = p.get('SubDomain')?.toLowerCase();
      if (!sub) throw missing('SubDomain');
      const domain = p.get('DomainName')
        ? requireDomain(p.get('DomainName')!)
        : [...zone.domains].filter((d) => sub === d || sub.endsWith(`.${d}`)).sort((a, b) => b.length - a.length)[0];
      if (!domain) throw new ApiError(400, 'InvalidDomainName.NoExist', 'The specified domain name does not exist.');
      const pageNumber = intParam(p, 'PageNumber', 1, 1, 1_000_000);
      const pageSize = intParam(p, 'PageSize', 20, 1, 100);
      const type = p.get('Type')?.toUpperCase();
      const line = p.get('Line');
      const matched = zone
        .all()
        .filter((r) => r.domain === domain && fqdn(r.rr, r.domain) === sub)
        .filter((r) => !type || r.type === type)
        .filter((r) => !line || r.line === line);
      const page = matched.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return {
        TotalCount: matched.length,
        PageNumber: pageNumber,
        PageSize: pageSize,
        DomainRecords: { Record: page.map(wireRecord) },
      };
    },
    UpdateDomainRecord(p) {
      for (const n of ['RecordId', 'RR', 'Type', 'Value']) if (!p.get(n)) throw missing(n);
      const rec = zone.get(p.get('RecordId')!);
      if (!rec) throw new ApiError(400, 'DomainRecordNotBelongToUser', 'The DNS record does not exist in your account.');
      const type = p.get('Type')!.toUpperCase();
      const value = p.get('Value')!;
      const line = p.get('Line') ?? 'default';
      const rr = p.get('RR')!;
      checkValue(type, value);
      const ttl = ttlParam(p);
      // Another record holding the same name, type, line and value is a duplicate; so is an update of
      // the record that changes nothing at all. A TTL-only change is a change (assumed: the Alidns
      // docs name DomainRecordDuplicate for an existing record, and the TTL is one of its fields).
      const unchanged = rec.rr.toLowerCase() === rr.toLowerCase() && rec.type === type && rec.line === line && rec.value.toLowerCase() === value.toLowerCase() && rec.ttl === ttl;
      if (unchanged || zone.findIdentical(rec.domain, rr, type, line, value, rec.id)) {
        throw new ApiError(400, 'DomainRecordDuplicate', 'The DNS record already exists.');
      }
      checkConflict(rec.domain, rr, type, line, rec.id);
      zone.update(rec, { rr, type, value, line, ttl, updatedAt: new Date() });
      return { RecordId: rec.id };
    },
    AddDomainRecord(p) {
      for (const n of ['DomainName', 'RR', 'Type', 'Value']) if (!p.get(n)) throw missing(n);
      const domain = requireDomain(p.get('DomainName')!);
      const type = p.get('Type')!.toUpperCase();
      const value = p.get('Value')!;
      const line = p.get('Line') ?? 'default';
      checkValue(type, value);
      if (zone.findIdentical(domain, p.get('RR')!, type, line, value)) {
        throw new ApiError(400, 'DomainRecordDuplicate', 'The DNS record already exists.');
      }
      const ttl = ttlParam(p);
      checkConflict(domain, p.get('RR')!, type, line);
      const rec = zone.insert({ domain, rr: p.get('RR')!, type, value, line, ttl });
      return { RecordId: rec.id };
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rid = requestId().toUpperCase();
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify({ RequestId: rid, ...body }));
    };
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      const url = new URL(req.url ?? '/', 'http://emulator');
      const params =
        method === 'POST' ? parseForm((await readBody(req)).toString('utf8')) : parseForm(url.search.slice(1));
      const action = params.get('Action') ?? '';
      calls.inc(action || '(none)');
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      authenticate(method, params);
      const fault = faults.take();
      if (fault?.kind === 'throttle') throw new ApiError(400, 'Throttling.User', 'Request was denied due to user flow control.');
      if (fault?.kind === 'http') {
        throw new ApiError(fault.status, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      const fn = actions[action];
      if (!fn) throw new ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      send(200, fn(params));
    } catch (err) {
      if (err instanceof ApiError) {
        send(err.status, {
          HostId: 'alidns.aliyuncs.com',
          Code: err.code,
          Message: err.message,
          Recommend: `https://api.aliyun.com/troubleshoot?q=${err.code}`,
        });
      } else {
        send(500, { HostId: 'alidns.aliyuncs.com', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
      }
    }
  }

  const started = await listen((req, res) => void handle(req, res));
  return {
    endpoint: started.endpoint,
    close: started.close,
    zone,
    calls,
    faults,
    seed: (r) => zone.insert(r).id,
    records: (f = {}) =>
      zone
        .all()
        .filter((r) => !f.domain || r.domain === f.domain.toLowerCase())
        .filter((r) => f.rr === undefined || r.rr === f.rr)
        .filter((r) => !f.type || r.type === f.type)
        .filter((r) => !f.line || r.line === f.line),
    writes: () => calls.sum(ALIDNS_WRITES),
    reads: () => calls.sum(ALIDNS_READS),
  };
}
