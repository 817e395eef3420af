// The cluster's commands, as the admin API and CLI call them. Leader edits are pure state
// functions (edits.ts) persisted through the runtime, whose change event pushes at once.
import type { ClusterNode, IspCode, NetworkType, ManagedService, CloudAccount, Notifier } from '../model.js';
import type { Logger } from '../log.js';
import { CLOCK_WARN_MS } from '../net/clock-offset.js';
import { DomainError, kindOfHttpStatus } from '../errors.js';
import {
  addAccount,
  addNotifier,
  joinNode,
  setNodeSecret,
  type RestoredLine,
  addService,
  removeAccount,
  removeNode,
  removeNotifier,
  removeService,
  setAccount,
  setLeader,
  setNode,
  type NodePatch,
} from './edits.js';
import type { HandOffResult } from './handoff.js';
import { leaderOf } from './leadership.js';
import { PeerError, type PeerClient } from './peer-client.js';
import type { ClusterRuntime } from './runtime.js';
import { readV1Lines, readV1NetworkType } from './wire-v1-read.js';
import { openNodeSecret, sealNodeSecret } from './push-secrets.js';
import { describePeerReply } from './peer-reply.js';

/** A refusal the API turns into its status code, with a message for the operator. */
export class CommandError extends DomainError {
  constructor(status: number, message: string, field?: string, code?: string) {
    super(kindOfHttpStatus(status) ?? 'invalid', message, field, code);
    this.name = 'CommandError';
  }
}

export interface JoinRequest {
  address: string;
  secret: string;
  isps?: IspCode[];
  networkType?: NetworkType;
}

export class ClusterCommands {
  constructor(
    private readonly runtime: ClusterRuntime,
    private readonly client: PeerClient,
    private readonly log: Logger,
    /** Told when a node answered the join handshake and was added: it counts as heard (heartbeat.heardFrom). */
    private readonly onJoined: (nodeCode: string) => void = () => undefined,
  ) {}

  private requireLeader(): void {
    if (this.runtime.isLeader) return;
    const leader = this.runtime.state.nodes.find((n) => n.workMode === 'leader');
    throw new CommandError(405, `this node is a follower: run it on the leader${leader ? ` (${leader.nodeName} at ${leader.nodeAddress})` : ''}`);
  }


