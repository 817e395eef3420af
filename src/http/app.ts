// Builds the Koa application: error handling, body parsing and the route modules, in that order.
import Koa from 'koa';
import { HEADER_TIME, HEADER_VERSION, PROTOCOL_VERSION } from '../security/index.js';
import type { AppDeps } from './context.js';
import { jsonBody } from './middleware/body.js';
import { errorHandler } from './middleware/errors.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { adminRoutes } from './routes/admin.js';
import { badgeRoutes } from './routes/badge.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { statusRoutes } from './routes/status.js';
import { v1Routes } from './routes/v1.js';

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  // Behind a reverse proxy, X-Forwarded-For names the client (the original's ReverseProxy key).
  app.proxy = deps.config.reverseProxy;
  app.silent = true;
  // Outermost, so it times everything and sees the final status of errors and 405s.
  app.use(httpMetrics(deps.metrics));
  app.use(async (ctx, next) => {
    // Announce protocol v2 on every answer, so a peer knows it may sign instead of sending secrets.
    ctx.set(HEADER_VERSION, PROTOCOL_VERSION);
    // And this node's clock, so a peer can learn the offset and sign for it (clocks never have to agree).
    ctx.set(HEADER_TIME, String(Date.now()));
    await next();
  });
  app.use(errorHandler(deps.log));
  app.use(jsonBody(deps.config.bodyLimitBytes));
  for (const router of [v1Routes(deps), adminRoutes(deps), metricsRoutes(deps), badgeRoutes(deps), statusRoutes(deps), healthRoutes(deps), openApiRoutes()]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: false }));
  }
  return app;
}
