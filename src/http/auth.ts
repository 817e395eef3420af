// Who is asking. Protocol v2: HMAC-signed headers keyed by this node's secret (timestamp window,
// nonce never reused). Protocol v1: the original's clear secret in the body, accepted only with
// V1Compat on. Secrets are compared in constant time everywhere.
import type { Context } from 'koa';
import { HEADER_REFUSED, constantTimeEqual, getKeyId, isSignedRequest, verifyRequest, type NonceCache, type VerifyFailureReason } from '../security/index.js';

export type AuthResult =
  | { ok: true; protocol: 'v2'; keyId: string }
  | { ok: true; protocol: 'v1' }
  | { ok: false; reason: VerifyFailureReason | 'wrong-secret' | 'v1-disabled' | 'no-credentials' };

export interface AuthOptions {
  secret: string;
  v1Compat: boolean;
  nonceCache: NonceCache;
  windowSeconds?: number;
}

export function authenticate(ctx: Context, opts: AuthOptions): AuthResult {
  if (isSignedRequest(ctx.headers)) {
    const raw = (ctx.request as { rawBody?: string }).rawBody ?? '';
    const result = verifyRequest({
      method: ctx.method,
      path: ctx.originalUrl,
      headers: ctx.headers,
      body: raw,
      secret: opts.secret,
      nonceCache: opts.nonceCache,
      windowSeconds: opts.windowSeconds,
    });
    if (!result.ok) {
      // Tells the sender why, so a peer whose clock differs re-signs for this node's clock.
      ctx.set(HEADER_REFUSED, result.reason);
      return { ok: false, reason: result.reason };
    }
    return { ok: true, protocol: 'v2', keyId: getKeyId(ctx.headers) ?? '' };
  }
  const body = ctx.request.body as { cocoaSecret?: unknown } | undefined;
  const given = body && typeof body === 'object' ? body.cocoaSecret : undefined;
  if (typeof given !== 'string' || given === '') return { ok: false, reason: 'no-credentials' };
  if (!opts.v1Compat) return { ok: false, reason: 'v1-disabled' };
  return constantTimeEqual(given, opts.secret) ? { ok: true, protocol: 'v1' } : { ok: false, reason: 'wrong-secret' };
}

/** Words for a refused request; never echoes what was sent. */
export function describeAuthFailure(reason: Exclude<AuthResult, { ok: true }>['reason']): string {
  switch (reason) {
    case 'v1-disabled':
      return 'v1 clear-secret requests are refused: V1Compat is off on this node (sign requests with protocol v2, or set V1Compat: true while an original Go peer remains)';
    case 'stale':
      return 'request timestamp is outside the accepted window (the clocks differ, or the request was signed before this node started)';
    case 'replay':
      return 'request nonce was already used (replayed request)';
    case 'body-hash':
      return 'request body does not match its signed hash';
    case 'missing':
      return 'request signature headers are incomplete';
    case 'no-credentials':
      return 'request carries no credentials';
    default:
      return 'wrong secret or bad signature';
  }
}