  /** The original's handshake: ask the node's getClusterInfo with its secret; only a 201 joins. */
  async join(req: JoinRequest): Promise<ClusterNode & { restored: RestoredLine[] }> {
    this.requireLeader();
    const address = req.address.replace(/\/+$/, '');
    if (this.runtime.state.nodes.some((n) => n.nodeAddress === address)) throw new CommandError(409, `${address} is already in this cluster`, 'address');
    let reply;
    try {
      // `join: true` tells a node that left a cluster that it is being joined again (v2 only).
      ({ reply } = await this.client.post({ nodeCode: 'joining', nodeAddress: address, secret: req.secret }, '/v1/getClusterInfo', (p) => (p === 'v2' ? { join: true } : {})));
    } catch (err) {
      if (err instanceof PeerError) throw new CommandError(502, `cannot reach ${address}: ${err.message.replace(`${address}: `, '')}`, 'address');
      throw err;
    }
    const offset = this.client.clockOffset(address)?.offsetMs ?? 0;
    if (reply.statusCode === 401) {
      // A clock far off is named as the cause (requests are signed for the peer's clock, so this
      // only happens when its clock moved during the handshake); otherwise it is the secret.
      if (Math.abs(offset) > 300_000) throw new CommandError(401, `${address} refused the request: its clock differs from this node's by ${Math.round(offset / 1000)} s (fix its time, e.g. NTP, and retry)`, 'address', 'peer_clock_skew');
      throw new CommandError(401, `${address} refused the secret (wrong secret)`, 'secret', 'peer_refused_secret');
    }
    if (Math.abs(offset) > CLOCK_WARN_MS) this.log.warn({ address, clockOffsetSeconds: Math.round(offset / 1000) }, 'the joining node\'s clock differs by more than 30 s; requests are signed for its clock, but fix its time (NTP)');
    if (reply.statusCode === 200) throw new CommandError(409, `${address} is already in a cluster; run "cocoasyncer quit" on it first`, 'address');
    if (reply.statusCode !== 201) throw new CommandError(502, `${address} answered ${describePeerReply(reply)}`, 'address');
    const basic = reply.cocoaBasic as { nodeCode?: unknown; otherCocoaSyncer?: Partial<ClusterNode & { ISPs: IspCode[] }>[] } | undefined;
    const info = basic?.otherCocoaSyncer?.find((n) => n.nodeCode === basic.nodeCode) ?? basic?.otherCocoaSyncer?.[0];
    if (!info || typeof info.nodeCode !== 'string' || typeof info.nodeName !== 'string') throw new CommandError(502, `${address} answered without its node information`, 'address');
    const node: ClusterNode = {
      nodeCode: info.nodeCode,
      nodeName: info.nodeName,
      nodeAddress: address,
      workMode: 'follower',
      secret: req.secret,
      // A Go node answers `"ISPs": null, "networkType": ""` until its lines are set: read as Go means it.
      isps: req.isps ?? readV1Lines(info.ISPs, 'ISPs'),
      networkType: req.networkType ?? readV1NetworkType(info.networkType, 'networkType'),
      statusCode: 504,
      watchDog: new Date(0).toISOString(),
    };
    // A node that quit earlier gets the lines it handed over back (edits.ts joinNode).
    const restored = await this.runtime.edit('join', (state) => {
      const joined = joinNode(state, node);
      return { state: joined.state, result: joined.restored };
    });
    this.onJoined(node.nodeCode);
    this.log.info({ node: node.nodeCode, address, restored }, 'node joined the cluster');
    return { ...node, restored };
  }

  /** Changes a node's entry (leader). For the leader's own entry its stored identity follows (address, name). */
  async setNode(code: string, patch: NodePatch): Promise<ClusterNode> {
    const node = await this.runtime.edit('node-set', (state) => {
      const next = setNode(state, code, patch);
      return { state: next, result: next.nodes.find((n) => n.nodeCode === code)! };
    });
    if (code === this.runtime.nodeCode) await this.runtime.updateOwnIdentity({ nodeName: node.nodeName, nodeAddress: node.nodeAddress }, 'identity');
    return node;
  }

  /**
   * Changes this node's secret where it is kept: on the leader (or a node alone) its own entry and
   * identity; on a follower the leader's copy first (sealed for the leader, over /v2/cluster/secret),
   * then its identity, so a refused or unreachable leader changes nothing. From the moment this
   * returns the node answers to the new secret only.
   */
  async rotateSecret(secret: string): Promise<{ leaderUpdated: boolean }> {
    const me = this.runtime.nodeCode;
    if (this.runtime.isLeader) {
      await this.runtime.edit('secret-rotate', (state) => ({ state: setNodeSecret(state, me, secret), result: undefined }));
      await this.runtime.updateOwnIdentity({ secret }, 'secret-rotate');
      this.log.info('rotated this node\'s secret');
      return { leaderUpdated: this.runtime.joined };
    }
    if (!this.runtime.joined) {
      await this.runtime.updateOwnIdentity({ secret }, 'secret-rotate');
      this.log.info('rotated this node\'s secret');
      return { leaderUpdated: false };
    }
    const leaderCode = leaderOf(this.runtime.state);
    const leader = this.runtime.state.nodes.find((n) => n.nodeCode === leaderCode);
    if (!leader) throw new CommandError(502, 'no leader is known: the leader\'s copy of the secret cannot be changed; nothing changed');
    let reply;
    try {
      ({ reply } = await this.client.post(leader, '/v2/cluster/secret', () => ({ nodeCode: me, secret: sealNodeSecret(secret, leader.secret, leader.nodeCode, me) })));
    } catch (err) {
      throw new CommandError(502, `the leader could not be told (${(err as Error).message}); nothing changed`);
    }
    if (reply.statusCode !== 200) throw new CommandError(502, `the leader refused the new secret (${describePeerReply(reply)}); nothing changed`);
    await this.runtime.updateOwnIdentity({ secret }, 'secret-rotate');
    this.log.info({ leader: leader.nodeCode }, 'rotated this node\'s secret; the leader has the new one');
    return { leaderUpdated: true };
  }

