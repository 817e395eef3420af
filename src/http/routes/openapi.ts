// GET /v1/openapi.json: the OpenAPI 3.1 description of every route (pages/openapi.ts).
import Router from '@koa/router';
import { openApiSpec } from '../pages/openapi.js';

export function openApiRoutes(): Router {
  const router = new Router();
  router.get('/v1/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = openApiSpec();
  });
  return router;
}
