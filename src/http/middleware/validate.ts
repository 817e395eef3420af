// `validate(schema)` parses the request body (or query) and puts the typed result on ctx.state.input,
// so a route's command function receives only checked input.
import type { Context, Next } from 'koa';
import type { z } from 'zod';
import { describeIssues } from '../../schemas.js';
import { HttpError } from './errors.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const details = describeIssues(result.error);
    throw new HttpError(400, details.map((d) => `${d.field}: ${d.message}`).join('; '), details, 'invalid_input');
  }
  return result.data;
}

export function validate<S extends z.ZodType>(schema: S, source: 'body' | 'query' = 'body') {
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.state.input = parseInput(schema, source === 'body' ? ctx.request.body : ctx.query);
    await next();
  };
}
