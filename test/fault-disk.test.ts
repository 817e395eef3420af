// The disk under a node's SQLite file fills up while it runs: /readyz says so (not only "SELECT 1
// works"), edits are refused clearly and change nothing, and it recovers by itself once space is free.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procNode, until } from './helpers/cluster.js';

const mnt = mkdtempSync(join(tmpdir(), 'cocoa-disk-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status === 0;
if (!mounted) console.warn('\n  NOTICE: cannot mount a tmpfs here (needs root); skipping the read-only disk test\n');
const diskTest = mounted || process.env.CI === 'true' ? test : test.skip;
const filler = () => join(mnt, 'filler');
/** Fills the tmpfs to the last byte (dd stops at ENOSPC). */
const fill = () => spawnSync('dd', ['if=/dev/zero', `of=${filler()}`, 'bs=64k']);
const free = () => rmSync(filler(), { force: true });

test.after.always(() => {
  if (mounted) spawnSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

diskTest('a full disk: /readyz answers 503 naming the refused writes, an edit is refused and changes nothing, and both recover', async (t) => {
  const node = await procNode({ code: 'D', mode: 'leader', isps: ['default'], extra: { DSN: `file:${join(mnt, 'node.db')}` } });
  t.teardown(async () => {
    free();
    await node.kill('SIGKILL');
  });
  await node.start();
  t.is((await fetch(`${node.url}/readyz`)).status, 200);
  const before = (await node.admin.get<{ stateVersion: number }>('/v2/admin/services')).stateVersion;

  fill();
  const refused = await node.admin.post('/v2/admin/services', { name: 'web', domain: 'example.com', record: 'www', provider: 'Ali' }).then(
    () => null,
    (err: { status?: number }) => err.status ?? -1,
  );
  t.true(refused !== null && refused >= 500, `edit answered ${refused}`);
  const ready = await fetch(`${node.url}/readyz`);
  t.is(ready.status, 503);
  const body = (await ready.json()) as { reason: string; checks: Record<string, string> };
  t.is(body.checks.writes, 'failing');
  t.regex(body.reason, /refuses writes/);
  const now = await node.admin.get<{ services: unknown[]; stateVersion: number }>('/v2/admin/services');
  t.is(now.stateVersion, before);
  t.deepEqual(now.services, []);

  free();
  await until(async () => (await fetch(`${node.url}/readyz`)).status === 200, 15_000, '/readyz to recover');
  await node.admin.post('/v2/admin/services', { name: 'web', domain: 'example.com', record: 'www', provider: 'Ali' });
  t.is((await node.admin.get<{ services: unknown[] }>('/v2/admin/services')).services.length, 1);
});
