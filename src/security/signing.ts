// Protocol v2 request authentication: every request carries an HMAC-SHA256 signature made with the
// receiving node's secret instead of the secret itself (v1 sends it in clear in the JSON body).
// The signature covers method, path+query, a timestamp, a random nonce and the SHA-256 of the raw
// body, so a captured request cannot be altered, replayed, or replayed late.
//
// Everything here is synchronous and pure apart from the nonce cache the caller owns; time and the
// nonce are injectable so tests need no clock or randomness.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '2';
export const SIGNATURE_ALGORITHM = 'COCOA-HMAC-SHA256';
export const DEFAULT_WINDOW_SECONDS = 300;
export const DEFAULT_NONCE_CACHE_ENTRIES = 100_000;

/** Header names as sent. Receivers look them up case-insensitively (Node lower-cases them). */
export const HEADER_VERSION = 'X-Cocoa-Version';
export const HEADER_KEY = 'X-Cocoa-Key';
export const HEADER_TIMESTAMP = 'X-Cocoa-Timestamp';
export const HEADER_NONCE = 'X-Cocoa-Nonce';
export const HEADER_CONTENT_SHA256 = 'X-Cocoa-Content-SHA256';
export const HEADER_SIGNATURE = 'X-Cocoa-Signature';
/** On every answer: the answering node's clock, ms since the epoch, so a peer can sign for it. */
export const HEADER_TIME = 'X-Cocoa-Time';
/** On a refused signed request: the reason (`stale`, `replay`, ...), so the sender can react (re-sign for the receiver's clock). */
export const HEADER_REFUSED = 'X-Cocoa-Refused';

export const SIGNED_REQUEST_HEADERS = [
  HEADER_VERSION,
  HEADER_KEY,
  HEADER_TIMESTAMP,
  HEADER_NONCE,
  HEADER_CONTENT_SHA256,
  HEADER_SIGNATURE,
] as const;

/** Node's `IncomingHttpHeaders` (and the output of `signRequest`) fit this. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;
/** A WHATWG `Headers` (fetch) fits this. */
export interface HeaderGetter {
  get(name: string): string | null;
}
export type HeadersLike = HeaderRecord | HeaderGetter;

export type RequestBody = string | Uint8Array;

export interface SignRequestInput {
  method: string;
  /** Path including the query string exactly as sent, e.g. `/v1/getClusterInfo?x=1`. */
  path: string;
  body: RequestBody;
  /** The receiving node's secret (or the CLI's admin secret). */
  secret: string;
  /** Who the key belongs to: the receiving node's code, or `cli`. Lets the receiver pick the secret. */
  keyId: string;
  /** Milliseconds since the epoch (as `Date.now()`); defaults to the clock. */
  now?: number;
  /** 32 lower-case hex chars; defaults to 128 fresh random bits. Inject only in tests. */
  nonce?: string;
}

export type VerifyFailureReason = 'missing' | 'bad-signature' | 'stale' | 'replay' | 'body-hash';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailureReason };

export interface VerifyRequestInput {
  method: string;
  /** Path including the query string exactly as received (Koa: `ctx.originalUrl`). */
  path: string;
  headers: HeadersLike;
  /** The raw body bytes as received, not a re-serialisation of the parsed JSON. Omitted = empty. */
  body?: RequestBody;
  /** The secret the claimed key id maps to. An empty secret never verifies. */
  secret: string;
  /** Milliseconds since the epoch (as `Date.now()`); defaults to the clock. */
  now?: number;
  nonceCache: NonceCache;
  /** Accepted clock skew either way, seconds. */
  windowSeconds?: number;
}

const HEX_64 = /^[0-9a-f]{64}$/;
const NONCE_RE = /^[0-9a-f]{32}$/;
// Digits only, bounded so Number() stays exact; no sign, no exponent, no whitespace.
const TIMESTAMP_RE = /^[0-9]{1,15}$/;
const METHOD_RE = /^[A-Z]{1,32}$/;

/** Lower-case hex SHA-256 of the body bytes (strings are hashed as UTF-8). */
export function sha256Hex(body: RequestBody): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The exact string that is HMAC'd. Fields are newline-separated; method and path are validated to
 * contain no newline and the remaining fields have fixed formats, so the encoding is unambiguous.
 */
export function canonicalString(method: string, path: string, timestamp: string, nonce: string, bodyHash: string): string {
  return `${SIGNATURE_ALGORITHM}\n${method.toUpperCase()}\n${path}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

/** `pathname + search` of a URL: the `path` to sign for an outgoing request to that URL. */
export function requestTarget(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.pathname}${u.search}`;
}

