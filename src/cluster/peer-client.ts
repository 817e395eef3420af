// Talks to peers. Speaks protocol v2 (HMAC-signed headers, secrets sealed in pushes) to every peer
// that announces it, and falls back to the original's clear-secret v1 only when V1Compat is on.
import { requestTarget, signRequest, HEADER_VERSION, PROTOCOL_VERSION } from '../security/index.js';
import { measureOffset, shouldResign, type ClockOffset } from '../net/clock-offset.js';

export type { ClockOffset } from '../net/clock-offset.js';
import { NetError, requestJson } from '../net/http-json.js';

export type Protocol = 'v2' | 'v1';

export interface PeerTarget {
  nodeCode: string;
  nodeAddress: string;
  /** The peer's own secret: v2 signs with it, v1 sends it. */
  secret: string;
}

export interface PeerClientOptions {
  selfCode: string;
  v1Compat: boolean;
  timeoutMs: number;
  ca?: string | Buffer | null;
}

export class PeerError extends Error {
  constructor(
    readonly address: string,
    /** `local`: this host could not make the request (EMFILE, ENOMEM...): no evidence about the peer. */
    readonly kind: 'v1-only' | 'net' | 'protocol' | 'local',
    message: string,
  ) {
    super(message);
    this.name = 'PeerError';
  }
}

/** A v1-shaped answer: business code and string, plus whatever else the peer sent. */
export interface PeerReply {
  statusCode: number;
  statusString: string;
  [key: string]: unknown;
}

export class PeerClient {
  // What each address was last seen to speak; unknown peers are tried on v2 first.
  private readonly protocols = new Map<string, Protocol>();
  // Each peer's clock offset, learnt from every answer: requests are signed for the peer's clock,
  // so clocks that disagree (even by hours) never make a live peer look dead.
  private readonly offsets = new Map<string, ClockOffset>();

  constructor(private readonly opts: PeerClientOptions, private readonly now: () => number = Date.now) {}

  protocolOf(address: string): Protocol | undefined {
    return this.protocols.get(address);
  }

  /** The peer's clock offset as last measured, or undefined before the first answer. */
  clockOffset(address: string): ClockOffset | undefined {
    return this.offsets.get(address);
  }

  /**
   * POSTs to `path` on the peer. `build(protocol)` gives the body for the protocol in use (a v2 body
   * carries sealed secrets, a v1 body clear ones), so nothing is encoded for the wrong peer.
   */
  async post(peer: PeerTarget, path: string, build: (protocol: Protocol) => Record<string, unknown>, timeoutMs = this.opts.timeoutMs): Promise<{ protocol: Protocol; reply: PeerReply }> {
    const known = this.protocols.get(peer.nodeAddress);
    if (known !== 'v1') {
      const res = await this.send(peer, path, 'v2', build('v2'), timeoutMs);
      if (res.v2) {
        this.protocols.set(peer.nodeAddress, 'v2');
        return { protocol: 'v2', reply: res.reply };
      }
      if (!this.opts.v1Compat) {
        throw new PeerError(peer.nodeAddress, 'v1-only', `${peer.nodeAddress} speaks only the original v1 protocol; set V1Compat: true to talk to it`);
      }
    } else if (!this.opts.v1Compat) {
      this.protocols.delete(peer.nodeAddress);
      return this.post(peer, path, build, timeoutMs);
    }
    const res = await this.send(peer, path, 'v1', { ...build('v1'), cocoaSecret: peer.secret }, timeoutMs);
    this.protocols.set(peer.nodeAddress, res.v2 ? 'v2' : 'v1');
    return { protocol: 'v1', reply: res.reply };
  }

  private async send(peer: PeerTarget, path: string, protocol: Protocol, body: Record<string, unknown>, timeoutMs: number, retried = false): Promise<{ v2: boolean; reply: PeerReply }> {
    const url = `${peer.nodeAddress}${path}`;
    const text = JSON.stringify(body);
    const offset = this.offsets.get(peer.nodeAddress)?.offsetMs ?? 0;
    const sentAt = this.now();
    const headers = protocol === 'v2' ? signRequest({ method: 'POST', path: requestTarget(url), body: text, secret: peer.secret, keyId: this.opts.selfCode, now: sentAt + offset }) : {};
    let res;
    try {
      res = await requestJson({ method: 'POST', url, headers, body: text, timeoutMs, ca: this.opts.ca ?? null });
    } catch (err) {
      if (err instanceof NetError) throw new PeerError(peer.nodeAddress, err.kind === 'local' ? 'local' : 'net', err.message);
      throw err;
    }
    const measured = measureOffset(res.headers, sentAt, this.now());
    if (measured) this.offsets.set(peer.nodeAddress, measured);
    // Refused as stale: our idea of its clock was off (first contact, or its clock jumped). The
    // answer carried its time, so sign again once for its clock. A peer that answers is alive.
    if (protocol === 'v2' && !retried && shouldResign(res.headers, measured, offset)) {
      return this.send(peer, path, protocol, body, timeoutMs, true);
    }
    const reply = res.body as PeerReply | null;
    if (res.status !== 200 || !reply || typeof reply !== 'object' || typeof reply.statusCode !== 'number') {
      const detail = reply && typeof reply === 'object' && 'message' in reply ? `: ${String((reply as unknown as { message: unknown }).message)}` : '';
      throw new PeerError(peer.nodeAddress, 'protocol', `${peer.nodeAddress} answered HTTP ${res.status}${detail}`);
    }
    return { v2: res.headers[HEADER_VERSION.toLowerCase()] === PROTOCOL_VERSION, reply };
  }
}
