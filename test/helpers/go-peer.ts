// A Go-like CocoaSyncer peer for the tests: it behaves as the original Go program
// (github.com/luckykeeper/CocoaSyncer) does, read from its source — handlers `getClusterInfo.go` and
// `updateClusterInfo.go`, cron jobs `cronUpdateClusterInfo.go`, `pushClusterInfo.go`,
// `pullClusterInfo.go`, the CLI's add-node handshake in `cliNodeManage.go` — and it reads and writes
// JSON with Go's `encoding/json` semantics (./go-json.ts), so a field of the wrong type, a time Go
// cannot parse or a secret it cannot use shows up as it would against the real program.
//
// What it does, as the original:
// - Its database is one `CocoaBasic` row; every job reads it, changes a copy and writes columns back,
//   with the same read-modify-write windows (a push landing while the feed job pulls is overwritten).
// - `getClusterInfo` answers the whole row, secrets and all; 200 for a leader or a follower listing
//   more than one node, 201 for a follower listing only itself, 401 for a wrong secret.
// - `updateClusterInfo` (follower only, 405 on a leader) stores `otherCocoaSyncer`,
//   `cocoaManagedService` and `cloudPlatformInfo` exactly as decoded — its own `watchDog` and
//   `statusCode` included (the original's "keep local values" loop assigns to a copy).
// - Every 30 s it feeds its own watchdog, then pulls every other node's `getClusterInfo` and copies that
//   node's watchdog; every 35 s a leader pushes its row to every other node; every 40 s it recomputes
//   each node's status: 504 when `now - watchDog > Timeout minutes`, else 200.
// - Times are written as Go writes `time.Now()`: RFC 3339 with nanoseconds in the local offset
//   (+08:00 by default); a new node starts with `ISPs: null`, `networkType: ""`, the zero time.
//
// Timing: the Go periods are multiplied by `scale` (real seconds per Go second), and so is `Timeout`.
// With scale 1/15 the 30 s feed runs every 2 s and 5 Go minutes take 20 s; the watchdog values stay
// real clock readings, since every node in a test runs on the same machine clock.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  APIRequestType,
  CocoaBasicType,
  NodeInfoType,
  ServerReturnType,
  compareGoTime,
  goMarshal,
  goTimeFromMs,
  goTimeMs,
  goUnmarshal,
  zeroOf,
  type GoAPIRequest,
  type GoCocoaBasic,
  type GoNodeInfo,
  type GoServerReturn,
  type GoTime,
  type GoType,
  type GoTypeError,
} from './go-json.js';

export interface GoPeerOptions {
  nodeCode: string;
  nodeName: string;
  secret: string;
  workMode: 'leader' | 'follower';
  /** The original's `Timeout`, minutes (default 10). */
  timeoutMinutes?: number;
  /** Real seconds per Go second: multiplies the 30 s / 35 s / 40 s periods and `Timeout`. */
  scale: number;
  /** UTC offset the peer's clock shows its times in (Go's `time.Local`); default +08:00. */
  offsetSec?: number;
}

/** One JSON document the peer decoded, with what Go's decoder said about it. */
export interface Decoded {
  at: number;
  /** `request /v1/updateClusterInfo` (decoded by a handler) or `answer <url>` (decoded by a job). */
  what: string;
  typeErrors: GoTypeError[];
  fatal: string | null;
}

export interface PushResult {
  at: number;
  to: string;
  ok: boolean;
  statusCode: number;
  statusString: string;
}

export interface AddNodeResult {
  ok: boolean;
  /** The answer's business code (0 when the request failed). */
  statusCode: number;
  /** The node as stored, from the answer's last `otherCocoaSyncer` entry. */
  node: GoNodeInfo;
}

const REQUEST_TIMEOUT_MS = 5000;

export class GoPeer {
  /** The peer's database row. */
  store: GoCocoaBasic;
  url = '';
  readonly decoded: Decoded[] = [];
  readonly pushes: PushResult[] = [];
  /** Every value its own entry's `watchDog` took in the store, in order, with what wrote it. */
  readonly ownWatchDogs: { at: number; value: GoTime; by: string }[] = [];
  /** Every status recompute: node code → status code, and the age of its stored watchdog (ms). */
  readonly statusRounds: { at: number; codes: Record<string, number>; ages: Record<string, number> }[] = [];
  /** Bodies the handlers received, raw. */
  readonly requests: { path: string; body: string; headers: IncomingMessage['headers'] }[] = [];
  private server: Server | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly jobs = new Set<Promise<unknown>>();
  private readonly offsetSec: number;

