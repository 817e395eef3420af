// The CLI's output and input plumbing, in-process: exit-code mapping, secret scrubbing, tables,
// prompts. The end-to-end behaviour is in cli-admin.test.ts.
import test from 'ava';
import { PassThrough } from 'node:stream';
import { AdminError } from '../src/cli/admin-client.js';
import * as arg from '../src/cli/args.js';
import { CliError, EXIT, Output, displayWidth, duration, fromAdminError, table } from '../src/cli/output.js';
import { askSecret, fromStdinIfDash, required } from '../src/cli/prompt.js';
import { buildProgram } from '../src/cli/program.js';
import type { Command } from 'commander';

function capture() {
  let stdout = '';
  let stderr = '';
  return {
    streams: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

test('admin API failures map to the documented exit codes', (t) => {
  const code = (status: number, details: { field: string; message: string }[] = []) => fromAdminError(new AdminError(status, 'm', details)).exitCode;
  t.is(code(0), EXIT.unreachable);
  t.is(code(400, [{ field: 'isps', message: 'bad' }]), EXIT.usage);
  t.is(code(401), EXIT.auth);
  t.is(code(403), EXIT.auth);
  t.is(code(401, [{ field: 'secret', message: 'wrong secret' }]), EXIT.refused, 'a joining node refusing its secret is not the CLI\'s auth');
  t.is(code(404), EXIT.refused);
  t.is(code(405), EXIT.notHere);
  t.is(code(409), EXIT.refused);
  t.is(code(502), EXIT.refused);
  t.is(code(503), EXIT.refused);
  const named = fromAdminError(new AdminError(400, 'isps: bad', [{ field: 'isps', message: 'bad' }]), { isps: '--isps' });
  t.regex(named.message, /--isps: bad/);
});

test('every known secret is scrubbed from human text, errors and JSON values, and the JSON stays valid', (t) => {
  const c = capture();
  const out = new Output(true, c.streams);
  out.addSecret('s3cr3t-"quoted"-value');
  out.addSecret('ab'); // too short to scrub safely: ignored
  out.result({ echoed: 'the node said s3cr3t-"quoted"-value', n: 1, nested: [{ v: 's3cr3t-"quoted"-value' }], ab: 'ab' }, () => '');
  const parsed = JSON.parse(c.stdout) as { echoed: string; nested: { v: string }[]; ab: string };
  t.is(parsed.echoed, 'the node said ***');
  t.is(parsed.nested[0]!.v, '***');
  t.is(parsed.ab, 'ab');
  t.is(out.fail(new CliError(EXIT.refused, 'refused s3cr3t-"quoted"-value')), EXIT.refused);
  t.false(c.stderr.includes('s3cr3t'));
  t.notThrows(() => JSON.parse(c.stderr));

  const h = capture();
  const human = new Output(false, h.streams);
  human.addSecret('another-secret-42');
  human.say('x another-secret-42 y');
  human.warn('w another-secret-42');
  t.is(h.stdout, 'x *** y\n');
  t.is(h.stderr, 'cocoasyncer: w ***\n');
});

test('in --json mode human text is silent and errors are one JSON object on stderr', (t) => {
  const c = capture();
  const out = new Output(true, c.streams);
  out.say('hello');
  t.is(c.stdout, '');
  out.fail(new CliError(EXIT.notHere, 'run it on the leader', [{ field: '--name', message: 'x' }], 405));
  t.deepEqual(JSON.parse(c.stderr), { error: { exitCode: 5, message: 'run it on the leader', status: 405, details: [{ field: '--name', message: 'x' }] } });
});

test('tables align on display width (CJK names take two columns) and show "-" for empty cells', (t) => {
  t.is(displayWidth('办公室'), 6);
  t.is(displayWidth('home'), 4);
  const text = table(['CODE', 'NAME', 'NOTE'], [['a', '办公室', null], ['bb', 'Home', 'x']]);
  t.is(text, ['CODE  NAME    NOTE', 'a     办公室  -', 'bb    Home    x'].join('\n'));
  t.is(duration(3.14), '3.1s');
  t.is(duration(192), '3m12s');
  t.is(duration(7200 + 60), '2h1m');
  t.is(duration(null), '-');
});

test('flag values are checked with the node\'s schemas; ISP codes and network types ignore case', (t) => {
  t.deepEqual(arg.isps('ct, cmcc,'), ['CT', 'CMCC']);
  t.throws(() => arg.isps('CT,Mars'), { message: /--isps: unknown line "Mars"/ });
  t.throws(() => arg.isps('None,CT'), { message: /--isps: "None" cannot be combined/ });
  t.throws(() => arg.isps('CT,CT'), { message: /--isps: must not repeat a line/ });
  t.is(arg.networkType('both'), 'Both');
  t.throws(() => arg.networkType('v6'), { message: /--network: must be one of IPV4, IPV6, Both/ });
  t.is(arg.provider('Tencent'), 'DNSPod');
  t.throws(() => arg.provider('route53'), { message: /--provider: unknown DNS provider/ });
  t.is(arg.integer('600', '--ttl', 1, 604800), 600);
  t.throws(() => arg.integer('6e2', '--ttl', 1, 604800), { message: /--ttl/ });
  t.is(arg.nodeAddress('http://10.0.0.2:44443/', '<nodeAddress>'), 'http://10.0.0.2:44443');
  const err = t.throws(() => arg.nodeCode('bad code', '<code>'));
  t.true(err instanceof CliError && err.exitCode === EXIT.usage);
});

test('a missing value is a usage error without a terminal, and read (hidden for secrets) on one', async (t) => {
  const notTty = { input: new PassThrough(), output: new PassThrough() };
  await t.throwsAsync(required(undefined, '--domain', 'Domain', { io: notTty }), { message: /missing --domain/ });
  t.is(await required('given', '--domain', 'Domain', { io: notTty }), 'given');

  const input = Object.assign(new PassThrough(), { isTTY: true, raw: false, setRawMode(raw: boolean) { input.raw = raw; } });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  const answer = required(undefined, '--access-secret', 'AccessKey secret', { secret: true, io: { input, output } });
  input.write('hunter2x');
  input.write('\u007f\u007fZ\r');
  t.is(await answer, 'hunterZ');
  t.false(input.raw, 'the terminal leaves raw mode');
  t.regex(shown, /AccessKey secret \(input hidden\): /);
  t.false(shown.includes('hunter'), 'nothing typed is echoed');

  const cancelled = askSecret('S', { input, output });
  input.write('\u0003');
  await t.throwsAsync(cancelled, { message: /cancelled/ });
});

test('"-" reads a secret from the first line of stdin', async (t) => {
  const stdin = new PassThrough();
  stdin.end('from-stdin-secret\nignored\n');
  t.is(await fromStdinIfDash('-', '--secret', stdin), 'from-stdin-secret');
  t.is(await fromStdinIfDash('plain', '--secret', stdin), 'plain');
  t.is(await fromStdinIfDash(undefined, '--secret', stdin), undefined);
  const empty = new PassThrough();
  empty.end('');
  await t.throwsAsync(fromStdinIfDash('-', '--secret', empty), { message: /--secret -: stdin gave an empty line/ });
});

test('every admin command has --help with --node, --json and its own flags; run/r and runDebug/rd are kept', (t) => {
  const program = buildProgram();
  const leaves: Command[] = [];
  const walk = (c: Command) => (c.commands.length ? c.commands.forEach(walk) : leaves.push(c));
  walk(program);
  const path = (c: Command): string => (c.parent && c.parent !== program ? `${path(c.parent)} ${c.name()}` : c.name());
  const names = leaves.map(path);
  t.deepEqual(names.sort(), [
    'config check', 'dns add', 'dns list', 'dns log', 'dns plan', 'dns remove', 'dns set', 'init',
    'join', 'node list', 'node remove', 'node set', 'notify add', 'notify list', 'notify remove', 'notify test', 'promote', 'quit', 'run', 'runDebug',
    'secret rotate', 'service add', 'service list', 'service remove', 'service set', 'status', 'version',
  ]);
  // Local commands: they never talk to a node.
  const local = new Set(['run', 'runDebug', 'config check', 'init', 'version']);
  for (const leaf of leaves) {
    if (local.has(path(leaf))) continue;
    const help = leaf.helpInformation();
    t.regex(help, /--json/, path(leaf));
    t.regex(help, /--node <url>/, path(leaf));
    // On join and notify add, --secret is another party's secret and the CLI's own is --node-secret.
    t.regex(help, leaf.name() === 'join' || path(leaf) === 'notify add' ? /--node-secret <secret>/ : /--secret <secret>/, path(leaf));
  }
  const byName = new Map(leaves.map((l) => [path(l), l]));
  t.deepEqual(byName.get('run')!.aliases(), ['r']);
  t.deepEqual(byName.get('runDebug')!.aliases(), ['rd']);
  for (const p of ['node list', 'service list', 'dns list', 'notify list']) t.deepEqual(byName.get(p)!.aliases(), ['ls']);
  for (const p of ['node remove', 'service remove', 'dns remove', 'notify remove']) t.deepEqual(byName.get(p)!.aliases(), ['rm']);
  t.regex(byName.get('join')!.helpInformation(), /--secret <secret>\s+the joining node's CocoaSecret/);
  t.regex(byName.get('notify add')!.helpInformation(), /--secret <secret>\s+signing secret/);
});
