// Turns anything thrown below into a JSON answer `{error, message, details?}`. This is the one place
// a DomainError (src/errors.ts) becomes an HTTP status: routes and commands just throw. Transport
// refusals from the body parser (413, 415) are HttpErrors; anything else is a 500 with a generic
// message (details go to the log, never to the client).
import type { Context, Next } from 'koa';
import { DomainError, type FieldProblem } from '../../errors.js';
import type { Logger } from '../../log.js';

/**
 * A refusal about the HTTP exchange itself rather than the domain (a body too large, a content
 * type we do not read), decided before any route runs. Routes throw DomainError instead.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: FieldProblem[],
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  /** Machine-readable, e.g. `invalid_input`, `conflict`, `not_allowed`. */
  error: string;
  message: string;
  details?: FieldProblem[];
}

export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.body === undefined && ctx.status >= 400) {
        const answer = unansweredStatus(ctx);
        ctx.status = answer.status;
        ctx.body = answer.body;
      }
    } catch (caught) {
      const err = databaseUnavailable(caught) ?? caught;
      const { status, body } = errorAnswer(err);
      if (status >= 500) log.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, path: ctx.path }, 'request failed');
      ctx.status = status;
      ctx.body = body;
    }
  };
}

/** The status and body for a thrown value: DomainError by its kind, HttpError by its status, else 500. */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) {
    const status = err.status;
    return { status, body: { error: err.code ?? codeFor(status), message: err.message, ...(err.details.length ? { details: [...err.details] } : {}) } };
  }
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: err.code ?? codeFor(err.status), message: err.message, ...(err.details ? { details: err.details } : {}) } };
  }
  // Errors from koa or its middleware carry a status and say whether their message may be shown.
  const e = err as { status?: unknown; statusCode?: unknown; expose?: boolean; message?: string } | null;
  const raw = e?.status ?? e?.statusCode;
  const status = typeof raw === 'number' && raw >= 400 && raw <= 599 ? raw : 500;
  return { status, body: { error: codeFor(status), message: status >= 500 || !e?.expose ? defaultMessage(status) : (e.message ?? defaultMessage(status)) } };
}

/**
 * A status a router set without a body: no route (404), a method the path does not take (405), or
 * a method no route takes at all (the router's 501, e.g. TRACE or PROPFIND), answered in JSON like
 * every other error.
 */
function unansweredStatus(ctx: Context): { status: number; body: ErrorBody } {
  const status = ctx.status;
  const allow = ctx.response.get('Allow');
  if (status === 404) return { status, body: { error: 'not_found', message: `no route for ${ctx.method} ${ctx.path}` } };
  if (status === 405) return { status, body: { error: codeFor(405), message: `${ctx.method} is not allowed on ${ctx.path}${allow ? ` (allowed: ${allow})` : ''}` } };
  if (status === 501) {
    // The router's Allow here lists only what its own routes take, which may not be this path's.
    ctx.remove('Allow');
    return { status, body: { error: codeFor(501), message: `${ctx.method} is not a method this API answers; it uses ${ANSWERED_METHODS.join(', ')}` } };
  }
  return { status, body: { error: codeFor(status), message: defaultMessage(status) } };
}

/** The methods some route answers (HEAD and OPTIONS: the router's own, for every GET route and path). */
const ANSWERED_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PATCH', 'DELETE'];

/**
 * A database outage refuses the change with 503 and a reason, instead of a bare 500: the node keeps
 * running on the state it holds in memory, and the caller (CLI, leader) can retry later.
 */
function databaseUnavailable(err: unknown): DomainError | null {
  const name = (err as { name?: unknown })?.name;
  if (typeof name !== 'string') return null;
  if (!/^Sequelize(Connection\w*|HostNotReachable|HostNotFound|AccessDenied|InvalidConnection|ConnectionTimedOut)Error$|^ConnectionAcquireTimeoutError$|^SequelizeDatabaseError$/.test(name)) return null;
  return new DomainError('unavailable', 'the database is unavailable: nothing was changed (the node keeps running on its last state; retry when the database is back)', undefined, 'database_unavailable');
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  501: 'not_implemented',
  502: 'bad_gateway',
  503: 'unavailable',
};

function codeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
}

function defaultMessage(status: number): string {
  if (status === 413) return 'request body is too large';
  if (status === 415) return 'request body must be application/json';
  if (status >= 500) return 'internal error';
  return 'bad request';
}
