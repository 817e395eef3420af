// The admin API the CLI talks to (and peer-to-peer cluster calls): protocol v2 only, every request
// HMAC-signed with this node's secret. Each route validates its input, then calls one command.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { DomainError } from '../../errors.js';
import { isSignedRequest } from '../../security/index.js';
import { mask } from '../../security/index.js';
import { authenticate, describeAuthFailure } from '../auth.js';
import type { AppDeps } from '../context.js';
import { HttpError } from '../middleware/errors.js';
import { parseInput } from '../middleware/validate.js';
import {
  accountPatchSchema,
  accountSchema,
  codeParamSchema,
  demoteSchema,
  joinSchema,
  knownProviderSchema,
  leaveSchema,
  logQuerySchema,
  nodePatchSchema,
  quitSchema,
  serviceParamSchema,
  serviceAddSchema,
} from './admin-schemas.js';
import { accessKeySchema } from '../../schemas.js';

export function adminRoutes(deps: AppDeps): Router {
  const { runtime, commands, config } = deps;
  const router = new Router();

  // Signed requests only: the CLI and peers sign with this node's secret; nothing travels in clear.
  const signed = async (ctx: Context, next: Next) => {
    if (!isSignedRequest(ctx.headers)) throw new HttpError(401, 'admin requests must be signed (protocol v2) with this node\'s secret', undefined, 'unauthorized');
    const who = authenticate(ctx, { secret: runtime.identity.secret, v1Compat: false, nonceCache: deps.nonceCache });
    if (!who.ok) {
      deps.log.warn({ path: ctx.path, reason: who.reason, ip: ctx.ip }, 'refused an unauthenticated admin request');
      throw new HttpError(401, describeAuthFailure(who.reason), undefined, 'unauthorized');
    }
    ctx.state.keyId = who.protocol === 'v2' ? who.keyId : '';
    try {
      await next();
    } catch (err) {
      if (err instanceof DomainError) throw new HttpError(err.status, err.message, err.field ? [{ field: err.field, message: err.message }] : undefined, err.code);
      throw err;
    }
  };
  router.use(['/v2/admin', '/v2/cluster'], signed);

  const status = () => deps.reactor.status();

  router.get('/v2/admin/status', (ctx) => {
    ctx.body = status();
  });

  // Per-follower push state on the leader: applied version, last push, last error.
  router.get('/v2/admin/pushes', (ctx) => {
    ctx.body = { stateVersion: runtime.state.version, followers: deps.pusher.status() };
  });

  router.post('/v2/admin/join', async (ctx) => {
    const input = parseInput(joinSchema, ctx.request.body);
    const node = await commands.join({ address: input.address, secret: input.secret, isps: input.isps, networkType: input.networkType });
    ctx.status = 201;
    ctx.body = { joined: publicNode(node), stateVersion: runtime.state.version };
  });

  router.post('/v2/admin/quit', async (ctx) => {
    const input = parseInput(quitSchema, ctx.request.body);
    ctx.body = await commands.quit({ force: input.force });
  });

  router.get('/v2/admin/nodes', (ctx) => {
    ctx.body = { nodes: status().nodes.map((n) => ({ ...n })), stateVersion: runtime.state.version };
  });

  router.patch('/v2/admin/nodes/:code', async (ctx) => {
    const code = parseInput(codeParamSchema, ctx.params.code);
    const p = parseInput(nodePatchSchema, ctx.request.body);
    const node = await commands.setNode(code, { nodeAddress: p.address, isps: p.isps, networkType: p.networkType, nodeName: p.name });
    ctx.body = { node: publicNode(node), stateVersion: runtime.state.version };
  });

  router.delete('/v2/admin/nodes/:code', async (ctx) => {
    const code = parseInput(codeParamSchema, ctx.params.code);
    const result = await commands.removeNode(code);
    const { moves, unserved, extras, alreadyOwned } = result.handoff;
    ctx.body = { removed: code, moves, extras, alreadyOwned, unserved, nodeTold: result.told, ...(result.tellError ? { tellError: result.tellError } : {}), stateVersion: runtime.state.version };
  });

  router.get('/v2/admin/services', (ctx) => {
    ctx.body = { services: runtime.state.services, stateVersion: runtime.state.version };
  });

  router.post('/v2/admin/services', async (ctx) => {
    const s = parseInput(serviceAddSchema, ctx.request.body);
    const service = await commands.addService({ serviceName: s.name, domain: s.domain, record: s.record, platformProvider: s.provider, nodes: s.nodes, allowCreate: s.allowCreate, ttl: s.ttl });
    const warnings = runtime.state.cloudAccounts.some((a) => a.platformProvider === service.platformProvider) ? [] : [`no ${service.platformProvider} cloud account yet: add one with "cocoasyncer dns add"`];
    ctx.status = 201;
    ctx.body = { service, warnings, stateVersion: runtime.state.version };
  });

  router.delete('/v2/admin/services/:name', async (ctx) => {
    const name = parseInput(serviceParamSchema, ctx.params.name);
    await commands.removeService(name);
    ctx.body = { removed: name, stateVersion: runtime.state.version };
  });

  router.get('/v2/admin/accounts', (ctx) => {
    ctx.body = { accounts: runtime.state.cloudAccounts.map(publicAccount), stateVersion: runtime.state.version };
  });

  router.post('/v2/admin/accounts', async (ctx) => {
    const a = parseInput(accountSchema, ctx.request.body);
    const account = { platformProvider: a.provider, accessKey: a.accessKey, accessSecret: a.accessSecret, endpoint: a.endpoint ?? null };
    await commands.addAccount(account);
    ctx.status = 201;
    ctx.body = { account: publicAccount(account), stateVersion: runtime.state.version };
  });

  router.patch('/v2/admin/accounts/:provider/:accessKey', async (ctx) => {
    const provider = parseInput(knownProviderSchema, ctx.params.provider);
    const accessKey = parseInput(accessKeySchema, ctx.params.accessKey);
    const p = parseInput(accountPatchSchema, ctx.request.body);
    await commands.setAccount(provider, accessKey, { accessSecret: p.accessSecret, endpoint: p.endpoint });
    ctx.body = { account: publicAccount(runtime.state.cloudAccounts.find((a) => a.platformProvider === provider && a.accessKey === accessKey)!), stateVersion: runtime.state.version };
  });

  router.delete('/v2/admin/accounts/:provider/:accessKey', async (ctx) => {
    const provider = parseInput(knownProviderSchema, ctx.params.provider);
    const accessKey = parseInput(accessKeySchema, ctx.params.accessKey);
    await commands.removeAccount(provider, accessKey);
    ctx.body = { removed: { provider, accessKey: mask(accessKey) }, stateVersion: runtime.state.version };
  });

  router.post('/v2/admin/promote', async (ctx) => {
    ctx.body = { ...(await commands.promote()), stateVersion: runtime.state.version };
  });

  router.get('/v2/admin/dns/plan', async (ctx) => {
    const { report, text } = await deps.dnsSync.plan();
    // A plan is only complete for the services that could be read: say so next to the plan.
    const errors = report.errors.map((e) => `! ${e.service} (${e.provider}): ${e.message}`);
    ctx.body = { text: errors.length ? `${text}\n\nNot planned (could not be read):\n${errors.join('\n')}` : text, complete: errors.length === 0, changes: report.changes, errors: report.errors, ips: deps.dnsSync.ips, dryRun: true };
  });

  router.get('/v2/admin/dns/log', async (ctx) => {
    const { limit } = parseInput(logQuerySchema, ctx.query);
    try {
      ctx.body = { entries: await deps.store.listAudit(limit) };
    } catch {
      throw new HttpError(503, 'the database is unreachable; the DNS audit log cannot be read now');
    }
  });

  // Peer calls, signed by a cluster node with this node's secret.
  router.post('/v2/cluster/leave', async (ctx) => {
    const { nodeCode } = parseInput(leaveSchema, ctx.request.body);
    if (ctx.state.keyId !== nodeCode) throw new HttpError(403, 'a node may only ask for itself to leave', [{ field: 'nodeCode', message: 'must be the calling node' }], 'forbidden');
    const handoff = await commands.leave(nodeCode);
    ctx.body = { statusCode: 200, statusString: 'MafuMafu~', moves: handoff.moves, stateVersion: runtime.state.version };
  });

  router.post('/v2/cluster/demote', async (ctx) => {
    const { newLeader } = parseInput(demoteSchema, ctx.request.body);
    if (ctx.state.keyId !== newLeader) throw new HttpError(403, 'only the new leader itself may ask this node to step down', [{ field: 'newLeader', message: 'must be the calling node' }], 'forbidden');
    const { version, term } = await commands.demote(newLeader);
    ctx.body = { statusCode: 200, statusString: 'MafuMafu~', stateVersion: version, term };
  });

  void config;
  return router;
}

function publicNode(n: { nodeCode: string; nodeName: string; nodeAddress: string; workMode: string; isps: string[]; networkType: string }) {
  return { nodeCode: n.nodeCode, nodeName: n.nodeName, nodeAddress: n.nodeAddress, workMode: n.workMode, isps: n.isps, networkType: n.networkType };
}

/** An account as listings show it: the secret never, the key id masked. */
export function publicAccount(a: { platformProvider: string; accessKey: string; accessSecret: string; endpoint: string | null }) {
  return { provider: a.platformProvider, accessKey: a.accessKey, accessKeyMasked: mask(a.accessKey), accessSecret: mask(a.accessSecret), endpoint: a.endpoint };
}
