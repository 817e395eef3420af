import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, buildConfig, loadConfigFile } from '../src/config/index.js';
import { parseDsn } from '../src/config/dsn.js';
import { CONFIG_KEYS, configTableRows } from '../src/config/schema.js';
import { tempDir } from './helpers/config.js';
import { ROOT } from './helpers/node.js';

// The original's config.yaml, key for key (with a SQLite DSN so it loads anywhere).
const ORIGINAL = `
APIPort: 80
NodeName: LuckyCocoa
NodeCode: test
NodeAddress: http://127.0.0.1:44443
ReverseProxy: true
WorkMode: leader
CocoaSecret: Cocoa&Mafuyu
Timeout: 10
DataBaseType: sqlite3
DSN: "file:test.db"
`;

function write(text: string): string {
  const dir = tempDir();
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

test('the original config.yaml loads unchanged, with Timeout in minutes as the fail-after window', (t) => {
  const file = write(ORIGINAL);
  const { config, warnings } = loadConfigFile(file, {});
  t.deepEqual(warnings, []);
  t.is(config.apiPort, 80);
  t.is(config.nodeCode, 'test');
  t.true(config.reverseProxy);
  t.is(config.workMode, 'leader');
  t.is(config.timing.failAfterMs, 10 * 60_000);
  t.deepEqual(config.database, { dialect: 'sqlite', storage: join(file, '..', 'test.db') });
});

test('the shipped config is valid and names a leader on port 44443 with SQLite under data/', (t) => {
  const { config } = loadConfigFile(join(ROOT, 'config', 'cocoasyncer.yaml'), {});
  t.is(config.apiPort, 44443);
  t.is(config.workMode, 'leader');
  t.deepEqual(config.database, { dialect: 'sqlite', storage: join(ROOT, 'data', 'cocoasyncer.db') });
});

test('relative paths resolve against the config file\'s folder, not the working directory', (t) => {
  const file = write(ORIGINAL.replace('file:test.db', 'file:./db/x.db') + 'TLSCert: certs/c.pem\nTLSKey: certs/k.pem\n');
  const { config } = loadConfigFile(file, {});
  t.is(config.database.dialect === 'sqlite' && config.database.storage, join(file, '..', 'db', 'x.db'));
  t.is(config.tls?.cert, join(file, '..', 'certs', 'c.pem'));
});

test('environment variables override the file', (t) => {
  const file = write(ORIGINAL);
  const { config } = loadConfigFile(file, {
    COCOASYNCER_API_PORT: '44444',
    COCOASYNCER_WORK_MODE: 'follower',
    COCOASYNCER_ISPS: 'CU, CMCC',
    COCOASYNCER_V1_COMPAT: 'true',
    COCOASYNCER_FAIL_AFTER_SECONDS: '3',
    COCOASYNCER_HEARTBEAT_SECONDS: '1',
    COCOASYNCER_PUBLIC_IPV4: '198.51.100.7',
  });
  t.is(config.apiPort, 44444);
  t.is(config.workMode, 'follower');
  t.deepEqual(config.isps, ['CU', 'CMCC']);
  t.true(config.v1Compat);
  t.is(config.timing.failAfterMs, 3000);
  t.is(config.publicIp.ipv4.staticAddress, '198.51.100.7');
});

test('unknown keys are warned about by name and do not stop the node', (t) => {
  const file = write(ORIGINAL + 'HeartBeatSecond: 5\nFutureKey: yes\n');
  const { warnings } = loadConfigFile(file, {});
  t.is(warnings.length, 2);
  t.is(warnings[0], 'unknown key HeartBeatSecond (did you mean HeartbeatSeconds?); ignored');
  t.regex(warnings[1]!, /unknown key FutureKey/);
});

test('in an invalid config an unknown key is listed among the problems with its likely meaning, beside what it caused', (t) => {
  const file = write(ORIGINAL.replace('NodeAddress:', 'NodeAdress:'));
  const err = t.throws(() => loadConfigFile(file, {}), { instanceOf: ConfigError });
  t.deepEqual(err!.problems, ['unknown key NodeAdress (did you mean NodeAddress?)', 'NodeAddress: is required']);
  t.regex(err!.message, /did you mean NodeAddress\?/);
});

test('every invalid key is reported at once, each by name', (t) => {
  const file = write('APIPort: 70000\nNodeName: ""\nNodeCode: "bad code!"\nNodeAddress: ftp://x\nWorkMode: boss\nCocoaSecret: short\nISPs: [CT, Mars]\n');
  const err = t.throws(() => loadConfigFile(file, {}), { instanceOf: ConfigError });
  const keys = err!.problems.map((p) => p.split(':')[0]);
  for (const key of ['APIPort', 'NodeName', 'NodeCode', 'NodeAddress', 'WorkMode', 'CocoaSecret', 'ISPs.1']) t.true(keys.includes(key), `${key} in ${err!.problems.join(' | ')}`);
});

test('a missing key is reported as required', (t) => {
  const err = t.throws(() => buildConfig({ APIPort: 1 }, { baseDir: tempDir(), env: {} }), { instanceOf: ConfigError });
  t.true(err!.problems.includes('NodeName: is required'));
  t.true(err!.problems.includes('CocoaSecret: is required'));
});

test('unsupported DataBaseType and a MySQL DSN without a database are named errors that never print the password', (t) => {
  const file = write(ORIGINAL.replace('sqlite3', 'oracle'));
  const e1 = t.throws(() => loadConfigFile(file, {}), { instanceOf: ConfigError });
  t.regex(e1!.message, /DataBaseType: "oracle" is not supported/);
  const file2 = write(ORIGINAL.replace('sqlite3', 'mysql').replace('file:test.db', 'root:hunter2secret@tcp(10.0.0.1:3306)/'));
  const e2 = t.throws(() => loadConfigFile(file2, {}), { instanceOf: ConfigError });
  t.regex(e2!.message, /DSN: MySQL DSN names no database/);
  t.false(e2!.message.includes('hunter2secret'));
});

test('the original\'s Go MySQL DSN and ordinary URLs both parse', (t) => {
  t.deepEqual(parseDsn('mysql', 'root:123@tcp(192.168.1.2:3306)/test?charset=utf8mb4', '/'), {
    dialect: 'mysql', host: '192.168.1.2', port: 3306, user: 'root', password: '123', database: 'test', params: { charset: 'utf8mb4' },
  });
  t.deepEqual(parseDsn('mysql', 'mysql://cocoa:p%40ss@db.example:3307/cocoasyncer', '/'), {
    dialect: 'mysql', host: 'db.example', port: 3307, user: 'cocoa', password: 'p@ss', database: 'cocoasyncer', params: {},
  });
  t.deepEqual(parseDsn('mysql', 'root@tcp(127.0.0.1:3306)/test', '/'), {
    dialect: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test', params: {},
  });
  t.deepEqual(parseDsn('sqlite', 'file:data/c.db', '/srv'), { dialect: 'sqlite', storage: '/srv/data/c.db' });
  t.deepEqual(parseDsn('sqlite', 'sqlite:///var/c.db', '/srv'), { dialect: 'sqlite', storage: '/var/c.db' });
});

test('the config file is read relative to --config, and a missing file is a clear error', (t) => {
  const dir = tempDir();
  mkdirSync(join(dir, 'nested'));
  const err = t.throws(() => loadConfigFile(join(dir, 'nested', 'missing.yaml'), {}), { instanceOf: ConfigError });
  t.regex(err!.message, /cannot read config file .*missing\.yaml: ENOENT/);
});

test('the README\'s configuration table documents every key exactly as the schema declares it (env, default, meaning)', (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const documented = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([^`]+)` \|/.exec(line);
    if (m) documented.set(m[1]!, line);
  }
  const declared = new Map<string, string>(configTableRows().map((row, i) => [CONFIG_KEYS[i]!, row]));
  t.true(declared.size > 25);
  for (const [key, row] of declared) {
    t.true(documented.has(key), `${key} is missing from the README's configuration table; add:\n${row}`);
    if (documented.has(key)) t.is(documented.get(key), row, `${key} is documented differently from src/config/schema.ts`);
  }
  for (const key of documented.keys()) t.true(declared.has(key), `the README documents "${key}", which is not a config key`);
});

test('text keys read a YAML number as the text written, as Go/viper does: `CocoaSecret: 00999999` is "00999999", `NodeCode: 42` is "42"', (t) => {
  const { config } = loadConfigFile(write(ORIGINAL.replace('CocoaSecret: Cocoa&Mafuyu', 'CocoaSecret: 00999999').replace('NodeCode: test', 'NodeCode: 42')), {});
  t.is(config.secret, '00999999');
  t.is(config.nodeCode, '42');
});

test('a secret under 8 characters is refused saying why and what to do, and accepted with V1Compat: true', (t) => {
  const short = ORIGINAL.replace('CocoaSecret: Cocoa&Mafuyu', 'CocoaSecret: 999');
  const err = t.throws(() => loadConfigFile(write(short), {}), { instanceOf: ConfigError });
  t.regex(err!.problems.join('\n'), /^CocoaSecret: is 3 characters; at least 8 are required, because a short secret is easily guessed\. .*V1Compat: true/m);
  t.is(loadConfigFile(write(`${short}V1Compat: true\n`), {}).config.secret, '999');
});

test('secret rotate writes the new secret into the CocoaSecret line only, keeping its comment and every other line', async (t) => {
  const { replaceConfigSecret } = await import('../src/config/edit-secret.js');
  const text = 'APIPort: 1\nCocoaSecret: Cocoa&Mafuyu-change-me   # CHANGE IT\nNodeName: x # CocoaSecret: not this\n';
  t.is(replaceConfigSecret(text, 'new "secret" #1'), 'APIPort: 1\nCocoaSecret: "new \\"secret\\" #1"   # CHANGE IT\nNodeName: x # CocoaSecret: not this\n');
  t.is(replaceConfigSecret('CocoaSecret: "a b" # c\n', 'xyz12345'), 'CocoaSecret: "xyz12345" # c\n');
  t.is(replaceConfigSecret('APIPort: 1\n', 'xyz12345'), null);
  const written = write(ORIGINAL.replace('CocoaSecret: Cocoa&Mafuyu', replaceConfigSecret('CocoaSecret: x', 'it\'s: "q" #1')!));
  t.is(loadConfigFile(written, {}).config.secret, 'it\'s: "q" #1');
});
