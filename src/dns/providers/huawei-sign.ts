// Huawei Cloud APIG request signing, `SDK-HMAC-SHA256` (AK/SK), as Huawei's own SDKs sign
// (`AKSKSigner` in @huaweicloud/huaweicloud-sdk-core; "AK/SK signing and authentication" in the
// API Gateway developer guide). Written here rather than taken from the SDK package, which pulls in
// 45 packages (log4js, moment, lodash, axios...) for this one function; the known-answer test in
// test/dns-signers.test.ts pins it to the vendor signer's output.
//
//   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//   CanonicalURI     = every path segment RFC 3986-encoded, always ending with "/"
//   CanonicalQuery   = keys sorted, key=value both RFC 3986-encoded, joined by "&"
//   CanonicalHeaders = for each signed header, sorted: lower-case name ":" trimmed value "\n"
//   StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(SK, StringToSign))
//   Authorization    = "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<hex>"
import { createHash, createHmac } from 'node:crypto';

export const HUAWEI_ALGORITHM = 'SDK-HMAC-SHA256';

/** RFC 3986 percent-encoding: only A–Z a–z 0–9 - _ . ~ stay as they are. */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `2026-11-30T12:03:04.567Z` → `20261130T120304Z` (the X-Sdk-Date format, UTC, no millis). */
export function huaweiSdkDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Every segment of a URL path (as received, percent-encoded or not) encoded once, ending in "/". */
export function huaweiCanonicalUri(pathname: string): string {
  const path = pathname
    .split('/')
    .map((seg) => rfc3986(safeDecode(seg)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** Query parameters (decoded pairs) in canonical order and encoding. */
export function huaweiCanonicalQuery(params: Iterable<[string, string]>): string {
  return [...params]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export interface HuaweiSignInput {
  method: string;
  /** The request URL: its path and query are signed. */
  url: URL;
  /** The headers to sign, `host` and `x-sdk-date` among them (names in any case). */
  signedHeaders: Readonly<Record<string, string>>;
  body: string;
}

/** The canonical request text (exposed for the emulator's error message and for tests). */
export function huaweiCanonicalRequest(input: HuaweiSignInput): { canonical: string; signedHeaderNames: string } {
  const headers = Object.entries(input.signedHeaders)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const signedHeaderNames = headers.map(([k]) => k).join(';');
  const canonical = [
    input.method.toUpperCase(),
    huaweiCanonicalUri(input.url.pathname),
    huaweiCanonicalQuery(input.url.searchParams),
    headers.map(([k, v]) => `${k}:${v}\n`).join(''),
    signedHeaderNames,
    sha256hex(input.body),
  ].join('\n');
  return { canonical, signedHeaderNames };
}

/** The hex signature over a request, given its X-Sdk-Date and the secret key. */
export function huaweiSignature(input: HuaweiSignInput, sdkDate: string, secretKey: string): string {
  const { canonical } = huaweiCanonicalRequest(input);
  const stringToSign = `${HUAWEI_ALGORITHM}\n${sdkDate}\n${sha256hex(canonical)}`;
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

/**
 * The Authorization header for a request. `input.signedHeaders` must hold `x-sdk-date` (the same
 * value sent on the wire) and `host` (as sent, with its port when not the scheme's default).
 */
export function huaweiAuthorization(input: HuaweiSignInput, accessKey: string, secretKey: string): string {
  const date = Object.entries(input.signedHeaders).find(([k]) => k.toLowerCase() === 'x-sdk-date')?.[1];
  if (!date) throw new Error('x-sdk-date must be among the signed headers');
  const { signedHeaderNames } = huaweiCanonicalRequest(input);
  return `${HUAWEI_ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaderNames}, Signature=${huaweiSignature(input, date, secretKey)}`;
}

function sha256hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
