// What route modules receive: the running node's parts. Routes stay thin: parse, call, answer.
import type { Config } from '../config/index.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { Logger } from '../log.js';
import type { NonceCache } from '../security/index.js';

export interface AppDeps {
  config: Config;
  runtime: ClusterRuntime;
  log: Logger;
  startedAt: Date;
  /** One per process: a nonce seen on any route is never accepted again within the window. */
  nonceCache: NonceCache;
}
