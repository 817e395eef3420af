// The CLI's way into a running node: signed (protocol v2) JSON requests to its admin API. The CLI
// never opens a node's database.
import { requestJson, NetError } from '../net/http-json.js';
import { HEADER_REFUSED, requestTarget, signRequest } from '../security/index.js';
import { measureOffset } from '../net/clock-offset.js';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export interface AdminClientOptions {
  baseUrl: string;
  secret: string;
  timeoutMs?: number;
  ca?: string | Buffer | null;
}

export class AdminClient {
  // The node's clock minus ours, learnt from its answers: a request refused as stale is signed
  // again once for the node's clock (a CLI on another host, or a node whose clock is off).
  private offsetMs = 0;

  constructor(private readonly opts: AdminClientOptions) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, retried = false): Promise<T> {
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const sentAt = Date.now();
    const headers = signRequest({ method, path: requestTarget(url), body: text, secret: this.opts.secret, keyId: 'cli', now: sentAt + this.offsetMs });
    let res;
    try {
      res = await requestJson({ method, url, headers, ...(body === undefined ? {} : { body: text }), timeoutMs: this.opts.timeoutMs ?? 30_000, ca: this.opts.ca ?? null });
    } catch (err) {
      if (err instanceof NetError) throw new AdminError(0, `cannot reach the node at ${err.message}`);
      throw err;
    }
    const measured = measureOffset(res.headers, sentAt, Date.now());
    if (res.status === 401 && res.headers[HEADER_REFUSED.toLowerCase()] === 'stale' && !retried && measured && Math.abs(measured.offsetMs - this.offsetMs) > 1000) {
      this.offsetMs = measured.offsetMs;
      return this.request<T>(method, path, body, true);
    }
    if (res.status >= 400) {
      const b = (res.body ?? {}) as { message?: unknown; details?: { field: string; message: string }[] };
      throw new AdminError(res.status, typeof b.message === 'string' ? b.message : `HTTP ${res.status}`, Array.isArray(b.details) ? b.details : []);
    }
    return res.body as T;
  }
}
