// The only module that touches the database. The cluster state is written whole inside one
// transaction, so a crash mid-write leaves the old version or the new one, never a mix.
import { DEFAULT_CHECK_INTERVAL_SECONDS, DEFAULT_CHECK_TIMEOUT_SECONDS } from '../probe/check.js';
import { accessSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Sequelize, type Transaction } from 'sequelize';
import type { DatabaseConfig } from '../config/dsn.js';
import { NOTIFY_EVENTS, type ClusterNode, type ClusterState, type DnsAuditEntry, type IspCode, type LineCode, type NetworkType, type NotifyEvent, type NotifyFormat, type WorkMode } from '../model.js';
import { DomainError } from '../errors.js';
import { osReason, settleWithin, StartError } from '../start-failure.js';
import { migrator } from './migrate.js';
import { defineModels, type Models } from './models.js';

export interface Identity {
  nodeCode: string;
  nodeName: string;
  nodeAddress: string;
  workMode: WorkMode;
  secret: string;
  createdAt: Date;
  updatedAt: Date;
  /** When this node left its cluster and which leader it left; null while in one or joined again. */
  leftCluster?: LeftCluster | null;
}

/** A node that left its cluster: it refuses pushes until a join handshake (see ClusterRuntime). */
export interface LeftCluster {
  at: Date;
  /** The leader it left (null: none was known). */
  leader: string | null;
}

/** The audit log's entry is the domain's (model.ts); the store only keeps it. */
export type AuditEntry = DnsAuditEntry;

/** How secrets are kept at rest (identity by default; sealed when a CredentialKey is configured). */
export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

const PLAIN: SecretCodec = { encode: (s) => s, decode: (s) => s };

export class Store {
  private writeChain: Promise<unknown> = Promise.resolve();

  private readonly m: Models;

  private constructor(
    readonly sequelize: Sequelize,
    readonly dialect: 'sqlite' | 'mysql',
    private readonly codec: SecretCodec,
  ) {
    this.m = defineModels(sequelize);
  }

  /**
   * Opens the database. Throws a StartError naming `DSN` and the OS reason when it cannot be opened
   * (folder not creatable, file not writable, server refused), after the half-open connection is
   * let go within 2 s (Sequelize's close after a failed SQLite open never settles).
   */
  static async open(db: DatabaseConfig, opts: { codec?: SecretCodec } = {}): Promise<Store> {
    let sequelize: Sequelize;
    if (db.dialect === 'sqlite') {
      if (db.storage !== ':memory:') prepareSqliteFile(db.storage);
      // One long-lived connection: SQLite has one writer, and per-connection PRAGMAs must stick.
      sequelize = new Sequelize({ dialect: 'sqlite', storage: db.storage, logging: false, pool: { max: 1, min: 1, idle: 2 ** 31 - 1 } });
    } else {
      sequelize = new Sequelize(db.database, db.user, db.password, {
        dialect: 'mysql',
        host: db.host,
        port: db.port,
        logging: false,
        dialectOptions: { connectTimeout: 5000, charset: 'utf8mb4' },
        pool: { max: 5, min: 0, acquire: 5000, idle: 10000 },
      });
    }
    const store = new Store(sequelize, db.dialect, opts.codec ?? PLAIN);
    try {
      await sequelize.authenticate();
      // WAL with synchronous=NORMAL: a commit survives a crash of the process (the case that matters
      // for a node killed mid-apply); only an OS crash may lose the last commits, never corrupt.
      if (db.dialect === 'sqlite') await sequelize.query('PRAGMA journal_mode = WAL');
      if (db.dialect === 'sqlite') await sequelize.query('PRAGMA synchronous = NORMAL');
    } catch (err) {
      await settleWithin(sequelize.close(), 2000);
      const where = db.dialect === 'sqlite' ? `the SQLite file ${db.storage}` : `the MySQL database ${db.database} at ${db.host}:${db.port}`;
      throw new StartError('DSN', `cannot open ${where}: ${describeDbError(err)}`);
    }
    return store;
  }

  async migrate(): Promise<string[]> {
    const done = await migrator(this.sequelize).up();
    return done.map((m) => m.name);
  }

  async close(): Promise<void> {
    await this.writeChain.catch(() => undefined);
    await this.sequelize.close();
  }

