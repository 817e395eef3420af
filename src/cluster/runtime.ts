// The node's live cluster state: held in memory (so heartbeats and DNS sync go on if the database
// goes away), persisted through the store before it is swapped in, announced to listeners on change.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/index.js';
import type { ClusterNode, ClusterState, WorkMode } from '../model.js';
import type { Identity, Store } from '../store/index.js';
import type { Logger } from '../log.js';
import { DomainError } from '../errors.js';
import { claimOf, decidePush, leaderOf, type LocalView, type PushRefusal } from './leadership.js';
import { applyPushedState, findNode, isJoined, resetToSelf } from './state.js';

export type PushOutcome =
  | { applied: true; steppedDown: boolean }
  | { applied: false; reason: PushRefusal; version: number; term: number; leader: string | null };

/** An edit this node accepted while it led, as its journal keeps it (for the lost-edit report). */
export interface JournalEntry {
  version: number;
  term: number;
  cause: string;
  at: string;
}

/** Edits this node accepted as leader that no follower ever acknowledged, reported on step-down. */
export interface UnpropagatedEdits {
  term: number;
  steppedDownAt: string;
  /** Why it stepped down, in words. */
  reason: string;
  edits: JournalEntry[];
}

export interface RuntimeEvents {
  changed: [state: ClusterState, cause: string];
}

