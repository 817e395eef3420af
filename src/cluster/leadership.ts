// Leadership as pure decisions: who may push to whom, when a leader steps down, and which of two
// leaders wins when they meet. The runtime, pusher, heartbeat and the push route only carry the
// decisions out; every branch is table-tested in test/leadership.test.ts.
//
// Terms are fencing tokens (as in Raft): `promote` starts a new term, one above every term the new
// leader knows. Wherever two claims to leadership meet (a push, a push's refusal, a heartbeat
// answer), the claim with the higher term wins, then the one with the higher state version, then
// the leader that comes first in cluster order. Every node orders claims the same way, so two nodes
// that both believe they lead converge on one leader as soon as either hears the other.
import type { ClusterState, WorkMode } from '../model.js';

/** Someone's claim that `leader` leads the cluster at (`term`, `version`). */
export interface LeaderClaim {
  leader: string | null;
  term: number;
  version: number;
}

/** The code of the node the state names as leader, or null. */
export function leaderOf(state: Pick<ClusterState, 'nodes'>): string | null {
  return state.nodes.find((n) => n.workMode === 'leader')?.nodeCode ?? null;
}

/** The claim a state makes. */
export function claimOf(state: ClusterState): LeaderClaim {
  return { leader: leaderOf(state), term: state.term, version: state.version };
}

/**
 * Orders two claims: > 0 when `a` wins, < 0 when `b` wins, 0 when they are the same claim.
 * Higher term, then higher version, then the leader earlier in `order` (cluster order; a leader
 * missing from it sorts last, a null leader after every named one).
 */
export function compareClaims(a: LeaderClaim, b: LeaderClaim, order: readonly string[]): number {
  if (a.term !== b.term) return a.term - b.term;
  if (a.version !== b.version) return a.version - b.version;
  if (a.leader === b.leader) return 0;
  const rank = (code: string | null) => {
    if (code === null) return Number.MAX_SAFE_INTEGER;
    const i = order.indexOf(code);
    return i < 0 ? Number.MAX_SAFE_INTEGER - 1 : i;
  };
  return rank(b.leader) - rank(a.leader);
}

/** What a node knows about itself when a push arrives. */
export interface LocalView {
  me: string;
  role: WorkMode;
  /** This node's state's claim (its leader, term and version). */
  claim: LeaderClaim;
  /** Whether it has joined a cluster (more than itself in its node list). */
  joined: boolean;
  /** Cluster order, for tie-breaks. */
  order: readonly string[];
}

/** A push as the receiver sees it. */
export interface IncomingPush {
  /** The authenticated sender (protocol v2), or undefined for a v1 push (the Go leader). */
  from: string | undefined;
  /** The pushed state's claim. `term` is undefined when the push carries none (v1). */
  claim: { leader: string | null; term: number | undefined; version: number };
  /** Whether the push carries a state version (v2, or a v1 push from one of ours). */
  versioned: boolean;
  /** Whether the pushed node list includes the receiver. */
  listsMe: boolean;
}

/** Why a push is refused; `left-cluster`: this node left its cluster and no leader has joined it again. */
export type PushRefusal = 'stale' | 'excludes-self' | 'not-leader' | 'older-term' | 'is-leader' | 'left-cluster';

export type PushDecision =
  | { accept: true; stepDown: boolean }
  | { accept: false; reason: PushRefusal };

/**
 * Whether a node applies a pushed state, and whether doing so makes it step down.
 * - A push must list the receiver, and a signed (v2) push must come from the node it names leader.
 * - A v1 push (no sender, no term) keeps the original's rule: a leader refuses it (405), a follower
 *   takes it unless it is older than what it holds.
 * - With terms: an older term is refused (the reply tells the sender the newer term, and it steps
 *   down); a newer term is taken from anyone with the secret — that is how a promotion reaches
 *   every node, including an old leader that was away. Within one term a push from a node other
 *   than this node's leader wins only if its claim beats the current one (two leaders in a term).
 */
export function decidePush(local: LocalView, push: IncomingPush): PushDecision {
  if (!push.listsMe) return { accept: false, reason: 'excludes-self' };
  if (push.from !== undefined && push.claim.leader !== push.from) return { accept: false, reason: 'not-leader' };
  if (push.claim.term === undefined) {
    if (local.role === 'leader') return { accept: false, reason: 'is-leader' };
    if (push.versioned && push.claim.version < local.claim.version) return { accept: false, reason: 'stale' };
    return { accept: true, stepDown: false };
  }
  const theirs: LeaderClaim = { leader: push.claim.leader, term: push.claim.term, version: push.claim.version };
  // A follower on its own (never joined, or it left) takes the first push of whatever cluster joins
  // it: terms only compare within one cluster's history.
  if (!local.joined && local.role !== 'leader') return { accept: true, stepDown: false };
  if (theirs.term < local.claim.term) return { accept: false, reason: 'older-term' };
  const rival = local.role === 'leader' || (local.joined && push.claim.leader !== local.claim.leader);
  if (theirs.term === local.claim.term && rival) {
    // Two claims in one term (e.g. two promotions from the same term): the better claim wins.
    if (compareClaims(theirs, local.claim, local.order) <= 0) return { accept: false, reason: local.role === 'leader' ? 'is-leader' : 'not-leader' };
  }
  if (push.versioned && theirs.term === local.claim.term && theirs.version < local.claim.version) return { accept: false, reason: 'stale' };
  return { accept: true, stepDown: local.role === 'leader' };
}

/** What a leader does after a follower refused its push, from the refusal's claim. */
export type PushReplyAction = 'step-down' | 'bump-version' | 'retry';

/**
 * A follower refused this leader's push and told its own claim. The leader steps down when the
 * follower follows a better claim (another leader in a newer term, or one that wins the same
 * term); when the follower holds a newer version of this very leader's term (a database restored
 * from a backup), the leader moves its version past it; anything else proves nothing (retry).
 */
export function decideOnRefusal(mine: LeaderClaim, me: string, theirs: LeaderClaim, order: readonly string[]): PushReplyAction {
  if (theirs.leader !== null && theirs.leader !== me && compareClaims(theirs, mine, order) > 0) return 'step-down';
  if ((theirs.leader === me || theirs.leader === null) && theirs.term === mine.term && theirs.version >= mine.version) return 'bump-version';
  return 'retry';
}

/**
 * A heartbeat answer showed a peer's claim. A leader steps down when the peer names another leader
 * with a better claim (the peer leads itself, or follows a leader of a newer term). This is what
 * makes two leaders converge within one heartbeat of hearing each other: both compute the same
 * order, so exactly one of them steps down.
 */
export function shouldStepDown(role: WorkMode, mine: LeaderClaim, me: string, peer: LeaderClaim, order: readonly string[]): boolean {
  if (role !== 'leader' || peer.leader === null || peer.leader === me) return false;
  return compareClaims(peer, mine, order) > 0;
}

/** The term a node starts when it is promoted: one above every term it knows. */
export function nextTerm(...known: number[]): number {
  return Math.max(0, ...known) + 1;
}
