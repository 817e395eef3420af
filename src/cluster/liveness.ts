// Liveness of peers, as one node sees it: a pure state machine fed by the heartbeat loop.
//
// Two different answers come out of the same observations:
// - the v1 status code (`statusCode`, 200/504) — exactly the original's rule: 504 when
//   `now - watchDog > failAfter`, the watchdog being the peer's own last refresh time as the peer
//   reported it. The status page shows it.
// - "live for planning" — what the failover planner is fed. A peer that was down becomes live for
//   planning again only after `recoverAfter` consecutive fresh observations, so a peer whose
//   watchdog hovers around the edge, or views that differ for a heartbeat or two, do not move
//   records back and forth. Going down needs no extra hysteresis: failAfter already is one.
//   `reportedStatusCode` is the same thing as a status code: 504 also while a peer recovers.
//
// And one rule about myself (`liveForPlanning`): the calm-recovery rule, explained there.
//
// How the heartbeat loop uses this, once per round:
//   for each peer p:  reply = pull(p) (undefined when the pull fails)
//                     state = observe(state, p, reply?.nodes[p].watchDog, now)
//                     viewsOfMe.set(p, reply?.nodes[me]?.statusCode)       // undefined when unknown
//   live = planningLiveSet(state, me, viewsOfMe, now)
//   plan = planServing({ nodes, live, me })
// then write exactly that plan's records, in the same iteration: a plan computed before the round
// could be one made while cut off ("everyone else is dead"), and writing it after the uplink comes
// back would fight. In getClusterInfo answers, the statusCode this node gives for each other node
// should be reportedStatusCode, taken from the last *completed* round (so what it says and what it
// does never disagree). v1 peers ignore that field — each keeps its own view — so this stays
// wire-compatible; v2 peers feed it into their viewsOfMe.

// Timing: failAfterMs must be several heartbeat intervals (v1: 10 min against 30 s). An
// observation that finds the previous watchdog already stale counts as a down period, so with
// failAfterMs below the interval a peer would never settle.

import { STATUS_DOWN, STATUS_UP } from '../model.js';

export type StatusCode = typeof STATUS_UP | typeof STATUS_DOWN;

export const DEFAULT_RECOVER_AFTER = 2;

export interface LivenessConfig {
  /** A peer whose watchdog is older than this is down (504). */
  readonly failAfterMs: number;
  /** Consecutive fresh observations a down peer needs to be live for planning again. */
  readonly recoverAfter: number;
}

/** What one node knows about one peer. */
export interface PeerLiveness {
  /** The peer's watchdog (its own last refresh, ms since epoch) as last reported; null if never
   *  received or never parseable. */
  readonly watchDogMs: number | null;
  /** When this node last tried to observe the peer. */
  readonly observedAtMs: number;
  /** When this node first tried to observe the peer (a peer never heard fresh is unknown, not
   *  dead, until it has been silent for failAfterMs since then). */
  readonly sinceMs: number;
  /** Consecutive fresh observations since the peer was last seen down (0 while down). */
  readonly freshStreak: number;
  /** The hysteresis flag; read it through isPeerLiveForPlanning, which also applies the clock. */
  readonly settled: boolean;
}

export interface LivenessState {
  readonly config: LivenessConfig;
  /** Only peers observed at least once. */
  readonly peers: ReadonlyMap<string, PeerLiveness>;
}

export function createLiveness(options: { failAfterMs: number; recoverAfter?: number }): LivenessState {
  const recoverAfter = options.recoverAfter ?? DEFAULT_RECOVER_AFTER;
  if (!(Number.isFinite(options.failAfterMs) && options.failAfterMs > 0)) {
    throw new RangeError(`failAfterMs must be a positive number, got ${options.failAfterMs}`);
  }
  if (!(Number.isInteger(recoverAfter) && recoverAfter >= 1)) {
    throw new RangeError(`recoverAfter must be an integer >= 1, got ${recoverAfter}`);
  }
  return { config: { failAfterMs: options.failAfterMs, recoverAfter }, peers: new Map() };
}

