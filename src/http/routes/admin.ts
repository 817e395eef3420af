// The admin API the CLI talks to (and peer-to-peer cluster calls): protocol v2 only, every request
// HMAC-signed with this node's secret. Each route serves one endpoint of the contract
// (src/api/contract.ts): `validate` checks its input, then one command computes the reply.
// Refusals are thrown (DomainError) and answered by the error middleware.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { api, publicAccount, publicNode, publicNotifier } from '../../api/contract.js';
import { DomainError } from '../../errors.js';
import { isSignedRequest, maskAccessKeyId } from '../../security/index.js';
import { authenticate, describeAuthFailure } from '../auth.js';
import type { AppDeps } from '../context.js';
import { serve } from '../serve.js';
import { setService } from '../../cluster/edits.js';
import { verifyCredentials } from '../../dns/verify.js';
import { admitServiceAccount } from '../../dns/accounts.js';
import { normalizeProviderName } from '../../dns/names.js';
import type { ManagedService } from '../../model.js';

export function adminRoutes(deps: AppDeps): Router {
  const { runtime, commands } = deps;
  const router = new Router();

  // Signed requests only: the CLI and peers sign with this node's secret; nothing travels in clear.
  const signed = async (ctx: Context, next: Next) => {
    if (!isSignedRequest(ctx.headers)) throw new DomainError('unauthorized', 'admin requests must be signed (protocol v2) with this node\'s secret');
    const who = authenticate(ctx, { secret: runtime.identity.secret, v1Compat: false, nonceCache: deps.nonceCache });
    if (!who.ok) {
      deps.log.warn({ path: ctx.path, reason: who.reason, ip: ctx.ip }, 'refused an unauthenticated admin request');
      throw new DomainError('unauthorized', describeAuthFailure(who.reason));
    }
    ctx.state.keyId = who.protocol === 'v2' ? who.keyId : '';
    await next();
  };
  router.use(['/v2/admin', '/v2/cluster'], signed);

  const version = () => runtime.state.version;
  const requireLeaderHere = (): void => {
    if (runtime.isLeader) return;
    const leader = runtime.state.nodes.find((n) => n.workMode === 'leader');
    throw new DomainError('not-leader', `this node is a follower: run it on the leader${leader ? ` (${leader.nodeName} at ${leader.nodeAddress})` : ''}`);
  };
  const status = () => deps.reactor.status();

  serve(router, api.adminStatus, () => status());

  // Per-follower push state on the leader: applied version, last push, last error.
  serve(router, api.listPushes, () => ({ stateVersion: version(), followers: deps.pusher.status() }));

  serve(router, api.join, async ({ body }) => {
    const node = await commands.join(body);
    return { joined: publicNode(node), restored: node.restored, stateVersion: version() };
  });

  serve(router, api.quit, ({ body }) => commands.quit(body));

  serve(router, api.listNodes, () => ({ nodes: status().nodes, stateVersion: version() }));

  serve(router, api.setNode, async ({ params, body }) => {
    const node = await commands.setNode(params.code, { nodeAddress: body.address, isps: body.isps, networkType: body.networkType, nodeName: body.name });
    return { node: publicNode(node), stateVersion: version() };
  });

  serve(router, api.removeNode, async ({ params: { code } }) => {
    const result = await commands.removeNode(code);
    const { moves, unserved, extras, alreadyOwned } = result.handoff;
    return { removed: code, moves, extras, alreadyOwned, unserved, nodeTold: result.told, ...(result.tellError ? { tellError: result.tellError } : {}), stateVersion: version() };
  });

  serve(router, api.listServices, () => ({ services: runtime.state.services, stateVersion: version() }));

  // Which account a service writes through must be clear when several of its provider exist
  // (issue 11, case 7): refused when two hold its zone or none does; a warning when it cannot be told now.
  const admitAccount = async (service: ManagedService): Promise<string[]> => {
    requireLeaderHere();
    const verdict = await admitServiceAccount(service, runtime.state.cloudAccounts, deps.dnsSync.accountZones);
    if (!verdict.ok) throw new DomainError('conflict', verdict.message, 'account');
    return verdict.warnings;
  };

  // After an account edit: the services of that provider that name no account and whose account can
  // no longer be told by zone (two holders now, none left, or zones unknown), said at once.
  const accountWarnings = async (provider: string): Promise<string[]> => {
    const { services, cloudAccounts } = runtime.state;
    const want = normalizeProviderName(provider);
    const out: string[] = [];
    for (const s of services) {
      if (s.account || normalizeProviderName(s.platformProvider) !== want) continue;
      const verdict = await admitServiceAccount(s, cloudAccounts, deps.dnsSync.accountZones);
      if (!verdict.ok) out.push(verdict.message);
      else out.push(...verdict.warnings.map((w) => (w.startsWith('service ') ? w : `service ${s.serviceName}: ${w}`)));
    }
    return out;
  };

  serve(router, api.addService, async ({ body: s }) => {
    const wanted: ManagedService = { serviceName: s.name, domain: s.domain, record: s.record, platformProvider: s.provider, nodes: s.nodes, allowCreate: s.allowCreate, ttl: s.ttl, ...(s.account ? { account: s.account } : {}), ...(s.check ? { check: s.check } : {}) };
    // The named account is checked by the edit; the zone rule only when none is named.
    const warnings = s.account ? [] : await admitAccount(wanted);
    const service = await commands.addService(wanted);
    return { service, warnings, stateVersion: version() };
  });

  serve(router, api.setService, async ({ params: { name }, body }) => {
    const current = runtime.state.services.find((s) => s.serviceName === name);
    // `account: null` goes back to the zone rule: check it as it would then stand.
    const warnings = current && body.account === null ? await admitAccount({ ...current, account: null }) : [];
    await runtime.edit('service-set', (state) => ({ state: setService(state, name, body), result: undefined }));
    const service = runtime.state.services.find((s) => s.serviceName === name)!;
    return { service, warnings, stateVersion: version() };
  });
  serve(router, api.removeService, async ({ params: { name } }) => {
    await commands.removeService(name);
    return { removed: name, stateVersion: version() };
  });

  serve(router, api.listAccounts, () => ({ accounts: runtime.state.cloudAccounts.map(publicAccount), stateVersion: version() }));

  serve(router, api.addAccount, async ({ body: a }) => {
    const account = { platformProvider: a.provider, accessKey: a.accessKey, accessSecret: a.accessSecret, endpoint: a.endpoint ?? null };
    await commands.addAccount(account);
    return { account: publicAccount(account), warnings: await accountWarnings(account.platformProvider), stateVersion: version() };
  });

  serve(router, api.verifyAccount, async ({ body: a }) => {
    // A step of an edit, so on the leader only (like the edit it precedes). Never stored; a stored
    // account of the same key fills in what was not given (dns set).
    requireLeaderHere();
    const stored = runtime.state.cloudAccounts.find((c) => c.platformProvider === a.provider && c.accessKey === a.accessKey);
    const secret = a.accessSecret ?? stored?.accessSecret;
    if (secret === undefined) throw new DomainError('invalid', `no stored ${a.provider} account ${maskAccessKeyId(a.accessKey)}: give accessSecret`, 'accessSecret');
    const endpoint = a.endpoint !== undefined ? a.endpoint : stored?.endpoint ?? null;
    const result = await verifyCredentials({ platformProvider: a.provider, accessKey: a.accessKey, accessSecret: secret, endpoint });
    return { ok: result.ok, reason: result.ok ? null : result.reason, message: result.message };
  });

  serve(router, api.setAccount, async ({ params: { provider, accessKey }, body }) => {
    await commands.setAccount(provider, accessKey, { accessSecret: body.accessSecret, endpoint: body.endpoint });
    return { account: publicAccount(runtime.state.cloudAccounts.find((a) => a.platformProvider === provider && a.accessKey === accessKey)!), warnings: await accountWarnings(provider), stateVersion: version() };
  });

  serve(router, api.removeAccount, async ({ params: { provider, accessKey } }) => {
    await commands.removeAccount(provider, accessKey);
    return { removed: { provider, accessKey: maskAccessKeyId(accessKey) }, warnings: await accountWarnings(provider), stateVersion: version() };
  });

  serve(router, api.listNotifiers, () => ({ notifiers: runtime.state.notifiers.map(publicNotifier), stateVersion: version() }));

  serve(router, api.addNotifier, async ({ body: n }) => {
    const notifier = { name: n.name, url: n.url, format: n.format, secret: n.secret ?? null, template: n.template ?? null, events: n.events };
    await commands.addNotifier(notifier);
    return { notifier: publicNotifier(notifier), stateVersion: version() };
  });

  serve(router, api.removeNotifier, async ({ params: { name } }) => {
    await commands.removeNotifier(name);
    return { removed: name, stateVersion: version() };
  });

  // Any node: followers hold the notifiers too (pushed), and a test from a site checks its own path out.
  serve(router, api.testNotifier, async ({ params: { name } }) => {
    const notifier = runtime.state.notifiers.find((n) => n.name === name);
    if (!notifier) throw new DomainError('not-found', `no notifier named "${name}"`, 'name');
    return { name, ...(await deps.notifications.test(notifier)) };
  });

  serve(router, api.promote, async () => ({ ...(await commands.promote()), stateVersion: version() }));

  serve(router, api.dnsPlan, async () => {
    const { report, text, records } = await deps.dnsSync.plan();
    // A plan is only complete for the services that could be read: say so next to the plan.
    const errors = report.errors.map((e) => `! ${e.service} (${e.provider}): ${e.message}`);
    return { text: errors.length ? `${text}\n\nNot planned (could not be read):\n${errors.join('\n')}` : text, complete: errors.length === 0, changes: report.changes, errors: report.errors, ips: deps.dnsSync.ips, records, dryRun: true };
  });

  serve(router, api.dnsLog, async ({ query: { limit } }) => {
    let entries;
    try {
      entries = await deps.store.listAudit(limit);
    } catch {
      throw new DomainError('unavailable', 'the database is unreachable; the DNS audit log cannot be read now');
    }
    return { entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });

  // Peer calls, signed by a cluster node with this node's secret.
  serve(router, api.clusterLeave, async ({ body: { nodeCode } }, ctx) => {
    if (ctx.state.keyId !== nodeCode) throw new DomainError('forbidden', 'a node may only ask for itself to leave', 'nodeCode', 'forbidden', [{ field: 'nodeCode', message: 'must be the calling node' }]);
    const handoff = await commands.leave(nodeCode);
    return { statusCode: 200, statusString: 'MafuMafu~', moves: handoff.moves, stateVersion: version() };
  });

  serve(router, api.clusterDemote, async ({ body: { newLeader } }, ctx) => {
    if (ctx.state.keyId !== newLeader) throw new DomainError('forbidden', 'only the new leader itself may ask this node to step down', 'newLeader', 'forbidden', [{ field: 'newLeader', message: 'must be the calling node' }]);
    const { version: stateVersion, term } = await commands.demote(newLeader);
    return { statusCode: 200, statusString: 'MafuMafu~', stateVersion, term };
  });

  // On this node itself: the caller signed with the current secret; the answer is the last one it verifies.
  serve(router, api.rotateSecret, async ({ body: { secret } }) => {
    const { leaderUpdated } = await commands.rotateSecret(secret);
    return { rotated: true as const, leaderUpdated, stateVersion: version() };
  });

  serve(router, api.clusterSecret, async ({ body: { nodeCode, secret } }, ctx) => {
    if (ctx.state.keyId !== nodeCode) throw new DomainError('forbidden', 'a node may only change its own secret', 'nodeCode', 'forbidden', [{ field: 'nodeCode', message: 'must be the calling node' }]);
    await commands.receiveSecret(nodeCode, secret);
    return { statusCode: 200, statusString: 'MafuMafu~', stateVersion: version() };
  });

  return router;
}
