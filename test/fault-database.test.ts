// The database goes away under a running node: it keeps heartbeating and syncing DNS from memory,
// /readyz says why it is degraded, edits are refused clearly, and it recovers by itself.
import test from 'ava';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { mariadbBinariesPresent, privateMariaDb } from './helpers/mariadb-instance.js';
import { procNode, until } from './helpers/cluster.js';
import { AdminError } from '../src/cli/admin-client.js';

test('MariaDB: stopping the database degrades /readyz, refuses edits, keeps DNS in sync, and the node recovers when it returns', async (t) => {
  if (!mariadbBinariesPresent()) {
    if (process.env.CI === 'true') return t.fail('mariadbd and mariadb-install-db are required on CI');
    console.warn('\n  NOTICE: no mariadbd binaries; skipping MariaDB fault test\n');
    return t.pass();
  }
  const db = await privateMariaDb();
  await db.start();
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-fault': 'fault-secret-value' }, domains: ['example.com'] });
  const id = ali.seed({ domain: 'example.com', rr: 'www', type: 'A', line: 'default', value: '192.0.2.1' });
  const node = await procNode({ code: 'solo', mode: 'leader', isps: ['default'], ipv4: '198.51.100.77', extra: { DataBaseType: 'mysql', DSN: db.dsn, DnsSyncSeconds: 1 } });
  t.teardown(async () => {
    await node.kill('SIGKILL');
    await db.stop();
    await ali.close();
  });
  await node.start();
  await node.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-fault', accessSecret: 'fault-secret-value', endpoint: ali.endpoint });
  await node.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  const value = () => ali.records({ rr: 'www', type: 'A', line: 'default' })[0]?.value;
  await until(() => value() === '198.51.100.77', 10_000, 'the record to hold the node\'s IP');
  t.is((await fetch(`${node.url}/readyz`)).status, 200);

  await db.stop();
  const degraded = await until(async () => (await fetch(`${node.url}/readyz`)).status === 503, 15_000, '/readyz to report the outage');
  t.log(`database stopped → /readyz 503 after ${degraded} ms`);
  const ready = (await (await fetch(`${node.url}/readyz`)).json()) as Record<string, unknown>;
  t.regex(JSON.stringify(ready), /database/i, '/readyz names the database as the reason');

  // Edits need the database: refused with a clear 503, nothing half-applied.
  const versionBefore = ((await node.admin.get('/v2/admin/status')) as { node: { stateVersion: number } }).node.stateVersion;
  const err = await t.throwsAsync(() => node.admin.post('/v2/admin/services', { name: 'api', domain: 'example.com', record: 'api', provider: 'Ali' }), { instanceOf: AdminError });
  t.is((err as AdminError).status, 503);
  t.regex(err!.message, /database is unavailable/);
  const status = (await node.admin.get('/v2/admin/status')) as { node: { stateVersion: number }; services: unknown[] };
  t.is(status.node.stateVersion, versionBefore);
  t.is(status.services.length, 1);

  // DNS sync goes on from memory: drift in the zone is put right while the database is down.
  ali.zone.update(ali.zone.get(id)!, { value: '192.0.2.99' });
  await until(() => value() === '198.51.100.77', 10_000, 'DNS sync to repair the record with the database down');

  // The database returns: the node recovers by itself.
  await db.start();
  const recovered = await until(async () => (await fetch(`${node.url}/readyz`)).status === 200, 30_000, '/readyz to recover');
  t.log(`database back → /readyz 200 after ${recovered} ms`);
  await node.admin.post('/v2/admin/services', { name: 'api', domain: 'example.com', record: 'api', provider: 'Ali' });
  // The audit entry written during the outage reached the database after it returned.
  await until(async () => {
    const log = (await node.admin.get('/v2/admin/dns/log?limit=20')) as { entries: { oldValue: string | null; newValue: string }[] };
    return log.entries.some((e) => e.oldValue === '192.0.2.99' && e.newValue === '198.51.100.77');
  }, 15_000, 'the buffered audit entry to be stored');
  t.false(node.output().includes('fault-secret-value'));
});
