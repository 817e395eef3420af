// Database connection descriptions. Operators bring the original's Go-style DSNs
// (`user:pass@tcp(host:port)/db?charset=utf8mb4`, `file:path.db`) or ordinary URLs; both become one
// typed value so the store never parses strings.
import { isAbsolute, resolve } from 'node:path';

export type DatabaseConfig =
  | { dialect: 'sqlite'; storage: string }
  | { dialect: 'mysql'; host: string; port: number; user: string; password: string; database: string; params: Record<string, string> };

export type DatabaseType = 'sqlite' | 'mysql';

/** Accepts the original's `DataBaseType` values. */
export function normalizeDatabaseType(value: string): DatabaseType | null {
  const v = value.trim().toLowerCase();
  if (v === 'sqlite' || v === 'sqlite3') return 'sqlite';
  if (v === 'mysql' || v === 'mariadb') return 'mysql';
  return null;
}

/** Parses a DSN for the given database type; relative SQLite paths resolve against `baseDir`. Throws with a message that never contains the password. */
export function parseDsn(type: DatabaseType, dsn: string, baseDir: string): DatabaseConfig {
  return type === 'sqlite' ? parseSqlite(dsn, baseDir) : parseMysql(dsn);
}

function parseSqlite(dsn: string, baseDir: string): DatabaseConfig {
  let path = dsn.trim();
  if (path === ':memory:' || path === 'file::memory:') return { dialect: 'sqlite', storage: ':memory:' };
  if (path.startsWith('sqlite://')) path = path.slice('sqlite://'.length);
  else if (path.startsWith('sqlite:')) path = path.slice('sqlite:'.length);
  else if (path.startsWith('file:')) path = path.slice('file:'.length);
  const query = path.indexOf('?');
  if (query >= 0) path = path.slice(0, query);
  if (path === '') throw new Error('SQLite DSN names no file');
  return { dialect: 'sqlite', storage: isAbsolute(path) ? path : resolve(baseDir, path) };
}

// user:pass@tcp(host:port)/db?param=value — the go-sql-driver/mysql form the original documents.
const GO_MYSQL = /^(?:([^:@/]*)(?::(.*))?@)?(?:tcp\(([^)]*)\))?\/([^?]*)(?:\?(.*))?$/;

function parseMysql(dsn: string): DatabaseConfig {
  const text = dsn.trim();
  if (/^(mysql|mariadb):\/\//i.test(text)) return parseMysqlUrl(text);
  const m = GO_MYSQL.exec(text);
  if (!m) throw new Error('MySQL DSN is neither a mysql:// URL nor user:pass@tcp(host:port)/db');
  const [, user = 'root', password = '', address = '127.0.0.1:3306', database = '', query = ''] = m;
  if (database === '') throw new Error('MySQL DSN names no database');
  const { host, port } = splitHostPort(address);
  return { dialect: 'mysql', host, port, user, password, database, params: parseParams(query) };
}

function parseMysqlUrl(text: string): DatabaseConfig {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('MySQL DSN is not a valid URL');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') throw new Error('MySQL DSN names no database');
  return {
    dialect: 'mysql',
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    database,
    params: Object.fromEntries(url.searchParams),
  };
}

function splitHostPort(address: string): { host: string; port: number } {
  const v6 = /^\[(.*)\](?::(\d+))?$/.exec(address);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : 3306 };
  const idx = address.lastIndexOf(':');
  if (idx < 0) return { host: address || '127.0.0.1', port: 3306 };
  const port = Number(address.slice(idx + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('MySQL DSN has an invalid port');
  return { host: address.slice(0, idx) || '127.0.0.1', port };
}

function parseParams(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query));
}
