// Delivering messages to webhooks: a bounded in-memory queue, each message retried with
// exponential backoff and jitter until delivered, refused for good, or out of attempts. Callers
// enqueue and move on (fire-and-forget): nothing here ever blocks a DNS pass or a heartbeat.
import type { Logger } from '../log.js';
import type { Notifier } from '../model.js';
import { maskUrl } from '../security/mask.js';
import { buildRequest } from './formats/index.js';
import type { NotifyMessage, OutgoingRequest } from './message.js';

/** How hard delivery tries. Times in ms. */
export interface DeliveryPolicy {
  /** Attempts per message, the first included (default 6). */
  maxAttempts: number;
  /** Delay before the first retry; doubled per retry (default 1000). */
  baseDelayMs: number;
  /** Longest delay between attempts (default 60 000). */
  maxDelayMs: number;
  /** One attempt's timeout (default 10 000). */
  timeoutMs: number;
  /** Messages waiting or in flight at most; beyond it the oldest waiting one is dropped (default 500). */
  maxQueued: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000, maxQueued: 500 };

/**
 * The wait before retry number `retry` (1 for the first retry): `base * 2^(retry-1)` capped at
 * `max`, with "equal jitter" (half fixed, half random, `random()` in [0, 1)), so many nodes'
 * retries never fall into step.
 */
export function retryDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 30));
  return cap / 2 + random() * (cap / 2);
}

/** One attempt's outcome: delivered (2xx), worth retrying (network, timeout, 429, 5xx), or refused for good (other 4xx). */
export type AttemptOutcome = { kind: 'ok'; status: number } | { kind: 'retry'; reason: string } | { kind: 'refused'; reason: string };

/** How an answer's status is read (pure): 2xx delivered; 408, 429 and 5xx retried; other codes (a 3xx too: redirects are not followed, the token must not travel to another host) refused. */
export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', reason: `answered ${status}` };
  return { kind: 'refused', reason: `answered ${status}` };
}

/** What delivery reports, per message: counted as metrics by the caller. */
export interface DeliveryHooks {
  sent(notifier: string, event: string): void;
  failed(notifier: string, event: string): void;
}

type Fetch = typeof fetch;

interface Job {
  notifier: Notifier;
  message: NotifyMessage;
  attempt: number;
  timer: NodeJS.Timeout | null;
}

/** Sends one request; never throws. Exported for `notify test`, which waits for one attempt. */
export async function attempt(req: OutgoingRequest, timeoutMs: number, fetchFn: Fetch = fetch): Promise<AttemptOutcome> {
  try {
    const res = await fetchFn(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    // The body is read and dropped so the connection can be reused; vendors answer errors in it,
    // but it may echo the request (and so the token): it is never logged.
    await res.arrayBuffer().catch(() => undefined);
    return classifyStatus(res.status);
  } catch (err) {
    // Never the error's message: undici's may quote the URL. Its code or name says enough.
    const e = err as { name?: string; cause?: { code?: string } };
    return { kind: 'retry', reason: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `not reachable (${e.cause?.code ?? e.name ?? 'error'})` };
  }
}

export class DeliveryQueue {
  private readonly jobs = new Set<Job>();
  private readonly policy: DeliveryPolicy;
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly hooks: DeliveryHooks,
    policy: Partial<DeliveryPolicy> = {},
    private readonly fetchFn: Fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = { ...DEFAULT_DELIVERY, ...policy };
  }

  /** Messages waiting or in flight. */
  get pending(): number {
    return this.jobs.size;
  }

  /** Queues `message` for `notifier` and returns at once; the first attempt starts right away. */
  enqueue(notifier: Notifier, message: NotifyMessage): void {
    if (this.stopped) return;
    if (this.jobs.size >= this.policy.maxQueued) this.dropOldest();
    const job: Job = { notifier, message, attempt: 0, timer: null };
    this.jobs.add(job);
    void this.run(job);
  }

  /** Ends every pending retry (messages not yet delivered are dropped). */
  stop(): void {
    this.stopped = true;
    for (const job of this.jobs) if (job.timer) clearTimeout(job.timer);
    this.jobs.clear();
  }

  private dropOldest(): void {
    const oldest = [...this.jobs].find((j) => j.timer !== null) ?? this.jobs.values().next().value;
    if (!oldest) return;
    if (oldest.timer) clearTimeout(oldest.timer);
    this.jobs.delete(oldest);
    this.hooks.failed(oldest.notifier.name, oldest.message.event);
    this.log.warn({ notifier: oldest.notifier.name, event: oldest.message.event }, 'notification dropped: too many undelivered messages queued');
  }

  private async run(job: Job): Promise<void> {
    job.timer = null;
    job.attempt += 1;
    // Built per attempt: a signed format's timestamp must be fresh (DingTalk, Feishu: within 1 h).
    const req = buildRequest(job.notifier, job.message, this.now());
    const outcome = await attempt(req, this.policy.timeoutMs, this.fetchFn);
    if (this.stopped || !this.jobs.has(job)) return;
    const where = { notifier: job.notifier.name, url: maskUrl(job.notifier.url), event: job.message.event, attempt: job.attempt };
    if (outcome.kind === 'ok') {
      this.jobs.delete(job);
      this.hooks.sent(job.notifier.name, job.message.event);
      this.log.info(where, 'notification delivered');
      return;
    }
    if (outcome.kind === 'refused' || job.attempt >= this.policy.maxAttempts) {
      this.jobs.delete(job);
      this.hooks.failed(job.notifier.name, job.message.event);
      this.log.warn({ ...where, reason: outcome.reason }, outcome.kind === 'refused' ? 'notification refused by the webhook; not retried' : 'notification not delivered; gave up');
      return;
    }
    const delay = retryDelay(job.attempt, this.policy.baseDelayMs, this.policy.maxDelayMs);
    this.log.warn({ ...where, reason: outcome.reason, retryInMs: Math.round(delay) }, 'notification not delivered; retrying');
    job.timer = setTimeout(() => void this.run(job), delay);
    job.timer.unref();
  }
}
