// The `cocoasyncer` command tree, built apart from main.ts so tests can inspect it in-process.
// `run`/`r` and `runDebug`/`rd` keep the original's names; every other command talks to the local
// node's signed admin API over HTTP (never to its database).
import { Command, CommanderError } from 'commander';
import { resolveConfigPath } from './config-path.js';
import { registerCluster } from './commands/cluster.js';
import { registerDns } from './commands/dns.js';
import { registerNode } from './commands/node.js';
import { registerSecret } from './commands/secret.js';
import { registerService } from './commands/service.js';
import { registerStatus } from './commands/status.js';
import { EXIT, EXIT_CODES_HELP } from './output.js';

const HELP_EPILOG = `
The admin commands talk to this host's node: http(s)://127.0.0.1:<APIPort> from the config file
(https when TLSCert is set, trusting TrustCA), signed with its CocoaSecret. Override with
--node URL and --secret (or $COCOASYNCER_SECRET). Edits (join, node, service, dns add/set/remove)
run on the leader. Every admin command takes --json. A missing required value is asked for on a
terminal (secrets without echo); without a terminal it is a usage error naming the flag.

${EXIT_CODES_HELP}`;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('cocoasyncer')
    .description('ISP-line-aware DDNS cluster: keeps each site\'s DNS lines on its public IP and fails them over')
    .option('-c, --config <path>', 'config file (default: ./config/cocoasyncer.yaml, or $COCOASYNCER_CONFIG)')
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
      .action(async (opts: { dryRun?: boolean }) => {
        // Loaded on demand: the node's modules (database drivers, providers) would slow every admin command.
        const { runCommand } = await import('./commands/run.js');
        await runCommand({ config: resolveConfigPath(program.opts<{ config?: string }>().config), ...(debug ? { debug } : {}), dryRun: opts.dryRun });
      });
  }

  registerStatus(program);
  registerCluster(program);
  registerNode(program);
  registerService(program);
  registerDns(program);
  registerSecret(program);
  return program;
}

/** Parses and runs; the exit code is left in process.exitCode. */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version are successes; any other parse error was already printed by commander.
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
    process.exitCode = ok ? EXIT.ok : EXIT.usage;
  }
}
