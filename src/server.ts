// Starts a node: config → store (migrated) → cluster runtime → the parts → the node reactor that
// wires them (src/node/reactor.ts) → HTTP(S) server → reactor started. This file only composes;
// what reacts to what is decided in the reactor. `stop()` finishes in-flight requests, stops the
// reactor (schedules, heartbeat, pusher, DNS sync) and closes the database, within 15 s.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ClusterCommands } from './cluster/commands.js';
import { Heartbeat } from './cluster/heartbeat.js';
import { PeerClient } from './cluster/peer-client.js';
import { Pusher } from './cluster/pusher.js';
import { ClusterRuntime } from './cluster/runtime.js';
import { cachedProviderFactory } from './dns/registry.js';
import { DnsSync } from './dns/sync.js';
import type { Config } from './config/index.js';
import { createApp } from './http/app.js';
import { tuneListener } from './http/listener.js';
import { createLogger, type Logger } from './log.js';
import { NodeMetrics } from './metrics/index.js';
import { NodeReactor } from './node/reactor.js';
import { Notifications } from './notify/notifications.js';
import { describeDbError, Store } from './store/index.js';
import { secretCodec } from './store/secret-codec.js';
import { AuditWriter } from './store/audit-writer.js';
import { knownSecrets, NonceCache, secretWarnings } from './security/index.js';
import { ProbeBoard } from './probe/board.js';
import { Prober } from './probe/prober.js';
import { probeJobs, type AddressOf } from './probe/targets.js';
import type { Family, LineCode } from './model.js';
import { publishedAddress } from './cluster/addresses.js';
import { osReason, settleWithin, StartError } from './start-failure.js';

export interface RunningNode {
  config: Config;
  runtime: ClusterRuntime;
  store: Store;
  log: Logger;
  server: Server;
  /** The port actually bound (APIPort 0 picks a free one). */
  port: number;
  url: string;
  heartbeat: Heartbeat;
  pusher: Pusher;
  dnsSync: DnsSync;
  commands: ClusterCommands;
  metrics: NodeMetrics;
  /** Owns every trigger and the serving plan (src/node/reactor.ts). */
  reactor: NodeReactor;
  /** Webhook notifications (src/notify/). */
  notifications: Notifications;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
}

