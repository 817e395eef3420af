// The node's live cluster state: held in memory (so heartbeats and DNS sync go on if the database
// goes away), persisted through the store before it is swapped in, announced to listeners on change.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/index.js';
import type { ClusterNode, ClusterState, WorkMode } from '../model.js';
import type { Identity, Store } from '../store/index.js';
import type { Logger } from '../log.js';
import { leaderOf } from './edits.js';
import { applyPushedState, findNode, isJoined, resetToSelf } from './state.js';

export type PushOutcome =
  | { applied: true }
  | { applied: false; reason: 'stale' | 'excludes-self' | 'not-leader'; version: number; leader: string | null };

export interface RuntimeEvents {
  changed: [state: ClusterState, cause: string];
}

export class ClusterRuntime extends EventEmitter<RuntimeEvents> {
  private current: ClusterState;
  private id: Identity;

  private constructor(
    readonly config: Config,
    readonly store: Store,
    readonly log: Logger,
    identity: Identity,
    state: ClusterState,
  ) {
    super();
    this.id = identity;
    this.current = state;
  }

  /** Loads identity and state; on first start imports the identity from config (the original's ImportNodeInfo). */
  static async boot(config: Config, store: Store, log: Logger): Promise<ClusterRuntime> {
    let identity = await store.loadIdentity();
    if (!identity) {
      await store.importIdentity(selfFromConfig(config));
      identity = (await store.loadIdentity())!;
      log.info({ nodeCode: identity.nodeCode, workMode: identity.workMode }, 'imported node identity from config');
    } else {
      warnOnDrift(config, identity, log);
    }
    const state = await store.loadState();
    return new ClusterRuntime(config, store, log, identity, state);
  }

  get state(): ClusterState {
    return this.current;
  }

  get identity(): Identity {
    return this.id;
  }

  get nodeCode(): string {
    return this.id.nodeCode;
  }

  get workMode(): WorkMode {
    return this.id.workMode;
  }

  get isLeader(): boolean {
    return this.id.workMode === 'leader';
  }

  get joined(): boolean {
    return isJoined(this.current);
  }

  get self(): ClusterNode {
    return findNode(this.current, this.id.nodeCode) ?? { ...selfFromConfig(this.config), ...this.identitySlice() };
  }

  /**
   * A follower applies a pushed state unless it is older than what it has (anti-entropy pushes
   * repeat), or comes from a node that is not its leader. A newer state that names its sender as
   * leader is accepted from anyone with the secret: that is how `promote` hands leadership over,
   * while an old leader coming back with an older version is refused.
   */
  async applyPush(incoming: ClusterState, opts: { versioned: boolean; from?: string }): Promise<PushOutcome> {
    const leader = leaderOf(this.current);
    const refuse = (reason: 'stale' | 'excludes-self' | 'not-leader'): PushOutcome => ({ applied: false, reason, version: this.current.version, leader });
    if (opts.versioned && incoming.version < this.current.version) return refuse('stale');
    if (!findNode(incoming, this.id.nodeCode)) return refuse('excludes-self');
    // A v2 push names its sender; only the node the pushed state itself calls leader may push it.
    if (opts.from && leaderOf(incoming) !== opts.from) return refuse('not-leader');
    if (opts.from && this.joined && leader && opts.from !== leader) {
      const promotion = incoming.version > this.current.version && leaderOf(incoming) === opts.from;
      if (!promotion) return refuse('not-leader');
    }
    const next = applyPushedState(this.current, incoming);
    if (opts.versioned && incoming.version === this.current.version && sameContent(next, this.current)) {
      return { applied: true };
    }
    await this.replace(next, 'push');
    return { applied: true };
  }

  /** A follower leaves its cluster: back to a cluster of one. */
  async quit(): Promise<void> {
    await this.replace(resetToSelf(this.current, this.self), 'quit');
  }

  /** Persists, then swaps in, then announces: a crash before the swap leaves the old state on disk and in memory. */
  async replace(next: ClusterState, cause: string): Promise<void> {
    await this.store.saveState(next);
    this.current = next;
    this.emit('changed', next, cause);
  }

  /** In-memory only update (liveness), not worth a database write each heartbeat. */
  updateInMemory(next: ClusterState): void {
    this.current = next;
  }

  /**
   * Changes this node's role and installs `next` in one step, announced once: listeners (the
   * pusher) never see the new role with the old state, which could name another leader.
   */
  async changeRole(mode: WorkMode, next: ClusterState): Promise<void> {
    await this.store.setWorkMode(mode);
    await this.store.saveState(next);
    this.id = { ...this.id, workMode: mode };
    this.current = next;
    this.emit('changed', next, `role-${mode}`);
  }

  /** Changes only this node's role (its own entry in the state follows). */
  async setWorkMode(mode: WorkMode): Promise<void> {
    const me = this.id.nodeCode;
    await this.changeRole(mode, { ...this.current, nodes: this.current.nodes.map((n) => (n.nodeCode === me ? { ...n, workMode: mode } : n)) });
  }

  private identitySlice(): Pick<ClusterNode, 'nodeCode' | 'nodeName' | 'nodeAddress' | 'workMode' | 'secret'> {
    const { nodeCode, nodeName, nodeAddress, workMode, secret } = this.id;
    return { nodeCode, nodeName, nodeAddress, workMode, secret };
  }
}

export function selfFromConfig(config: Config): ClusterNode {
  return {
    nodeCode: config.nodeCode,
    nodeName: config.nodeName,
    nodeAddress: config.nodeAddress,
    workMode: config.workMode,
    secret: config.secret,
    isps: config.isps,
    networkType: config.networkType,
    statusCode: 200,
    watchDog: new Date().toISOString(),
  };
}

function sameContent(a: ClusterState, b: ClusterState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function warnOnDrift(config: Config, identity: Identity, log: Logger): void {
  // Later starts keep the stored identity (the cluster knows this node by it), as the original does.
  const drift: string[] = [];
  if (config.nodeCode !== identity.nodeCode) drift.push('NodeCode');
  if (config.nodeName !== identity.nodeName) drift.push('NodeName');
  if (config.nodeAddress !== identity.nodeAddress) drift.push('NodeAddress');
  if (config.workMode !== identity.workMode) drift.push('WorkMode');
  if (config.secret !== identity.secret) drift.push('CocoaSecret');
  if (drift.length) {
    log.warn({ keys: drift }, 'config differs from the stored node identity; the stored values are used (run with a fresh database to re-import)');
  }
}
