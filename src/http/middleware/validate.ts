// Input checking for routes. `validate(endpoint)` is the middleware the admin routes run first: it
// parses the path params, query and body through the endpoint's schemas (src/api/contract.ts) and
// puts the typed result on `ctx.state.input`, so the command after it only ever sees checked
// input. `parseInput` is the same check for one value, for routes outside the contract (v1, badge).
// Failures throw a DomainError of kind `invalid` naming every field at fault (400 `invalid_input`).
import type { Context, Next } from 'koa';
import type { z } from 'zod';
import type { EndpointDef, InputOf } from '../../api/endpoint.js';
import { DomainError } from '../../errors.js';
import { describeIssues } from '../../schemas.js';

/** Parses `value` (absent: `{}`) with `schema`; throws DomainError('invalid') listing each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const details = describeIssues(result.error);
    throw new DomainError('invalid', details.map((d) => `${d.field}: ${d.message}`).join('; '), undefined, 'invalid_input', details);
  }
  return result.data;
}

/** Where `validate` leaves the parsed input. */
export interface ValidatedState<E extends EndpointDef> {
  input: InputOf<E>;
}

/**
 * Middleware: parses params, then query, then body of the request with the endpoint's schemas
 * (a part without a schema is not read and comes out `undefined`) and stores them on
 * `ctx.state.input`. Throws at the first part that fails, naming its fields.
 */
export function validate<E extends EndpointDef>(e: E) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const input = {
      params: e.params ? parseInput(e.params, ctx.params) : undefined,
      query: e.query ? parseInput(e.query, ctx.query) : undefined,
      body: e.body ? parseInput(e.body, ctx.request.body) : undefined,
    } as InputOf<E>;
    (ctx.state as ValidatedState<E>).input = input;
    await next();
  };
}