  /** On the leader: a follower's new secret, sealed for this node. */
  async receiveSecret(code: string, sealed: string): Promise<void> {
    this.requireLeader();
    if (!this.runtime.state.nodes.some((n) => n.nodeCode === code)) throw new CommandError(404, `no node with code "${code}"`, 'nodeCode');
    let secret: string;
    try {
      secret = openNodeSecret(sealed, this.runtime.identity.secret, this.runtime.nodeCode, code);
    } catch {
      throw new CommandError(400, 'the sealed secret does not open with this node\'s secret', 'secret');
    }
    await this.runtime.edit('secret-rotate', (state) => ({ state: setNodeSecret(state, code, secret), result: undefined }));
    this.log.info({ node: code }, 'a node rotated its secret');
  }

  /** Removes a node from the cluster (leader), hands its lines over, and tells the node it left. */
  async removeNode(code: string): Promise<{ handoff: HandOffResult; told: boolean; tellError?: string }> {
    this.requireLeader();
    const node = this.runtime.state.nodes.find((n) => n.nodeCode === code);
    const handoff = await this.dropNode(code, 'node-remove', 'node removed from the cluster');
    // Best effort: the node may be dead for good, which is often why it is removed.
    try {
      const { reply } = await this.client.post(node!, '/v1/cocoaSyncer/quit', () => ({}));
      return reply.statusCode === 200 ? { handoff, told: true } : { handoff, told: false, tellError: describePeerReply(reply) };
    } catch (err) {
      return { handoff, told: false, tellError: (err as Error).message };
    }
  }

  /** A follower leaves: the leader removes it (handing its lines over), then it resets itself. */
  async quit(opts: { force?: boolean } = {}): Promise<{ leaderTold: boolean; error?: string }> {
    if (this.runtime.isLeader) throw new CommandError(405, 'the leader cannot quit its own cluster; promote another node first, or quit <nodeCode> to remove a follower');
    if (!this.runtime.joined) throw new CommandError(409, 'this node is not in a cluster');
    const leaderCode = leaderOf(this.runtime.state);
    const leader = this.runtime.state.nodes.find((n) => n.nodeCode === leaderCode);
    let leaderTold = false;
    let error: string | undefined;
    if (leader) {
      try {
        const { reply } = await this.client.post(leader, '/v2/cluster/leave', () => ({ nodeCode: this.runtime.nodeCode }));
        leaderTold = reply.statusCode === 200;
        if (!leaderTold) error = `leader answered ${describePeerReply(reply)}`;
      } catch (err) {
        error = (err as Error).message;
      }
    } else {
      error = 'no leader is known';
    }
    if (!leaderTold && !opts.force) throw new CommandError(502, `the leader could not be told (${error}); nothing changed. Use --force to leave anyway`);
    await this.runtime.quit();
    return { leaderTold, ...(error ? { error } : {}) };
  }

  /** On the leader: a follower asks to leave. */
  async leave(code: string): Promise<HandOffResult> {
    this.requireLeader();
    return this.dropNode(code, 'node-leave', 'node left the cluster');
  }

  /** Removes a node from the state, its lines handed to the takeover node, and persists it. */
  private async dropNode(code: string, cause: string, message: string): Promise<HandOffResult> {
    const handoff = await this.runtime.edit(cause, (current) => {
      const { state, handoff } = removeNode(current, code, this.runtime.nodeCode);
      return { state, result: handoff };
    });
    this.log.info({ node: code, moves: handoff.moves }, message);
    return handoff;
  }

