// Probes for orchestrators. /healthz: the process answers (liveness; never touches the database,
// so a database outage does not get a healthy node restarted). /readyz: the node can do its job:
// its database answers quickly and takes writes, and its identity from the config is applied.
import Router from '@koa/router';
import { findNode } from '../../cluster/state.js';
import type { AppDeps } from '../context.js';

/** Short: a probe that hangs is worse than one that says "not ready". */
export const READY_DB_TIMEOUT_MS = 1000;
/** A successful write older than this is confirmed by a probe write before answering ready. */
export const WRITE_PROBE_AFTER_MS = 30_000;

export function healthRoutes(deps: AppDeps): Router {
  const { runtime, store } = deps;
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const database = (await store.ping(READY_DB_TIMEOUT_MS)) ? 'ok' : 'unreachable';
    // Answering SELECT 1 is not enough: a read-only file or a full disk refuses every edit. The last
    // write's outcome counts; when it failed, or is old, a write that changes nothing is tried now.
    const last = store.lastWrite;
    if (database === 'ok' && (!last || !last.ok || Date.now() - last.at.getTime() > WRITE_PROBE_AFTER_MS)) await store.probeWrite();
    const writes = store.lastWrite?.ok === false ? 'failing' : 'ok';
    // The identity is imported on first start and this node is in its own cluster state.
    const config = runtime.identity.nodeCode && findNode(runtime.state, runtime.nodeCode) ? 'ok' : 'not applied';
    const checks = { database, writes, config };
    if (database === 'ok' && writes === 'ok' && config === 'ok') {
      ctx.body = { status: 'ready', checks };
      return;
    }
    const reasons: string[] = [];
    if (database !== 'ok') reasons.push(`the database did not answer within ${READY_DB_TIMEOUT_MS} ms`);
    if (database === 'ok' && writes !== 'ok') reasons.push(`the database refuses writes (${store.lastWrite?.error ?? 'unknown error'}): edits and pushes cannot be stored`);
    if (config !== 'ok') reasons.push('the node identity from the configuration is not applied');
    ctx.status = 503;
    ctx.body = { status: 'not ready', reason: reasons.join('; '), checks };
  });

  return router;
}
