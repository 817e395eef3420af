// Clock offsets from answers: every node stamps its answers with its clock (X-Cocoa-Time), so a
// caller can sign for the receiver's clock and clocks never have to agree.
import type { IncomingHttpHeaders } from 'node:http';
import { HEADER_REFUSED, HEADER_TIME } from '../security/index.js';

/** Above this clock offset (ms) a peer's clock is reported as skewed: status, logs, the CLI. */
export const CLOCK_WARN_MS = 30_000;

/** What this node knows of a peer's clock: `offsetMs` = peer clock − local clock, measured mid-request. */
export interface ClockOffset {
  offsetMs: number;
  /** Round trip of the measuring request, ms (the offset's uncertainty is half of it). */
  rttMs: number;
  /** Local time of the measurement, ms since the epoch. */
  at: number;
}

/**
 * The peer's clock offset from one exchange: its `X-Cocoa-Time` (ms) compared with the midpoint
 * of the request on this node's clock (NTP's simple estimate). Null when the peer sent no time.
 */
export function measureOffset(headers: IncomingHttpHeaders, sentAt: number, receivedAt: number): ClockOffset | null {
  const raw = headers[HEADER_TIME.toLowerCase()];
  const peerMs = typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(peerMs)) return null;
  return { offsetMs: Math.round(peerMs - (sentAt + receivedAt) / 2), rttMs: receivedAt - sentAt, at: receivedAt };
}


/**
 * Whether a request refused as stale should be signed again, once, for the receiver's clock: the
 * answer said `X-Cocoa-Refused: stale`, carried the receiver's time, and that time moves our idea of
 * its clock by more than a second (else re-signing would be refused the same way).
 */
export function shouldResign(headers: IncomingHttpHeaders, measured: ClockOffset | null, usedOffsetMs: number): measured is ClockOffset {
  return headers[HEADER_REFUSED.toLowerCase()] === 'stale' && measured !== null && Math.abs(measured.offsetMs - usedOffsetMs) > 1000;
}
