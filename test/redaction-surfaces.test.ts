// Every configured secret is searched for on every surface a person or a scraper can see: logs,
// error answers, pages, badge, metrics, OpenAPI, admin answers and CLI output.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { requestTarget, signRequest } from '../src/security/index.js';
import { freshMariaDb, MARIADB } from './helpers/mariadb.js';
import { procNode, until } from './helpers/cluster.js';
import { collect, exited, spawnCli } from './helpers/node.js';

test('MariaDB: no secret appears in logs, errors, pages, badge, metrics, OpenAPI, admin answers or CLI output', async (t) => {
  const maria = await freshMariaDb('redact');
  const dsnPassword = `dsn-pw-${randomBytes(6).toString('hex')}`;
  const credentialKey = `credential-key-${randomBytes(8).toString('hex')}`;
  const accessSecret = `access-secret-${randomBytes(8).toString('hex')}`;
  const webhookToken = `webhook-token-${randomBytes(8).toString('hex')}`;
  const signingSecret = `SECsigning-${randomBytes(8).toString('hex')}`;
  let dsn: Record<string, unknown> = {};
  if (maria) {
    // A user with a password, so the DSN carries one to leak.
    const user = `cocoa_${randomBytes(3).toString('hex')}`;
    const c = await mysql.createConnection({ ...MARIADB });
    await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${dsnPassword}'`);
    await c.query(`GRANT ALL ON \`${maria.db.dialect === 'mysql' ? maria.db.database : ''}\`.* TO '${user}'@'%'`);
    await c.end();
    dsn = { DataBaseType: 'mysql', DSN: `${user}:${dsnPassword}@tcp(${MARIADB.host}:${MARIADB.port})/${maria.db.dialect === 'mysql' ? maria.db.database : ''}?charset=utf8mb4` };
  }
  const leader = await procNode({ code: 'leader', mode: 'leader', isps: ['default'], ipv4: '198.51.100.9', extra: { ...dsn, CredentialKey: credentialKey, LogLevel: 'debug' } });
  const follower = await procNode({ code: 'follower', mode: 'follower', isps: ['CT'], ipv4: '198.51.100.8', extra: { LogLevel: 'debug' } });
  t.teardown(async () => {
    await leader.kill('SIGKILL');
    await follower.kill('SIGKILL');
    await maria?.drop();
  });
  await leader.start();
  await follower.start();
  await leader.admin.post('/v2/admin/join', { address: follower.url, secret: follower.secret });
  await leader.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-redact', accessSecret, endpoint: 'http://127.0.0.1:9' });
  await leader.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali', nodes: ['leader'] });
  // A notifier whose webhook fails (nothing listens on port 9): its retries are logged, URL masked.
  await leader.admin.post('/v2/admin/notifiers', { name: 'ops', format: 'dingtalk', url: `http://127.0.0.1:9/robot/send?access_token=${webhookToken}`, secret: signingSecret });
  await until(async () => ((await follower.admin.get('/v2/admin/accounts')) as { accounts: unknown[] }).accounts.length === 1, 10_000, 'the push');
  await until(async () => ((await follower.admin.get('/v2/admin/notifiers')) as { notifiers: unknown[] }).notifiers.length === 1, 10_000, 'the notifier push');
  await follower.admin.post('/v2/admin/notifiers/ops/test');

  const secrets = [leader.secret, follower.secret, accessSecret, credentialKey, webhookToken, signingSecret, ...(maria ? [dsnPassword] : [])];
  const surfaces: Record<string, string> = {};
  const get = async (name: string, url: string) => {
    surfaces[name] = await (await fetch(url)).text();
  };
  for (const node of [leader, follower]) {
    for (const path of ['/v1/badge', '/v1/status', '/v1/status.json', '/metrics', '/v1/openapi.json', '/healthz', '/readyz', '/v1', '/nope']) await get(`${node.code} ${path}`, node.url + path);
    for (const path of ['/v2/admin/status', '/v2/admin/accounts', '/v2/admin/nodes', '/v2/admin/services', '/v2/admin/notifiers', '/v2/admin/pushes', '/v2/admin/dns/plan', '/v2/admin/dns/log']) {
      surfaces[`${node.code} ${path}`] = JSON.stringify(await node.admin.get(path));
    }
    // v1 getClusterInfo, signed: it lists every node and account.
    const url = `${node.url}/v1/getClusterInfo`;
    surfaces[`${node.code} getClusterInfo`] = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest({ method: 'POST', path: requestTarget(url), body: '{}', secret: node.secret, keyId: 'test' }) }, body: '{}' })).text();
    // Error answers that were sent secrets: a clear v1 request, a bad admin body, a bad signature.
    surfaces[`${node.code} v1 refused`] = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cocoaSecret: node.secret }) })).text();
  }
  for (const [name, promise] of [
    ['join wrong secret', leader.admin.post('/v2/admin/join', { address: 'http://127.0.0.1:9', secret: accessSecret })],
    ['bad account', leader.admin.post('/v2/admin/accounts', { provider: 'Nope', accessKey: 'k', accessSecret })],
    ['dup account', leader.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-redact', accessSecret })],
    ['bad notifier', leader.admin.post('/v2/admin/notifiers', { name: 'x', format: 'json', url: `http://127.0.0.1:9/?t=${webhookToken}`, secret: signingSecret })],
    ['dup notifier', leader.admin.post('/v2/admin/notifiers', { name: 'ops', url: `http://127.0.0.1:9/?t=${webhookToken}` })],
  ] as const) {
    surfaces[name] = await promise.then((r) => JSON.stringify(r), (e: Error) => e.message + JSON.stringify(e));
  }
  // The CLI, human and JSON output.
  for (const args of [['status'], ['status', '--json'], ['dns', 'list'], ['dns', 'list', '--json'], ['node', 'list'], ['service', 'list', '--json'], ['dns', 'plan'], ['dns', 'log'], ['notify', 'list'], ['notify', 'list', '--json'], ['notify', 'test', 'ops']]) {
    const cli = spawnCli(['--config', leader.configFile, ...args], {});
    const out = collect(cli);
    await exited(cli);
    surfaces[`cli ${args.join(' ')}`] = out();
  }
  await new Promise((r) => setTimeout(r, 500));
  surfaces['leader log'] = leader.output();
  surfaces['follower log'] = follower.output();

  t.true(Object.keys(surfaces).length > 40);
  for (const [name, text] of Object.entries(surfaces)) {
    t.true(text.length > 0, `${name} has content`);
    for (const secret of secrets) t.false(text.includes(secret), `${name} shows a secret`);
  }
  t.true(surfaces['leader log']!.split('\n').length > 5, 'the leader logged joins, pushes and refusals');
  const failedTest = surfaces['follower log']!.split('\n').find((l) => l.includes('test notification not delivered'));
  t.truthy(failedTest, 'the failed test message is logged');
  t.true(failedTest?.includes('"url":"http://127.0.0.1:9/****"'), 'with its URL masked');
});
