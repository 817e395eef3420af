// Notifiers: the webhooks the cluster announces its events to (issue 14, part 3). Part of the
// replicated state; `url` and `secret` carry tokens, so they are stored through the secret codec
// (sealed at rest when a CredentialKey is set), like cloud access secrets.
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('notifiers', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    url: { type: DataTypes.STRING(2048), allowNull: false },
    format: { type: DataTypes.STRING(16), allowNull: false },
    secret: { type: DataTypes.STRING(1024), allowNull: true },
    template: { type: DataTypes.TEXT, allowNull: true },
    // Comma-separated NotifyEvent names; empty: every event.
    events: { type: DataTypes.STRING(256), allowNull: false, defaultValue: '' },
    position: { type: DataTypes.INTEGER, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('notifiers');
}
