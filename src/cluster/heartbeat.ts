// Heartbeats: every node refreshes its own watchdog and pulls each peer's through `getClusterInfo`.
// Liveness is judged on this node's clock (when a peer's watchdog was last seen to advance), so
// clock skew between sites cannot make a live peer look dead; the peer's own watchdog is still
// what the v1 `watchDog` field shows.
import { EventEmitter } from 'node:events';
import { STATUS_DOWN, STATUS_UP, type ClusterNode } from '../model.js';
import type { Logger } from '../log.js';
import { createLiveness, observe, peerStatus, planningLiveSet, retainPeers, type LivenessState } from './liveness.js';
import type { PeerClient } from './peer-client.js';
import type { ClusterRuntime } from './runtime.js';

export interface PeerView {
  nodeCode: string;
  /** As this node reports it on the wire: 200 live (settled), 504 down or not yet recovered. */
  statusCode: number;
  /** The peer's own watchdog as last reported, ISO. */
  watchDog: string | null;
  /** This node's clock: ms since the peer was last seen alive (null: never). */
  ageMs: number | null;
  recovering: boolean;
  /** State version the peer reported applying. */
  stateVersion: number | null;
  /** The peer's view of this node (200/504), when it answered. */
  viewOfMe: number | undefined;
  lastError: string | null;
  failures: number;
}

export interface HeartbeatEvents {
  /** The set of nodes live for planning changed. */
  live: [live: ReadonlySet<string>];
  /** One heartbeat round finished. */
  tick: [];
  /** A pull failed (for metrics). */
  pullFailed: [peer: string];
}

interface PeerRecord {
  watchDog: string | null;
  seenAtMs: number | null;
  stateVersion: number | null;
  viewOfMe: number | undefined;
  lastError: string | null;
  failures: number;
}

export class Heartbeat extends EventEmitter<HeartbeatEvents> {
  private liveness: LivenessState;
  private readonly peers = new Map<string, PeerRecord>();
  private timer: NodeJS.Timeout | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private liveKey = '';
  private liveSet: ReadonlySet<string> = new Set();

