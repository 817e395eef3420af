// The `cocoasyncer` command tree, built apart from main.ts so tests can inspect it in-process.
// `run`/`r` and `runDebug`/`rd` keep the original's names; every other command talks to the local
// node's signed admin API over HTTP (never to its database).
import { Command, CommanderError } from 'commander';
import { resolveConfigPath } from './config-path.js';
import { registerCluster } from './commands/cluster.js';
import { registerDns } from './commands/dns.js';
import { registerLocal, runLocal } from './commands/local.js';
import { registerNode } from './commands/node.js';
import { registerSecret } from './commands/secret.js';
import { registerService } from './commands/service.js';
import { registerNotify } from './commands/notify.js';
import { registerStatus } from './commands/status.js';
import { buildInfo } from '../version.js';
import { CliError, EXIT, EXIT_CODES_HELP, Output } from './output.js';

const HELP_EPILOG = `
The admin commands talk to this host's node: http(s)://127.0.0.1:<APIPort> from the config file
(https when TLSCert is set, trusting TrustCA), signed with its CocoaSecret. Override with
--node URL and --secret (or $COCOASYNCER_SECRET). Edits (join, node, service, dns add/set/remove)
run on the leader. Every admin command takes --json. A missing required value is asked for on a
terminal (secrets without echo); without a terminal it is a usage error naming the flag.

${EXIT_CODES_HELP}`;

/**
 * The command tree. `errors` receives commander's own parse errors (unknown command or option, a
 * missing argument) instead of stderr, so runCli can print them as JSON when --json was given.
 */
export function buildProgram(opts: { errors?: (text: string) => void } = {}): Command {
  const program = new Command();
  if (opts.errors) program.configureOutput({ outputError: (text) => opts.errors!(text), writeErr: (text) => opts.errors!(text) });
  program
    .name('cocoasyncer')
    .version(buildInfo().version, '-V, --version', 'print the version')
    .description('ISP-line-aware DDNS cluster: keeps each site\'s DNS lines on its public IP and fails them over')
    .option('-c, --config <path>', 'config file (default: $COCOASYNCER_CONFIG, else ./config/cocoasyncer.yaml; never a built-in one: see init)')
    .showHelpAfterError('(add --help for usage)')
    // Commander exits 1 on a usage mistake; scripts get 2 for those, as for our own usage errors.
    // Set before the subcommands are added: they inherit it.
    .exitOverride();

  program.addHelpText('after', HELP_EPILOG);

  // The original's names: `run`/`r` starts the node, `runDebug`/`rd` with debug logging.
  for (const [name, alias, description, debug] of [
    ['run', 'r', 'run this node (leader or follower, as the config says)', false],
    ['runDebug', 'rd', 'run this node with debug logging', true],
  ] as const) {
    program
      .command(name)
      .alias(alias)
      .description(description)
      .option('--dry-run', 'plan DNS changes but never write them')
      .action(async (opts: { dryRun?: boolean }, cmd: Command) =>
        runLocal(cmd, async () => {
          const config = resolveConfigPath(program.opts<{ config?: string }>().config);
          // Loaded on demand: the node's modules (database drivers, providers) would slow every admin command.
          const { runCommand } = await import('./commands/run.js');
          await runCommand({ config, ...(debug ? { debug } : {}), dryRun: opts.dryRun });
        }),
      );
  }

  registerStatus(program);
  registerCluster(program);
  registerNode(program);
  registerService(program);
  registerNotify(program);
  registerDns(program);
  registerLocal(program);
  registerSecret(program);
  return program;
}

/** Commander's codes for help and version output: successes, not errors. */
const OK_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Parses and runs; the exit code is left in process.exitCode. With --json anywhere on the line, a
 * parse error (`cocoasyncer bogus --json`) is the JSON error shape on stderr, as every other error.
 */
export async function runCli(argv: string[]): Promise<void> {
  const json = argv.slice(2).includes('--json');
  const parseErrors: string[] = [];
  const program = buildProgram(json ? { errors: (text) => parseErrors.push(text) } : {});
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help asked for (`help`, `--help`) is exit 0 in commander's terms; help shown because no
    // command was given is not (exitCode 1 there), and stays a usage error.
    if (OK_CODES.has(err.code) && err.exitCode === 0) {
      process.exitCode = EXIT.ok;
      return;
    }
    // Any other parse error was already printed by commander (or collected for JSON).
    if (json) new Output(true).fail(new CliError(EXIT.usage, err.message.replace(/^error:\s*/, '')));
    process.exitCode = EXIT.usage;
  }
}
