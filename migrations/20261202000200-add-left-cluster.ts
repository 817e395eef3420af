// A node that left its cluster (quit, quit --force, removed) remembers it: until a leader joins it
// again (the join handshake says so), it refuses pushes, so a force-quit is not undone by the old
// leader pushing again when it returns.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('local_node', 'left_cluster_at', { type: DataTypes.DATE, allowNull: true, defaultValue: null });
  await qi.addColumn('local_node', 'left_cluster_leader', { type: DataTypes.STRING(128), allowNull: true, defaultValue: null });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('local_node', 'left_cluster_leader');
  await qi.removeColumn('local_node', 'left_cluster_at');
}
