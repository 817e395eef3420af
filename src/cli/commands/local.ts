// The commands that work without a node: `version`, `config check` and `init`. They read or write
// files only; failures go through the same Output as the admin commands (exit codes, --json shape).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfigFile } from '../../config/index.js';
import { buildInfo } from '../../version.js';
import { DEFAULT_CONFIG_PATH, describeConfigLocation, resolveConfigPath } from '../config-path.js';
import { defaultDsnFor, generateSecret, initConfigText, nodeCodeFrom } from '../init-template.js';
import { CliError, EXIT, Output } from '../output.js';
import { toCliError } from './common.js';

/** Runs a local command body with an Output for its --json flag; whatever it throws becomes the exit code. */
export async function runLocal(cmd: Command, body: (out: Output, opts: { config?: string; json?: boolean; force?: boolean }) => Promise<void> | void): Promise<void> {
  const opts = cmd.optsWithGlobals<{ config?: string; json?: boolean; force?: boolean }>();
  const out = new Output(opts.json === true);
  try {
    await body(out, opts);
  } catch (err) {
    process.exitCode = out.fail(toCliError(err));
  }
}

/** What `config check` reports. */
export interface ConfigCheckReport {
  /** The file checked, with what chose it. */
  file: string;
  valid: boolean;
  /** Each makes the config unusable; each names its key (unknown keys with "did you mean"). */
  problems: string[];
  /** Noticed, but the node would start (unknown keys of a valid config, the example secret). */
  warnings: string[];
}

/**
 * Checks a config file as `run` would read it (environment overrides included), listing every
 * problem at once. Never throws for the file's content; a missing file is a problem too.
 */
export function checkConfig(path: string, file: string, env: NodeJS.ProcessEnv = process.env): ConfigCheckReport {
  try {
    const { warnings } = loadConfigFile(path, env);
    return { file, valid: true, problems: [], warnings };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { file, valid: false, problems: err.problems, warnings: err.warnings };
  }
}

/** The human form of a check: the file and its verdict, then one `error:`/`warning:` line each. */
export function renderCheck(r: ConfigCheckReport): string {
  const lines = [r.valid ? `${r.file}: valid` : `${r.file}: ${r.problems.length} problem(s)`];
  for (const p of r.problems) lines.push(`  error: ${p}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

/** Adds `version`, `config check` and `init` to the command tree. */
export function registerLocal(program: Command): void {
  program
    .command('version')
    .description('print this build\'s version (and Node.js version with --json)')
    .option('--json', 'print {version, node} as JSON')
    .action(async (_opts: unknown, cmd: Command) =>
      runLocal(cmd, (out) => {
        const info = buildInfo();
        out.result(info, () => `cocoasyncer ${info.version}`);
      }),
    );

  const config = program.command('config').description('work with the config file (see: config check)');
  config
    .command('check')
    .description('check the config file (-c PATH, $COCOASYNCER_CONFIG, or ./config/cocoasyncer.yaml) and list every problem at once; exit 2 if it is invalid')
    .option('--json', 'print {file, valid, problems, warnings} as JSON')
    .action(async (_opts: unknown, cmd: Command) =>
      runLocal(cmd, (out, opts) => {
        const loc = resolveConfigPath(opts.config);
        const report = checkConfig(loc.path, describeConfigLocation(loc));
        out.result(report, () => renderCheck(report));
        if (!report.valid) process.exitCode = EXIT.usage;
      }),
    );

  program
    .command('init')
    .description(`write a commented config file with a newly generated CocoaSecret (-c PATH, default ./${DEFAULT_CONFIG_PATH}); refuses to overwrite without --force`)
    .option('--force', 'overwrite an existing file (its secret is replaced: a node that already ran keeps its stored one)')
    .option('--json', 'print {file} as JSON')
    .action(async (_opts: unknown, cmd: Command) =>
      runLocal(cmd, (out, opts) => {
        const path = resolve(opts.config ?? process.env.COCOASYNCER_CONFIG ?? DEFAULT_CONFIG_PATH);
        if (existsSync(path) && !opts.force) {
          throw new CliError(EXIT.usage, `${path} already exists; nothing written. Pass --force to overwrite it (with a new secret), or -c PATH for another file`);
        }
        const host = hostname();
        const text = initConfigText({ secret: generateSecret(), nodeCode: nodeCodeFrom(host), nodeName: host.slice(0, 64) || 'CocoaSyncer', dsn: defaultDsnFor(basename(dirname(path))) });
        try {
          mkdirSync(dirname(path), { recursive: true });
          // The file holds the secret: readable by its owner only.
          writeFileSync(path, text, { mode: 0o600 });
          chmodSync(path, 0o600);
        } catch (err) {
          throw new CliError(EXIT.refused, `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        out.result({ file: path }, () =>
          [
            `wrote ${path} with a new CocoaSecret (not shown; it is in the file, readable by you only).`,
            'Next: set NodeAddress to the URL peers use, then `cocoasyncer config check` and `cocoasyncer run`' +
              (path === resolve(DEFAULT_CONFIG_PATH) ? '.' : ` (with -c ${path}).`),
          ].join('\n'),
        );
      }),
    );
}
