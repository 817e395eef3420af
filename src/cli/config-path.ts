// Where the config file is: --config, else $COCOASYNCER_CONFIG, else ./config/cocoasyncer.yaml in the
// current folder, else the one shipped with the package.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIPPED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'cocoasyncer.yaml');

export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.COCOASYNCER_CONFIG) return resolve(env.COCOASYNCER_CONFIG);
  const local = resolve('config', 'cocoasyncer.yaml');
  if (existsSync(local)) return local;
  // From dist/src/cli the shipped file is three levels up; from src/cli two.
  const fromDist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'config', 'cocoasyncer.yaml');
  return existsSync(SHIPPED) ? SHIPPED : fromDist;
}
