// What every admin command shares: the connection flags, --json, and one place that turns any
// failure into a message and an exit code (no stack traces for operators).
import { Option, type Command } from 'commander';
import { AdminClient, AdminError } from '../admin-client.js';
import { clientFor, resolveConnection } from '../connect.js';
import { CliError, EXIT, Output, fromAdminError, type FieldNames } from '../output.js';

export interface AdminFlags {
  config?: string;
  node?: string;
  secret?: string;
  nodeSecret?: string;
  json?: boolean;
}

export interface AdminContext {
  out: Output;
  /** Connects on first use, so bad input is reported before the config is even read. */
  client(): AdminClient;
  /**
   * Where the CLI connected and which config file told it (`null` before client() or when the
   * flags left nothing to read from a config file).
   */
  connection(): { baseUrl: string; configFile: string | null } | null;
}

/**
 * Adds --node, the CLI's own secret flag, and --json. On `join`, `--secret` is the *joining* node's
 * secret, so the CLI's own secret is `--node-secret` there; elsewhere `--node-secret` is a hidden
 * synonym of `--secret`, so scripts can use one spelling everywhere.
 */
export function adminOptions(cmd: Command, opts: { secretIsPeer?: boolean } = {}): Command {
  cmd.option('--node <url>', 'the node to talk to (default: this host\'s node, from the config file)');
  if (opts.secretIsPeer) {
    cmd.option('--node-secret <secret>', 'this node\'s CocoaSecret (default: $COCOASYNCER_SECRET, else the config file)');
  } else {
    cmd.option('--secret <secret>', 'this node\'s CocoaSecret (default: $COCOASYNCER_SECRET, else the config file)');
    cmd.addOption(new Option('--node-secret <secret>').hideHelp());
  }
  cmd.option('--json', 'print the result as JSON (errors as JSON on stderr)');
  return cmd;
}

export interface AdminCommandOptions {
  /** API field names → the flags the operator typed, so a refusal names the flag. */
  fields?: FieldNames;
  /** On `join`: `--secret` is the joining node's secret; the CLI's own is `--node-secret`. */
  secretIsPeer?: boolean;
}

/**
 * Makes `cmd` an admin command: the connection flags and --json (adminOptions), and an action that
 * runs `body` through runAdmin with the options and then the positional arguments commander parsed.
 * `O` is the options' shape, `A` the positional arguments' (optional ones are `string | undefined`).
 */
export function adminCommand<O = object, A extends (string | undefined)[] = []>(
  cmd: Command,
  body: (ctx: AdminContext, opts: O, ...args: A) => Promise<void>,
  options: AdminCommandOptions = {},
): Command {
  adminOptions(cmd, { secretIsPeer: options.secretIsPeer });
  return cmd.action(async (...parsed: unknown[]) => {
    const command = parsed[parsed.length - 1] as Command;
    const opts = parsed[parsed.length - 2] as O;
    await runAdmin(command, (ctx) => body(ctx, opts, ...(parsed.slice(0, -2) as A)), options.fields, options.secretIsPeer);
  });
}

/** Runs one admin command body; sets the exit code from whatever it throws. */
export async function runAdmin(cmd: Command, body: (ctx: AdminContext) => Promise<void>, fields: FieldNames = {}, secretIsPeer = false): Promise<void> {
  const flags = cmd.optsWithGlobals<AdminFlags>();
  const out = new Output(flags.json === true);
  const own = secretIsPeer ? flags.nodeSecret : (flags.secret ?? flags.nodeSecret);
  out.addSecret(own);
  let client: AdminClient | null = null;
  let connection: { baseUrl: string; configFile: string | null } | null = null;
  const ctx: AdminContext = {
    out,
    client() {
      if (!client) {
        const conn = resolveConnection({ config: flags.config, node: flags.node, secret: own, secretFlag: secretIsPeer ? '--node-secret' : '--secret' });
        out.addSecret(conn.secret);
        connection = { baseUrl: conn.baseUrl, configFile: conn.configFile };
        client = clientFor(conn);
      }
      return client;
    },
    connection: () => connection,
  };
  try {
    await body(ctx);
  } catch (err) {
    process.exitCode = out.fail(toCliError(err, fields));
  }
}

export function toCliError(err: unknown, fields: FieldNames = {}): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof AdminError) return fromAdminError(err, fields);
  // A bug of ours: say so in one line; the stack is for `--debug`-style runs, not operators.
  return new CliError(EXIT.refused, `unexpected error: ${(err as Error)?.message ?? String(err)}`);
}

/** "state v12" — every edit answers with the state version it produced. */
export function versionNote(v: unknown): string {
  return typeof v === 'number' ? ` (state v${v})` : '';
}
