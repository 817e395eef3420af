// The HTTP leg shared by the providers that speak plain REST/JSON (Huawei, Volcengine, Cloudflare):
// one request over a keep-alive agent with a hard deadline, the body read as text, and socket
// failures turned into retryable ProviderErrors. Signing and response mapping stay in each provider.
import http from 'node:http';
import https from 'node:https';
import { ProviderError } from '../provider.js';

/** One request as a provider builds it (already signed). */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  /** Sent as given (names in any case); `content-length` is added for a body. */
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The answer: status, raw text, and the body parsed when it is JSON. */
export interface HttpAnswer {
  status: number;
  text: string;
  /** The parsed body, or undefined when it is not JSON (a proxy's error page, an empty body). */
  json: unknown;
}

/** Sends requests for one provider account; keeps connections alive between reconcile runs. */
export interface HttpClient {
  send(req: HttpRequest, action: string): Promise<HttpAnswer>;
}

const MAX_BYTES = 8 * 1024 * 1024;

/** A client with its own keep-alive agents; `provider` names the vendor in errors. */
export function httpClient(provider: string): HttpClient {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 8 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 8 }),
  };
  return {
    send(req, action) {
      const transport = req.url.protocol === 'http:' ? http : https;
      const agent = req.url.protocol === 'http:' ? agents['http:'] : agents['https:'];
      return new Promise<HttpAnswer>((resolve, reject) => {
        const fail = (code: string, message: string) =>
          new ProviderError({ provider, action, code, message, retryable: true, auth: false });
        const headers = { ...req.headers, ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) };
        const r = transport.request(req.url, { method: req.method, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BYTES) r.destroy(fail('InvalidResponse', `answer larger than ${MAX_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => {
            clearTimeout(deadline);
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          });
          res.on('error', (err) => {
            clearTimeout(deadline);
            reject(networkError(provider, action, err));
          });
        });
        const deadline = setTimeout(() => r.destroy(fail('RequestTimeout', `no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
        r.on('error', (err) => {
          clearTimeout(deadline);
          reject(networkError(provider, action, err));
        });
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
  };
}

/** A socket-level failure: the request may not have reached the provider, so it is retryable. */
function networkError(provider: string, action: string, err: Error): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'NetworkError';
  // The message of a Node socket error names the address and the errno, never a header or a secret.
  return new ProviderError({ provider, action, code, message: err.message.slice(0, 200), retryable: true, auth: false });
}

/** A configured endpoint (`host`, `host:port` or a URL) → its base URL, with `fallback` when empty. */
export function endpointUrl(endpoint: string | null, fallback: string): URL {
  const e = (endpoint ?? '').trim();
  const url = new URL(/^https?:\/\//i.test(e) ? e : e ? `https://${e}` : fallback);
  return url;
}

/**
 * A provider answer's payload checked against its schema; a 2xx answer of another shape is a
 * ProviderError `InvalidResponse` (retryable when the body was not JSON at all: a proxy in between).
 */
export function parseAnswer<T>(provider: string, action: string, status: number, raw: unknown, payload: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new ProviderError({
    provider,
    action,
    code: 'InvalidResponse',
    message: `unexpected response shape (HTTP ${status}): ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    retryable: raw === undefined,
    auth: false,
    httpStatus: status,
  });
}

/**
 * Zone ids by zone name, looked up once and shared by concurrent callers (one lookup in flight per
 * zone); a failed lookup is forgotten, and `clear()` forgets every id (a zone deleted and created
 * again has a new id).
 */
export class ZoneIds {
  private readonly ids = new Map<string, Promise<string>>();

  constructor(private readonly lookup: (name: string) => Promise<string>) {}

  /** The id of the zone `name` (canonical, without the trailing dot). */
  get(name: string): Promise<string> {
    let id = this.ids.get(name);
    if (!id) {
      id = this.lookup(name);
      this.ids.set(name, id);
      id.catch(() => this.ids.delete(name));
    }
    return id;
  }

  clear(): void {
    this.ids.clear();
  }
}
