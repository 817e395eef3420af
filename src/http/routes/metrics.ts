// GET /metrics: Prometheus exposition of this node's registry, gauges computed at scrape time.
import Router from '@koa/router';
import type { AppDeps } from '../context.js';

export function metricsRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const text = await deps.metrics.scrape();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.metrics.contentType;
    ctx.body = text;
  });
  return router;
}