  async addService(service: ManagedService): Promise<ManagedService> {
    await this.runtime.edit('service-add', (state) => ({ state: addService(state, service), result: undefined }));
    return service;
  }

  async removeService(name: string): Promise<void> {
    await this.runtime.edit('service-remove', (state) => ({ state: removeService(state, name), result: undefined }));
  }

  /** Adds a notifier (leader; pushed to the followers with its URL and secret sealed). */
  async addNotifier(notifier: Notifier): Promise<void> {
    await this.runtime.edit('notifier-add', (state) => ({ state: addNotifier(state, notifier), result: undefined }));
  }

  async removeNotifier(name: string): Promise<void> {
    await this.runtime.edit('notifier-remove', (state) => ({ state: removeNotifier(state, name), result: undefined }));
  }

  async addAccount(account: CloudAccount): Promise<void> {
    await this.runtime.edit('account-add', (state) => ({ state: addAccount(state, account), result: undefined }));
  }

  async setAccount(provider: string, accessKey: string, patch: { accessSecret?: string; endpoint?: string | null }): Promise<void> {
    await this.runtime.edit('account-set', (state) => ({ state: setAccount(state, provider, accessKey, patch), result: undefined }));
  }

  async removeAccount(provider: string, accessKey: string): Promise<void> {
    await this.runtime.edit('account-remove', (state) => ({ state: removeAccount(state, provider, accessKey), result: undefined }));
  }

  /**
   * Makes this follower the leader. The old leader, if it answers, is told to step down; if it is
   * gone it learns when it returns (its pushes are refused by followers that follow this node).
   */
  async promote(): Promise<{ oldLeader: string | null; oldLeaderTold: boolean; error?: string }> {
    if (this.runtime.isLeader) throw new CommandError(409, 'this node is already the leader');
    if (!this.runtime.joined) throw new CommandError(409, 'this node is not in a cluster; set WorkMode: leader in its config instead');
    const oldCode = leaderOf(this.runtime.state);
    const old = this.runtime.state.nodes.find((n) => n.nodeCode === oldCode);
    let oldLeaderTold = false;
    let error: string | undefined;
    let theirVersion = 0;
    let theirTerm = 0;
    if (old) {
      try {
        const { reply } = await this.client.post(old, '/v2/cluster/demote', () => ({ newLeader: this.runtime.nodeCode }));
        oldLeaderTold = reply.statusCode === 200;
        if (typeof reply.stateVersion === 'number') theirVersion = reply.stateVersion;
        if (typeof reply.term === 'number') theirTerm = reply.term;
        if (!oldLeaderTold) error = describePeerReply(reply);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    // A new term, above every term known here and the old leader's: wherever the old leader's
    // claim meets this one (its return, a healed partition), this one wins.
    await this.runtime.changeRole('leader', (state) => setLeader(state, this.runtime.nodeCode, theirVersion, theirTerm));
    this.log.info({ oldLeader: oldCode, oldLeaderTold, term: this.runtime.state.term }, 'this node is the leader now');
    return { oldLeader: oldCode, oldLeaderTold, ...(error ? { error } : {}) };
  }

  /** On the old leader: another node took over; step down and follow it. */
  async demote(newLeader: string): Promise<{ version: number; term: number }> {
    if (!this.runtime.isLeader) throw new CommandError(409, 'this node is not the leader');
    if (!this.runtime.state.nodes.some((n) => n.nodeCode === newLeader)) throw new CommandError(404, `no node with code "${newLeader}"`, 'newLeader');
    await this.runtime.stepDown(`${newLeader} was promoted`);
    this.log.info({ newLeader }, 'stepped down: another node leads the cluster now');
    return { version: this.runtime.state.version, term: this.runtime.state.term };
  }
}
