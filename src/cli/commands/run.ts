// `cocoasyncer run` (alias `r`, the original's name): start this node and serve until a signal.
// Says first, on stderr, which config file it uses (and what chose it), so a node never runs on a
// file the operator did not mean.
import { ConfigError, loadConfigFile, type Config } from '../../config/index.js';
import { createLogger } from '../../log.js';
import { startNode } from '../../server.js';
import { describeConfigLocation, type ConfigLocation } from '../config-path.js';
import { describeStartFailure } from '../../start-failure.js';

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

  // Signals are taken from before the start: one arriving while the node starts (it may already
  // answer) stops it as soon as it is up, cleanly, rather than killing it mid-write.
  let node: Awaited<ReturnType<typeof startNode>> | null = null;
  let pendingSignal: string | null = null;
  const shutdown = (signal: string) => {
    if (!node) {
      pendingSignal = signal;
      return;
    }
    node.log.info({ signal }, 'signal received');
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const onSigint = () => shutdown('SIGINT');
  const onSigterm = () => shutdown('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  try {
    node = await startNode(config);
  } catch (err) {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    // One line naming the config key and the OS reason (src/start-failure.ts), never silence.
    process.stderr.write(`cocoasyncer: cannot start: ${describeStartFailure(err)}\n`);
    process.exitCode = 1;
    return;
  }
  if (pendingSignal) shutdown(pendingSignal);
}
