// The leader pushes the cluster state to every follower: at once on every change, and periodically
// as anti-entropy. Each follower has its own in-flight push and its own retry backoff, so an
// unreachable follower delays nobody else.
import { describePeerReply } from './peer-reply.js';
import { EventEmitter } from 'node:events';
import type { ClusterNode, ClusterState } from '../model.js';
import type { Logger } from '../log.js';
import { sealAccessSecret, sealNodeSecret, sealNotifierField } from './push-secrets.js';
import { toWireNotifiers } from '../notify/wire.js';
import type { PeerClient, Protocol } from './peer-client.js';
import type { ClusterRuntime } from './runtime.js';
import { claimOf, decideOnRefusal } from './leadership.js';
import { CLEAR, forV1Follower, toV1Clouds, toV1Nodes, type SecretWriter } from './wire-v1.js';

export interface FollowerPushStatus {
  nodeCode: string;
  appliedVersion: number | null;
  lastPushAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  attempts: number;
  failures: number;
  protocol: Protocol | null;
}

export interface PusherEvents {
  pushed: [nodeCode: string, ok: boolean];
}

interface FollowerState extends FollowerPushStatus {
  inFlight: boolean;
  again: boolean;
  retryTimer: NodeJS.Timeout | null;
  consecutiveFailures: number;
}

/**
 * The body of a push to `follower`: secrets sealed for it on v2, clear on v1 (V1Compat only);
 * notifiers (webhook URLs and signing secrets sealed) on v2 only. On v1
 * the follower's own entry carries status 200 and a watchdog no older than `landsByMs` (ms since the
 * epoch: when the push is stored at the latest), since a Go follower stores it as its own (see
 * forV1Follower).
 */
export function pushBody(state: ClusterState, follower: ClusterNode, protocol: Protocol, landsByMs = Date.now()): Record<string, unknown> {
  const writer: SecretWriter =
    protocol === 'v1'
      ? CLEAR
      : (value, field, owner) =>
          field === 'cocoaSecret'
            ? sealNodeSecret(value, follower.secret, follower.nodeCode, owner)
            : field === 'accessSecret'
              ? sealAccessSecret(value, follower.secret, follower.nodeCode, owner)
              : value;
  return {
    cocoaBasic: {
      otherCocoaSyncer: protocol === 'v1' ? forV1Follower(toV1Nodes(state, writer), follower.nodeCode, landsByMs) : toV1Nodes(state, writer),
      cocoaManagedService: state.services,
      cloudPlatformInfo: toV1Clouds(state, writer),
      stateVersion: state.version,
      term: state.term,
      // A CocoaSyncer 2 extension: never sent to a v1 (Go) follower, whose wire has no place for it.
      ...(protocol === 'v1' ? {} : { notifiers: toWireNotifiers(state.notifiers, (value, field, owner) => sealNotifierField(value, field, follower.secret, follower.nodeCode, owner)) }),
      // v2 only: a Go follower has no use for it.
      ...(protocol === 'v2' && state.handOffs?.length ? { handOffs: state.handOffs } : {}),
    },
  };
}

