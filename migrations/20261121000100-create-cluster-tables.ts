// The replicated cluster state, normalized: this node's identity, the cluster's nodes and their
// lines, managed services and which nodes serve them, and cloud DNS accounts.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('local_node', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    node_code: { type: DataTypes.STRING(64), allowNull: false },
    node_name: { type: DataTypes.STRING(64), allowNull: false },
    node_address: { type: DataTypes.STRING(512), allowNull: false },
    work_mode: { type: DataTypes.STRING(16), allowNull: false },
    secret: { type: DataTypes.STRING(512), allowNull: false },
    state_version: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    config_imported: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('cluster_nodes', {
    node_code: { type: DataTypes.STRING(64), primaryKey: true },
    position: { type: DataTypes.INTEGER, allowNull: false },
    node_name: { type: DataTypes.STRING(64), allowNull: false },
    node_address: { type: DataTypes.STRING(512), allowNull: false },
    work_mode: { type: DataTypes.STRING(16), allowNull: false },
    secret: { type: DataTypes.STRING(512), allowNull: false },
    network_type: { type: DataTypes.STRING(8), allowNull: false },
    status_code: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 200 },
    watch_dog: { type: DataTypes.STRING(40), allowNull: false },
  });
  await qi.createTable('node_isps', {
    node_code: {
      type: DataTypes.STRING(64),
      primaryKey: true,
      references: { model: 'cluster_nodes', key: 'node_code' },
      onDelete: 'CASCADE',
    },
    isp: { type: DataTypes.STRING(16), primaryKey: true },
    position: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.createTable('services', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    service_name: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    domain: { type: DataTypes.STRING(253), allowNull: false },
    record: { type: DataTypes.STRING(253), allowNull: false },
    platform_provider: { type: DataTypes.STRING(32), allowNull: false },
    allow_create: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    ttl: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 600 },
    position: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.createTable('service_nodes', {
    service_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      references: { model: 'services', key: 'id' },
      onDelete: 'CASCADE',
    },
    node_code: { type: DataTypes.STRING(64), primaryKey: true },
  });
  await qi.createTable('cloud_accounts', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    platform_provider: { type: DataTypes.STRING(32), allowNull: false },
    access_key: { type: DataTypes.STRING(256), allowNull: false },
    access_secret: { type: DataTypes.STRING(1024), allowNull: false },
    endpoint: { type: DataTypes.STRING(512), allowNull: true },
    position: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.addIndex('cloud_accounts', ['platform_provider', 'access_key'], { unique: true, name: 'cloud_accounts_provider_key' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('cloud_accounts');
  await qi.dropTable('service_nodes');
  await qi.dropTable('services');
  await qi.dropTable('node_isps');
  await qi.dropTable('cluster_nodes');
  await qi.dropTable('local_node');
}
