// MariaDB for store tests: a fresh database per test run on the machine's server (127.0.0.1:3306,
// root, no password). Locally the tests skip with a visible notice when no server answers; on CI
// (CI=true) an unreachable server fails the run instead, so MariaDB coverage is never lost silently.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../../src/config/dsn.js';

export const MARIADB = {
  host: process.env.COCOASYNCER_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.COCOASYNCER_TEST_MYSQL_PORT ?? 3306),
  user: process.env.COCOASYNCER_TEST_MYSQL_USER ?? 'root',
  password: process.env.COCOASYNCER_TEST_MYSQL_PASSWORD ?? '',
};

let reachable: Promise<boolean> | null = null;

export function mariadbReachable(): Promise<boolean> {
  reachable ??= (async () => {
    try {
      const conn = await mysql.createConnection({ ...MARIADB, connectTimeout: 3000 });
      await conn.end();
      return true;
    } catch {
      return false;
    }
  })();
  return reachable;
}

/** Resolves to a fresh database (and a drop function), or null when tests should skip. Throws on CI. */
export async function freshMariaDb(label: string): Promise<{ db: DatabaseConfig; dsn: string; drop(): Promise<void> } | null> {
  if (!(await mariadbReachable())) {
    if (process.env.CI === 'true') throw new Error(`MariaDB at ${MARIADB.host}:${MARIADB.port} is not reachable, and CI=true forbids skipping the MariaDB tests`);
    console.warn(`\n  NOTICE: MariaDB at ${MARIADB.host}:${MARIADB.port} is not reachable; skipping MariaDB test "${label}"\n`);
    return null;
  }
  const database = `cocoa_t_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const conn = await mysql.createConnection({ ...MARIADB });
  await conn.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await conn.end();
  return {
    db: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, password: MARIADB.password, database, params: {} },
    dsn: `${MARIADB.user}${MARIADB.password ? `:${MARIADB.password}` : ''}@tcp(${MARIADB.host}:${MARIADB.port})/${database}?charset=utf8mb4`,
    async drop() {
      const c = await mysql.createConnection({ ...MARIADB });
      await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await c.end();
    },
  };
}