export class Pusher extends EventEmitter<PusherEvents> {
  private readonly followers = new Map<string, FollowerState>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly runtime: ClusterRuntime,
    private readonly client: PeerClient,
    private readonly opts: { pushMs: number; maxBackoffMs?: number },
    private readonly log: Logger,
  ) {
    super();
  }

  /** Starts the anti-entropy timer and pushes now; the node reactor calls pushAll() on every state change. */
  start(): void {
    this.stopped = false;
    this.schedule();
    this.pushAll();
  }

  /**
   * The next anti-entropy push, `pushMs` ± 10 % (jitter): a fixed period can fall into step with a
   * Go follower's own 30 s read-modify-write feed, which then undoes every push that lands mid-feed.
   */
  private schedule(): void {
    if (this.stopped) return;
    const delay = this.opts.pushMs * (0.9 + Math.random() * 0.2);
    this.timer = setTimeout(() => {
      this.pushAll();
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const f of this.followers.values()) if (f.retryTimer) clearTimeout(f.retryTimer);
  }

  /** Per-follower push state; empty on a follower (a node that stepped down pushes nothing). */
  status(): FollowerPushStatus[] {
    if (!this.runtime.isLeader) return [];
    return [...this.followers.values()].map(({ inFlight: _i, again: _a, retryTimer: _r, consecutiveFailures: _c, ...s }) => s);
  }

  /** Pushes the current state to every follower now (no-op on a follower node). */
  pushAll(): void {
    if (this.stopped) return;
    if (!this.runtime.isLeader) return this.forget();
    const me = this.runtime.nodeCode;
    const codes = new Set<string>();
    for (const node of this.runtime.state.nodes) {
      if (node.nodeCode === me) continue;
      codes.add(node.nodeCode);
      void this.pushTo(node.nodeCode);
    }
    for (const [code, f] of this.followers) {
      if (!codes.has(code)) {
        if (f.retryTimer) clearTimeout(f.retryTimer);
        this.followers.delete(code);
      }
    }
  }

  /** Pushes to one follower; resolves when that push (and any queued re-push) is done. */
  async pushTo(code: string): Promise<boolean> {
    if (!this.runtime.isLeader) {
      this.forget();
      return false;
    }
    const f = this.follower(code);
    if (f.inFlight) {
      // A change arrived mid-push: push once more afterwards with the newest state.
      f.again = true;
      return false;
    }
    f.inFlight = true;
    let ok = false;
    try {
      do {
        f.again = false;
        ok = await this.pushOnce(f);
      } while (f.again && !this.stopped && this.runtime.isLeader);
    } finally {
      f.inFlight = false;
    }
    return ok;
  }

  /** A follower pushes nothing: pending retries end and old push errors no longer describe anything. */
  private forget(): void {
    for (const f of this.followers.values()) if (f.retryTimer) clearTimeout(f.retryTimer);
    this.followers.clear();
  }

  private follower(code: string): FollowerState {
    let f = this.followers.get(code);
    if (!f) {
      f = { nodeCode: code, appliedVersion: null, lastPushAt: null, lastSuccessAt: null, lastError: null, attempts: 0, failures: 0, protocol: null, inFlight: false, again: false, retryTimer: null, consecutiveFailures: 0 };
      this.followers.set(code, f);
    }
    return f;
  }

  private async pushOnce(f: FollowerState): Promise<boolean> {
    // Stepped down (a push, promote, demote) since this was queued: stop, forget old errors.
    if (!this.runtime.isLeader) {
      this.forget();
      return false;
    }
    const state = this.runtime.state;
    const node = state.nodes.find((n) => n.nodeCode === f.nodeCode);
    if (!node) return false;
    if (f.retryTimer) {
      clearTimeout(f.retryTimer);
      f.retryTimer = null;
    }
    f.attempts += 1;
    f.lastPushAt = new Date().toISOString();
    try {
      // A v1 push lands by the request timeout at the latest (see forV1Follower).
      const { protocol, reply } = await this.client.post(node, '/v1/updateClusterInfo', (p) => pushBody(state, node, p, Date.now() + this.runtime.config.timing.requestTimeoutMs));
      f.protocol = protocol;
      if (reply.statusCode === 409 && typeof reply.stateVersion === 'number') {
        const theirs = { leader: typeof reply.leader === 'string' ? reply.leader : null, term: typeof reply.term === 'number' ? reply.term : 0, version: reply.stateVersion };
        const action = decideOnRefusal(claimOf(state), this.runtime.nodeCode, theirs, state.nodes.map((n) => n.nodeCode));
        if (action === 'step-down') {
          // The follower follows a better claim (a newer term: this node was replaced by `promote`
          // while away, or lost a partition). A stale refusal proves nothing.
          this.log.warn({ follower: f.nodeCode, leader: theirs.leader, term: theirs.term }, 'another node leads this cluster in a newer term; stepping down to follower');
          await this.runtime.stepDown(`${f.nodeCode} follows ${theirs.leader} in term ${theirs.term}`);
          return false;
        }
        if (action === 'bump-version') {
          // The follower holds a newer version from this same leader and term (e.g. the leader's
          // database was restored from a backup): move past it so the follower accepts ours again.
          this.log.warn({ follower: f.nodeCode, theirs: reply.stateVersion, ours: state.version }, 'follower is ahead; bumping the state version');
          await this.runtime.replace((s) => ({ ...s, version: Math.max(s.version, theirs.version) + 1 }), 'version-bump');
          return false;
        }
      }
      if (reply.statusCode !== 200) throw new Error(`follower answered ${describePeerReply(reply)}`);
      f.appliedVersion = typeof reply.stateVersion === 'number' ? reply.stateVersion : state.version;
      this.runtime.noteAcknowledged(Math.min(f.appliedVersion, state.version));
      f.lastSuccessAt = new Date().toISOString();
      f.lastError = null;
      f.consecutiveFailures = 0;
      this.emit('pushed', f.nodeCode, true);
      return true;
    } catch (err) {
      // A push that failed because this node stepped down meanwhile is no follower's fault.
      if (!this.runtime.isLeader) {
        this.forget();
        return false;
      }
      f.failures += 1;
      f.consecutiveFailures += 1;
      f.lastError = (err as Error).message;
      this.log.warn({ follower: f.nodeCode, err: f.lastError, attempt: f.consecutiveFailures }, 'push failed');
      this.emit('pushed', f.nodeCode, false);
      this.scheduleRetry(f);
      return false;
    }
  }

  private scheduleRetry(f: FollowerState): void {
    if (this.stopped) return;
    const max = this.opts.maxBackoffMs ?? this.opts.pushMs;
    const base = Math.min(max, 250 * 2 ** Math.min(f.consecutiveFailures - 1, 10));
    const delay = base / 2 + Math.random() * (base / 2);
    f.retryTimer = setTimeout(() => {
      f.retryTimer = null;
      void this.pushTo(f.nodeCode);
    }, delay);
    f.retryTimer.unref();
  }
}
