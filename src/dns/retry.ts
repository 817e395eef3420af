// Bounded exponential backoff with jitter for provider calls. Several writers share an account's
// rate limit, so retries spread out at random instead of hitting the API again in lock step.
import { ProviderError } from './provider.js';

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  attempts: number;
  /** Delay scale for the first retry, ms. */
  baseMs: number;
  /** Cap on one delay, ms. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 8_000 };

export interface RetryDeps {
  policy?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random?: () => number;
  /** Aborted when the node shuts down: no further retries, and a backoff wait ends at once. */
  signal?: AbortSignal;
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Delay before retry number `retry` (1-based): "equal jitter", between half and all of the cap. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Whether an error is worth another attempt: only what ProviderError marks retryable. */
export function shouldRetry(err: unknown): boolean {
  return err instanceof ProviderError && err.retryable && !err.auth;
}

export interface RetryOutcome<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  attempts: number;
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the attempts run out. */
export async function withRetry<T>(fn: () => Promise<T>, deps: RetryDeps = {}): Promise<RetryOutcome<T>> {
  const policy = { ...DEFAULT_RETRY, ...deps.policy };
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const max = Math.max(1, Math.floor(policy.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await fn(), attempts: attempt };
    } catch (err) {
      if (attempt >= max || !shouldRetry(err) || deps.signal?.aborted) return { ok: false, error: err, attempts: attempt };
      await abortable(sleep(backoffDelay(attempt, policy, random)), deps.signal);
      if (deps.signal?.aborted) return { ok: false, error: err, attempts: attempt };
    }
  }
}

/** Resolves when `p` does, or as soon as `signal` aborts. */
function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    p.then(done, done);
  });
}
