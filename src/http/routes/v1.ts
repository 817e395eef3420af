// The v1 wire protocol, exactly as the original speaks it (docs/v1-protocol.md): every answer is
// HTTP 200 and the outcome is the JSON `statusCode` / `statusString` (200 ok, 201 not joined, 401
// wrong secret, 405 not allowed).
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
import { authenticate, describeAuthFailure } from '../auth.js';
import { isSignedRequest } from '../../security/index.js';
import type { PushRefusal } from '../../cluster/leadership.js';
import { openPushSecrets } from '../../cluster/push-secrets.js';
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

  const auth = (ctx: Context) => authenticate(ctx, { secret: runtime.identity.secret, v1Compat: config.v1Compat, nonceCache: deps.nonceCache });
  const unauthorized = (ctx: Context, result: ReturnType<typeof auth>) => {
    if (!result.ok) log.warn({ path: ctx.path, reason: result.reason, ip: ctx.ip }, 'refused an unauthenticated request');
    reply(ctx, { ...V1_UNAUTHORIZED, message: result.ok ? '' : describeAuthFailure(result.reason) });
  };

  router.post('/v1/getClusterInfo', (ctx) => {
    parseInput(v1RequestSchema, ctx.request.body);
    const who = auth(ctx);
    if (!who.ok) return unauthorized(ctx, who);
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
    // The original checks the role before the secret: a leader refuses any v1 push. A signed (v2)
    // push to a leader is judged by leadership rules: a newer term makes this leader step down.
    if (runtime.isLeader && !isSignedRequest(ctx.headers)) return reply(ctx, V1_NOT_ALLOWED);
    parseInput(v1RequestSchema, ctx.request.body);
    const who = auth(ctx);
    if (!who.ok) return unauthorized(ctx, who);
    const push = parseInput(v1PushSchema, ctx.request.body);
    const versioned = push.cocoaBasic.stateVersion !== undefined;
    let incoming = stateFromPush(push.cocoaBasic, runtime.state.version, runtime.state.term);
    if (who.protocol === 'v2') {
      // Secrets in a v2 push are sealed for this node; one that does not open rejects the whole push.
      const opened = openPushSecrets(incoming, runtime.identity.secret, runtime.nodeCode);
      if (!opened.ok) {
        log.warn({ field: opened.field }, 'refused a push whose secrets do not open with this node\'s secret');
        return reply(ctx, { statusCode: 400, statusString: `Push refused: ${opened.field} is not sealed for this node`, stateVersion: runtime.state.version });
      }
      incoming = opened.state;
    }
    const outcome = await runtime.applyPush(incoming, {
      versioned,
      from: who.protocol === 'v2' ? who.keyId : undefined,
      termGiven: who.protocol === 'v2' && push.cocoaBasic.term !== undefined,
    });
    if (!outcome.applied) {
      if (outcome.reason === 'is-leader' && who.protocol === 'v1') return reply(ctx, V1_NOT_ALLOWED);
      log.info({ reason: outcome.reason, have: outcome.version, got: incoming.version, term: outcome.term }, 'push not applied');
      const statusString = PUSH_REFUSALS[outcome.reason];
      return reply(ctx, {
        statusCode: outcome.reason === 'excludes-self' ? 400 : 409,
        statusString,
        stateVersion: outcome.version,
        term: outcome.term,
        reason: outcome.reason,
        leader: outcome.leader,
      });
    }
    if (outcome.steppedDown) log.warn({ leader: incoming.nodes.find((n) => n.workMode === 'leader')?.nodeCode, term: incoming.term }, 'stepped down: a leader of a newer term pushed its state');
    log.info({ version: runtime.state.version, term: runtime.state.term, nodes: runtime.state.nodes.length }, 'applied pushed cluster state');
    reply(ctx, { ...V1_OK, stateVersion: runtime.state.version, term: runtime.state.term });
  });

  router.post('/v1/cocoaSyncer/quit', async (ctx) => {
    if (runtime.isLeader) return reply(ctx, V1_NOT_ALLOWED);
    parseInput(v1RequestSchema, ctx.request.body);
    const who = auth(ctx);
    if (!who.ok) return unauthorized(ctx, who);
    await runtime.quit();
    log.info('left the cluster');
    reply(ctx, V1_OK);
  });

  return router;
}

const PUSH_REFUSALS: Record<PushRefusal, string> = {
  stale: 'Stale push: a newer state version is applied',
  'older-term': 'Push refused: this node follows a leader of a newer term',
  'is-leader': 'Push refused: this node leads the cluster',
  'excludes-self': 'Push does not list this node',
  'not-leader': 'Push refused: the sender is not this node\'s leader',
};

type ReplyBody = V1Reply | (Omit<V1Reply, 'cocoaBasic'> & { stateVersion?: number; term?: number; message?: string; reason?: string; leader?: string | null });

function reply(ctx: Context, body: ReplyBody): void {
  ctx.status = 200;
  ctx.body = body;
}
