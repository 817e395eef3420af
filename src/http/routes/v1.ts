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
  type V1Reply,
} from '../../cluster/wire-v1.js';
import { readPush, type PushNote } from '../../cluster/wire-v1-read.js';
import { authenticate, describeAuthFailure } from '../auth.js';
import { isSignedRequest } from '../../security/index.js';
import type { PushRefusal } from '../../cluster/leadership.js';
import { openPushSecrets } from '../../cluster/push-secrets.js';
import type { AppDeps } from '../context.js';
import type { ProbeResult } from '../../probe/verdict.js';

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

  // A body that is not what the original expects is read as Go reads it (gin's bind errors are
  // ignored, so it carries no secret): business code 401, never an HTTP error.
  router.post('/v1/getClusterInfo', async (ctx) => {
    const who = auth(ctx);
    if (!who.ok) return unauthorized(ctx, who);
    // A v2 leader's join handshake says so (`join: true`): a node that left takes its pushes again.
    const body = ctx.request.body as { join?: unknown } | undefined;
    if (who.protocol === 'v2' && body?.join === true && !runtime.joined && !runtime.isLeader) await runtime.rejoinInvited(who.keyId);
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
      },
      // A v1 caller that proved this node's secret gets it back where the Go program puts it: the Go
      // leader's add-node step keeps it from this answer for its later pushes. Never on v2.
      who.protocol === 'v1' ? { ownSecret: identity.secret } : {}),
      // v2 only: the addresses this node publishes per (line, family) (cluster/addresses.ts) and its
      // latest service probe results (probe/verdict.ts ProbeResult: every node collects every
      // prober's results from the heartbeats); the original's v1 answer is unchanged.
      ...(who.protocol === 'v2' ? { addresses: deps.heartbeat.addressesOf(identity.nodeCode), probes: deps.reactor.probeResults() } : {}),
    });
  });

  router.post('/v1/updateClusterInfo', async (ctx) => {
    // The original checks the role before the secret: a leader refuses any v1 push. A signed (v2)
    // push to a leader is judged by leadership rules: a newer term makes this leader step down.
    if (runtime.isLeader && !isSignedRequest(ctx.headers)) return reply(ctx, V1_NOT_ALLOWED);
    const who = auth(ctx);
    if (!who.ok) return unauthorized(ctx, who);
    const read = readPush(ctx.request.body, who.protocol);
    if (!read.ok) return refusePush(ctx, read.problems);
    if (read.notes.length) log.info({ notes: read.notes }, 'read a v1 push the way the Go program does');
    const versioned = read.versioned;
    let incoming = stateFromPush(read.basic, runtime.state.version, runtime.state.term);
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
      termGiven: who.protocol === 'v2' && read.basic.term !== undefined,
    });
    if (!outcome.applied) {
      if (outcome.reason === 'is-leader' && who.protocol === 'v1') return reply(ctx, V1_NOT_ALLOWED);
      if (outcome.reason === 'left-cluster') {
        // No claim in the answer: the sender must not read it as a rival leader or a version to pass.
        log.info({ from: who.protocol === 'v2' ? who.keyId : null }, 'refused a push: this node left the cluster and was not joined again');
        return reply(ctx, { statusCode: 409, statusString: PUSH_REFUSALS['left-cluster'], reason: 'left-cluster', message: PUSH_REFUSALS['left-cluster'] });
      }
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
    reply(ctx, { ...V1_OK, stateVersion: runtime.state.version, term: runtime.state.term, ...(read.notes.length ? { notes: read.notes } : {}) });
  });

  /** A push that cannot be applied: business code 400 naming each field (the Go leader logs `statusString`). */
  const refusePush = (ctx: Context, problems: PushNote[]) => {
    log.warn({ problems }, 'refused a push that would corrupt the cluster state');
    const shown = problems.slice(0, 5).map((p) => `${p.field}: ${p.message}`).join('; ');
    reply(ctx, { statusCode: 400, statusString: `Push refused: ${shown}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, details: problems, stateVersion: runtime.state.version });
  };

  router.post('/v1/cocoaSyncer/quit', async (ctx) => {
    if (runtime.isLeader) return reply(ctx, V1_NOT_ALLOWED);
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
  'left-cluster': 'this node left the cluster (quit); it takes pushes again once a leader joins it with "cocoasyncer join"',
  'excludes-self': 'Push does not list this node',
  'not-leader': 'Push refused: the sender is not this node\'s leader',
};

type ReplyBody = (V1Reply & { probes?: ProbeResult[] }) | (Omit<V1Reply, 'cocoaBasic'> & { stateVersion?: number; term?: number; message?: string; reason?: string; leader?: string | null; notes?: PushNote[]; details?: PushNote[] });

function reply(ctx: Context, body: ReplyBody): void {
  ctx.status = 200;
  ctx.body = body;
}
