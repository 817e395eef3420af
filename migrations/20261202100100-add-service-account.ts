// A service may name the cloud account it writes through (issue 11, case 7: several accounts of one
// provider). NULL: the account is chosen by which account of the provider holds the zone.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('services', 'account', { type: DataTypes.STRING, allowNull: true, defaultValue: null });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('services', 'account');
}