  private constructor(private readonly opts: GoPeerOptions) {
    this.offsetSec = opts.offsetSec ?? 8 * 3600;
    // ImportNodeInfo: the row from the config file, and the node itself as the only node.
    const row = zeroOf<GoCocoaBasic>(CocoaBasicType);
    Object.assign(row, {
      APIPort: 0,
      NodeName: opts.nodeName,
      NodeCode: opts.nodeCode,
      WorkMode: opts.workMode,
      CocoaSecret: opts.secret,
      Timeout: opts.timeoutMinutes ?? 10,
      DataBaseType: 'mysql',
      Dsn: 'root:go-dsn-password@tcp(127.0.0.1:3306)/cocoasyncer?charset=utf8mb4',
      ConfigImported: true,
    });
    this.store = row;
  }

  /** Starts the peer's HTTP server on loopback; `crons` starts its periodic jobs too. */
  static async start(opts: GoPeerOptions, crons = true): Promise<GoPeer> {
    const peer = new GoPeer(opts);
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        peer.requests.push({ path: req.url ?? '', body, headers: req.headers });
        const answer = req.method === 'POST' ? peer.handle(req.url ?? '', body) : undefined;
        if (answer === undefined) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('404 page not found');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(answer);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    peer.server = server;
    peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const now = peer.now();
    peer.write({ NodeAddress: peer.url, CreatedAt: now, UpdatedAt: now, OtherCocoaSyncer: [{ ...zeroOf<GoNodeInfo>(NodeInfoType), NodeName: opts.nodeName, NodeCode: opts.nodeCode, NodeAddress: peer.url, WorkMode: opts.workMode, CocoaSecret: opts.secret }] }, 'import');
    if (crons) peer.startCrons();
    return peer;
  }

  /** Go's `time.Now()`: the machine clock with nanoseconds, shown in the peer's offset. */
  now(): GoTime {
    return goTimeFromMs(Date.now(), this.offsetSec, Number(process.hrtime.bigint() % 1_000_000n));
  }

