// Turns anything thrown below into a JSON answer. Client errors keep their status and message;
// anything else is a 500 with a generic message (details go to the log, never to the client).
import type { Context, Next } from 'koa';
import type { Logger } from '../../log.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: { field: string; message: string }[],
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: `no route for ${ctx.method} ${ctx.path}` };
      } else if (ctx.status >= 400 && ctx.body === undefined) {
        // e.g. the router's 405 for a wrong method: answer in JSON like every other error.
        const status = ctx.status;
        ctx.body = { error: codeFor(status), message: status === 405 ? `${ctx.method} is not allowed on ${ctx.path}` : defaultMessage(status) };
        ctx.status = status;
      }
    } catch (caught) {
      const err = databaseUnavailable(caught) ?? caught;
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      const status = err instanceof HttpError ? err.status : (e.status ?? e.statusCode ?? 500);
      if (status >= 500) {
        log.error({ err: { name: (err as Error).name, message: (err as Error).message }, path: ctx.path }, 'request failed');
      }
      ctx.status = status;
      ctx.body =
        err instanceof HttpError
          ? { error: err.code ?? codeFor(status), message: err.message, ...(err.details ? { details: err.details } : {}) }
          : { error: codeFor(status), message: status >= 500 || !e.expose ? defaultMessage(status) : (e.message ?? defaultMessage(status)) };
    }
  };
}

/**
 * A database outage refuses the change with 503 and a reason, instead of a bare 500: the node keeps
 * running on the state it holds in memory, and the caller (CLI, leader) can retry later.
 */
function databaseUnavailable(err: unknown): HttpError | null {
  const name = (err as { name?: unknown })?.name;
  if (typeof name !== 'string') return null;
  if (!/^Sequelize(Connection\w*|HostNotReachable|HostNotFound|AccessDenied|InvalidConnection|ConnectionTimedOut)Error$|^ConnectionAcquireTimeoutError$|^SequelizeDatabaseError$/.test(name)) return null;
  return new HttpError(503, 'the database is unavailable: nothing was changed (the node keeps running on its last state; retry when the database is back)', undefined, 'database_unavailable');
}

function codeFor(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'not_allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 502:
      return 'bad_gateway';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal_error' : 'error';
  }
}

function defaultMessage(status: number): string {
  if (status === 413) return 'request body is too large';
  if (status === 415) return 'request body must be application/json';
  if (status >= 500) return 'internal error';
  return 'bad request';
}
