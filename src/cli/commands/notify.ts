// `cocoasyncer notify list|add|remove|test`: webhooks the cluster tells about failovers,
// recoveries, DNS errors, node and leader changes (edits on the leader; `test` on any node). A
// webhook URL and a signing secret are secrets: the API masks them in every answer, and the ones
// typed here are scrubbed from anything the CLI writes.
import type { Command } from 'commander';
import { api, notifierRequest } from '../../api/contract.js';
import { NOTIFY_EVENTS, NOTIFY_FORMATS } from '../../model.js';
import { notifierNameSchema, notifyEventsSchema, notifyFormatSchema, signingSecretSchema, templateSchema, urlProblem, webhookUrlSchema } from '../../notify/schemas.js';
import * as arg from '../args.js';
import { required } from '../prompt.js';
import { CliError, EXIT, table, usageError, type FieldNames } from '../output.js';
import { adminCommand, versionNote } from './common.js';

const NOTIFIER_FIELDS: FieldNames = { name: '--name', url: '--url', format: '--format', secret: '--secret', template: '--template', events: '--events' };

export function registerNotify(program: Command): void {
  const notify = program.command('notify').description('webhook notifications: failover, recovery, DNS errors, node and leader changes (edits on the leader)');

  adminCommand(notify.command('list').alias('ls').description('the notifiers (URLs and secrets masked)'), async ({ out, client }) => {
    const reply = await client().call(api.listNotifiers);
    out.result(reply, () =>
      reply.notifiers.length === 0
        ? 'no notifiers yet: add one with "cocoasyncer notify add"'
        : table(
            ['NAME', 'FORMAT', 'URL', 'SIGNED', 'EVENTS'],
            reply.notifiers.map((n) => [n.name, n.format, n.url, n.secret ?? 'no', n.events.length ? n.events.join(',') : 'all']),
          ),
    );
  });

  adminCommand<{ name?: string; url?: string; format: string; secret?: string; template?: string; events?: string }>(
    notify
      .command('add')
      .description('add a notifier: a webhook told about the cluster\'s events (on the leader)')
      .option('--name <name>', 'a name for it, e.g. "ops"')
      .option('--url <url>', 'the webhook URL (a secret: it carries the token)')
      .option('--format <format>', `message shape: ${NOTIFY_FORMATS.join(', ')}`, 'json')
      // As on `join`, `--secret` names another party's secret here; the CLI's own is `--node-secret`.
      .option('--secret <secret>', 'signing secret (dingtalk: the SEC... string; feishu: the bot\'s signing key)')
      .option('--template <text>', 'json only: the body, with {{event}}, {{time}}, {{cluster}}, {{node}}, {{service}}, {{record}}, {{line}}, {{family}}, {{oldAddress}}, {{newAddress}}, {{reason}}')
      .option('--events <list>', `events to send, comma-separated: ${NOTIFY_EVENTS.join(',')} (default: all)`)
      .addHelpText(
        'after',
        '\nExamples:\n  cocoasyncer notify add --name ops --format dingtalk --url "https://oapi.dingtalk.com/robot/send?access_token=..." --secret SEC...\n  cocoasyncer notify add --name tg --format telegram --url "https://api.telegram.org/bot<token>/sendMessage?chat_id=<id>" --events failover,recovery',
      ),
    async ({ out, client }, o) => {
      out.addSecret(o.url);
      out.addSecret(o.secret);
      // Check what was given before asking for what was not.
      const format = arg.check(notifyFormatSchema, o.format, '--format');
      const events = o.events !== undefined ? arg.check(notifyEventsSchema, arg.list(o.events), '--events') : [];
      if (o.secret !== undefined) arg.check(signingSecretSchema, o.secret, '--secret');
      if (o.template !== undefined) arg.check(templateSchema, o.template, '--template');
      const name = arg.check(notifierNameSchema, await required(o.name, '--name', 'Notifier name'), '--name');
      const url = arg.check(webhookUrlSchema, await required(o.url, '--url', 'Webhook URL'), '--url');
      out.addSecret(url);
      const problem = urlProblem(format, url);
      if (problem) throw usageError(`--url: ${problem}`);
      const body = { name, url, format, events, ...(o.secret !== undefined ? { secret: o.secret } : {}), ...(o.template !== undefined ? { template: o.template } : {}) };
      const parsed = notifierRequest.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw usageError(`${NOTIFIER_FIELDS[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`);
      }
      const reply = await client().call(api.addNotifier, { body });
      const n = reply.notifier;
      out.result(reply, () => `added notifier ${n.name}: ${n.format} to ${n.url}${n.secret ? ' (signed)' : ''}, events ${n.events.length ? n.events.join(',') : 'all'}${versionNote(reply.stateVersion)}`);
    },
    { fields: NOTIFIER_FIELDS, secretIsPeer: true },
  );

  adminCommand<object, [string | undefined]>(
    notify.command('remove').alias('rm').argument('[name]', 'the notifier\'s name').description('remove a notifier (on the leader)'),
    async ({ out, client }, _o, name) => {
      const n = arg.check(notifierNameSchema, await required(name, '<name>', 'Name of the notifier to remove'), '<name>');
      const reply = await client().call(api.removeNotifier, { params: { name: n } });
      out.result(reply, () => `removed notifier ${reply.removed}${versionNote(reply.stateVersion)}`);
    },
    { fields: { name: '<name>' } },
  );

  adminCommand<object, [string | undefined]>(
    notify.command('test').argument('[name]', 'the notifier\'s name').description('send one test message to a notifier now, from this node (one attempt)'),
    async ({ out, client }, _o, name) => {
      const n = arg.check(notifierNameSchema, await required(name, '<name>', 'Name of the notifier to test'), '<name>');
      const reply = await client().call(api.testNotifier, { params: { name: n } });
      if (!reply.delivered) {
        // Printed (or JSON on stderr) like any failure; the exit code says the webhook did not take it.
        throw new CliError(EXIT.refused, `test message to ${reply.name} not delivered: ${reply.error ?? 'unknown error'}`);
      }
      out.result(reply, () => `test message delivered to ${reply.name} (HTTP ${reply.status})`);
    },
    { fields: { name: '<name>' } },
  );
}