  /** The cron center: feed + pull every 30 s, leader push every 35 s, status every 40 s (scaled). */
  startCrons(): void {
    const every = (goSeconds: number, job: () => Promise<unknown> | void) => {
      const timer = setInterval(() => this.track(Promise.resolve().then(job)), goSeconds * 1000 * this.opts.scale);
      this.timers.push(timer);
    };
    every(30, () => this.feedAndPull());
    every(35, () => this.pushAll());
    every(40, () => this.updateStatuses());
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.jobs]);
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  /** Documents Go could not decode cleanly (type errors or a stop). */
  decodeProblems(): Decoded[] {
    return this.decoded.filter((d) => d.fatal !== null || d.typeErrors.length > 0);
  }

  /** The stored entry of a node. */
  node(code: string): GoNodeInfo | undefined {
    return this.store.OtherCocoaSyncer?.find((n) => n.NodeCode === code);
  }

  // -------------------------------------------------------------------------------------------
  // The CLI (run on the leader).

  /** `节点管理 → 2 新增节点`: asks the node's getClusterInfo, stores the answer's node with the secret it carries. */
  async addNode(address: string, secret: string): Promise<AddNodeResult> {
    const newNode = { ...zeroOf<GoNodeInfo>(NodeInfoType), NodeAddress: address, CocoaSecret: secret };
    // The original sends the whole NodeInfo, zero values and all, as the request body.
    const answer = await this.post(`${address}/v1/getClusterInfo`, goMarshal(newNode, NodeInfoType));
    const empty = { ok: false, statusCode: 0, node: zeroOf<GoNodeInfo>(NodeInfoType) };
    if (!answer) return empty;
    const reply = this.decode<GoServerReturn>(answer, ServerReturnType, `answer ${address}/v1/getClusterInfo`);
    let stored = zeroOf<GoNodeInfo>(NodeInfoType);
    for (const n of reply.CocoaBasic.OtherCocoaSyncer ?? []) stored = n;
    if (reply.StatusCode !== 201) return { ...empty, statusCode: reply.StatusCode, node: stored };
    this.write({ OtherCocoaSyncer: [...(this.store.OtherCocoaSyncer ?? []), structuredClone(stored)] }, 'cli add node');
    return { ok: true, statusCode: 201, node: stored };
  }

  /** `节点管理 → 3 → 2 修改节点线路`: the input split on ",", as typed. */
  setLines(code: string, input: string): void {
    this.editNode(code, (n) => ({ ...n, ISPs: input.split(',') }));
  }

  /** `节点管理 → 3 → 1 修改节点对外地址`, as typed. */
  setAddress(code: string, input: string): void {
    this.editNode(code, (n) => ({ ...n, NodeAddress: input }));
  }

  /** `节点管理 → 3 → 3 修改节点网络模式`, as typed. */
  setNetworkType(code: string, input: string): void {
    this.editNode(code, (n) => ({ ...n, NetworkType: input }));
  }

  /** `服务管理 → 2`: appended to the service list and to every node's list. */
  addService(serviceName: string, domain: string, record: string, platformProvider = 'Ali'): void {
    const s = { ServiceName: serviceName, Domain: domain, Record: record, PlatformProvider: platformProvider };
    this.write(
      {
        CocoaManagedService: [...(this.store.CocoaManagedService ?? []), s],
        OtherCocoaSyncer: (this.store.OtherCocoaSyncer ?? []).map((n) => ({ ...n, CocoaManagedService: [...(n.CocoaManagedService ?? []), { ...s }] })),
      },
      'cli add service',
    );
  }

  /** `云平台管理 → 2`: appended to the account list. */
  addCloud(platformProvider: string, accessKey: string, accessSecret: string): void {
    this.write({ CloudPlatformInfo: [...(this.store.CloudPlatformInfo ?? []), { PlatformProvider: platformProvider, AccessKey: accessKey, AccessSecret: accessSecret }] }, 'cli add cloud');
  }

  private editNode(code: string, change: (n: GoNodeInfo) => GoNodeInfo): void {
    this.write({ OtherCocoaSyncer: (this.store.OtherCocoaSyncer ?? []).map((n) => (n.NodeCode === code ? change(n) : n)) }, 'cli edit node');
  }

  // -------------------------------------------------------------------------------------------
  // Cron jobs.

  /** CronFeedDogAndWatchOtherCocoaDogStatus. */
  async feedAndPull(): Promise<void> {
    const snapshot = structuredClone(this.store);
    const modified = (snapshot.OtherCocoaSyncer ?? []).map((n) => (n.NodeCode === snapshot.NodeCode ? { ...n, WatchDog: this.now() } : n));
    this.write({ OtherCocoaSyncer: modified }, 'feed');
    for (const info of modified) {
      if (info.NodeCode === snapshot.NodeCode) continue;
      const pulled = await this.pull(info);
      if (!pulled) continue;
      // Built from the feed's copy, as the original does: a push stored meanwhile is overwritten.
      this.write({ OtherCocoaSyncer: modified.map((n) => (n.NodeCode === pulled.NodeCode ? { ...n, WatchDog: pulled.WatchDog } : n)) }, `pull ${info.NodeCode}`);
    }
  }

  /** CronUpdateClusterInfo: a leader pushes its row to every other node, one after the other. */
  async pushAll(): Promise<void> {
    if (this.store.WorkMode !== 'leader') return;
    const row = structuredClone(this.store);
    for (const info of row.OtherCocoaSyncer ?? []) {
      if (info.NodeCode === row.NodeCode) continue;
      await this.push(info, row);
    }
  }

  /** CronUpdateNodeStatus. */
  updateStatuses(): void {
    const row = structuredClone(this.store);
    const timeoutMs = row.Timeout * 60 * 1000 * this.opts.scale;
    const nowMs = Date.now();
    const nodes = (row.OtherCocoaSyncer ?? []).map((n) => ({ ...n, StatusCode: nowMs - goTimeMs(n.WatchDog) > timeoutMs ? 504 : 200 }));
    this.write({ OtherCocoaSyncer: nodes }, 'status');
    this.statusRounds.push({ at: nowMs, codes: Object.fromEntries(nodes.map((n) => [n.NodeCode, n.StatusCode])), ages: Object.fromEntries(nodes.map((n) => [n.NodeCode, nowMs - goTimeMs(n.WatchDog)])) });
  }

  private async pull(info: GoNodeInfo): Promise<GoNodeInfo | null> {
    const req = { ...zeroOf<GoAPIRequest>(APIRequestType), CocoaSecret: info.CocoaSecret };
    const answer = await this.post(`${info.NodeAddress}/v1/getClusterInfo`, goMarshal(req, APIRequestType));
    if (!answer) return null;
    const reply = this.decode<GoServerReturn>(answer, ServerReturnType, `answer ${info.NodeAddress}/v1/getClusterInfo`);
    if (reply.StatusCode !== 200) return null;
    return (reply.CocoaBasic.OtherCocoaSyncer ?? []).find((n) => n.NodeCode === info.NodeCode) ?? null;
  }

  private async push(info: GoNodeInfo, row: GoCocoaBasic): Promise<boolean> {
    const req = zeroOf<GoAPIRequest>(APIRequestType);
    req.CocoaSecret = info.CocoaSecret;
    req.CocoaBasic.OtherCocoaSyncer = row.OtherCocoaSyncer;
    req.CocoaBasic.CloudPlatformInfo = row.CloudPlatformInfo;
    req.CocoaBasic.CocoaManagedService = row.CocoaManagedService;
    const answer = await this.post(`${info.NodeAddress}/v1/updateClusterInfo`, goMarshal(req, APIRequestType));
    const reply = answer ? this.decode<GoServerReturn>(answer, ServerReturnType, `answer ${info.NodeAddress}/v1/updateClusterInfo`) : null;
    const ok = reply?.StatusCode === 200;
    this.pushes.push({ at: Date.now(), to: info.NodeCode, ok, statusCode: reply?.StatusCode ?? 0, statusString: reply?.StatusString ?? 'HTTP request failed' });
    return ok;
  }

  // -------------------------------------------------------------------------------------------
  // Handlers.

  private handle(path: string, body: string): string | undefined {
    if (path === '/v1/getClusterInfo') return this.getClusterInfo(body);
    if (path === '/v1/updateClusterInfo') return this.updateClusterInfo(body);
    return undefined;
  }

  private getClusterInfo(body: string): string {
    // gin's ShouldBind errors are ignored by the handler.
    const req = this.decode<GoAPIRequest>(body, APIRequestType, 'request /v1/getClusterInfo');
    const reply = zeroOf<GoServerReturn>(ServerReturnType);
    if (req.CocoaSecret !== this.store.CocoaSecret) {
      reply.StatusCode = 401;
      reply.StatusString = 'Unauthorized! You are not Cocoa!';
      return goMarshal(reply, ServerReturnType);
    }
    reply.CocoaBasic = structuredClone(this.store);
    const n = this.store.OtherCocoaSyncer?.length ?? 0;
    if (this.store.WorkMode === 'leader' || n > 1) {
      reply.StatusCode = 200;
      reply.StatusString = 'MafuMafu~';
    } else if (n === 1) {
      reply.StatusCode = 201;
      reply.StatusString = 'Mafu?';
    } else {
      return ''; // the original writes no body at all here
    }
    return goMarshal(reply, ServerReturnType);
  }

  private updateClusterInfo(body: string): string {
    const reply = zeroOf<GoServerReturn>(ServerReturnType);
    if (this.store.WorkMode === 'leader') {
      reply.StatusCode = 405;
      reply.StatusString = 'Not Allowed! Cocoa is soooo kawaii, Do you still sure you really want to eat Cocoa???';
      return goMarshal(reply, ServerReturnType);
    }
    const req = this.decode<GoAPIRequest>(body, APIRequestType, 'request /v1/updateClusterInfo');
    if (req.CocoaSecret !== this.store.CocoaSecret) {
      reply.StatusCode = 401;
      reply.StatusString = 'Unauthorized! You are not Cocoa!';
      return goMarshal(reply, ServerReturnType);
    }
    // Stored as decoded, watchDog and statusCode of every node included.
    this.write({ OtherCocoaSyncer: req.CocoaBasic.OtherCocoaSyncer, CocoaManagedService: req.CocoaBasic.CocoaManagedService, CloudPlatformInfo: req.CocoaBasic.CloudPlatformInfo }, 'push');
    reply.StatusCode = 200;
    reply.StatusString = 'MafuMafu~';
    return goMarshal(reply, ServerReturnType);
  }

  // -------------------------------------------------------------------------------------------

  private decode<T>(text: string, type: GoType, what: string): T {
    const r = goUnmarshal<T>(text, type);
    this.decoded.push({ at: Date.now(), what, typeErrors: r.typeErrors, fatal: r.fatal });
    return r.value;
  }

  private async post(url: string, body: string): Promise<string | null> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'User-Agent': 'CocoaSyncer By Luckykeeper', 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      return res.status === 200 ? text : null;
    } catch {
      return null;
    }
  }

  /** Writes columns of the row (xorm `Cols(...).Update`), recording the own watchdog it leaves. */
  private write(cols: Partial<GoCocoaBasic>, by: string): void {
    this.store = { ...this.store, ...structuredClone(cols) };
    const own = this.node(this.store.NodeCode);
    if (own) this.ownWatchDogs.push({ at: Date.now(), value: own.WatchDog, by });
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.jobs.delete(tracked));
    this.jobs.add(tracked);
  }
}

/**
 * The writes made by `by` (e.g. `push`) that moved the own watchdog backwards, with the value before.
 * (The original's own feed job can move it back too: its pull writes are built from the copy it took
 * before pulling, so a push stored in between is undone. That is the Go program's doing, not a peer's.)
 */
export function backwardsWrites(history: readonly { at: number; value: GoTime; by: string }[], by: string): { at: number; from: GoTime; to: GoTime }[] {
  const out: { at: number; from: GoTime; to: GoTime }[] = [];
  for (let i = 1; i < history.length; i++) {
    const e = history[i]!;
    if (e.by === by && compareGoTime(e.value, history[i - 1]!.value) < 0) out.push({ at: e.at, from: history[i - 1]!.value, to: e.value });
  }
  return out;
}