  /** True when the database answers a trivial query within the timeout. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.sequelize.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async loadIdentity(): Promise<Identity | null> {
    const row = await this.m.LocalNode.findByPk(1);
    if (!row) return null;
    return {
      nodeCode: row.node_code,
      nodeName: row.node_name,
      nodeAddress: row.node_address,
      workMode: row.work_mode as WorkMode,
      secret: this.codec.decode(row.secret),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      leftCluster: row.left_cluster_at ? { at: new Date(row.left_cluster_at), leader: row.left_cluster_leader ?? null } : null,
    };
  }

  /** First start: this node's identity from config, and a cluster of one (itself), version 0. */
  async importIdentity(self: ClusterNode): Promise<void> {
    await this.write(async (transaction) => {
      await this.m.LocalNode.create(
        {
          id: 1,
          node_code: self.nodeCode,
          node_name: self.nodeName,
          node_address: self.nodeAddress,
          work_mode: self.workMode,
          secret: this.codec.encode(self.secret),
          state_version: 0,
          leader_term: 0,
          config_imported: true,
        },
        { transaction },
      );
      await this.writeState({ version: 0, term: 0, nodes: [self], services: [], cloudAccounts: [], notifiers: [] }, transaction);
    });
  }

  /** Replaces the stored identity's code, name, address, role and secret (a node not in a cluster, or a rotation). */
  async saveIdentity(id: Pick<Identity, 'nodeCode' | 'nodeName' | 'nodeAddress' | 'workMode' | 'secret'>): Promise<void> {
    await this.write((transaction) =>
      this.m.LocalNode.update(
        { node_code: id.nodeCode, node_name: id.nodeName, node_address: id.nodeAddress, work_mode: id.workMode, secret: this.codec.encode(id.secret) },
        { where: { id: 1 }, transaction },
      ),
    );
  }

  /** Records that this node left its cluster (null: joined again). */
  async setLeftCluster(left: LeftCluster | null): Promise<void> {
    await this.write((transaction) =>
      this.m.LocalNode.update({ left_cluster_at: left?.at ?? null, left_cluster_leader: left?.leader ?? null }, { where: { id: 1 }, transaction }),
    );
  }

  async setWorkMode(workMode: WorkMode): Promise<void> {
    await this.write((transaction) => this.m.LocalNode.update({ work_mode: workMode }, { where: { id: 1 }, transaction }));
  }

  async loadState(): Promise<ClusterState> {
    const [local, nodes, isps, services, serviceNodes, accounts, notifiers, handOffs] = await Promise.all([
      this.m.LocalNode.findByPk(1),
      this.m.ClusterNode.findAll({ order: [['position', 'ASC']] }),
      this.m.NodeIsp.findAll({ order: [['position', 'ASC']] }),
      this.m.Service.findAll({ order: [['position', 'ASC']] }),
      this.m.ServiceNode.findAll({ order: [['node_code', 'ASC']] }),
      this.m.CloudAccount.findAll({ order: [['position', 'ASC']] }),
      this.m.Notifier.findAll({ order: [['position', 'ASC']] }),
      this.m.HandOff.findAll({ order: [['position', 'ASC']] }),
    ]);
    const ispsOf = group(isps, (r) => r.node_code);
    const nodesOf = group(serviceNodes, (r) => String(r.service_id));
    return {
      version: Number(local?.state_version ?? 0),
      term: Number(local?.leader_term ?? 0),
      nodes: nodes.map((n) => ({
        nodeCode: n.node_code,
        nodeName: n.node_name,
        nodeAddress: n.node_address,
        workMode: n.work_mode as WorkMode,
        secret: this.codec.decode(n.secret),
        isps: (ispsOf.get(n.node_code) ?? []).map((r) => r.isp as IspCode),
        networkType: n.network_type as NetworkType,
        statusCode: n.status_code,
        watchDog: n.watch_dog,
      })),
      services: services.map((s) => ({
        serviceName: s.service_name,
        domain: s.domain,
        record: s.record,
        platformProvider: s.platform_provider,
        allowCreate: Boolean(s.allow_create),
        ttl: s.ttl,
        ...(s.account ? { account: s.account } : {}),
        ...(s.enforce_ttl ? { enforceTtl: true } : {}),
        ...(s.check_url ? { check: { url: s.check_url, intervalSeconds: s.check_interval ?? DEFAULT_CHECK_INTERVAL_SECONDS, timeoutSeconds: s.check_timeout ?? DEFAULT_CHECK_TIMEOUT_SECONDS, expectStatus: s.check_status ?? null } } : {}),
        nodes: (nodesOf.get(String(s.id)) ?? []).map((r) => r.node_code),
      })),
      cloudAccounts: accounts.map((a) => ({
        platformProvider: a.platform_provider,
        accessKey: a.access_key,
        accessSecret: this.codec.decode(a.access_secret),
        endpoint: a.endpoint,
      })),
      notifiers: notifiers.map((n) => ({
        name: n.name,
        url: this.codec.decode(n.url),
        format: n.format as NotifyFormat,
        secret: n.secret === null ? null : this.codec.decode(n.secret),
        template: n.template,
        events: n.events === '' ? [] : n.events.split(',').filter((e): e is NotifyEvent => (NOTIFY_EVENTS as readonly string[]).includes(e)),
      })),
      ...(handOffs.length ? { handOffs: handOffs.map((h) => ({ owner: h.owner_code, taker: h.taker_code, line: h.isp as LineCode, at: h.handed_at })) } : {}),
    };
  }

