// Acknowledged edits are never lost: parallel CLI edits against a real leader process, checked on
// the leader, after the leader restarts, and on a follower.
import test from 'ava';
import { procNode, until, type ProcNode } from './helpers/cluster.js';
import { collect, exited, spawnCli } from './helpers/node.js';

interface ServiceRow {
  serviceName: string;
}

async function services(node: ProcNode): Promise<string[]> {
  const body = (await node.admin.get('/v2/admin/services')) as { services: ServiceRow[] } | ServiceRow[];
  const list = Array.isArray(body) ? body : body.services;
  return list.map((s) => s.serviceName).sort();
}

async function cliRun(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnCli(args, {});
  const out = collect(child);
  const code = await exited(child);
  return { code, out: out() };
}

test('20 service adds run in parallel through the CLI: all succeed, each gets its own version, and all 20 exist on the leader, after its restart, and on a follower', async (t) => {
  const leader = await procNode({ code: 'L', mode: 'leader', isps: ['default'], ipv4: '198.51.100.1' });
  const follower = await procNode({ code: 'F', mode: 'follower', isps: ['CU'], ipv4: '198.51.100.2' });
  t.teardown(async () => {
    await leader.kill('SIGKILL');
    await follower.kill('SIGKILL');
  });
  await Promise.all([leader.start(), follower.start()]);
  await leader.admin.post('/v2/admin/join', { address: follower.url, secret: follower.secret });

  const names = Array.from({ length: 20 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
  const results = await Promise.all(
    names.map((name, i) => cliRun(['--config', leader.configFile, 'service', 'add', '--name', name, '--domain', 'example.com', '--record', `w${i}`, '--provider', 'Ali', '--json'])),
  );
  for (const [i, r] of results.entries()) t.is(r.code, 0, `${names[i]}: ${r.out}`);
  const versions = results.map((r) => {
    const m = /"stateVersion"\s*:\s*(\d+)/.exec(r.out);
    return m ? Number(m[1]) : null;
  });
  if (versions.every((v) => v !== null)) t.is(new Set(versions).size, 20, `versions: ${versions.join(',')}`);

  t.deepEqual(await services(leader), names);
  await leader.kill('SIGTERM');
  await leader.start();
  t.deepEqual(await services(leader), names);
  await until(async () => (await services(follower)).length === 20, 30_000, 'the follower to hold all 20 services');
  t.deepEqual(await services(follower), names);
});
