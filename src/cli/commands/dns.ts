// `cocoasyncer dns ...`: the cloud DNS accounts (list/add/set/remove, on the leader), and this
// node's DNS plan and audit log. An access secret is never printed: the API masks it in every
// answer, and the one typed here is scrubbed from anything the CLI writes.
import type { Command } from 'commander';
import { api } from '../../api/contract.js';
import { PROVIDER_NAMES } from '../../dns/names.js';
import { accessSecretSchema } from '../../schemas.js';
import * as arg from '../args.js';
import { canPrompt, fromStdinIfDash, required, askSecret } from '../prompt.js';
import { CliError, EXIT, table, usageError, type FieldNames } from '../output.js';
import { adminCommand, versionNote } from './common.js';
import type { AdminClient } from '../admin-client.js';

const ACCOUNT_FIELDS: FieldNames = { provider: '--provider', accessKey: '--access-key', accessSecret: '--access-secret', endpoint: '--endpoint' };
const PROVIDERS = PROVIDER_NAMES.join(' or ');

export function registerDns(program: Command): void {
  const dns = program.command('dns').description('cloud DNS accounts (edits on the leader), this node\'s DNS plan and audit log');

  adminCommand(dns.command('list').alias('ls').description('the cloud DNS accounts (secrets masked)'), async ({ out, client }) => {
    const reply = await client().call(api.listAccounts);
    out.result(reply, () =>
      reply.accounts.length === 0
        ? 'no cloud DNS accounts yet: add one with "cocoasyncer dns add"'
        : table(
            ['PROVIDER', 'ACCESS KEY', 'SECRET', 'ENDPOINT'],
            // The secret column shows the API's mask, never more.
            reply.accounts.map((a) => [a.provider, a.accessKey, a.accessSecret, a.endpoint ?? 'default']),
          ),
    );
  });

  adminCommand<{ provider?: string; accessKey?: string; accessSecret?: string; endpoint?: string; verify?: boolean }>(
    dns
      .command('add')
      .description('add a cloud DNS account (on the leader)')
      .option('--provider <provider>', `DNS provider: ${PROVIDERS}`)
      .option('--access-key <id>', 'AccessKey ID (Ali, Volcengine) / SecretId (DNSPod) / AK (Huawei) / a label or token id (Cloudflare)')
      .option('--access-secret <secret>', 'AccessKey secret / SecretKey / SK / API token (Cloudflare) ("-" reads it from stdin; asked without echo on a terminal)')
      .option('--endpoint <url>', 'API endpoint (default: the provider\'s public one)')
      .option('--no-verify', 'store the account without trying it first (e.g. an account with no zones yet)'),
    async ({ out, client }, o) => {
      out.addSecret(o.accessSecret);
      if (o.provider !== undefined) arg.provider(o.provider);
      const endpoint = o.endpoint !== undefined ? arg.endpoint(o.endpoint, '--endpoint') : undefined;
      const provider = arg.provider(await required(o.provider, '--provider', `DNS provider (${PROVIDERS})`));
      const accessKey = arg.accessKey(await required(o.accessKey, '--access-key', 'AccessKey ID'), '--access-key');
      const accessSecret = arg.check(accessSecretSchema, await required(await fromStdinIfDash(o.accessSecret, '--access-secret'), '--access-secret', 'AccessKey secret', { secret: true }), '--access-secret');
      out.addSecret(accessSecret);
      if (o.verify !== false) await verifyOrFail(client(), { provider, accessKey, accessSecret, ...(endpoint ? { endpoint } : {}) });
      const reply = await client().call(api.addAccount, { body: { provider, accessKey, accessSecret, ...(endpoint ? { endpoint } : {}) } });
      for (const w of reply.warnings) out.warn(`warning: ${w}`);
      out.result(reply, () => `added ${reply.account.provider} account ${reply.account.accessKey}${versionNote(reply.stateVersion)}`);
    },
    { fields: ACCOUNT_FIELDS },
  );

  adminCommand<{ provider?: string; accessKey?: string; accessSecret?: string; endpoint?: string | false; verify?: boolean }>(
    dns
      .command('set')
      .description('change an account\'s secret or endpoint (on the leader)')
      .option('--provider <provider>', `DNS provider: ${PROVIDERS}`)
      .option('--access-key <id>', 'which account: its AccessKey ID')
      .option('--access-secret <secret>', 'the new secret ("-" reads it from stdin; asked without echo on a terminal if nothing else changes)')
      .option('--endpoint <url>', 'a new API endpoint')
      .option('--no-endpoint', 'go back to the provider\'s public endpoint')
      .option('--no-verify', 'store the change without trying the credentials first'),
    async ({ out, client }, o) => {
      out.addSecret(o.accessSecret);
      if (o.provider !== undefined) arg.provider(o.provider);
      const endpoint = o.endpoint === false ? null : o.endpoint !== undefined ? arg.endpoint(o.endpoint, '--endpoint') : undefined;
      const provider = arg.provider(await required(o.provider, '--provider', `DNS provider (${PROVIDERS})`));
      const accessKey = arg.accessKey(await required(o.accessKey, '--access-key', 'AccessKey ID'), '--access-key');
      let accessSecret = await fromStdinIfDash(o.accessSecret, '--access-secret');
      if (accessSecret === undefined && endpoint === undefined) {
        if (!canPrompt()) throw usageError('nothing to change: give --access-secret, --endpoint or --no-endpoint');
        accessSecret = await askSecret('New AccessKey secret');
      }
      if (accessSecret !== undefined) accessSecret = arg.check(accessSecretSchema, accessSecret, '--access-secret');
      out.addSecret(accessSecret);
      const body = { ...(accessSecret !== undefined ? { accessSecret } : {}), ...(endpoint !== undefined ? { endpoint } : {}) };
      // Verified when a new secret is given (an endpoint change alone is taken as given).
      if (o.verify !== false && accessSecret !== undefined) await verifyOrFail(client(), { provider, accessKey, ...body });
      const reply = await client().call(api.setAccount, { params: { provider, accessKey }, body });
      for (const w of reply.warnings) out.warn(`warning: ${w}`);
      out.result(reply, () => `updated ${reply.account.provider} account ${reply.account.accessKey} (endpoint ${reply.account.endpoint ?? 'default'})${versionNote(reply.stateVersion)}`);
    },
    { fields: ACCOUNT_FIELDS },
  );

  adminCommand<{ provider?: string; accessKey?: string }>(
    dns
      .command('remove')
      .alias('rm')
      .description('remove a cloud DNS account (on the leader)')
      .option('--provider <provider>', `DNS provider: ${PROVIDERS}`)
      .option('--access-key <id>', 'which account: its AccessKey ID'),
    async ({ out, client }, o) => {
      if (o.provider !== undefined) arg.provider(o.provider);
      const provider = arg.provider(await required(o.provider, '--provider', `DNS provider (${PROVIDERS})`));
      const accessKey = arg.accessKey(await required(o.accessKey, '--access-key', 'AccessKey ID'), '--access-key');
      const reply = await client().call(api.removeAccount, { params: { provider, accessKey } });
      for (const w of reply.warnings) out.warn(`warning: ${w}`);
      out.result(reply, () => `removed ${reply.removed.provider} account ${reply.removed.accessKey}${versionNote(reply.stateVersion)}`);
    },
    { fields: ACCOUNT_FIELDS },
  );

  adminCommand(
    dns
      .command('plan')
      .description('what this node\'s DNS sync would change now (dry run: nothing is written); exit 1 if some records could not be read'),
    async ({ out, client }) => {
      const reply = await client().call(api.dnsPlan);
      out.result(reply, () => {
        const ips = `this node's IPs: IPv4 ${reply.ips.ipv4 ?? '-'}, IPv6 ${reply.ips.ipv6 ?? '-'}`;
        const errors = reply.errors.map((e) => `error: ${e.service} (${e.provider}, ${e.stage}): ${e.message}`);
        // The node's text says "No changes" even when some services could not be read; do not let
        // that read as "all is well".
        // The TTL section (each record's TTL and failover bound) is kept either way.
        const ttlAt = reply.text.indexOf('TTL and failover bound');
        const notPlannedAt = reply.text.indexOf('\n\nNot planned (could not be read):');
        const ttls = ttlAt >= 0 ? reply.text.slice(ttlAt, notPlannedAt > ttlAt ? notPlannedAt : undefined).trimEnd() : '';
        const text = reply.errors.length && reply.changes.length === 0 ? ['No changes for the services that could be read.', ttls].filter(Boolean).join('\n\n') : reply.text.trimEnd();
        return [ips, text, ...errors].join('\n');
      });
      // Scripts must not take an incomplete plan for "nothing to do".
      if (reply.errors.length) throw new CliError(EXIT.refused, `the plan is incomplete: ${reply.errors.length} service(s) could not be planned`);
    },
  );

  adminCommand<{ limit: string }>(
    dns
      .command('log')
      .description('the DNS audit log: record changes this node made or planned, newest first')
      .option('--limit <n>', 'how many entries (1-1000)', '50'),
    async ({ out, client }, o) => {
      const limit = arg.integer(o.limit, '--limit', 1, 1000);
      const reply = await client().call(api.dnsLog, { query: { limit } });
      out.result(reply, () =>
        reply.entries.length === 0
          ? 'the DNS audit log is empty'
          : table(
              ['TIME', 'NODE', 'PROVIDER', 'NAME', 'TYPE', 'LINE', 'OLD', 'NEW', 'OUTCOME'],
              reply.entries.map((e) => [e.at, e.nodeCode, e.provider, e.fqdn, e.type, e.line, e.oldValue, e.newValue, e.outcome === 'failed' && e.error ? `failed: ${e.error}` : e.outcome]),
            ),
      );
    },
  );
}

/**
 * Asks the node to try the credentials with one read call (nothing is stored); throws a CliError
 * (exit 1) saying clearly that they do not work, or that they could not be checked.
 */
async function verifyOrFail(admin: AdminClient, body: { provider: string; accessKey: string; accessSecret?: string; endpoint?: string | null }): Promise<void> {
  const check = await admin.call(api.verifyAccount, { body });
  if (check.ok) return;
  const lead = check.reason === 'auth' ? 'these credentials do not work' : 'the credentials could not be checked';
  throw new CliError(EXIT.refused, `${lead}: ${check.message}; nothing was stored (use --no-verify to store them anyway)`);
}
