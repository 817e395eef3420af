// A private mariadbd on its own port and data folder, for tests that stop the database under a
// running node (the machine's shared server on 3306 stays up for every other test).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { tempDir } from './config.js';
import { freePort } from './node.js';

export interface MariaInstance {
  port: number;
  dsn: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function mariadbBinariesPresent(): boolean {
  return existsSync('/usr/sbin/mariadbd') && spawnSync('which', ['mariadb-install-db']).status === 0;
}

export async function privateMariaDb(database = 'cocoa_fault'): Promise<MariaInstance> {
  const dir = tempDir('cocoa-mariadb-');
  const datadir = join(dir, 'data');
  const port = await freePort();
  const init = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr.slice(0, 500)}`);
  let child: ChildProcess | null = null;
  const inst: MariaInstance = {
    port,
    dsn: `root@tcp(127.0.0.1:${port})/${database}?charset=utf8mb4`,
    async start() {
      child = spawn('/usr/sbin/mariadbd', ['--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'mysqld.sock')}`, '--bind-address=127.0.0.1', '--user=root', '--skip-grant-tables', '--skip-log-bin', `--pid-file=${join(dir, 'mysqld.pid')}`], { stdio: 'ignore' });
      const started = Date.now();
      for (;;) {
        try {
          const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
          await c.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
          await c.end();
          return;
        } catch {
          if (Date.now() - started > 30_000) throw new Error('private mariadbd did not start within 30 s');
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
      child = null;
    },
  };
  return inst;
}