/** The v1 rule: fresh unless `now - watchDog > failAfter`. No watchdog at all is not fresh. A
 *  watchdog in the future (the peer's clock is ahead) is fresh, as in v1. */
export function isFresh(watchDogMs: number | null, nowMs: number, failAfterMs: number): boolean {
  return watchDogMs !== null && nowMs - watchDogMs <= failAfterMs;
}

function parseWatchDog(iso: string | null | undefined): number | null {
  if (iso === undefined || iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Record one observation of a peer: `watchDogIso` is the watchdog it reported this round, or
 * undefined/null when it could not be reached (an unparseable value counts as not reached). The
 * last known watchdog is kept, so an unreachable peer goes down exactly when that watchdog goes
 * stale, as in v1. Returns a new state; the old one is untouched.
 */
export function observe(
  state: LivenessState,
  peerCode: string,
  watchDogIso: string | null | undefined,
  nowMs: number,
): LivenessState {
  const { failAfterMs, recoverAfter } = state.config;
  const prev = state.peers.get(peerCode);
  const reported = parseWatchDog(watchDogIso);
  const watchDogMs = reported ?? prev?.watchDogMs ?? null;

  const sinceMs = prev?.sinceMs ?? nowMs;
  let next: PeerLiveness;
  if (!isFresh(watchDogMs, nowMs, failAfterMs)) {
    next = { watchDogMs, observedAtMs: nowMs, sinceMs, freshStreak: 0, settled: false };
  } else if (reported === null) {
    // Not reached, but what we last heard is still fresh: no new evidence either way. (prev is
    // defined here, since a fresh watchdog must have come from somewhere.)
    next = { ...prev!, observedAtMs: nowMs };
  } else if (prev === undefined || prev.watchDogMs === null) {
    // First fresh sight (maybe after failed first tries, e.g. a follower not yet pushed to): we
    // never saw it up and then down, so there is nothing to recover from. This is what keeps a
    // restarted or newly joined node from treating every healthy peer as a returning one.
    next = { watchDogMs, observedAtMs: nowMs, sinceMs, freshStreak: 1, settled: true };
  } else {
    // If what we knew before had gone stale by now, the peer was down in between, even if no
    // observation happened to land in that gap: start the count again.
    const wasDownSince = !isFresh(prev.watchDogMs, nowMs, failAfterMs);
    const freshStreak = (wasDownSince ? 0 : prev.freshStreak) + 1;
    const settled = (prev.settled && !wasDownSince) || freshStreak >= recoverAfter;
    next = { watchDogMs, observedAtMs: nowMs, sinceMs, freshStreak, settled };
  }
  const peers = new Map(state.peers);
  peers.set(peerCode, next);
  return { config: state.config, peers };
}

/** Drop peers that are no longer in the cluster (keep only `keep`). */
export function retainPeers(state: LivenessState, keep: Iterable<string>): LivenessState {
  const wanted = new Set(keep);
  return { config: state.config, peers: new Map([...state.peers].filter(([code]) => wanted.has(code))) };
}

/** The v1 status code of a peer: 504 when its watchdog is stale or was never seen. */
export function statusCode(state: LivenessState, peerCode: string, nowMs: number): StatusCode {
  const peer = state.peers.get(peerCode);
  return peer !== undefined && isFresh(peer.watchDogMs, nowMs, state.config.failAfterMs) ? STATUS_UP : STATUS_DOWN;
}

/** Whether a peer is live for planning: fresh now, and settled (not still recovering). */
export function isPeerLiveForPlanning(state: LivenessState, peerCode: string, nowMs: number): boolean {
  const peer = state.peers.get(peerCode);
  return peer !== undefined && peer.settled && isFresh(peer.watchDogMs, nowMs, state.config.failAfterMs);
}

/**
 * The status to tell peers about `peerCode` (getClusterInfo answers): 200 only when it is live
 * for planning here. It differs from statusCode only while a peer is recovering (fresh but not
 * yet settled), and only v2 nodes read it: a v1 peer keeps its own view of every node's status
 * and ignores the one it is sent. Reporting this rather than the raw status is what makes a
 * returning node wait out its peers' hysteresis (see liveForPlanning).
 */
export function reportedStatusCode(state: LivenessState, peerCode: string, nowMs: number): StatusCode {
  return isPeerLiveForPlanning(state, peerCode, nowMs) ? STATUS_UP : STATUS_DOWN;
}

/** What the status page shows about a peer. */
export interface PeerStatus {
  nodeCode: string;
  statusCode: StatusCode;
  liveForPlanning: boolean;
  /** Fresh but still inside the recovery hysteresis. */
  recovering: boolean;
  freshStreak: number;
  watchDogMs: number | null;
}

export function peerStatus(state: LivenessState, peerCode: string, nowMs: number): PeerStatus {
  const peer = state.peers.get(peerCode);
  const code = statusCode(state, peerCode, nowMs);
  const live = isPeerLiveForPlanning(state, peerCode, nowMs);
  return {
    nodeCode: peerCode,
    statusCode: code,
    liveForPlanning: live,
    recovering: code === STATUS_UP && !live,
    freshStreak: peer?.freshStreak ?? 0,
    watchDogMs: peer?.watchDogMs ?? null,
  };
}

/**
 * Whether I (`me`) count myself live for planning — i.e. may write any record at all, my own
 * lines or takeovers. `peerViewsOfMe` has an entry for every peer in the cluster: the status code
 * that peer reported for me this round, or undefined when it could not be asked (or does not list
 * me).
 *
 * I am live for planning when:
 * - every peer has been observed at least once (before the first heartbeat round I know nothing,
 *   and "no live peers" would wrongly make me take over everybody's lines);
 * - and every peer I reached this round and hear as fresh both reports me as 200 and is settled
 *   in my own view (not mid-recovery). Peers I did not reach cannot be asked; peers I hear as
 *   down are the ones whose lines I may be standing in for.
 * A node with no peers (a one-node cluster, including at cold start) is live at once.
 *
 * Why each record moves at most twice over a failure and recovery, and never has two writers
 * (assuming peers report `reportedStatusCode`, and each node's reported status and its plan come
 * from the same completed round):
 * - Failure of M: no peer can reach M, so nobody waits for M's word. Once M's watchdog is stale
 *   at a peer, M leaves that peer's live set and the first eligible live node T takes M's pairs:
 *   move 1. M, being dead, does not write. All survivors agree on T because they agree on each
 *   other.
 * - Recovery of M: a peer P that reaches M again sees M fresh but unsettled; while that lasts P
 *   reports M as 504 and P itself sits out (it hears a peer it has not settled on). Nobody writes
 *   M's pairs, which therefore keep T's address: no move. M sits out too, because P reports it
 *   504. Only after P has counted `recoverAfter` fresh observations does P settle M: in that same
 *   round P's plan hands M's pairs back (P stops writing them) and P starts reporting M as 200.
 *   M writes its pairs only after every peer it hears reports 200 — i.e. after every one of them
 *   has already let go: move 2, and one writer at a time. If M flaps before that, the peers'
 *   counts restart and T simply goes on writing the value the record already has.
 * - Views that differ (P settled M a heartbeat before Q did) only add sitting out, never a second
 *   writer: a node writes only when every peer it hears agrees it is live and is settled itself.
 * - Why "every peer I hear", not only the peers already live for planning: when a partition heals
 *   (or a site's uplink returns with the process still running) each side has the other down and
 *   recovering. Asking only settled peers, each side would find nobody to ask, count itself live
 *   and go on writing the other side's lines for `recoverAfter` more rounds: a fight. Asking every
 *   peer heard makes both sides sit out until they have settled on each other.
 * - Why the returning node waits for its peers' *reported* (hysteresis-aware) status rather than
 *   the raw v1 one: with the raw status M would reclaim as soon as P first sees it fresh, so an M
 *   that dies again a moment later has moved its records twice more. Safety does not depend on it
 *   (a peer that has not settled on M sits out), only calm does.
 * Limits: a network partition in which two nodes cannot hear each other at all leaves each side
 * believing the other dead, and both sides write (there is no quorum); and when a peer stops
 * hearing a node that still hears it, they overlap until that node's next round.
 */
export function liveForPlanning(
  state: LivenessState,
  me: string,
  peerViewsOfMe: ReadonlyMap<string, number | undefined>,
  nowMs: number,
): boolean {
  for (const [peerCode, viewOfMe] of peerViewsOfMe) {
    if (peerCode === me) continue;
    const peer = state.peers.get(peerCode);
    if (peer === undefined) return false;
    // Never heard fresh and not yet silent for a whole fail-after window: unknown, not dead (a
    // follower that was just joined, a peer still starting). Planning now would take its lines
    // while it may be about to write them itself.
    if (peer.watchDogMs === null && nowMs - peer.sinceMs <= state.config.failAfterMs) return false;
    if (viewOfMe === undefined) continue;
    if (!isFresh(peer.watchDogMs, nowMs, state.config.failAfterMs)) continue;
    if (!peer.settled || viewOfMe !== STATUS_UP) return false;
  }
  return true;
}

/** The live set to hand the planner: peers live for planning, plus me if liveForPlanning. */
export function planningLiveSet(
  state: LivenessState,
  me: string,
  peerViewsOfMe: ReadonlyMap<string, number | undefined>,
  nowMs: number,
): Set<string> {
  const live = new Set<string>();
  for (const peerCode of state.peers.keys()) {
    if (peerCode !== me && isPeerLiveForPlanning(state, peerCode, nowMs)) live.add(peerCode);
  }
  if (liveForPlanning(state, me, peerViewsOfMe, nowMs)) live.add(me);
  return live;
}

/** What one peer, heard fresh recently, reported about every node (200 / 504), from its last answer. */
export type PeerReports = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * Whether this node may treat `suspect` (down in its own view) as down for takeover.
 *
 * With three or more voting nodes (every node in the cluster votes, a `None` witness included), a
 * majority of them, this node included, must see the suspect down, and any peer heard recently that
 * still reaches it (reports it 200) vetoes: when only the link between two nodes is cut and a third
 * sees both, neither of the two takes the other's lines. A node cut off from everyone can never
 * gather a majority, so it keeps its own lines and takes over nothing. With two voting nodes there
 * is no majority to ask: silence is enough (the DNS stand-in rule keeps that from becoming a fight).
 *
 * `reports` holds only peers whose answers are fresh (heard within the fail-after window); a peer
 * that does not list the suspect counts as neither vote nor veto.
 */
export function takeoverConfirmed(voters: readonly string[], me: string, suspect: string, reports: PeerReports): boolean {
  const voting = new Set(voters);
  if (voting.size <= 2) return true;
  let down = voting.has(me) ? 1 : 0;
  for (const [peer, view] of reports) {
    if (peer === me || peer === suspect || !voting.has(peer)) continue;
    const seen = view.get(suspect);
    if (seen === STATUS_UP) return false;
    if (seen !== undefined) down += 1;
  }
  return down > voting.size / 2;
}

/**
 * Credits a stall of this node's own (a starved event loop, local resource errors) to every peer:
 * time this node could not observe is not time the peer was silent. Peers fresh before the stall
 * stay fresh by `stallMs` longer; nothing else changes.
 */
export function creditStall(state: LivenessState, stallMs: number): LivenessState {
  if (!(stallMs > 0)) return state;
  const peers = new Map<string, PeerLiveness>();
  for (const [code, p] of state.peers) {
    peers.set(code, p.watchDogMs === null ? p : { ...p, watchDogMs: p.watchDogMs + stallMs, sinceMs: p.sinceMs + stallMs });
  }
  return { config: state.config, peers };
}
