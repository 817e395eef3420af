// This build's version, read once from the package's own package.json (the one source of truth:
// `npm version` bumps it), for `cocoasyncer --version` and the `cocoasyncer_build_info` metric.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `cocoasyncer version --json` prints and `cocoasyncer_build_info` labels. */
export interface BuildInfo {
  /** The package version, e.g. `2.0.0` (`unknown` if package.json cannot be read). */
  version: string;
  /** The Node.js version running it, e.g. `v20.19.0`. */
  node: string;
}

/**
 * The package.json of this package: the nearest one above this module named `cocoasyncer`
 * (from `src/` it is one level up, from the compiled `dist/src/` two).
 */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    dir = dirname(dir);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'cocoasyncer' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // An unreadable package.json further down: keep looking up.
    }
  }
  return 'unknown';
}

let cached: BuildInfo | null = null;

/** This build's version and the running Node.js version (read once). */
export function buildInfo(): BuildInfo {
  cached ??= { version: packageVersion(), node: process.version };
  return cached;
}
