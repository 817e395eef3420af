// The CLI's way into a running node: signed (protocol v2) JSON requests to its admin API, one typed
// call per contract endpoint (src/api/contract.ts). The CLI never opens a node's database.
import { pathFor, type EndpointDef, type ReplyOf, type RequestOf } from '../api/endpoint.js';
import { DomainError, kindOfHttpStatus, type FieldProblem } from '../errors.js';
import { requestJson, NetError } from '../net/http-json.js';
import { requestTarget, signRequest } from '../security/index.js';
import { measureOffset, shouldResign } from '../net/clock-offset.js';

/**
 * A refusal or failure answered by the node (or its absence): the node's DomainError read back
 * from `{error, message, details}`, with the HTTP status it came with (0: the node did not answer).
 */
export class AdminError extends DomainError {
  constructor(
    readonly httpStatus: number,
    message: string,
    details: FieldProblem[] = [],
    /** The answer's `error` code, e.g. `invalid_input`, `peer_refused_secret`. */
    code?: string,
  ) {
    super(kindOfHttpStatus(httpStatus) ?? (httpStatus === 0 ? 'peer-unreachable' : 'invalid'), message, undefined, code, details);
    this.name = 'AdminError';
  }

  /** The HTTP status the node answered with; 0 when it did not answer. */
  override get status(): number {
    return this.httpStatus;
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

  /**
   * Calls one endpoint of the contract: `call(api.setNode, { params: { code }, body: { name } })`;
   * the request argument is required exactly when the endpoint reads params, a query or a body.
   * Resolves with the endpoint's reply; throws AdminError for any answer of 400 or more, or when
   * the node cannot be reached (status 0).
   */
  call<E extends EndpointDef>(e: E, ...request: keyof RequestOf<E> extends never ? [] : [RequestOf<E>]): Promise<ReplyOf<E>> {
    const r = (request[0] ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const body = e.method === 'GET' || e.method === 'DELETE' ? undefined : (r.body ?? {});
    return this.request<ReplyOf<E>>(e.method, pathFor(e, r.params, r.query), body);
  }

  /** Raw calls by path (tests, benches, scripts): the reply type is the caller's word, unchecked. */
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
    if (res.status === 401 && !retried && shouldResign(res.headers, measured, this.offsetMs)) {
      this.offsetMs = measured.offsetMs;
      return this.request<T>(method, path, body, true);
    }
    if (res.status >= 400) {
      const b = (res.body ?? {}) as { error?: unknown; message?: unknown; details?: FieldProblem[] };
      throw new AdminError(res.status, typeof b.message === 'string' ? b.message : `HTTP ${res.status}`, Array.isArray(b.details) ? b.details : [], typeof b.error === 'string' ? b.error : undefined);
    }
    return res.body as T;
  }
}
