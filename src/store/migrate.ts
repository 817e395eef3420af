// Applies the migrations in `migrations/` (umzug); runs from sources (tsx, .ts) and from the build (.js).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

interface MigrationModule {
  up(params: { context: QueryInterface }): Promise<void>;
  down(params: { context: QueryInterface }): Promise<void>;
}

function migrationFiles(): { name: string; path: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    // The recorded name has no extension, so a database migrated from sources matches the build.
    .map((f) => ({ name: f.replace(/\.(ts|js)$/, ''), path: join(MIGRATIONS_DIR, f) }));
}

export function migrator(sequelize: Sequelize): Umzug<QueryInterface> {
  return new Umzug<QueryInterface>({
    migrations: migrationFiles().map(({ name, path }) => ({
      name,
      up: async ({ context }) => ((await import(pathToFileURL(path).href)) as MigrationModule).up({ context }),
      down: async ({ context }) => ((await import(pathToFileURL(path).href)) as MigrationModule).down({ context }),
    })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}
