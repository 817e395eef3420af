// What route modules receive: the running node's parts. Routes stay thin: parse, call, answer.
import type { ClusterCommands } from '../cluster/commands.js';
import type { Heartbeat } from '../cluster/heartbeat.js';
import type { Pusher } from '../cluster/pusher.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { Config } from '../config/index.js';
import type { DnsSync } from '../dns/sync.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics/index.js';
import type { NodeReactor } from '../node/reactor.js';
import type { Notifications } from '../notify/notifications.js';
import type { NonceCache } from '../security/index.js';
import type { Store } from '../store/index.js';

export interface AppDeps {
  config: Config;
  runtime: ClusterRuntime;
  store: Store;
  log: Logger;
  startedAt: Date;
  /** One per process: a nonce seen on any route is never accepted again within the window. */
  nonceCache: NonceCache;
  heartbeat: Heartbeat;
  pusher: Pusher;
  dnsSync: DnsSync;
  commands: ClusterCommands;
  /** This node's Prometheus registry and counters (one per node, never the global registry). */
  metrics: NodeMetrics;
  /** The serving plan and this node's status built on it (src/node/reactor.ts). */
  reactor: NodeReactor;
  /** This node's notifications (`notify test` sends through it). */
  notifications: Notifications;
}