  constructor(
    private readonly runtime: ClusterRuntime,
    private readonly client: PeerClient,
    private readonly opts: { heartbeatMs: number; failAfterMs: number; recoverAfter: number },
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.liveness = createLiveness({ failAfterMs: opts.failAfterMs, recoverAfter: opts.recoverAfter });
  }

  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.timer.unref();
    // A peer goes stale with the clock, not only at a round's end: recheck often (pure and cheap),
    // so failover starts within a fraction of a second of the fail-after window, not a heartbeat later.
    this.recheck = setInterval(() => this.recompute(), Math.min(250, this.opts.heartbeatMs));
    this.recheck.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.recheck) clearInterval(this.recheck);
    this.timer = null;
    this.recheck = null;
    await this.running;
  }

  /** Nodes live for planning, this node included once its peers see it live. */
  get live(): ReadonlySet<string> {
    return this.liveSet;
  }

  view(code: string): PeerView | null {
    const rec = this.peers.get(code);
    if (!rec) return null;
    const now = this.now();
    const status = peerStatus(this.liveness, code, now);
    return {
      nodeCode: code,
      statusCode: status.liveForPlanning ? STATUS_UP : STATUS_DOWN,
      watchDog: rec.watchDog,
      ageMs: rec.seenAtMs === null ? null : now - rec.seenAtMs,
      recovering: status.recovering,
      stateVersion: rec.stateVersion,
      viewOfMe: rec.viewOfMe,
      lastError: rec.lastError,
      failures: rec.failures,
    };
  }

  /**
   * Feeds this node's own watchdog at once, then runs a pull round unless one is still running:
   * rounds never overlap, and a slow peer never holds back this node's own watchdog (else peers
   * would see it stale and take its lines while it is alive).
   */
  beat(): Promise<void> {
    this.feedSelf();
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private feedSelf(): void {
    const me = this.runtime.nodeCode;
    const state = this.runtime.state;
    const nowIso = new Date(this.now()).toISOString();
    this.runtime.updateInMemory({ ...state, nodes: state.nodes.map((n) => (n.nodeCode === me ? { ...n, statusCode: STATUS_UP, watchDog: nowIso } : n)) });
  }

  private async round(): Promise<void> {
    const me = this.runtime.nodeCode;
    const peers = this.runtime.state.nodes.filter((n) => n.nodeCode !== me);
    this.liveness = retainPeers(this.liveness, peers.map((p) => p.nodeCode));
    for (const code of this.peers.keys()) if (!peers.some((p) => p.nodeCode === code)) this.peers.delete(code);

    await Promise.all(peers.map((peer) => this.pull(peer)));

    const now = this.now();
    const state = this.runtime.state;
    this.runtime.updateInMemory({
      ...state,
      nodes: state.nodes.map((n) => {
        if (n.nodeCode === me) return n;
        const rec = this.peers.get(n.nodeCode);
        const status = peerStatus(this.liveness, n.nodeCode, now);
        return { ...n, statusCode: status.liveForPlanning ? STATUS_UP : STATUS_DOWN, watchDog: rec?.watchDog ?? n.watchDog };
      }),
    });

    this.recompute(now);
    this.emit('tick');
  }

  /**
   * Recomputes who is live for planning from what is known now. Called after every round, and at
   * once when the node list changes (a join, a quit, a push): a live set computed for the old list
   * must never be applied to the new one, where a just-joined peer is unknown, not dead.
   */
  recompute(now = this.now()): ReadonlySet<string> {
    const me = this.runtime.nodeCode;
    const peers = this.runtime.state.nodes.filter((n) => n.nodeCode !== me);
    const views = new Map<string, number | undefined>(peers.map((p) => [p.nodeCode, this.peers.get(p.nodeCode)?.viewOfMe]));
    const live = planningLiveSet(retainPeers(this.liveness, peers.map((p) => p.nodeCode)), me, views, now);
    const key = [...live].sort().join(',');
    this.liveSet = live;
    if (key !== this.liveKey) {
      this.liveKey = key;
      this.log.info({ live: [...live] }, 'cluster liveness changed');
      this.emit('live', live);
    }
    return live;
  }

  private async pull(peer: ClusterNode): Promise<void> {
    const rec: PeerRecord = this.peers.get(peer.nodeCode) ?? { watchDog: null, seenAtMs: null, stateVersion: null, viewOfMe: undefined, lastError: null, failures: 0 };
    this.peers.set(peer.nodeCode, rec);
    const now = () => this.now();
    try {
      const { reply } = await this.client.post(peer, '/v1/getClusterInfo', () => ({}));
      if (reply.statusCode !== 200) throw new Error(reply.statusCode === 201 ? 'peer has not joined (201): it serves nothing until the leader pushes to it' : `peer answered ${reply.statusCode} ${reply.statusString}`);
      const basic = reply.cocoaBasic as { otherCocoaSyncer?: { nodeCode?: unknown; watchDog?: unknown; statusCode?: unknown }[]; stateVersion?: unknown } | undefined;
      const list = Array.isArray(basic?.otherCocoaSyncer) ? basic.otherCocoaSyncer : [];
      const entry = list.find((n) => n.nodeCode === peer.nodeCode);
      const mine = list.find((n) => n.nodeCode === this.runtime.nodeCode);
      const reported = typeof entry?.watchDog === 'string' ? entry.watchDog : null;
      // Judge on this node's clock: the peer is alive now if its watchdog moved since last time.
      const advanced = reported !== null && reported !== rec.watchDog;
      if (advanced || rec.seenAtMs === null) rec.seenAtMs = now();
      rec.watchDog = reported ?? rec.watchDog;
      rec.viewOfMe = typeof mine?.statusCode === 'number' ? mine.statusCode : undefined;
      rec.stateVersion = typeof basic?.stateVersion === 'number' ? basic.stateVersion : rec.stateVersion;
      rec.lastError = null;
      this.liveness = observe(this.liveness, peer.nodeCode, new Date(rec.seenAtMs).toISOString(), now());
    } catch (err) {
      rec.failures += 1;
      const message = (err as Error).message;
      if (rec.lastError !== message) this.log.warn({ peer: peer.nodeCode, err: message }, 'heartbeat pull failed');
      rec.lastError = message;
      // No new evidence: liveness keeps the last watchdog and lets it age; a failed pull never
      // counts toward a recovering peer's streak, and its old view of this node no longer holds.
      rec.viewOfMe = undefined;
      this.liveness = observe(this.liveness, peer.nodeCode, undefined, now());
      this.emit('pullFailed', peer.nodeCode);
    }
  }
}
