// `cocoasyncer service list|add|set|remove`: the DNS names the cluster manages, edited on the leader.
import type { Command } from 'commander';
import { api } from '../../api/contract.js';
import { serviceFqdn, type ManagedService, type ServiceCheck } from '../../model.js';
import { checkUrlSchema, DEFAULT_CHECK_INTERVAL_SECONDS, DEFAULT_CHECK_TIMEOUT_SECONDS, serviceCheckSchema, type ServiceCheckPatch } from '../../probe/check.js';
import { checkHostPart, displayName } from '../../dns/domain-name.js';
import { PROVIDER_NAMES } from '../../dns/names.js';
import * as arg from '../args.js';
import { required } from '../prompt.js';
import { table, usageError, type FieldNames } from '../output.js';
import { adminCommand, versionNote } from './common.js';

const CHECK_FIELDS: FieldNames = { check: '--check', 'check.url': '--check', 'check.intervalSeconds': '--check-interval', 'check.timeoutSeconds': '--check-timeout', 'check.expectStatus': '--check-status' };
const SERVICE_FIELDS: FieldNames = { name: '--name', domain: '--domain', record: '--record', provider: '--provider', nodes: '--nodes', allowCreate: '--allow-create', ttl: '--ttl', account: '--account', ...CHECK_FIELDS };

/** The check flags as given (commander: `--no-check` sets check to false). */
interface CheckFlags {
  check?: string | false;
  checkInterval?: string;
  checkTimeout?: string;
  checkStatus?: string;
}

/** The check fields the flags give, each checked and named by its flag; `{}` when none is given. */
function checkFields(o: CheckFlags): ServiceCheckPatch {
  return {
    ...(typeof o.check === 'string' ? { url: arg.check(checkUrlSchema, o.check, '--check') } : {}),
    ...(o.checkInterval !== undefined ? { intervalSeconds: arg.integer(o.checkInterval, '--check-interval', 1, 3600) } : {}),
    ...(o.checkTimeout !== undefined ? { timeoutSeconds: arg.integer(o.checkTimeout, '--check-timeout', 1, 60) } : {}),
    ...(o.checkStatus !== undefined ? { expectStatus: arg.integer(o.checkStatus, '--check-status', 100, 599) } : {}),
  };
}

/** `service set`'s check change: `--no-check` removes it (and takes no other check flag). */
function checkBody(o: CheckFlags): { check?: ServiceCheckPatch | null } {
  const patch = checkFields(o);
  if (o.check === false) {
    if (Object.keys(patch).length > 0) throw usageError('--no-check cannot be combined with --check-interval, --check-timeout or --check-status');
    return { check: null };
  }
  return Object.keys(patch).length > 0 ? { check: patch } : {};
}

const withCheckOptions = (cmd: Command): Command =>
  cmd
    .option('--check <url>', 'health check every node runs against the others: http://{ip}:PORT/path, https://{ip}:PORT/path (certificate checked for the record\'s name) or tcp://{ip}:PORT')
    .option('--check-interval <seconds>', `seconds between probes (default ${DEFAULT_CHECK_INTERVAL_SECONDS})`)
    .option('--check-timeout <seconds>', `seconds a probe may take (default ${DEFAULT_CHECK_TIMEOUT_SECONDS})`)
    .option('--check-status <code>', 'the HTTP status a healthy answer has (default: any 2xx or 3xx)');

/** A check as one line for people: `http://{ip}:8080/health every 10s, timeout 3s`. */
const describeCheck = (c: ServiceCheck | undefined): string =>
  c ? `${c.url} every ${c.intervalSeconds}s, timeout ${c.timeoutSeconds}s${c.expectStatus !== null ? `, expect ${c.expectStatus}` : ''}` : 'none';

/** The service's name as people read it: Unicode (names are stored and sent in punycode). */
const fqdn = (s: Pick<ManagedService, 'record' | 'domain'>) => displayName(serviceFqdn(s));