export async function startNode(config: Config, opts: StartOptions = {}): Promise<RunningNode> {
  let runtimeRef: ClusterRuntime | null = null;
  const log =
    opts.log ??
    createLogger({
      level: config.logLevel,
      format: config.logFormat,
      secrets: () => knownSecrets(config, runtimeRef),
    });
  const store = await Store.open(config.database, { codec: secretCodec(config.credentialKey) });
  let runtime: ClusterRuntime;
  try {
    const applied = await store.migrate();
    if (applied.length) log.info({ migrations: applied }, 'database migrated');
    runtime = await ClusterRuntime.boot(config, store, log);
  } catch (err) {
    await settleWithin(store.close(), 2000);
    // A database failure names DSN; anything else (a CredentialKey that does not open the stored
    // secrets) already says what is wrong.
    const fromDatabase = err instanceof Error && (err.name.startsWith('Sequelize') || (err as NodeJS.ErrnoException).code !== undefined);
    throw fromDatabase ? new StartError('DSN', `the database refused the schema or the node's data: ${osReasonOrDb(err)}`) : err;
  }
  runtimeRef = runtime;
  const startedAt = new Date();
  let ca: Buffer | null = null;
  let tlsFiles: { cert: Buffer; key: Buffer } | null = null;
  try {
    ca = config.trustCa ? readPem('TrustCA', config.trustCa) : null;
    tlsFiles = config.tls ? { cert: readPem('TLSCert', config.tls.cert), key: readPem('TLSKey', config.tls.key) } : null;
  } catch (err) {
    await settleWithin(store.close(), 2000);
    throw err;
  }
  const client = new PeerClient({ selfCode: runtime.nodeCode, v1Compat: config.v1Compat, timeoutMs: config.timing.requestTimeoutMs, ca });
  const heartbeat = new Heartbeat(runtime, client, config.timing, log);
  const pusher = new Pusher(runtime, client, { pushMs: config.timing.pushMs }, log);
  const audit = new AuditWriter(store, log);
  // One registry per node (several nodes share a test process); provider calls counted as made.
  const metrics = new NodeMetrics();
  const dnsSync: DnsSync = new DnsSync({
    config,
    runtime,
    // The reactor's plan: DNS sync never plans serving itself (read only once the reactor runs).
    serving: () => reactor.plan,
    held: () => heartbeat.held,
    // Own slots most probers fail right now: drift on them is not taken back (reconcile.ts).
    suspect: () => probes.board.suspects(heartbeat.live),
    log,
    audit: (entry) => audit.write(entry),
    reconcileDeps: { providerFor: metrics.instrumentProviders(cachedProviderFactory()) },
  });
  // Heartbeat answers publish this node's addresses per (line, family) as its detection reads them.
  heartbeat.publishFrom(() => dnsSync.published);
  const commands = new ClusterCommands(runtime, client, log, (code) => heartbeat.heardFrom(code));
  const notifications = new Notifications({
    source: runtime,
    log,
    hooks: { sent: (name, event) => metrics.countNotifySent(name, event), failed: (name) => metrics.countNotifyFailure(name) },
  });
  // Service health probes: this node probes the other nodes' published addresses on its own timer
  // (never inside a heartbeat or a DNS pass); the board judges every prober's results.
  const addressOf: AddressOf = (node, line, family) => publishedAddressOf(heartbeat, node, line, family);
  const probes = {
    prober: new Prober({ jobs: () => probeJobs(runtime.state, reactor.plan, runtime.nodeCode, addressOf) }),
    board: new ProbeBoard({ failAfterMs: config.timing.failAfterMs, recoverAfter: config.timing.recoverAfter, freshMs: Math.max(config.timing.failAfterMs, 3 * config.timing.heartbeatMs) }),
  };
  const reactor: NodeReactor = new NodeReactor({ config, runtime, heartbeat, pusher, dnsSync, metrics, audit, notifications, startedAt, probes });
  const app = createApp({ config, runtime, store, log, startedAt, nonceCache: new NonceCache({ sinceMs: startedAt.getTime() }), heartbeat, pusher, dnsSync, commands, metrics, reactor, notifications });

  const handler = app.callback();
  const server = tlsFiles ? createHttpsServer(tlsFiles, handler) : createHttpServer(handler);
  tuneListener(server, { heartbeatMs: config.timing.heartbeatMs });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.apiPort, config.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Nothing was stored: the identity is kept only once the node serves (runtime.commitIdentity).
    await settleWithin(store.close(), 2000);
    const code = (err as NodeJS.ErrnoException).code;
    const key = code === 'EADDRNOTAVAIL' ? 'BindAddress' : 'APIPort';
    throw new StartError(key, `cannot listen on ${config.bindAddress}:${config.apiPort}: ${osReason(err)}`);
  }
  try {
    // The node serves: from now on its identity is the stored one (first start imports it).
    await runtime.commitIdentity();
  } catch (err) {
    await closeServer(server, 1000);
    await settleWithin(store.close(), 2000);
    throw new StartError('DSN', `cannot store this node's identity: ${osReasonOrDb(err)}`);
  }
  const port = (server.address() as AddressInfo).port;
  const url = `${config.tls ? 'https' : 'http'}://${hostForUrl(config.bindAddress)}:${port}`;
  log.info({ url, nodeCode: runtime.nodeCode, workMode: runtime.workMode, stateVersion: runtime.state.version, config: config.file, dryRun: config.dryRun }, 'CocoaSyncer node listening');
  // The secret in use, not the file's: a stored identity may differ from the config.
  for (const warning of secretWarnings(runtime.identity.secret)) log.warn(warning);
  reactor.start();

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('shutting down');
      await Promise.all([reactor.stop(), closeServer(server, 15_000)]);
      await store.close().catch((err: Error) => log.warn({ err: err.message }, 'closing the database failed'));
    })();
    return stopping;
  };
  return { config, runtime, store, log, server, port, url, stop, heartbeat, pusher, dnsSync, commands, metrics, reactor, notifications };
}

/** Reads a PEM file named by config key `key`; a StartError naming the key and the OS reason otherwise. */
function readPem(key: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new StartError(key, `cannot read ${file}: ${osReason(err)}`);
  }
}

function osReasonOrDb(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ? osReason(err) : describeDbError(err);
}

function hostForUrl(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::' || bind === '') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}

/**
 * Stops accepting, lets in-flight requests finish, then drops idle and (after the deadline) all
 * connections. Idle keep-alive connections are closed repeatedly: a peer heartbeating over one
 * would otherwise hold the server open until the deadline.
 */
async function closeServer(server: Server, deadlineMs: number): Promise<void> {
  server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
  await new Promise<void>((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const timer = setTimeout(() => {
      clearInterval(sweep);
      server.closeAllConnections();
      resolve();
    }, deadlineMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The address a peer publishes for a (line, family), as its heartbeat answers carry it; null: unknown. */
function publishedAddressOf(heartbeat: Heartbeat, node: string, line: LineCode, family: Family): string | null {
  return publishedAddress(heartbeat.addressesOf(node), line, family) ?? null;
}
