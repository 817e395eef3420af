// Serving one contract endpoint (src/api/contract.ts): `validate` checks the input, then one typed
// command function computes the reply, which is answered with the endpoint's success status.
// Refusals are thrown as DomainError and answered by the error middleware; nothing here catches.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { EndpointDef, InputOf, ReplyOf } from '../api/endpoint.js';
import { validate, type ValidatedState } from './middleware/validate.js';

/** A route's one command: checked input in, the endpoint's reply out (or a thrown DomainError). */
export type RouteCommand<E extends EndpointDef> = (input: InputOf<E>, ctx: Context) => ReplyOf<E> | Promise<ReplyOf<E>>;

/** Registers `e` on `router`: `validate(e)`, then `command`, answering `e.status` with its reply. */
export function serve<E extends EndpointDef>(router: Router, e: E, command: RouteCommand<E>): void {
  router.register(e.path, [e.method], [
    validate(e),
    async (ctx: Context) => {
      const reply = await command((ctx.state as ValidatedState<E>).input, ctx);
      ctx.status = e.status;
      ctx.body = reply;
    },
  ]);
}
