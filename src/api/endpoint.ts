// What one API call is, written once: method, path, success status, the zod schemas of its
// params / query / body, and (as a type only) its reply. The admin routes serve an endpoint
// (src/http/routes/serve.ts), the CLI calls it (src/cli/admin-client.ts), and the OpenAPI
// document describes its body from the same schema (src/http/pages/openapi.ts).
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The runtime half of an endpoint. Schemas absent: that part of the request is not read. */
export interface EndpointDef {
  readonly method: HttpMethod;
  /** The route pattern as @koa/router takes it, e.g. `/v2/admin/nodes/:code`. */
  readonly path: string;
  /** The HTTP status of a success (201 for creations, else 200). */
  readonly status: 200 | 201;
  /** Path parameters, one key per `:name` in `path`. */
  readonly params?: z.ZodObject;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
}

/** An endpoint with its reply type attached (type-only: `reply` is never set at runtime). */
export type Endpoint<Reply = unknown> = EndpointDef & { readonly reply?: Reply };

/**
 * Declares an endpoint whose success answer is `Reply`:
 * `endpoint<JoinReply>()({ method: 'POST', path: '/v2/admin/join', status: 201, body: joinRequest })`.
 * (Two calls so `Reply` is given while the definition's own type is still inferred.)
 */
export function endpoint<Reply>() {
  return <const D extends EndpointDef>(def: D): D & { readonly reply?: Reply } => def;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type Sent<S> = S extends z.ZodType ? z.input<S> : undefined;

/** What a route's command receives: each part parsed (trimmed, defaults filled, transformed). */
export interface InputOf<E extends EndpointDef> {
  params: Parsed<E['params']>;
  query: Parsed<E['query']>;
  body: Parsed<E['body']>;
}

/** What a client sends: each part before parsing (defaults may be left out). */
export type RequestOf<E extends EndpointDef> = {
  [K in 'params' | 'query' | 'body' as E[K] extends z.ZodType ? K : never]: Sent<E[K]>;
};

/** The success reply of an endpoint. */
export type ReplyOf<E> = E extends { readonly reply?: infer R } ? R : never;

/**
 * The concrete path of a call: each `:name` replaced by its URL-encoded value, then the query.
 * Throws if a parameter of the pattern has no value (a programming error, not bad input).
 */
export function pathFor(e: EndpointDef, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
  const path = e.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined || v === null) throw new Error(`${e.method} ${e.path}: no value for :${name}`);
    return encodeURIComponent(String(v));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}
