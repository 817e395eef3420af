// Heartbeats: every node refreshes its own watchdog and pulls each peer's through `getClusterInfo`.
// Liveness is judged on this node's clock (when a peer's watchdog was last seen to advance), so
// clock skew between sites cannot make a live peer look dead; the peer's own watchdog is still
// what the v1 `watchDog` field shows.
import { describePeerReply } from './peer-reply.js';
import { EventEmitter } from 'node:events';
import { STATUS_DOWN, STATUS_UP, type ClusterNode } from '../model.js';
import type { Logger } from '../log.js';
import { createLiveness, creditStall, observe, peerStatus, planningLiveSet, retainPeers, statusCode, takeoverConfirmed, type LivenessState, type PeerReports } from './liveness.js';
import { shouldStepDown, claimOf, type LeaderClaim } from './leadership.js';
import { PeerError, type PeerClient } from './peer-client.js';
import { CLOCK_WARN_MS } from '../net/clock-offset.js';
import type { ClusterRuntime } from './runtime.js';
import { readPublishedAddresses, type PublishedAddresses } from './addresses.js';

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
  /** Down in this node's view, but its lines are held, not taken over: no majority confirms it down. */
  held: boolean;
  /** The peer's clock minus this node's, ms, as last measured (null before the first answer). */
  clockOffsetMs: number | null;
  /** The leadership claim in the peer's last answer. */
  claim: LeaderClaim | null;
}

export interface HeartbeatEvents {
  /** The set of nodes live for planning changed. */
  live: [live: ReadonlySet<string>];
  /** One heartbeat round finished. */
  tick: [];
  /** What some peer publishes (its addresses per line) changed. */
  addresses: [];
  /** A pull failed (for metrics). */
  pullFailed: [peer: string];
  /** A peer's clock went more than 30 s off this node's (`skewed`), or came back within (for notifications). */
  clock: [peer: string, offsetMs: number, skewed: boolean];
  /** A v2 peer's answer carried its latest service probe results (unvalidated; probe/board.ts reads them). */
  probes: [peer: string, results: unknown];
}

interface PeerRecord {
  watchDog: string | null;
  seenAtMs: number | null;
  stateVersion: number | null;
  viewOfMe: number | undefined;
  lastError: string | null;
  failures: number;
  /** The peer's report of every node's status (200/504) in its last answer, and when it came. */
  reports: Map<string, number> | null;
  reportsAtMs: number;
  claim: LeaderClaim | null;
  /** What the peer published in its last v2 answer; undefined: unknown (v1 peer, none yet). */
  addresses: PublishedAddresses | undefined;
}

export class Heartbeat extends EventEmitter<HeartbeatEvents> {
  private liveness: LivenessState;
  private readonly peers = new Map<string, PeerRecord>();
  private timer: NodeJS.Timeout | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private liveKey = '';
  private liveSet: ReadonlySet<string> = new Set();
  private heldSet: ReadonlySet<string> = new Set();
  private lastRecheckAt = 0;
  private readonly skewed = new Set<string>();
  private ownAddresses: () => PublishedAddresses | undefined = () => undefined;
  private addressesKey = '';

