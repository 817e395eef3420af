// The v1 wire protocol, exactly as the original speaks it: every answer is HTTP 200 and the outcome is
// the JSON `statusCode` / `statusString` (200 ok, 201 not joined, 401 wrong secret, 405 not allowed).
import Router from '@koa/router';
import type { Context } from 'koa';
import {
  V1_NOT_ALLOWED,
  V1_NOT_JOINED,
  V1_OK,
  V1_UNAUTHORIZED,
  stateFromPush,
  toV1CocoaBasic,
  v1PushSchema,
  v1RequestSchema,
  type V1Reply,
} from '../../cluster/wire-v1.js';
import { secretsEqual } from '../auth.js';
import type { AppDeps } from '../context.js';
import { parseInput } from '../middleware/validate.js';

export function v1Routes(deps: AppDeps): Router {
  const { runtime, config, log } = deps;
  const router = new Router();

  const alive = (ctx: Context) => {
    ctx.body = { ...V1_OK, nodeName: runtime.identity.nodeName, workMode: runtime.workMode };
  };
  router.get('/', alive);
  router.get('/v1', alive);

  const authorized = (secret: string | undefined) => secret !== undefined && secretsEqual(secret, runtime.identity.secret);

  router.post('/v1/getClusterInfo', (ctx) => {
    const input = parseInput(v1RequestSchema, ctx.request.body);
    if (!authorized(input.cocoaSecret)) return reply(ctx, V1_UNAUTHORIZED);
    const status = runtime.isLeader || runtime.joined ? V1_OK : V1_NOT_JOINED;
    const { identity } = runtime;
    reply(ctx, {
      ...status,
      cocoaBasic: toV1CocoaBasic(runtime.state, {
        apiPort: config.apiPort,
        nodeName: identity.nodeName,
        nodeCode: identity.nodeCode,
        nodeAddress: identity.nodeAddress,
        workMode: identity.workMode,
        reverseProxy: config.reverseProxy,
        timeoutMinutes: config.timeoutMinutes,
        databaseType: config.databaseType,
        createdAt: identity.createdAt,
        updatedAt: identity.updatedAt,
      }),
    });
  });

  router.post('/v1/updateClusterInfo', async (ctx) => {
    // The original checks the role before the secret: a leader refuses any push.
    if (runtime.isLeader) return reply(ctx, V1_NOT_ALLOWED);
    const secret = parseInput(v1RequestSchema, ctx.request.body).cocoaSecret;
    if (!authorized(secret)) return reply(ctx, V1_UNAUTHORIZED);
    const push = parseInput(v1PushSchema, ctx.request.body);
    const versioned = push.cocoaBasic.stateVersion !== undefined;
    const incoming = stateFromPush(push.cocoaBasic, runtime.state.version);
    const outcome = await runtime.applyPush(incoming, { versioned });
    if (!outcome.applied) {
      log.info({ reason: outcome.reason, have: outcome.version, got: incoming.version }, 'push not applied');
      const statusString = outcome.reason === 'stale' ? 'Stale push: a newer state version is applied' : 'Push does not list this node';
      return reply(ctx, { statusCode: outcome.reason === 'stale' ? 409 : 400, statusString, stateVersion: outcome.version });
    }
    log.info({ version: runtime.state.version, nodes: runtime.state.nodes.length }, 'applied pushed cluster state');
    reply(ctx, { ...V1_OK, stateVersion: runtime.state.version });
  });

  router.post('/v1/cocoaSyncer/quit', async (ctx) => {
    if (runtime.isLeader) return reply(ctx, V1_NOT_ALLOWED);
    const input = parseInput(v1RequestSchema, ctx.request.body);
    if (!authorized(input.cocoaSecret)) return reply(ctx, V1_UNAUTHORIZED);
    await runtime.quit();
    log.info('left the cluster');
    reply(ctx, V1_OK);
  });

  return router;
}

function reply(ctx: Context, body: V1Reply | (Omit<V1Reply, 'cocoaBasic'> & { stateVersion: number })): void {
  ctx.status = 200;
  ctx.body = body;
}
