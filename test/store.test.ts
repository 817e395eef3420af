import test from 'ava';
import { join } from 'node:path';
import type { DatabaseConfig } from '../src/config/dsn.js';
import type { ClusterNode, ClusterState } from '../src/model.js';
import { Store } from '../src/store/index.js';
import { tempDir } from './helpers/config.js';
import { freshMariaDb } from './helpers/mariadb.js';

const self: ClusterNode = {
  nodeCode: 'SH', nodeName: 'LuckyCocoa', nodeAddress: 'http://127.0.0.1:44443', workMode: 'leader', secret: 'leader-secret-123',
  isps: ['default', 'CT'], networkType: 'IPV4', statusCode: 200, watchDog: '2026-11-21T00:00:00.000Z',
};

const state: ClusterState = {
  version: 3,
  term: 0,
  nodes: [
    self,
    { ...self, nodeCode: 'GZ', nodeName: '广州 Cafe', workMode: 'follower', secret: 'gz-secret-456', isps: ['CU', 'CMCC'], networkType: 'Both', statusCode: 504 },
  ],
  services: [
    { serviceName: '测试', domain: 'luckykeeper.site', record: 'test', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 },
    { serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'DNSPod', nodes: ['GZ', 'SH'], allowCreate: true, ttl: 120, account: 'AKID-1', enforceTtl: true, check: { url: 'https://{ip}:8443/health', intervalSeconds: 5, timeoutSeconds: 2, expectStatus: 204 } },
  ],
  cloudAccounts: [
    { platformProvider: 'Ali', accessKey: 'LTAI-1', accessSecret: 'ali-secret', endpoint: null },
    { platformProvider: 'DNSPod', accessKey: 'AKID-1', accessSecret: 'tc-secret', endpoint: 'http://127.0.0.1:9999' },
  ],
  notifiers: [
    { name: 'ops', url: 'https://oapi.dingtalk.com/robot/send?access_token=tok-1', format: 'dingtalk', secret: 'SECsign-1', template: null, events: ['failover', 'recovery'] },
    { name: 'hook', url: 'http://127.0.0.1:9998/hook', format: 'json', secret: null, template: '{"text":"{{event}} {{node}}"}', events: [] },
  ],
};

type Backend = { name: string; open(): Promise<{ db: DatabaseConfig; cleanup(): Promise<void> } | null> };

const backends: Backend[] = [
  { name: 'SQLite', open: async () => ({ db: { dialect: 'sqlite', storage: join(tempDir(), 'c.db') }, cleanup: async () => undefined }) },
  {
    name: 'MariaDB',
    open: async () => {
      const m = await freshMariaDb('store');
      return m && { db: m.db, cleanup: m.drop };
    },
  },
];

for (const backend of backends) {
  const setup = async (t: { teardown(fn: () => Promise<void>): void; log(...v: unknown[]): void }) => {
    const opened = await backend.open();
    if (!opened) return null;
    const store = await Store.open(opened.db);
    t.teardown(async () => {
      await store.close();
      await opened.cleanup();
    });
    return { store, db: opened.db };
  };

  test(`${backend.name}: migrations apply once and a re-run applies none`, async (t) => {
    const s = await setup(t);
    if (!s) return t.pass('skipped: no MariaDB');
    t.deepEqual(await s.store.migrate(), ['20261121000100-create-cluster-tables', '20261121000200-create-dns-audit-log', '20261201000100-add-leader-term', '20261202000100-add-hand-offs', '20261202000200-add-left-cluster', '20261202100100-add-service-account', '20261202100200-add-service-enforce-ttl', '20261202200100-create-notifiers', '20261202400100-add-service-check']);
    t.deepEqual(await s.store.migrate(), []);
  });

  test(`${backend.name}: first start imports the identity and a cluster of one`, async (t) => {
    const s = await setup(t);
    if (!s) return t.pass('skipped: no MariaDB');
    await s.store.migrate();
    t.is(await s.store.loadIdentity(), null);
    await s.store.importIdentity(self);
    const id = await s.store.loadIdentity();
    t.is(id?.nodeCode, 'SH');
    t.is(id?.secret, 'leader-secret-123');
    const loaded = await s.store.loadState();
    t.is(loaded.version, 0);
    t.deepEqual(loaded.nodes, [self]);
  });

  test(`${backend.name}: cluster state round-trips through normalized tables, order and unicode kept`, async (t) => {
    const s = await setup(t);
    if (!s) return t.pass('skipped: no MariaDB');
    await s.store.migrate();
    await s.store.importIdentity(self);
    await s.store.saveState(state);
    t.deepEqual(await s.store.loadState(), state);
    // Reopen: nothing is kept in memory between stores.
    const again = await Store.open(s.db);
    t.teardown(() => again.close());
    t.deepEqual(await again.loadState(), state);
  });

  test(`${backend.name}: a state write that fails half-way leaves the previous state whole`, async (t) => {
    const s = await setup(t);
    if (!s) return t.pass('skipped: no MariaDB');
    await s.store.migrate();
    await s.store.importIdentity(self);
    await s.store.saveState(state);
    // Two services with one name violate the unique index after the nodes were already rewritten.
    const broken: ClusterState = { ...state, version: 4, nodes: [self], services: [state.services[0]!, state.services[0]!] };
    await t.throwsAsync(() => s.store.saveState(broken));
    t.deepEqual(await s.store.loadState(), state);
  });

  test(`${backend.name}: the DNS audit log keeps entries newest first`, async (t) => {
    const s = await setup(t);
    if (!s) return t.pass('skipped: no MariaDB');
    await s.store.migrate();
    const base = { nodeCode: 'SH', provider: 'Ali', fqdn: 'www.example.com', type: 'A', line: 'CT', oldValue: '1.1.1.1', newValue: '2.2.2.2' };
    await s.store.recordAudit({ ...base, at: new Date('2026-11-21T01:00:00Z'), outcome: 'ok' });
    await s.store.recordAudit({ ...base, at: new Date('2026-11-21T02:00:00Z'), outcome: 'failed', error: 'Throttling.User' });
    const log = await s.store.listAudit(10);
    t.deepEqual(log.map((e) => [e.outcome, e.error]), [['failed', 'Throttling.User'], ['ok', null]]);
    t.is(log[1]!.at.toISOString(), '2026-11-21T01:00:00.000Z');
  });

  test(`${backend.name}: ping answers true while the database is up`, async (t) => {
    const s = await setup(t);
    if (!s) return t.pass('skipped: no MariaDB');
    t.true(await s.store.ping());
  });
}
