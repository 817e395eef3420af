// The `cocoasyncer` command. `run`/`r` and `runDebug`/`rd` keep the original's names.
import { Command } from 'commander';
import { resolveConfigPath } from './config-path.js';
import { runCommand } from './commands/run.js';

const program = new Command();
program
  .name('cocoasyncer')
  .description('ISP-line-aware DDNS cluster: keeps each site\'s DNS lines on its public IP and fails them over')
  .option('-c, --config <path>', 'config file (default: ./config/cocoasyncer.yaml, or $COCOASYNCER_CONFIG)')
  .showHelpAfterError();

program
  .command('run')
  .alias('r')
  .description('run this node (leader or follower, as the config says)')
  .option('--dry-run', 'plan DNS changes but never write them')
  .action(async (opts: { dryRun?: boolean }) => {
    await runCommand({ config: resolveConfigPath(program.opts<{ config?: string }>().config), dryRun: opts.dryRun });
  });

program
  .command('runDebug')
  .alias('rd')
  .description('run this node with debug logging')
  .option('--dry-run', 'plan DNS changes but never write them')
  .action(async (opts: { dryRun?: boolean }) => {
    await runCommand({ config: resolveConfigPath(program.opts<{ config?: string }>().config), debug: true, dryRun: opts.dryRun });
  });

await program.parseAsync(process.argv);
