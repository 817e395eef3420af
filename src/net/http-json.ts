// One outbound JSON request over http or https, with a hard timeout and an optional private CA.
// Errors name the address and the cause in words an operator can act on, never a secret.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Why a request failed. `local` means this process could not even try (out of file descriptors,
 * memory or ports): it says nothing about the peer, and liveness must not read it as evidence.
 */
export type NetErrorCause = 'timeout' | 'refused' | 'unreachable' | 'tls' | 'http' | 'bad-json' | 'too-large' | 'local';

/** errno codes that describe this host's own resources, not the remote end. */
const LOCAL_ERRNO = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'ENOBUFS', 'EADDRNOTAVAIL', 'EAI_MEMORY', 'EAI_SYSTEM']);

export class NetError extends Error {
  constructor(
    readonly address: string,
    readonly kind: NetErrorCause,
    detail: string,
  ) {
    super(`${address}: ${detail}`);
    this.name = 'NetError';
  }
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  ca?: string | Buffer | null;
  maxBytes?: number;
}

export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export function requestJson(req: JsonRequest): Promise<JsonResponse> {
  const url = new URL(req.url);
  const origin = url.origin;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBytes = req.maxBytes ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const r = send(
      url,
      {
        method: req.method,
        headers: {
          accept: 'application/json',
          'user-agent': 'CocoaSyncer/2',
          ...(req.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
        ...(req.ca ? { ca: req.ca } : {}),
        timeout: req.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            r.destroy(new NetError(origin, 'too-large', `answer larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(deadline);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? null : JSON.parse(text);
          } catch {
            reject(new NetError(origin, 'bad-json', `answered HTTP ${res.statusCode} with a body that is not JSON`));
            return;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', (err) => reject(toNetError(origin, err)));
      },
    );
    // `timeout` above only covers idle sockets; this bounds the whole exchange.
    const deadline = setTimeout(() => r.destroy(new NetError(origin, 'timeout', `no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    r.on('timeout', () => r.destroy(new NetError(origin, 'timeout', `no answer within ${req.timeoutMs} ms`)));
    r.on('error', (err) => {
      clearTimeout(deadline);
      reject(toNetError(origin, err));
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function toNetError(origin: string, err: Error): NetError {
  if (err instanceof NetError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (LOCAL_ERRNO.has(code)) return new NetError(origin, 'local', `this host could not make the request (${code}): says nothing about the peer`);
  if (code === 'ECONNREFUSED') return new NetError(origin, 'refused', 'connection refused (is the node running?)');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new NetError(origin, 'unreachable', 'host name does not resolve');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new NetError(origin, 'unreachable', 'host unreachable');
  if (code === 'ECONNRESET' || code === 'EPIPE') return new NetError(origin, 'unreachable', 'connection reset');
  if (/CERT|SSL|TLS/i.test(code) || /certificate/i.test(err.message)) return new NetError(origin, 'tls', `TLS failed (${code || err.message}); set TrustCA for a private CA`);
  return new NetError(origin, 'unreachable', code || err.message);
}
