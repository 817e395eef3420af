// Counts and times every request by the route pattern the router matched (`/v2/admin/nodes/:code`,
// never the raw path), so label values stay bounded whatever clients send. Runs outermost, so it
// sees the final status an error handler or the router's 405 produced.
import type { Context, Next } from 'koa';
import { methodLabel, UNMATCHED_ROUTE } from '../../metrics/labels.js';

export interface HttpObserver {
  observeHttp(method: string, route: string, status: number, seconds: number): void;
}

export function httpMetrics(metrics: HttpObserver) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      metrics.observeHttp(methodLabel(ctx.method), routeLabel(ctx), ctx.status, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

interface MatchedLayer {
  path: unknown;
  methods: string[];
}

/** The pattern of the route that handled the request: the last layer @koa/router matched on path
 *  and method. Middleware layers (`router.use`) have no methods and never name a route, so a 401
 *  from the admin API's signature check is still labelled with the route it was aimed at. */
export function routeLabel(ctx: Context): string {
  const matched = (ctx as { matched?: MatchedLayer[] }).matched;
  if (!Array.isArray(matched)) return UNMATCHED_ROUTE;
  for (let i = matched.length - 1; i >= 0; i--) {
    const layer = matched[i]!;
    if (layer.methods.length > 0 && layer.methods.includes(ctx.method) && typeof layer.path === 'string') return layer.path;
  }
  return UNMATCHED_ROUTE;
}
