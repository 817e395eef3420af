// GET /v1/status (an HTML page for people) and GET /v1/status.json (what the page polls).
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditEntry } from '../../store/index.js';
import type { AppDeps } from '../context.js';
import { renderStatusPage, STATUS_CSP } from '../pages/status-html.js';
import { buildStatusView, type PublicStatus } from '../pages/status-view.js';

/** DNS changes shown on the page. */
export const STATUS_CHANGES = 20;

export function statusRoutes(deps: AppDeps): Router {
  const { runtime, reactor, store, config } = deps;
  const router = new Router();

  const view = async (): Promise<PublicStatus> => {
    let audit: AuditEntry[] | null;
    try {
      audit = await store.listAudit(STATUS_CHANGES);
    } catch {
      // The page still shows the cluster when the database is away; it says the log is unreadable.
      audit = null;
    }
    return buildStatusView({ ...reactor.statusInputs(), state: runtime.state, audit, config, secretInUse: runtime.identity.secret });
  };

  const common = (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
  };

  router.get('/v1/status', async (ctx) => {
    common(ctx);
    ctx.set('Content-Security-Policy', STATUS_CSP);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = renderStatusPage(await view());
  });

  router.get('/v1/status.json', async (ctx) => {
    common(ctx);
    ctx.body = await view();
  });

  return router;
}
