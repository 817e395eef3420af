// Sequelize models over the tables the migrations create. Schema changes go through migrations only;
// these definitions never `sync()`. Models are defined per Sequelize instance, so several stores
// (several nodes in one test process) never share a connection.
import { DataTypes, type Model, type ModelStatic, type Optional, type Sequelize } from 'sequelize';

export interface LocalNodeAttrs {
  id: number;
  node_code: string;
  node_name: string;
  node_address: string;
  work_mode: string;
  secret: string;
  state_version: number | string;
  leader_term: number | string;
  config_imported: boolean;
  /** Set when the node left its cluster; cleared by a join handshake (migration 20261202000200). */
  left_cluster_at: Date | null;
  left_cluster_leader: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ClusterNodeAttrs {
  node_code: string;
  position: number;
  node_name: string;
  node_address: string;
  work_mode: string;
  secret: string;
  network_type: string;
  status_code: number;
  watch_dog: string;
}

export interface NodeIspAttrs {
  node_code: string;
  isp: string;
  position: number;
}

export interface HandOffAttrs {
  owner_code: string;
  taker_code: string;
  isp: string;
  handed_at: string;
  position: number;
}

export interface ServiceAttrs {
  id: number;
  service_name: string;
  domain: string;
  record: string;
  platform_provider: string;
  allow_create: boolean;
  ttl: number;
  /** Access key of the account the service names; null: chosen by zone (migration 20261202100100). */
  account: string | null;
  /** Existing records kept at `ttl` too (migration 20261202100200). */
  enforce_ttl: boolean;
  /** The health check (model ServiceCheck); null: none. */
  check_url: string | null;
  check_interval: number | null;
  check_timeout: number | null;
  check_status: number | null;
  position: number;
}

export interface ServiceNodeAttrs {
  service_id: number;
  node_code: string;
}

export interface CloudAccountAttrs {
  id: number;
  platform_provider: string;
  access_key: string;
  access_secret: string;
  endpoint: string | null;
  position: number;
}

export interface NotifierAttrs {
  id: number;
  name: string;
  url: string;
  format: string;
  secret: string | null;
  template: string | null;
  /** Comma-separated event names; empty: every event. */
  events: string;
  position: number;
}

export interface AuditAttrs {
  id: number;
  at: Date;
  node_code: string;
  provider: string;
  fqdn: string;
  record_type: string;
  line: string;
  old_value: string | null;
  new_value: string;
  outcome: string;
  error: string | null;
}

type M<A extends object, O extends keyof A = never> = ModelStatic<Model<A, Optional<A, O>> & A>;

export interface Models {
  LocalNode: M<LocalNodeAttrs, 'created_at' | 'updated_at' | 'left_cluster_at' | 'left_cluster_leader'>;
  ClusterNode: M<ClusterNodeAttrs>;
  NodeIsp: M<NodeIspAttrs>;
  HandOff: M<HandOffAttrs>;
  Service: M<ServiceAttrs, 'id'>;
  ServiceNode: M<ServiceNodeAttrs>;
  CloudAccount: M<CloudAccountAttrs, 'id'>;
  Notifier: M<NotifierAttrs, 'id'>;
  Audit: M<AuditAttrs, 'id'>;
}

export function defineModels(sequelize: Sequelize): Models {
  const opts = { timestamps: false, underscored: true } as const;
  const pk = { primaryKey: true };
  return {
    LocalNode: sequelize.define(
      'LocalNode',
      {
        id: { type: DataTypes.INTEGER, ...pk },
        node_code: DataTypes.STRING,
        node_name: DataTypes.STRING,
        node_address: DataTypes.STRING,
        work_mode: DataTypes.STRING,
        secret: DataTypes.STRING,
        // BIGINT comes back as a string from mysql2; the store converts.
        state_version: DataTypes.BIGINT,
        leader_term: DataTypes.BIGINT,
        config_imported: DataTypes.BOOLEAN,
        left_cluster_at: DataTypes.DATE,
        left_cluster_leader: DataTypes.STRING,
        created_at: DataTypes.DATE,
        updated_at: DataTypes.DATE,
      },
      { ...opts, tableName: 'local_node', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
    ),
    ClusterNode: sequelize.define(
      'ClusterNode',
      {
        node_code: { type: DataTypes.STRING, ...pk },
        position: DataTypes.INTEGER,
        node_name: DataTypes.STRING,
        node_address: DataTypes.STRING,
        work_mode: DataTypes.STRING,
        secret: DataTypes.STRING,
        network_type: DataTypes.STRING,
        status_code: DataTypes.INTEGER,
        watch_dog: DataTypes.STRING,
      },
      { ...opts, tableName: 'cluster_nodes' },
    ),
    NodeIsp: sequelize.define(
      'NodeIsp',
      {
        node_code: { type: DataTypes.STRING, ...pk },
        isp: { type: DataTypes.STRING, ...pk },
        position: DataTypes.INTEGER,
      },
      { ...opts, tableName: 'node_isps' },
    ),
    HandOff: sequelize.define(
      'HandOff',
      {
        owner_code: { type: DataTypes.STRING, ...pk },
        taker_code: { type: DataTypes.STRING, ...pk },
        isp: { type: DataTypes.STRING, ...pk },
        handed_at: DataTypes.STRING,
        position: DataTypes.INTEGER,
      },
      { ...opts, tableName: 'hand_offs' },
    ),
    Service: sequelize.define(
      'Service',
      {
        id: { type: DataTypes.INTEGER, ...pk, autoIncrement: true },
        service_name: DataTypes.STRING,
        domain: DataTypes.STRING,
        record: DataTypes.STRING,
        platform_provider: DataTypes.STRING,
        allow_create: DataTypes.BOOLEAN,
        ttl: DataTypes.INTEGER,
        account: DataTypes.STRING,
        enforce_ttl: DataTypes.BOOLEAN,
        check_url: { type: DataTypes.STRING(512), allowNull: true },
        check_interval: { type: DataTypes.INTEGER, allowNull: true },
        check_timeout: { type: DataTypes.INTEGER, allowNull: true },
        check_status: { type: DataTypes.INTEGER, allowNull: true },
        position: DataTypes.INTEGER,
      },
      { ...opts, tableName: 'services' },
    ),
    ServiceNode: sequelize.define(
      'ServiceNode',
      {
        service_id: { type: DataTypes.INTEGER, ...pk },
        node_code: { type: DataTypes.STRING, ...pk },
      },
      { ...opts, tableName: 'service_nodes' },
    ),
    CloudAccount: sequelize.define(
      'CloudAccount',
      {
        id: { type: DataTypes.INTEGER, ...pk, autoIncrement: true },
        platform_provider: DataTypes.STRING,
        access_key: DataTypes.STRING,
        access_secret: DataTypes.STRING,
        endpoint: DataTypes.STRING,
        position: DataTypes.INTEGER,
      },
      { ...opts, tableName: 'cloud_accounts' },
    ),
    Notifier: sequelize.define(
      'Notifier',
      {
        id: { type: DataTypes.INTEGER, ...pk, autoIncrement: true },
        name: DataTypes.STRING,
        url: DataTypes.STRING,
        format: DataTypes.STRING,
        secret: DataTypes.STRING,
        template: DataTypes.TEXT,
        events: DataTypes.STRING,
        position: DataTypes.INTEGER,
      },
      { ...opts, tableName: 'notifiers' },
    ),
    Audit: sequelize.define(
      'Audit',
      {
        id: { type: DataTypes.INTEGER, ...pk, autoIncrement: true },
        at: DataTypes.DATE,
        node_code: DataTypes.STRING,
        provider: DataTypes.STRING,
        fqdn: DataTypes.STRING,
        record_type: DataTypes.STRING,
        line: DataTypes.STRING,
        old_value: DataTypes.STRING,
        new_value: DataTypes.STRING,
        outcome: DataTypes.STRING,
        error: DataTypes.STRING,
      },
      { ...opts, tableName: 'dns_audit_log' },
    ),
  };
}
