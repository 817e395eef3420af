// The prober: runs this node's probes (targets.ts) on each check's interval, on its own timer and with
// bounded concurrency, so probes never hold back heartbeats or DNS passes. One probe is one HTTP(S)
// request or one TCP connect with the check's timeout; classify (check.ts) says what it meant. Keeps,
// per (service, node, line, family), the latest result with its failure run and good streak, which
// is what this node's heartbeat answers carry (ProbeResult).
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { classifyProbe, type ProbeEndpoint, type ProbeOutcome } from './check.js';
import type { ProbeJob } from './targets.js';
import type { ProbeResult } from './verdict.js';

export interface ProberEvents {
  /** One probe finished (for the latency histogram and the board). */
  probed: [job: ProbeJob, ok: boolean, seconds: number];
}

export interface ProberOptions {
  /** The probes to run now (recomputed every tick: the state, plan and addresses may change). */
  jobs: () => ProbeJob[];
  /** Probes in flight at most (default 8). */
  concurrency?: number;
  /** How often due probes are looked for, ms (default 250). */
  tickMs?: number;
  now?: () => number;
}

interface JobMemory {
  dueAtMs: number;
  running: boolean;
  ok: boolean | null;
  failures: number;
  failingSinceMs: number | null;
  goodStreak: number;
  latencyMs: number | null;
  detail: string;
  job: ProbeJob;
}

export class Prober extends EventEmitter<ProberEvents> {
  private readonly memory = new Map<string, JobMemory>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: ProberOptions) {
    super();
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 250);
    this.timer.unref();
    this.tick();
  }

  /** Stops the timer; resolves when the probes in flight are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.inFlight]);
  }

  /** The latest result per (service, node, line, family) this node probes, as heartbeats carry them. */
  results(): ProbeResult[] {
    const now = this.now();
    const out: ProbeResult[] = [];
    for (const m of this.memory.values()) {
      if (m.ok === null) continue;
      for (const { line, family } of m.job.slots) {
        out.push({
          service: m.job.service,
          target: m.job.node,
          line,
          family,
          ok: m.ok,
          failures: m.failures,
          failingForMs: m.failingSinceMs === null ? 0 : now - m.failingSinceMs,
          goodStreak: m.goodStreak,
          latencyMs: m.latencyMs,
          detail: m.detail,
        });
      }
    }
    return out;
  }

  /** Starts every due probe the concurrency allows; forgets jobs no longer wanted. */
  private tick(): void {
    if (this.stopped) return;
    let jobs: ProbeJob[];
    try {
      jobs = this.opts.jobs();
    } catch {
      return;
    }
    const wanted = new Set(jobs.map((j) => j.key));
    for (const key of this.memory.keys()) if (!wanted.has(key)) this.memory.delete(key);
    const now = this.now();
    const limit = this.opts.concurrency ?? 8;
    for (const job of jobs) {
      const m = this.memory.get(job.key) ?? { dueAtMs: now, running: false, ok: null, failures: 0, failingSinceMs: null, goodStreak: 0, latencyMs: null, detail: '', job };
      m.job = job;
      this.memory.set(job.key, m);
      if (m.running || m.dueAtMs > now || this.inFlight.size >= limit) continue;
      m.running = true;
      m.dueAtMs = now + job.check.intervalSeconds * 1000;
      const run = this.probeOnce(m).finally(() => {
        m.running = false;
        this.inFlight.delete(run);
      });
      this.inFlight.add(run);
    }
  }

  private async probeOnce(m: JobMemory): Promise<void> {
    const { job } = m;
    const started = this.now();
    const t0 = process.hrtime.bigint();
    const outcome = await probe(job.endpoint, job.check.timeoutSeconds * 1000);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (this.stopped || this.memory.get(job.key) !== m) return;
    const verdict = classifyProbe(outcome, job.check.expectStatus);
    m.ok = verdict.ok;
    m.detail = verdict.detail;
    m.latencyMs = Math.round(seconds * 1000);
    if (verdict.ok) {
      m.failures = 0;
      m.failingSinceMs = null;
      m.goodStreak += 1;
    } else {
      m.failures += 1;
      m.failingSinceMs ??= started;
      m.goodStreak = 0;
    }
    this.emit('probed', job, verdict.ok, seconds);
  }
}

/**
 * One probe of one endpoint, never throwing: an HTTP(S) GET (the answer's status; the body is not
 * read beyond what the socket delivers) or a TCP connect. https verifies the certificate against
 * `servername` (the record's FQDN, sent as SNI) with Node's CAs (add a private CA with
 * NODE_EXTRA_CA_CERTS). The Host header is the FQDN too, so name-based virtual hosts answer.
 */
export function probe(endpoint: ProbeEndpoint, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise<ProbeOutcome>((resolve) => {
    let done = false;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const fail = (err: Error & { code?: string }) => finish({ kind: 'error', code: err.code ?? null, message: err.message });
    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      cleanup();
    }, timeoutMs);
    let cleanup = () => {};
    if (endpoint.scheme === 'tcp') {
      const socket = net.connect({ host: endpoint.host, port: endpoint.port });
      cleanup = () => socket.destroy();
      socket.once('connect', () => {
        finish({ kind: 'connected' });
        socket.destroy();
      });
      socket.once('error', fail);
      return;
    }
    const options: https.RequestOptions = {
      host: endpoint.host,
      port: endpoint.port,
      path: endpoint.path,
      method: 'GET',
      agent: false,
      headers: { Host: endpoint.hostHeader, 'User-Agent': 'cocoasyncer-probe', Connection: 'close' },
      ...(endpoint.servername ? { servername: endpoint.servername, rejectUnauthorized: true } : {}),
    };
    const req = (endpoint.scheme === 'https' ? https : http).request(options, (res) => {
      finish({ kind: 'http', status: res.statusCode ?? 0 });
      res.resume();
      req.destroy();
    });
    cleanup = () => req.destroy();
    req.once('error', fail);
    req.end();
  });
}