function hmacHex(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data, 'utf8').digest('hex');
}

function validMethod(method: string): boolean {
  return METHOD_RE.test(method.toUpperCase());
}

function validPath(path: string): boolean {
  // Origin-form request target only; CR/LF would make the canonical string ambiguous.
  return path.startsWith('/') && !/[\r\n]/.test(path);
}

/** Builds the v2 headers for a request. Throws TypeError on inputs that could never verify. */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const { method, path, body, secret, keyId } = input;
  if (secret.length === 0) throw new TypeError('signRequest: empty secret');
  if (!validMethod(method)) throw new TypeError('signRequest: invalid method');
  if (!validPath(path)) throw new TypeError('signRequest: path must start with "/" and contain no CR/LF');
  if (keyId.length === 0 || /[\r\n]/.test(keyId)) throw new TypeError('signRequest: invalid keyId');
  const nonce = input.nonce ?? randomBytes(16).toString('hex');
  if (!NONCE_RE.test(nonce)) throw new TypeError('signRequest: nonce must be 32 lower-case hex chars');
  const timestamp = String(Math.floor((input.now ?? Date.now()) / 1000));
  const bodyHash = sha256Hex(body);
  const signature = hmacHex(secret, canonicalString(method, path, timestamp, nonce, bodyHash));
  return {
    [HEADER_VERSION]: PROTOCOL_VERSION,
    [HEADER_KEY]: keyId,
    [HEADER_TIMESTAMP]: timestamp,
    [HEADER_NONCE]: nonce,
    [HEADER_CONTENT_SHA256]: bodyHash,
    [HEADER_SIGNATURE]: signature,
  };
}