export class ClusterRuntime extends EventEmitter<RuntimeEvents> {
  private current: ClusterState;
  private id: Identity;
  // One state change at a time (edits, pushes, role changes): compute → persist → swap, in order.
  private queue: Promise<unknown> = Promise.resolve();
  private journal: JournalEntry[] = [];
  private acked = 0;
  private lost: UnpropagatedEdits | null = null;

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
    this.acked = state.version;
  }

  /**
   * Loads identity and state. Nothing is written here: `commitIdentity()` stores it once the node
   * serves, so a failed start (port in use) leaves the database as it was.
   * - First start (nothing stored): the identity and a cluster of one come from the config.
   * - Not in a cluster (alone, or left): the config's identity keys win (NodeCode, NodeName,
   *   NodeAddress, WorkMode, CocoaSecret, ISPs, NetworkType), so an edited config takes effect.
   * - In a cluster: the stored identity is used (the cluster knows this node by it); a config that
   *   differs is warned about, naming the commands that change it (`node set`, `secret rotate`).
   */
  static async boot(config: Config, store: Store, log: Logger): Promise<ClusterRuntime> {
    const stored = await store.loadIdentity();
    const fromConfig = selfFromConfig(config);
    if (!stored) {
      const now = new Date();
      const identity: Identity = { ...identityOf(fromConfig), createdAt: now, updatedAt: now };
      const runtime = new ClusterRuntime(config, store, log, identity, { version: 0, term: 0, nodes: [fromConfig], services: [], cloudAccounts: [], notifiers: [] });
      runtime.pending = 'import';
      return runtime;
    }
    const state = await store.loadState();
    if (!isJoined(state)) {
      const next = adoptConfigIdentity(state, stored.nodeCode, fromConfig);
      const identity: Identity = { ...stored, ...identityOf(fromConfig) };
      const runtime = new ClusterRuntime(config, store, log, identity, next);
      if (JSON.stringify(identityOf(fromConfig)) !== JSON.stringify(identityOf(stored)) || !sameContent(next, state)) runtime.pending = 'update';
      return runtime;
    }
    warnOnDrift(config, stored, log);
    return new ClusterRuntime(config, store, log, stored, state);
  }

  /** What `commitIdentity` has to store: nothing, a first import, or the config's identity over the stored one. */
  private pending: 'import' | 'update' | null = null;

  /**
   * Stores the identity `boot` settled on; called once the node serves (listener bound). Queued
   * before any edit a first request could make.
   */
  commitIdentity(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return Promise.resolve();
    return this.serialize(async () => {
      if (pending === 'import') {
        await this.store.importIdentity(this.self);
        this.log.info({ nodeCode: this.id.nodeCode, workMode: this.id.workMode }, 'imported node identity from config');
      } else {
        await this.store.saveIdentity(this.id);
        await this.store.saveState(this.current);
        this.log.info({ nodeCode: this.id.nodeCode }, 'not in a cluster: took the node identity from the config');
      }
    });
  }

  /**
   * Changes this node's own identity (address, name, secret) where it is kept: the stored identity
   * and its own entry in the state, in one queued step. Used by `node set <self>` (after the
   * leader's edit) and the secret rotation; the node answers to the new secret from the moment it
   * returns.
   */
  updateOwnIdentity(patch: Partial<Pick<Identity, 'nodeName' | 'nodeAddress' | 'secret'>>, cause: string): Promise<void> {
    return this.serialize(async () => {
      const id = { ...this.id, ...patch, updatedAt: new Date() };
      const me = this.id.nodeCode;
      const state = { ...this.current, nodes: this.current.nodes.map((n) => (n.nodeCode === me ? { ...n, ...patch } : n)) };
      await this.store.saveIdentity(id);
      await this.store.saveState(state);
      this.id = id;
      this.swap(state, cause);
    });
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

  /** Edits accepted while this node led that no follower acknowledged before it stepped down. */
  get unpropagatedEdits(): UnpropagatedEdits | null {
    return this.lost;
  }

  get self(): ClusterNode {
    return findNode(this.current, this.id.nodeCode) ?? { ...selfFromConfig(this.config), ...this.identitySlice() };
  }

  /** This node's view for leadership decisions. */
  localView(): LocalView {
    return { me: this.nodeCode, role: this.workMode, claim: claimOf(this.current), joined: this.joined, order: this.current.nodes.map((n) => n.nodeCode) };
  }

  /** Runs `fn` after every state change queued before it; changes never interleave. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A leader edit: `fn` computes the next state from the current one *inside* the queue, so
   * concurrent edits each apply to the result of the one before (none is lost). The store refuses
   * the write if its version moved meanwhile (a second guard). Throws `not-leader` on a follower
   * (also when the role changed while the edit waited), and whatever `fn` throws.
   */
  edit<R>(cause: string, fn: (state: ClusterState) => { state: ClusterState; result: R }): Promise<R> {
    return this.serialize(async () => {
      if (!this.isLeader) {
        const leader = this.current.nodes.find((n) => n.workMode === 'leader');
        throw new DomainError('not-leader', `this node is a follower: run it on the leader${leader ? ` (${leader.nodeName} at ${leader.nodeAddress})` : ''}`);
      }
      const before = this.current;
      const { state, result } = fn(before);
      await this.store.saveState(state, { expectVersion: before.version });
      this.swap(state, cause);
      this.journal.push({ version: state.version, term: state.term, cause, at: new Date().toISOString() });
      if (this.journal.length > 1000) this.journal.splice(0, this.journal.length - 1000);
      return result;
    });
  }

  /** The pusher reports the highest version some follower applied (edits up to it are propagated). */
  noteAcknowledged(version: number): void {
    if (version > this.acked) this.acked = version;
    this.journal = this.journal.filter((e) => e.version > this.acked);
  }

  /**
   * Applies a pushed state when leadership rules allow it (cluster/leadership.ts decidePush): a
   * stale or lower-term push is refused, a newer term is taken (and a leader that receives it steps
   * down, reporting its unpropagated edits). The follower keeps its own view of liveness.
   */
  applyPush(incoming: ClusterState, opts: { versioned: boolean; from?: string; termGiven: boolean }): Promise<PushOutcome> {
    return this.serialize(async () => {
      // Left (quit, quit --force, removed): a v2 leader's push is refused until a leader joins this
      // node again (rejoinInvited). v1 pushes carry no sender; the original has no such rule.
      if (this.id.leftCluster && opts.from !== undefined) {
        return { applied: false, reason: 'left-cluster', version: this.current.version, term: this.current.term, leader: null };
      }
      const decision = decidePush(this.localView(), {
        from: opts.from,
        claim: { leader: leaderOf(incoming), term: opts.termGiven ? incoming.term : undefined, version: incoming.version },
        versioned: opts.versioned,
        listsMe: findNode(incoming, this.id.nodeCode) !== undefined,
      });
      if (!decision.accept) {
        return { applied: false, reason: decision.reason, version: this.current.version, term: this.current.term, leader: leaderOf(this.current) };
      }
      const next = applyPushedState(this.current, incoming);
      if (decision.stepDown) {
        this.recordStepDown(`a push from ${opts.from ?? 'a v1 leader'} in term ${incoming.term}`);
        await this.store.setWorkMode('follower');
        this.id = { ...this.id, workMode: 'follower' };
      }
      if (!decision.stepDown && opts.versioned && incoming.version === this.current.version && sameContent(next, this.current)) {
        return { applied: true, steppedDown: false };
      }
      // `node set <this node> --address/--name` on the leader: this node's identity follows its entry.
      const mine = findNode(next, this.id.nodeCode);
      if (mine && (mine.nodeAddress !== this.id.nodeAddress || mine.nodeName !== this.id.nodeName)) {
        const id = { ...this.id, nodeAddress: mine.nodeAddress, nodeName: mine.nodeName, updatedAt: new Date() };
        await this.store.saveIdentity(id);
        this.id = id;
      }
      await this.store.saveState(next);
      this.swap(next, decision.stepDown ? 'role-follower' : 'push');
      return { applied: true, steppedDown: decision.stepDown };
    });
  }

  /**
   * A follower leaves its cluster: back to a cluster of one, and it remembers that it left (kept
   * in the database), refusing its old leader's pushes until a leader joins it again.
   */
  quit(): Promise<void> {
    return this.serialize(async () => {
      const left = { at: new Date(), leader: leaderOf(this.current) };
      const state = resetToSelf(this.current, this.self);
      await this.store.setLeftCluster(left);
      await this.store.saveState(state);
      this.id = { ...this.id, leftCluster: left };
      this.swap(state, 'quit');
    });
  }

  /** When this node left its cluster (and which leader it left), or null. */
  get leftCluster(): { at: Date; leader: string | null } | null {
    return this.id.leftCluster ?? null;
  }

  /**
   * A leader's join handshake reached this node: it is being joined again, so the next push (the
   * joining leader's) is taken. Returns the leader it had left (null: it had not left).
   */
  rejoinInvited(by: string): Promise<string | null> {
    return this.serialize(async () => {
      const left = this.id.leftCluster ?? null;
      if (!left) return null;
      await this.store.setLeftCluster(null);
      this.id = { ...this.id, leftCluster: null };
      this.log.info({ by, left: left.leader }, 'a leader is joining this node again: its pushes are taken from now on');
      return left.leader ?? by;
    });
  }

  /** Persists, then swaps in, then announces (queued): a crash before the swap leaves the old state on disk and in memory. */
  replace(next: ClusterState | ((state: ClusterState) => ClusterState), cause: string): Promise<void> {
    return this.serialize(async () => {
      const state = typeof next === 'function' ? next(this.current) : next;
      await this.store.saveState(state);
      this.swap(state, cause);
    });
  }

  /** In-memory only update (liveness), not worth a database write each heartbeat. */
  updateInMemory(next: ClusterState): void {
    this.current = next;
  }

  /**
   * Changes this node's role and installs the state `next` computes, in one queued step announced
   * once: listeners (the pusher) never see the new role with the old state, which could name
   * another leader.
   */
  changeRole(mode: WorkMode, next: (state: ClusterState) => ClusterState, why = ''): Promise<void> {
    return this.serialize(async () => {
      const state = next(this.current);
      if (mode === 'follower' && this.isLeader) this.recordStepDown(why || 'stepped down');
      await this.store.setWorkMode(mode);
      await this.store.saveState(state);
      this.id = { ...this.id, workMode: mode };
      this.swap(state, `role-${mode}`);
    });
  }

  /** Steps down to follower (its own entry in the state follows); no-op on a follower. */
  stepDown(why: string): Promise<void> {
    if (!this.isLeader) return Promise.resolve();
    const me = this.id.nodeCode;
    return this.changeRole('follower', (s) => ({ ...s, nodes: s.nodes.map((n) => (n.nodeCode === me ? { ...n, workMode: 'follower' as const } : n)) }), why);
  }

  private swap(next: ClusterState, cause: string): void {
    this.current = next;
    this.emit('changed', next, cause);
  }

  private recordStepDown(reason: string): void {
    const edits = this.journal.filter((e) => e.version > this.acked);
    this.journal = [];
    if (edits.length === 0) return;
    this.lost = { term: this.current.term, steppedDownAt: new Date().toISOString(), reason, edits };
    this.log.warn(
      { term: this.current.term, edits: edits.map((e) => `${e.cause}@v${e.version}`), reason },
      'stepped down with edits no follower acknowledged: they are not in the winning leader\'s state; re-apply them on the leader if still wanted',
    );
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

/** The identity fields of a node (or stored identity). */
function identityOf(n: Pick<ClusterNode, 'nodeCode' | 'nodeName' | 'nodeAddress' | 'workMode' | 'secret'>): Pick<Identity, 'nodeCode' | 'nodeName' | 'nodeAddress' | 'workMode' | 'secret'> {
  return { nodeCode: n.nodeCode, nodeName: n.nodeName, nodeAddress: n.nodeAddress, workMode: n.workMode, secret: n.secret };
}

/**
 * A node not in a cluster takes its identity from the config: its own entry (found by the stored
 * code) becomes the config's, keeping its liveness; services naming the old code name the new one.
 * Pure.
 */
export function adoptConfigIdentity(state: ClusterState, storedCode: string, fromConfig: ClusterNode): ClusterState {
  const mine = findNode(state, storedCode);
  const self = mine ? { ...fromConfig, statusCode: mine.statusCode, watchDog: mine.watchDog } : fromConfig;
  const others = state.nodes.filter((n) => n.nodeCode !== storedCode && n.nodeCode !== fromConfig.nodeCode);
  const rename = (code: string) => (code === storedCode ? fromConfig.nodeCode : code);
  return {
    ...state,
    nodes: [self, ...others],
    services: state.services.map((sv) => ({ ...sv, nodes: [...new Set(sv.nodes.map(rename))] })),
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
    log.warn(
      { keys: drift },
      'config differs from the stored node identity; this node is in a cluster, so the stored values are used: change them with "cocoasyncer node set <self> --address/--name" and "cocoasyncer secret rotate", or quit the cluster',
    );
  }
}
