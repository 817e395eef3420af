// Where the config file is: --config, else $COCOASYNCER_CONFIG, else ./config/cocoasyncer.yaml in the
// current folder. Nothing else: the example shipped inside the package is never used behind the
// operator's back (installed from npm it would start a node on the public example secret).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from './output.js';

/** The default config file, relative to the current folder. */
export const DEFAULT_CONFIG_PATH = 'config/cocoasyncer.yaml';

/** Where the config file was found and what pointed there (for the "using config …" line). */
export interface ConfigLocation {
  /** Absolute path. */
  path: string;
  /** `--config`, `$COCOASYNCER_CONFIG`, or `./config/cocoasyncer.yaml` in `cwd`. */
  source: 'flag' | 'env' | 'cwd';
}

/**
 * The config file to use, or null when neither flag nor environment names one and `cwd` has no
 * ./config/cocoasyncer.yaml. A named file is returned whether or not it exists (reading it reports
 * what is wrong).
 */
export function findConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigLocation | null {
  if (flag) return { path: resolve(cwd, flag), source: 'flag' };
  if (env.COCOASYNCER_CONFIG) return { path: resolve(cwd, env.COCOASYNCER_CONFIG), source: 'env' };
  const local = resolve(cwd, DEFAULT_CONFIG_PATH);
  return existsSync(local) ? { path: local, source: 'cwd' } : null;
}

/** The message when no config file is found: where it looked and how to make one. */
export function noConfigMessage(cwd = process.cwd()): string {
  return (
    `no config file: none given with --config or $COCOASYNCER_CONFIG, and no ${DEFAULT_CONFIG_PATH} in ${cwd}. ` +
    'Create one with "cocoasyncer init" (writes ./config/cocoasyncer.yaml with a new secret) or pass --config PATH'
  );
}

/** findConfigPath, or a usage error (exit 2) saying where it looked and pointing to `init`. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigLocation {
  const found = findConfigPath(flag, env, cwd);
  if (!found) throw usageError(noConfigMessage(cwd));
  return found;
}

/** `/etc/cocoasyncer.yaml (from $COCOASYNCER_CONFIG)` — the path and what chose it. */
export function describeConfigLocation(loc: ConfigLocation): string {
  const why = loc.source === 'flag' ? '--config' : loc.source === 'env' ? '$COCOASYNCER_CONFIG' : `./${DEFAULT_CONFIG_PATH} in the current folder`;
  return `${loc.path} (from ${why})`;
}
