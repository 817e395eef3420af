import test from 'ava';
import { join } from 'node:path';
import { collect, exited, freePort, spawnCli, waitForHttp } from './helpers/node.js';
import { tempDir } from './helpers/config.js';
import { ROOT } from './helpers/node.js';

test('`cocoasyncer run` with the shipped config answers 200 on /v1 and stops cleanly on SIGTERM', async (t) => {
  const port = await freePort();
  const dir = tempDir();
  // The shipped config, with the port and database moved aside so a developer's own node is untouched.
  const child = spawnCli(['--config', join(ROOT, 'config', 'cocoasyncer.yaml'), 'run'], {
    COCOASYNCER_API_PORT: String(port),
    COCOASYNCER_DSN: `file:${join(dir, 'node.db')}`,
    COCOASYNCER_PUBLIC_IPV4: '203.0.113.1',
  });
  const output = collect(child);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const ms = await waitForHttp(`http://127.0.0.1:${port}/v1`);
  t.log(`process start → first answer: ${ms} ms`);
  const res = await fetch(`http://127.0.0.1:${port}/v1`);
  t.is(res.status, 200);
  t.is(((await res.json()) as { statusCode: number }).statusCode, 200);
  child.kill('SIGTERM');
  t.is(await exited(child), 0);
  t.regex(output(), /CocoaSyncer node listening/);
  t.false(output().includes('Cocoa&Mafuyu-change-me'), 'the secret never reaches the log');
});

test('`cocoasyncer r` (the original alias) reports every invalid key and exits non-zero without a stack trace', async (t) => {
  const child = spawnCli(['--config', join(ROOT, 'config', 'cocoasyncer.yaml'), 'r'], {
    COCOASYNCER_API_PORT: 'not-a-port',
    COCOASYNCER_WORK_MODE: 'boss',
  });
  const output = collect(child);
  const code = await exited(child);
  t.is(code, 2);
  t.regex(output(), /APIPort:/);
  t.regex(output(), /WorkMode:/);
  t.notRegex(output(), /\n\s+at /, 'no stack trace');
});
