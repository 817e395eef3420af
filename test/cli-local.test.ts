// The commands that need no node, run as real processes: version, help, a mistyped command with
// --json, `config check` (every problem at once, unknown keys with "did you mean") and `init`.
import test from 'ava';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { closestKey, describeUnknownKey, findUnknownKeys } from '../src/config/unknown-keys.js';
import { CONFIG_KEYS } from '../src/config/schema.js';
import { tempDir } from './helpers/config.js';
import { runCliProcess } from './helpers/cli-process.js';
import { ROOT } from './helpers/node.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A config that is valid except for what a test adds or drops. */
const VALID = {
  APIPort: 44443,
  NodeName: 'LuckyCocoa',
  NodeCode: 'home',
  NodeAddress: 'http://127.0.0.1:44443',
  WorkMode: 'leader',
  CocoaSecret: 'a-perfectly-good-secret',
};

function writeConfig(doc: Record<string, unknown>): string {
  const file = join(tempDir(), 'cocoasyncer.yaml');
  writeFileSync(file, Object.entries(doc).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n') + '\n');
  return file;
}

test('`--version` and `version` print the package.json version; `version --json` adds the Node.js version', async (t) => {
  const flag = await runCliProcess(['--version']);
  t.is(flag.code, 0);
  t.is(flag.stdout.trim(), PACKAGE_VERSION);
  const word = await runCliProcess(['version']);
  t.is(word.code, 0);
  t.is(word.stdout.trim(), `cocoasyncer ${PACKAGE_VERSION}`);
  const json = await runCliProcess(['version', '--json']);
  t.is(json.code, 0);
  t.deepEqual(JSON.parse(json.stdout), { version: PACKAGE_VERSION, node: process.version });
});

test('`help` and `help <command>` exit 0 and print usage', async (t) => {
  const top = await runCliProcess(['help']);
  t.is(top.code, 0, top.stderr);
  t.regex(top.stdout + top.stderr, /Usage: cocoasyncer/);
  const sub = await runCliProcess(['help', 'init']);
  t.is(sub.code, 0);
  t.regex(sub.stdout + sub.stderr, /--force/);
});

test('a mistyped command with --json is the JSON error shape on stderr, exit 2; without --json plain text', async (t) => {
  const json = await runCliProcess(['bogus', '--json']);
  t.is(json.code, 2);
  t.is(json.stdout, '');
  t.deepEqual(JSON.parse(json.stderr), { error: { exitCode: 2, message: "unknown command 'bogus'" } });
  const option = await runCliProcess(['version', '--jsno', '--json']);
  t.is(option.code, 2);
  const optionError = (JSON.parse(option.stderr) as { error: { exitCode: number; message: string } }).error;
  t.is(optionError.exitCode, 2);
  t.regex(optionError.message, /^unknown option '--jsno'\s+\(Did you mean --json\?\)$/);
  const plain = await runCliProcess(['bogus']);
  t.is(plain.code, 2);
  t.regex(plain.stderr, /unknown command 'bogus'/);
  t.throws(() => JSON.parse(plain.stderr));
});

test('the closest known key is suggested for a typo, nothing for a key unlike any', (t) => {
  t.is(closestKey('NodeAdress', CONFIG_KEYS), 'NodeAddress');
  t.is(closestKey('apiport', CONFIG_KEYS), 'APIPort');
  t.is(closestKey('CocoSecret', CONFIG_KEYS), 'CocoaSecret');
  t.is(closestKey('LogFromat', CONFIG_KEYS), 'LogFormat');
  t.is(closestKey('Colour', CONFIG_KEYS), null);
  t.deepEqual(findUnknownKeys({ APIPort: 1, NodeAdress: 'x', Wibble: 2 }, CONFIG_KEYS), [
    { key: 'NodeAdress', suggestion: 'NodeAddress' },
    { key: 'Wibble', suggestion: null },
  ]);
  t.is(describeUnknownKey({ key: 'NodeAdress', suggestion: 'NodeAddress' }), 'unknown key NodeAdress (did you mean NodeAddress?)');
});

test('`config check` on a config with a typo lists the unknown key with "did you mean" AND the missing key it causes, with every other problem, exit 2', async (t) => {
  const { NodeAddress, ...rest } = VALID;
  const file = writeConfig({ ...rest, NodeAdress: NodeAddress, WorkMode: 'boss', APIPort: 'not-a-port' });
  const human = await runCliProcess(['config', 'check', '-c', file]);
  t.is(human.code, 2, human.stderr);
  t.regex(human.stdout, /unknown key NodeAdress \(did you mean NodeAddress\?\)/);
  t.regex(human.stdout, /NodeAddress: is required/);
  t.regex(human.stdout, /WorkMode:/);
  t.regex(human.stdout, /APIPort:/);
  t.true(human.stdout.includes(file), 'names the file it checked');

  const json = await runCliProcess(['config', 'check', '--json', '-c', file]);
  t.is(json.code, 2);
  const report = JSON.parse(json.stdout) as { valid: boolean; problems: string[]; file: string };
  t.false(report.valid);
  t.true(report.problems.includes('unknown key NodeAdress (did you mean NodeAddress?)'));
  t.true(report.problems.includes('NodeAddress: is required'));
  t.is(report.problems.length, 4, report.problems.join('\n'));
});

test('`config check` on a valid config with an unknown key exits 0 and warns with "did you mean"', async (t) => {
  const file = writeConfig({ ...VALID, LogLevle: 'debug' });
  const r = await runCliProcess(['config', 'check', '--config', file]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /: valid/);
  t.regex(r.stdout, /warning: unknown key LogLevle \(did you mean LogLevel\?\); ignored/);
});

test('`config check` with no config anywhere says where it looked and points to init, exit 2', async (t) => {
  const r = await runCliProcess(['config', 'check'], { cwd: tempDir() });
  t.is(r.code, 2);
  t.regex(r.stderr, /no config file.*cocoasyncer init/);
});

test('`init` writes a commented config with a fresh random secret that passes `config check`; never prints the secret', async (t) => {
  const dir = tempDir();
  const first = await runCliProcess(['init'], { cwd: dir });
  t.is(first.code, 0, first.stderr);
  const file = join(dir, 'config', 'cocoasyncer.yaml');
  const text = readFileSync(file, 'utf8');
  t.regex(text, /^# /m, 'commented');
  const doc = parseYaml(text) as Record<string, unknown>;
  const secret = doc.CocoaSecret as string;
  t.true(typeof secret === 'string' && secret.length >= 32, `secret of ${String(secret).length} characters`);
  t.false(/change-me|Cocoa&Mafuyu/.test(secret), 'not the example');
  t.false(first.stdout.includes(secret) || first.stderr.includes(secret), 'the secret is not printed');
  t.is(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');

  const check = await runCliProcess(['config', 'check'], { cwd: dir });
  t.is(check.code, 0, check.stdout);
  t.notRegex(check.stdout, /warning/, 'no unknown key, no example secret');

  const other = tempDir();
  await runCliProcess(['init', '-c', join(other, 'node.yaml')]);
  const secondSecret = (parseYaml(readFileSync(join(other, 'node.yaml'), 'utf8')) as { CocoaSecret: string }).CocoaSecret;
  t.not(secondSecret, secret, 'each init generates its own secret');
});

test('`init` refuses to overwrite an existing config without --force (exit 2, file unchanged); --force replaces it', async (t) => {
  const file = join(tempDir(), 'mine.yaml');
  writeFileSync(file, 'APIPort: 1\n');
  const refused = await runCliProcess(['init', '-c', file]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /already exists.*--force/);
  t.is(readFileSync(file, 'utf8'), 'APIPort: 1\n');

  const refusedJson = await runCliProcess(['init', '-c', file, '--json']);
  t.is((JSON.parse(refusedJson.stderr) as { error: { exitCode: number } }).error.exitCode, 2);

  const forced = await runCliProcess(['init', '-c', file, '--force', '--json']);
  t.is(forced.code, 0, forced.stderr);
  t.deepEqual(JSON.parse(forced.stdout), { file });
  t.regex(readFileSync(file, 'utf8'), /CocoaSecret: "/);
});
