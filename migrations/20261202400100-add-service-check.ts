// Service health checks (issue 14): a service may carry a check URL template with its interval,
// timeout and expected status; every node probes the other nodes' published addresses with it.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('services', 'check_url', { type: DataTypes.STRING(512), allowNull: true });
  await qi.addColumn('services', 'check_interval', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('services', 'check_timeout', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('services', 'check_status', { type: DataTypes.INTEGER, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('services', 'check_status');
  await qi.removeColumn('services', 'check_timeout');
  await qi.removeColumn('services', 'check_interval');
  await qi.removeColumn('services', 'check_url');
}
