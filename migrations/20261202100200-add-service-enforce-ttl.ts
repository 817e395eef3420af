// `service set --ttl` keeps existing records at the service's TTL too (issue 11, case 9); services
// added before (and `service add --ttl`) keep applying their TTL to created records only.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('services', 'enforce_ttl', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('services', 'enforce_ttl');
}