function isHeaderGetter(headers: HeadersLike): headers is HeaderGetter {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/**
 * Case-insensitive header lookup. Repeated headers are joined with ", " (as Node does), which then
 * fails the strict format checks, so a request cannot smuggle two nonces or two signatures.
 */
export function getHeader(headers: HeadersLike, name: string): string | undefined {
  if (isHeaderGetter(headers)) return headers.get(name) ?? undefined;
  const lower = name.toLowerCase();
  let value = Object.prototype.hasOwnProperty.call(headers, lower) ? headers[lower] : undefined;
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** The key id a v2 request claims, so the receiver can choose which secret to verify against. */
export function getKeyId(headers: HeadersLike): string | undefined {
  return getHeader(headers, HEADER_KEY);
}

/**
 * Whether the request attempts v2. Any one signing header counts, so a request with partial v2
 * headers is judged (and rejected) as v2 rather than silently falling back to v1.
 */
export function isSignedRequest(headers: HeadersLike): boolean {
  return SIGNED_REQUEST_HEADERS.some((name) => getHeader(headers, name) !== undefined);
}

/** Constant-time comparison of two equal-length-checked strings (the length itself may leak). */
function timingSafeStringEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/**
 * Constant-time string equality for v1 secret checks. Both sides are hashed first so the
 * comparison is always over 32 bytes and not even the secret's length leaks through timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Verifies a v2 request. Order matters: the nonce is recorded only after the signature verified
 * and the timestamp is fresh, so unauthenticated junk can never occupy the nonce cache.
 */
export function verifyRequest(input: VerifyRequestInput): VerifyResult {
  const { headers, nonceCache } = input;
  const windowSeconds = input.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const now = input.now ?? Date.now();

  const version = getHeader(headers, HEADER_VERSION);
  const timestamp = getHeader(headers, HEADER_TIMESTAMP);
  const nonce = getHeader(headers, HEADER_NONCE);
  const claimedHash = getHeader(headers, HEADER_CONTENT_SHA256);
  const signature = getHeader(headers, HEADER_SIGNATURE);
  const keyId = getHeader(headers, HEADER_KEY);
  if (
    version === undefined ||
    timestamp === undefined ||
    nonce === undefined ||
    claimedHash === undefined ||
    signature === undefined ||
    keyId === undefined
  ) {
    return { ok: false, reason: 'missing' };
  }

  // Malformed values are reported as a bad signature: they could not have come from signRequest.
  if (
    version !== PROTOCOL_VERSION ||
    !TIMESTAMP_RE.test(timestamp) ||
    !NONCE_RE.test(nonce) ||
    !HEX_64.test(claimedHash) ||
    !HEX_64.test(signature) ||
    !validMethod(input.method) ||
    !validPath(input.path) ||
    input.secret.length === 0
  ) {
    return { ok: false, reason: 'bad-signature' };
  }

  if (!timingSafeStringEqual(sha256Hex(input.body ?? ''), claimedHash)) {
    return { ok: false, reason: 'body-hash' };
  }

  const expected = hmacHex(input.secret, canonicalString(input.method, input.path, timestamp, nonce, claimedHash));
  if (!timingSafeStringEqual(expected, signature)) {
    return { ok: false, reason: 'bad-signature' };
  }

  // Checked after the signature so the reason reflects an authenticated timestamp.
  const timestampMs = Number(timestamp) * 1000;
  const windowMs = windowSeconds * 1000;
  if (Math.abs(now - timestampMs) > windowMs) {
    return { ok: false, reason: 'stale' };
  }
  // A cache that started at `sinceMs` cannot vouch for a request signed before it (a restart forgets
  // the nonces): such a request is refused as stale, and a live sender simply signs again.
  if (timestampMs < Math.floor(nonceCache.sinceMs / 1000) * 1000) {
    return { ok: false, reason: 'stale' };
  }

  // Remember the nonce for as long as this timestamp would still pass the freshness check.
  if (!nonceCache.remember(nonce, timestampMs + windowMs, now)) {
    return { ok: false, reason: 'replay' };
  }
  return { ok: true };
}

export interface NonceCacheOptions {
  /** Upper bound on remembered nonces; the soonest-to-expire is evicted beyond it. */
  maxEntries?: number;
  /**
   * When this cache started remembering, ms since the epoch (a node passes its start time). A
   * request signed in an earlier second is refused: the nonces seen before a restart are gone, so
   * only this bound keeps a captured request from being replayed after the receiver restarts.
   * Default 0 (no bound). A restart that completes within the same wall-clock second leaves that
   * one second open.
   */
  sinceMs?: number;
}

interface HeapEntry {
  nonce: string;
  expiresAt: number;
}

/**
 * Remembers nonces until their request could no longer pass the freshness window.
 *
 * A min-heap on expiry makes pruning O(log n) per expired entry, and when the cap is reached the
 * entry closest to expiry is evicted (the "oldest"): it is the one whose replay window is shortest.
 * Eviction of an unexpired nonce re-opens a replay for it, so the cap is sized far above any
 * legitimate request rate (100k in 5 min is > 300 authenticated req/s) and `evictions` is exposed
 * for metrics.
 */
export class NonceCache {
  readonly maxEntries: number;
  readonly sinceMs: number;
  readonly #expiry = new Map<string, number>();
  readonly #heap: HeapEntry[] = [];
  #evictions = 0;

  constructor(options: NonceCacheOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_NONCE_CACHE_ENTRIES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('NonceCache: maxEntries must be a positive integer');
    this.maxEntries = max;
    this.sinceMs = options.sinceMs ?? 0;
  }

  get size(): number {
    return this.#expiry.size;
  }

  /** Unexpired nonces dropped because the cache was full. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Whether `nonce` is remembered and not expired at `now` (ms). */
  has(nonce: string, now: number): boolean {
    const expiresAt = this.#expiry.get(nonce);
    return expiresAt !== undefined && expiresAt >= now;
  }

  /**
   * Records `nonce` until `expiresAt` (ms, inclusive). Returns false, recording nothing, if it is
   * already remembered and unexpired: that is a replay.
   */
  remember(nonce: string, expiresAt: number, now: number): boolean {
    this.prune(now);
    if (this.#expiry.has(nonce)) return false;
    while (this.#expiry.size >= this.maxEntries) {
      const evicted = this.#pop();
      if (evicted === undefined) break;
      this.#expiry.delete(evicted.nonce);
      this.#evictions += 1;
    }
    this.#expiry.set(nonce, expiresAt);
    this.#push({ nonce, expiresAt });
    return true;
  }

  /** Drops every nonce that expired before `now` (ms). */
  prune(now: number): void {
    for (let top = this.#heap[0]; top !== undefined && top.expiresAt < now; top = this.#heap[0]) {
      this.#pop();
      this.#expiry.delete(top.nonce);
    }
  }

  #push(entry: HeapEntry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.expiresAt <= heap[i]!.expiresAt) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  #pop(): HeapEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && heap[l]!.expiresAt < heap[smallest]!.expiresAt) smallest = l;
      if (r < heap.length && heap[r]!.expiresAt < heap[smallest]!.expiresAt) smallest = r;
      if (smallest === i) break;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
    return top;
  }
}
