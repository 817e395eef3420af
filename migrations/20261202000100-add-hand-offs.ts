// Temporary hand-offs: when a node quits, the lines given to the remaining nodes are recorded
// (owner, taker, line) as part of the replicated state, so the leader (or a later one) gives them
// back when the owner is joined again.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('hand_offs', {
    owner_code: { type: DataTypes.STRING(128), primaryKey: true },
    taker_code: { type: DataTypes.STRING(128), primaryKey: true },
    isp: { type: DataTypes.STRING(16), primaryKey: true },
    handed_at: { type: DataTypes.STRING(40), allowNull: false },
    position: { type: DataTypes.INTEGER, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('hand_offs');
}