  constructor(
    private readonly runtime: ClusterRuntime,
    private readonly client: PeerClient,
    private readonly opts: { heartbeatMs: number; failAfterMs: number; recoverAfter: number },
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.liveness = createLiveness({ failAfterMs: opts.failAfterMs, recoverAfter: opts.recoverAfter });
    // Before the first round nothing is known: sit out (take over nothing), every peer held, and
    // stay live to itself (see recompute). Computed here, without announcing, so no reader ever
    // sees a live set without this node.
    const me = runtime.nodeCode;
    this.liveSet = new Set(runtime.state.nodes.map((n) => n.nodeCode).concat(me));
    this.heldSet = new Set(runtime.state.nodes.map((n) => n.nodeCode).filter((c) => c !== me));
  }

  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.timer.unref();
    // A peer goes stale with the clock, not only at a round's end: recheck often (pure and cheap),
    // so failover starts within a fraction of a second of the fail-after window, not a heartbeat later.
    const every = Math.min(250, this.opts.heartbeatMs);
    this.lastRecheckAt = this.now();
    this.recheck = setInterval(() => {
      this.creditOwnStall(every);
      this.recompute();
    }, every);
    this.recheck.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.recheck) clearInterval(this.recheck);
    this.timer = null;
    this.recheck = null;
    await this.running;
  }

  /** Nodes live for planning, this node included once its peers see it live, plus held nodes. */
  get live(): ReadonlySet<string> {
    return this.liveSet;
  }

  /** Peers down in this node's view whose lines are held (no majority confirms them down): subset of `live`. */
  get held(): ReadonlySet<string> {
    return this.heldSet;
  }

  /**
   * A starved event loop (this process could not run its timers) is not the peers' silence: when a
   * recheck tick comes much later than scheduled, the gap is credited to every peer.
   */
  private creditOwnStall(everyMs: number): void {
    const now = this.now();
    const gap = now - this.lastRecheckAt - everyMs;
    this.lastRecheckAt = now;
    if (gap < Math.max(1000, this.opts.heartbeatMs)) return;
    this.log.warn({ stallMs: gap }, 'this node\'s event loop stalled; the stall is not counted against its peers');
    this.liveness = creditStall(this.liveness, gap);
    for (const rec of this.peers.values()) if (rec.seenAtMs !== null) rec.seenAtMs += gap;
  }

  /** Where this node's own published addresses come from (its IP detection, DnsSync.published). */
  publishFrom(source: () => PublishedAddresses | undefined): void {
    this.ownAddresses = source;
  }

  /**
   * What a node publishes: this node's own from its detection, a peer's from its last v2 answer.
   * undefined: unknown (an original Go peer publishes nothing; a peer not heard yet): never down.
   */
  addressesOf(nodeCode: string): PublishedAddresses | undefined {
    if (nodeCode === this.runtime.nodeCode) return this.ownAddresses();
    return this.peers.get(nodeCode)?.addresses;
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
      held: this.heldSet.has(code),
      clockOffsetMs: this.clockOffsetOf(code),
      claim: rec.claim,
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
    this.noticeAddresses();
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
    const liveness = retainPeers(this.liveness, peers.map((p) => p.nodeCode));
    const live = planningLiveSet(liveness, me, views, now);
    // A peer down in my view whose downness no majority confirms (or that another peer still
    // reaches) is held: planned as if live, so nobody takes its lines over while it may be writing them.
    const held = new Set<string>();
    if (live.has(me)) {
      const voters = this.runtime.state.nodes.map((n) => n.nodeCode);
      const reports = this.freshReports(liveness, now);
      for (const p of peers) {
        if (live.has(p.nodeCode) || statusCode(liveness, p.nodeCode, now) !== STATUS_DOWN || liveness.peers.get(p.nodeCode) === undefined) continue;
        if (!takeoverConfirmed(voters, me, p.nodeCode, reports)) held.add(p.nodeCode);
      }
    } else {
      // Sitting out (a peer just joined or restarted, or this node is returning): this node takes
      // over nothing, so every peer is planned as live, held. It stays live to itself and keeps
      // serving its own lines: a peer standing in for them yields when it finds this node's value
      // (dns/stand-in.ts), so that never becomes a fight.
      for (const p of peers) if (!live.has(p.nodeCode)) held.add(p.nodeCode);
      live.add(me);
    }
    for (const code of held) live.add(code);
    const key = `${[...live].sort().join(',')}|${[...held].sort().join(',')}`;
    this.liveSet = live;
    this.heldSet = held;
    if (key !== this.liveKey) {
      this.liveKey = key;
      this.log.info({ live: [...live], held: [...held] }, 'cluster liveness changed');
      this.emit('live', live);
    }
    return live;
  }

  /** The status reports of peers that are fresh in my view and answered within the fail-after window. */
  private freshReports(liveness: LivenessState, now: number): PeerReports {
    const out = new Map<string, ReadonlyMap<string, number>>();
    for (const [code, rec] of this.peers) {
      if (!rec.reports || now - rec.reportsAtMs > this.opts.failAfterMs) continue;
      if (statusCode(liveness, code, now) !== STATUS_UP) continue;
      out.set(code, rec.reports);
    }
    return out;
  }

  private async pull(peer: ClusterNode): Promise<void> {
    const rec = this.recordOf(peer.nodeCode);
    const now = () => this.now();
    try {
      const { reply } = await this.client.post(peer, '/v1/getClusterInfo', () => ({}));
      if (reply.statusCode === 401) {
        // It answered: alive, whatever it thinks of our credentials (a clock it disagrees with, a
        // secret being rotated). No watchdog to read, so it counts as seen now, and nothing more.
        rec.lastError = `peer refused this node's request (401${typeof reply.message === 'string' ? `: ${reply.message}` : ''})`;
        this.markSeen(peer.nodeCode, rec);
        return;
      }
      if (reply.statusCode !== 200) throw new Error(reply.statusCode === 201 ? 'peer has not joined (201): it serves nothing until the leader pushes to it' : `peer answered ${describePeerReply(reply)}`);
      const basic = reply.cocoaBasic as { otherCocoaSyncer?: { nodeCode?: unknown; watchDog?: unknown; statusCode?: unknown; workMode?: unknown }[]; stateVersion?: unknown; term?: unknown } | undefined;
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
      rec.reports = new Map(list.filter((n) => typeof n.nodeCode === 'string' && typeof n.statusCode === 'number').map((n) => [n.nodeCode as string, n.statusCode as number]));
      rec.reportsAtMs = now();
      const leader = list.find((n) => n.workMode === 'leader' && typeof n.nodeCode === 'string');
      rec.claim = { leader: (leader?.nodeCode as string | undefined) ?? null, term: typeof basic?.term === 'number' ? basic.term : 0, version: rec.stateVersion ?? 0 };
      rec.addresses = readPublishedAddresses(reply.addresses);
      rec.lastError = null;
      this.liveness = observe(this.liveness, peer.nodeCode, new Date(rec.seenAtMs).toISOString(), now());
      this.checkLeadership(peer.nodeCode, rec.claim);
      this.checkClock(peer.nodeCode);
      if (reply.probes !== undefined) this.emit('probes', peer.nodeCode, reply.probes);
    } catch (err) {
      rec.failures += 1;
      const message = (err as Error).message;
      if (rec.lastError !== message) this.log.warn({ peer: peer.nodeCode, err: message }, 'heartbeat pull failed');
      rec.lastError = message;
      if (err instanceof PeerError && err.kind === 'local') {
        // This host could not even send (EMFILE, ENOMEM...): no evidence about the peer. One that
        // was live stays live; its lines are not taken over because of this node's own trouble.
        if (rec.seenAtMs !== null && statusCode(this.liveness, peer.nodeCode, now()) === STATUS_UP) this.markSeen(peer.nodeCode, rec);
        return;
      }
      // No new evidence: liveness keeps the last watchdog and lets it age; a failed pull never
      // counts toward a recovering peer's streak, and its old view of this node no longer holds.
      rec.viewOfMe = undefined;
      this.liveness = observe(this.liveness, peer.nodeCode, undefined, now());
      this.emit('pullFailed', peer.nodeCode);
    }
  }

  /** Emits `addresses` when what any peer publishes changed since the last round. */
  private noticeAddresses(): void {
    const key = JSON.stringify([...this.peers].map(([code, rec]) => [code, rec.addresses ?? null]).sort());
    if (key === this.addressesKey) return;
    this.addressesKey = key;
    this.emit('addresses');
  }

  /**
   * A node that just answered this node's join handshake (commands.join): it counts as heard now,
   * so its first heartbeat round is not needed to show it up (the badge right after a join).
   */
  heardFrom(code: string): void {
    const rec = this.recordOf(code);
    this.markSeen(code, rec);
    rec.watchDog = new Date(rec.seenAtMs!).toISOString();
    const me = this.runtime.nodeCode;
    const state = this.runtime.state;
    this.runtime.updateInMemory({ ...state, nodes: state.nodes.map((n) => (n.nodeCode === code && n.nodeCode !== me ? { ...n, statusCode: STATUS_UP, watchDog: rec.watchDog! } : n)) });
    this.recompute();
  }

  /** What this node knows of a peer, created empty (nothing heard yet) on first use. */
  private recordOf(code: string): PeerRecord {
    let rec = this.peers.get(code);
    if (!rec) {
      rec = { watchDog: null, seenAtMs: null, stateVersion: null, viewOfMe: undefined, lastError: null, failures: 0, reports: null, reportsAtMs: 0, claim: null, addresses: undefined };
      this.peers.set(code, rec);
    }
    return rec;
  }

  /** The peer answered, but with no watchdog to read: it counts as seen alive now, nothing more. */
  private markSeen(code: string, rec: PeerRecord): void {
    const now = this.now();
    rec.seenAtMs = now;
    this.liveness = observe(this.liveness, code, new Date(now).toISOString(), now);
  }

  /** The peer's clock minus this node's, ms, or null before its first answer. */
  clockOffsetOf(code: string): number | null {
    const node = this.runtime.state.nodes.find((n) => n.nodeCode === code);
    return node ? (this.client.clockOffset(node.nodeAddress)?.offsetMs ?? null) : null;
  }

  /** Warns once per peer when its clock is more than 30 s off (and once when it comes back within). */
  private checkClock(code: string): void {
    const offset = this.clockOffsetOf(code);
    if (offset === null) return;
    const skewed = Math.abs(offset) > CLOCK_WARN_MS;
    if (skewed === this.skewed.has(code)) return;
    if (skewed) {
      this.skewed.add(code);
      this.log.warn({ peer: code, clockOffsetSeconds: Math.round(offset / 100) / 10 }, 'peer clock differs by more than 30 s; requests are signed for its clock, but fix its time (NTP)');
    } else {
      this.skewed.delete(code);
      this.log.info({ peer: code }, 'peer clock within 30 s again');
    }
    this.emit('clock', code, offset, skewed);
  }

  /** A leader that hears a better claim (a newer term, or the winner of its own term) steps down. */
  private checkLeadership(peerCode: string, claim: LeaderClaim): void {
    const state = this.runtime.state;
    const order = state.nodes.map((n) => n.nodeCode);
    if (!shouldStepDown(this.runtime.workMode, claimOf(state), this.runtime.nodeCode, claim, order)) return;
    this.log.warn({ peer: peerCode, leader: claim.leader, term: claim.term, version: claim.version, ours: claimOf(state) }, 'another leader has the better claim; stepping down to follower');
    void this.runtime.stepDown(`${claim.leader} leads term ${claim.term} (heard through ${peerCode})`).catch((err: Error) => this.log.error({ err: err.message }, 'stepping down failed'));
  }
}
