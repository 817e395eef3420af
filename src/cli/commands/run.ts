// `cocoasyncer run` (alias `r`, the original's name): start this node and serve until a signal.
// Says first, on stderr, which config file it uses (and what chose it), so a node never runs on a
// file the operator did not mean.
import { ConfigError, loadConfigFile, type Config } from '../../config/index.js';
import { createLogger } from '../../log.js';
import { startNode } from '../../server.js';
import { describeConfigLocation, type ConfigLocation } from '../config-path.js';

export interface RunOptions {
  config: ConfigLocation;
  debug?: boolean;
  dryRun?: boolean;
}

export async function runCommand(opts: RunOptions): Promise<void> {
  process.stderr.write(`cocoasyncer: using config ${describeConfigLocation(opts.config)}\n`);
  let config: Config;
  let warnings: string[];
  try {
    ({ config, warnings } = loadConfigFile(opts.config.path));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cocoasyncer: ${err.message}\n`);
      for (const w of err.warnings) process.stderr.write(`cocoasyncer: warning: ${w}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  if (opts.debug) config = { ...config, logLevel: 'debug' };
  if (opts.dryRun) config = { ...config, dryRun: true };
  // Unknown keys ("did you mean"), the example secret: in the node's own log format.
  const bootLog = createLogger({ level: config.logLevel, format: config.logFormat });
  for (const w of warnings) bootLog.warn({ file: opts.config.path }, w);

  let node;
  try {
    node = await startNode(config);
  } catch (err) {
    process.stderr.write(`cocoasyncer: cannot start: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const shutdown = (signal: string) => {
    node.log.info({ signal }, 'signal received');
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
