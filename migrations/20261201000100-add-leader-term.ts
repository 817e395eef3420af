// Leadership terms (fencing tokens): the term of the state this node holds, persisted with it so a
// restarted old leader still knows which term it led in and loses to any later one.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('local_node', 'leader_term', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('local_node', 'leader_term');
}