  /**
   * Replaces the stored cluster state with `state`, all or nothing. With `expectVersion`, the write
   * is refused (DomainError `conflict`, nothing written) unless the stored version is exactly that:
   * a second guard, after the runtime's one-edit-at-a-time queue, against an edit computed from a
   * state that another write already replaced.
   */
  async saveState(state: ClusterState, opts: { expectVersion?: number } = {}): Promise<void> {
    await this.write(async (transaction) => {
      if (opts.expectVersion !== undefined) {
        const row = await this.m.LocalNode.findByPk(1, { transaction });
        const stored = Number(row?.state_version ?? 0);
        if (stored !== opts.expectVersion) {
          throw new DomainError('conflict', `the cluster state changed meanwhile (version ${stored}, expected ${opts.expectVersion}); nothing was changed, retry`, 'stateVersion', 'version_conflict');
        }
      }
      await this.writeState(state, transaction);
    });
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.write((transaction) =>
      this.m.Audit.create(
        {
          at: entry.at,
          node_code: entry.nodeCode,
          provider: entry.provider,
          fqdn: entry.fqdn,
          record_type: entry.type,
          line: entry.line,
          old_value: entry.oldValue,
          new_value: entry.newValue,
          outcome: entry.outcome,
          error: entry.error ? entry.error.slice(0, 500) : null,
        },
        { transaction },
      ),
    );
  }

  async listAudit(limit = 50): Promise<AuditEntry[]> {
    const rows = await this.m.Audit.findAll({ order: [['id', 'DESC']], limit });
    return rows.map((r) => ({
      at: new Date(r.at),
      nodeCode: r.node_code,
      provider: r.provider,
      fqdn: r.fqdn,
      type: r.record_type,
      line: r.line,
      oldValue: r.old_value,
      newValue: r.new_value,
      outcome: r.outcome as AuditEntry['outcome'],
      error: r.error,
    }));
  }

