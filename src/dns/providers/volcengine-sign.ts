// Volcengine OpenAPI request signing (HMAC-SHA256, the "V4"-style scheme of the vendor's
// "签名方法" page and of the signer in @volcengine/openapi). Written here rather than taken from that
// package, which depends on axios 0.21 (known advisories), crypto-js and a protobufjs postinstall
// script; test/dns-signers.test.ts pins this code to the vendor signer's output.
//
//   CanonicalRequest = METHOD \n path \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//   CanonicalQuery   = keys sorted, key=value both RFC 3986-encoded, joined by "&"
//   CanonicalHeaders = for each signed header, sorted: lower-case name ":" value "\n"
//   Scope            = YYYYMMDD / region / service / "request"
//   StringToSign     = "HMAC-SHA256" \n X-Date \n Scope \n hex(sha256(CanonicalRequest))
//   SigningKey       = HMAC(HMAC(HMAC(HMAC(SK, YYYYMMDD), region), service), "request")
//   Authorization    = "HMAC-SHA256 Credential=<AK>/<Scope>, SignedHeaders=<names>, Signature=<hex>"
// Like the vendor's Node signer we sign `host`, `x-date` and, with a body, `x-content-sha256`
// (content-type is not signed by that signer; the server checks what SignedHeaders names).
import { createHash, createHmac } from 'node:crypto';
import { rfc3986 } from './huawei-sign.js';

export const VOLC_ALGORITHM = 'HMAC-SHA256';

export interface VolcSignInput {
  method: string;
  url: URL;
  /** Headers to sign (names in any case), `host` and `x-date` among them. */
  signedHeaders: Readonly<Record<string, string>>;
  body: string;
  region: string;
  service: string;
}

/** `2026-11-30T12:03:04.567Z` → `20261130T120304Z`. */
export function volcDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function sha256hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The canonical request and the signed header list for a request. */
export function volcCanonicalRequest(input: VolcSignInput): { canonical: string; signedHeaderNames: string } {
  const headers = Object.entries(input.signedHeaders)
    .map(([k, v]) => [k.toLowerCase(), v.replace(/\s+/g, ' ').trim()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const signedHeaderNames = headers.map(([k]) => k).join(';');
  const query = [...input.url.searchParams]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    input.method.toUpperCase(),
    input.url.pathname || '/',
    query,
    `${headers.map(([k, v]) => `${k}:${v}`).join('\n')}\n`,
    signedHeaderNames,
    sha256hex(input.body),
  ].join('\n');
  return { canonical, signedHeaderNames };
}

/** The hex signature of a request whose `x-date` is `xDate`. */
export function volcSignature(input: VolcSignInput, xDate: string, secretKey: string): string {
  const day = xDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/request`;
  const stringToSign = `${VOLC_ALGORITHM}\n${xDate}\n${scope}\n${sha256hex(volcCanonicalRequest(input).canonical)}`;
  const key = hmac(hmac(hmac(hmac(secretKey, day), input.region), input.service), 'request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** The Authorization header; `input.signedHeaders` must hold `x-date` as sent. */
export function volcAuthorization(input: VolcSignInput, accessKey: string, secretKey: string): string {
  const xDate = Object.entries(input.signedHeaders).find(([k]) => k.toLowerCase() === 'x-date')?.[1];
  if (!xDate) throw new Error('x-date must be among the signed headers');
  const scope = `${xDate.slice(0, 8)}/${input.region}/${input.service}/request`;
  const { signedHeaderNames } = volcCanonicalRequest(input);
  return `${VOLC_ALGORITHM} Credential=${accessKey}/${scope}, SignedHeaders=${signedHeaderNames}, Signature=${volcSignature(input, xDate, secretKey)}`;
}
