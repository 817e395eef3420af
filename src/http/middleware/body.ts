// JSON bodies only, with a size limit. Malformed JSON, a wrong content type or an oversized body
// become clear 4xx answers before any route runs: bad JSON is invalid input (DomainError, 400
// `invalid_json`); a body too large (413) or not JSON (415) is refused at the HTTP level (HttpError).
import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { DomainError } from '../../errors.js';
import { HttpError } from './errors.js';

const notAnObject = (message: string) => new DomainError('invalid', message, undefined, 'invalid_json', [{ field: '(body)', message: 'must be a JSON object' }]);

export function jsonBody(limitBytes: number) {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: limitBytes,
    encoding: 'utf-8',
    // Only objects and arrays at the top level; a bare string or number is not a request.
    jsonStrict: true,
    onError: (err: Error & { status?: number; type?: string }) => {
      if (err.status === 413 || err.type === 'entity.too.large') throw new HttpError(413, `request body is larger than ${Math.round(limitBytes / 1024)} KiB`);
      if (err.status === 415 || err.type === 'encoding.unsupported') throw new HttpError(415, 'unsupported request encoding');
      throw notAnObject('request body is not valid JSON');
    },
  });
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') return next();
    const hasBody = ctx.request.length !== undefined ? ctx.request.length > 0 : ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json')) {
      throw new HttpError(415, 'request body must be application/json');
    }
    if (ctx.request.length !== undefined && ctx.request.length > limitBytes) {
      throw new HttpError(413, `request body is larger than ${Math.round(limitBytes / 1024)} KiB`);
    }
    await parse(ctx, async () => undefined);
    const body: unknown = ctx.request.body;
    if (hasBody && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw notAnObject('request body must be a JSON object');
    }
    return next();
  };
}
