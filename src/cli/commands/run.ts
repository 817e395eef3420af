// `cocoasyncer run` (alias `r`, the original's name): start this node and serve until a signal.
import { ConfigError, loadConfigFile, type Config } from '../../config/index.js';
import { createLogger } from '../../log.js';
import { startNode } from '../../server.js';
import { describeStartFailure } from '../../start-failure.js';

export interface RunOptions {
  config: string;
  debug?: boolean;
  dryRun?: boolean;
}

export async function runCommand(opts: RunOptions): Promise<void> {
  const bootLog = createLogger({ level: opts.debug ? 'debug' : 'info' });
  let config: Config;
  try {
    const loaded = loadConfigFile(opts.config);
    config = loaded.config;
    for (const w of loaded.warnings) bootLog.warn({ file: opts.config }, w);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cocoasyncer: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  if (opts.debug) config = { ...config, logLevel: 'debug' };
  if (opts.dryRun) config = { ...config, dryRun: true };

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