  private async writeState(state: ClusterState, transaction: Transaction): Promise<void> {
    const all = { where: {}, transaction };
    await this.m.ServiceNode.destroy(all);
    await this.m.Service.destroy(all);
    await this.m.NodeIsp.destroy(all);
    await this.m.ClusterNode.destroy(all);
    await this.m.CloudAccount.destroy(all);
    await this.m.Notifier.destroy(all);
    await this.m.HandOff.destroy(all);
    await this.m.HandOff.bulkCreate(
      (state.handOffs ?? []).map((h, position) => ({ owner_code: h.owner, taker_code: h.taker, isp: h.line, handed_at: h.at, position })),
      { transaction },
    );
    await this.m.ClusterNode.bulkCreate(
      state.nodes.map((n, position) => ({
        node_code: n.nodeCode,
        position,
        node_name: n.nodeName,
        node_address: n.nodeAddress,
        work_mode: n.workMode,
        secret: this.codec.encode(n.secret),
        network_type: n.networkType,
        status_code: n.statusCode,
        watch_dog: n.watchDog,
      })),
      { transaction },
    );
    await this.m.NodeIsp.bulkCreate(
      state.nodes.flatMap((n) => n.isps.map((isp, position) => ({ node_code: n.nodeCode, isp, position }))),
      { transaction },
    );
    // Ids are assigned here (every row is rewritten anyway), so services and their node lists go in
    // as two bulk inserts rather than one statement per service.
    await this.m.Service.bulkCreate(
      state.services.map((s, position) => ({
        id: position + 1,
        service_name: s.serviceName,
        domain: s.domain,
        record: s.record,
        platform_provider: s.platformProvider,
        allow_create: s.allowCreate,
        ttl: s.ttl,
        account: s.account ?? null,
        enforce_ttl: s.enforceTtl === true,
        check_url: s.check?.url ?? null,
        check_interval: s.check?.intervalSeconds ?? null,
        check_timeout: s.check?.timeoutSeconds ?? null,
        check_status: s.check?.expectStatus ?? null,
        position,
      })),
      { transaction },
    );
    await this.m.ServiceNode.bulkCreate(
      state.services.flatMap((s, position) => s.nodes.map((node_code) => ({ service_id: position + 1, node_code }))),
      { transaction },
    );
    await this.m.CloudAccount.bulkCreate(
      state.cloudAccounts.map((a, position) => ({
        platform_provider: a.platformProvider,
        access_key: a.accessKey,
        access_secret: this.codec.encode(a.accessSecret),
        endpoint: a.endpoint,
        position,
      })),
      { transaction },
    );
    await this.m.Notifier.bulkCreate(
      state.notifiers.map((n, position) => ({
        name: n.name,
        url: this.codec.encode(n.url),
        format: n.format,
        secret: n.secret === null ? null : this.codec.encode(n.secret),
        template: n.template,
        events: n.events.join(','),
        position,
      })),
      { transaction },
    );
    await this.m.LocalNode.update({ state_version: state.version, leader_term: state.term }, { where: { id: 1 }, transaction });
  }

  /** Outcome of the last write the database itself failed or completed (a refused edit is not one). */
  lastWrite: { ok: boolean; at: Date; error?: string } | null = null;

  /**
   * Whether the database takes writes now: a write that changes nothing (SQLite still opens its
   * journal, so a read-only file or a full disk fails it). Never throws; the outcome is `lastWrite`.
   */
  async probeWrite(): Promise<boolean> {
    try {
      await this.write((transaction) => this.m.LocalNode.update({ config_imported: true }, { where: { id: 1 }, transaction }));
      return true;
    } catch {
      return false;
    }
  }

  /** Serializes writes: SQLite allows one writer, and ordered writes keep versions monotonic on disk. */
  private write<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    const run = this.writeChain.then(() => this.sequelize.transaction((t) => fn(t)));
    this.writeChain = run.catch(() => undefined);
    run.then(
      () => (this.lastWrite = { ok: true, at: new Date() }),
      (err: unknown) => {
        if (!(err instanceof DomainError)) this.lastWrite = { ok: false, at: new Date(), error: describeDbError(err) };
      },
    );
    return run;
  }
}

/**
 * Makes sure SQLite can create and write `storage` before Sequelize tries (whose own errors say
 * neither the path nor the OS reason): its folder exists or is created, the file opens for writing,
 * and the folder takes the journal files SQLite keeps next to it. Throws StartError(`DSN`, ...).
 */
function prepareSqliteFile(storage: string): void {
  const dir = dirname(storage);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const blocker = fileAmongParents(dir);
    if (blocker) throw new StartError('DSN', `cannot use ${storage}: ENOTDIR (${blocker} is a file, not a folder)`);
    throw new StartError('DSN', `cannot create the folder ${dir} for the SQLite file: ${osReason(err)}`);
  }
  try {
    closeSync(openSync(storage, 'a'));
  } catch (err) {
    throw new StartError('DSN', `cannot open the SQLite file ${storage} for writing: ${osReason(err)}`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new StartError('DSN', `the folder ${dir} is not writable (SQLite keeps its journal next to the file): ${osReason(err)}`);
  }
}

/** The first path from the root down to `dir` that exists and is not a folder, or null. */
function fileAmongParents(dir: string): string | null {
  const parts: string[] = [];
  for (let p = dir; ; p = dirname(p)) {
    parts.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of parts) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      return null;
    }
  }
  return null;
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** A database error in words that never carry the DSN or password. */
export function describeDbError(err: unknown): string {
  const e = err as { original?: { code?: string }; parent?: { code?: string }; code?: string; name?: string };
  const code = e.original?.code ?? e.parent?.code ?? e.code;
  return code ? `${e.name ?? 'Error'} (${code})` : (e.name ?? 'unknown error');
}
