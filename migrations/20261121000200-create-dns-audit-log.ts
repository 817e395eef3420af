// Every DNS change this node made or attempted: when, which record, old → new, outcome.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('dns_audit_log', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    at: { type: DataTypes.DATE, allowNull: false },
    node_code: { type: DataTypes.STRING(64), allowNull: false },
    provider: { type: DataTypes.STRING(32), allowNull: false },
    fqdn: { type: DataTypes.STRING(253), allowNull: false },
    record_type: { type: DataTypes.STRING(8), allowNull: false },
    line: { type: DataTypes.STRING(16), allowNull: false },
    old_value: { type: DataTypes.STRING(64), allowNull: true },
    new_value: { type: DataTypes.STRING(64), allowNull: false },
    outcome: { type: DataTypes.STRING(16), allowNull: false },
    error: { type: DataTypes.STRING(512), allowNull: true },
  });
  await qi.addIndex('dns_audit_log', ['at'], { name: 'dns_audit_log_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('dns_audit_log');
}