export function registerService(program: Command): void {
  const service = program.command('service').alias('svc').description('list and edit the managed DNS names (edits on the leader)');

  adminCommand(service.command('list').alias('ls').description('the managed services'), async ({ out, client }) => {
    const reply = await client().call(api.listServices);
    out.result(reply, () =>
      reply.services.length === 0
        ? 'no services yet: add one with "cocoasyncer service add"'
        : table(
            ['SERVICE', 'NAME', 'PROVIDER', 'NODES', 'CREATE', 'TTL', 'ACCOUNT', 'CHECK'],
            reply.services.map((s) => [s.serviceName, fqdn(s), s.platformProvider, s.nodes.length ? s.nodes.join(',') : 'all', s.allowCreate ? 'yes' : 'no', s.ttl, s.account ?? 'by zone', s.check ? s.check.url : '-']),
          ),
    );
  });

  adminCommand<{ name?: string; domain?: string; record?: string; provider?: string; nodes?: string; allowCreate?: boolean; ttl: string; account?: string } & CheckFlags>(
    withCheckOptions(service
      .command('add'))
      .description('manage a DNS name: keep its per-line A/AAAA records on the serving nodes\' IPs (on the leader)')
      .option('--name <name>', 'a name for the service, e.g. "www"')
      .option('--domain <domain>', 'the registered domain, e.g. example.com')
      .option('--record <record>', 'the host record under the domain: www, or @ for the apex')
      .option('--provider <provider>', `DNS provider: ${PROVIDER_NAMES.join(' or ')}`)
      .option('--nodes <codes>', 'node codes that serve it, comma-separated (default: every node)')
      .option('--allow-create', 'create a missing record for a served line (default: only update existing ones)')
      .option('--ttl <seconds>', 'TTL of created records', '600')
      .option('--account <key>', 'the access key of the provider account to write through (default: the account that holds the zone)')
      .addHelpText('after', '\nExample:\n  cocoasyncer service add --name www --domain example.com --record www --provider Ali --check "https://{ip}:443/health"'),
    async ({ out, client }, o) => {
      // Check what was given before asking for what was not.
      const ttl = arg.integer(o.ttl, '--ttl', 1, 604800);
      const checkPatch = checkFields(o);
      if (checkPatch.url === undefined && Object.keys(checkPatch).length > 0) throw usageError('--check-interval, --check-timeout and --check-status need --check URL');
      const check = checkPatch.url !== undefined ? arg.check(serviceCheckSchema, checkPatch, '--check-timeout') : undefined;
      const nodes = o.nodes !== undefined ? arg.nodeCodes(o.nodes, '--nodes') : [];
      const account = o.account !== undefined ? arg.accessKey(o.account, '--account') : undefined;
      if (o.provider !== undefined) arg.provider(o.provider);
      if (o.domain !== undefined) arg.domain(o.domain, '--domain');
      if (o.record !== undefined) arg.record(o.record, '--record');
      const name = arg.serviceName(await required(o.name, '--name', 'Service name'), '--name');
      const domain = arg.domain(await required(o.domain, '--domain', 'Domain (example.com)'), '--domain');
      const record = arg.record(await required(o.record, '--record', 'Host record (www, or @ for the apex)'), '--record');
      const provider = arg.provider(await required(o.provider, '--provider', `DNS provider (${PROVIDER_NAMES.join('/')})`));
      const hostPart = checkHostPart(record, domain);
      if (!hostPart.ok) throw usageError(`--record: ${hostPart.message}`);
      const body = { name, domain, record, provider, nodes, allowCreate: o.allowCreate === true, ttl, ...(account !== undefined ? { account } : {}), ...(check ? { check } : {}) };
      const reply = await client().call(api.addService, { body });
      for (const w of reply.warnings) out.warn(`warning: ${w}`);
      out.result(reply, () => `added service ${reply.service.serviceName}: ${fqdn(reply.service)} on ${reply.service.platformProvider}${reply.service.check ? `, check ${describeCheck(reply.service.check)}` : ''}${versionNote(reply.stateVersion)}`);
    },
    { fields: SERVICE_FIELDS },
  );

  adminCommand<{ allowCreate?: boolean; ttl?: string; nodes?: string; account?: string | false } & CheckFlags, [string | undefined]>(
    withCheckOptions(service
      .command('set'))
      .option('--no-check', 'stop probing the service')
      .argument('[name]', 'the service\'s name')
      .description('change a service in place: creation policy, TTL (existing records too), serving nodes, account, health check (on the leader)')
      .option('--allow-create', 'create a missing record for a served line')
      .option('--no-allow-create', 'only update existing records')
      .option('--ttl <seconds>', 'TTL of its records: created ones, and existing ones at the next sync (raised to the plan minimum if the provider refuses it)')
      .option('--nodes <codes>', 'node codes that serve it, comma-separated ("" for every node)')
      .option('--account <key>', 'the access key of the provider account to write through')
      .option('--no-account', 'write through the account that holds the zone (the default)')
      .addHelpText('after', '\nExample:\n  cocoasyncer service set www --allow-create --ttl 600'),
    async ({ out, client }, o, name) => {
      const body = {
        ...(o.allowCreate !== undefined ? { allowCreate: o.allowCreate } : {}),
        ...(o.ttl !== undefined ? { ttl: arg.integer(o.ttl, '--ttl', 1, 604800) } : {}),
        ...(o.nodes !== undefined ? { nodes: o.nodes.trim() === '' ? [] : arg.nodeCodes(o.nodes, '--nodes') } : {}),
        ...(o.account === false ? { account: null } : o.account !== undefined ? { account: arg.accessKey(o.account, '--account') } : {}),
        ...checkBody(o),
      };
      if (Object.keys(body).length === 0) throw usageError('give at least one of --allow-create, --no-allow-create, --ttl, --nodes, --account, --no-account, --check, --no-check, --check-interval, --check-timeout, --check-status');
      const n = arg.serviceName(await required(name, '<name>', 'Name of the service to change'), '<name>');
      const reply = await client().call(api.setService, { params: { name: n }, body });
      const s = reply.service;
      for (const w of reply.warnings) out.warn(`warning: ${w}`);
      out.result(reply, () => `service ${s.serviceName}: ${fqdn(s)} on ${s.platformProvider}, create ${s.allowCreate ? 'yes' : 'no'}, ttl ${s.ttl}, nodes ${s.nodes.length ? s.nodes.join(',') : 'all'}, account ${s.account ?? 'by zone'}, check ${describeCheck(s.check)}${versionNote(reply.stateVersion)}`);
    },
    { fields: { name: '<name>', allowCreate: '--allow-create', ttl: '--ttl', nodes: '--nodes', account: '--account', ...CHECK_FIELDS } },
  );

  adminCommand<object, [string | undefined]>(
    service
      .command('remove')
      .alias('rm')
      .argument('[name]', 'the service\'s name')
      .description('stop managing a service (its records are left as they are; on the leader)'),
    async ({ out, client }, _o, name) => {
      const n = arg.serviceName(await required(name, '<name>', 'Name of the service to remove'), '<name>');
      const reply = await client().call(api.removeService, { params: { name: n } });
      out.result(reply, () => `removed service ${reply.removed}${versionNote(reply.stateVersion)}`);
    },
    { fields: { name: '<name>' } },
  );
}
