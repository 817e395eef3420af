// Names and pasted credentials as operators type them, through the real CLI and the admin API
// against an in-process node and the signature-checking Alidns emulator on loopback: a Unicode
// domain is accepted, stored and sent in punycode, listed in Unicode, and its record is written; a
// record given as the full name is refused with the host part as the hint; credentials pasted with
// surrounding whitespace work.
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import type { ManagedService } from '../src/model.js';
import type { RunningNode } from '../src/server.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { startTestNode } from './helpers/node.js';
import { cliConfigFor as configFor, runCliProcess as cli, type CliResult } from './helpers/cli-process.js';

type TestNode = RunningNode & { dir: string };

const TIMING = { HeartbeatSeconds: 0.3, FailAfterSeconds: 3, PushSeconds: 1, RecoverAfter: 1 };
const ACCESS_KEY = 'LTAI5tNamesKey0001';
const ACCESS_SECRET = 'ali-names-secret-never-shown-0123';
const LEADER_IP = '203.0.113.10';
const PUNY = 'xn--fsqu00a.xn--fiqs8s';

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function leaderNode(t: ExecutionContext, overrides: Record<string, unknown> = {}): Promise<TestNode> {
  const node = await startTestNode({ ...TIMING, NodeCode: 'home', NodeName: 'Home', ISPs: ['default'], PublicIP: { IPv4: { Static: LEADER_IP } }, DnsSyncSeconds: 1, ...overrides });
  t.teardown(() => node.stop());
  return node;
}

test('a Unicode domain is accepted, stored and sent in punycode, listed in Unicode; pasted credentials are trimmed and work', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ACCESS_KEY]: ACCESS_SECRET } });
  t.teardown(emu.close);
  emu.zone.addDomain(PUNY);
  emu.seed({ domain: PUNY, rr: 'www', value: '36.112.0.1', line: 'default' });
  const leader = await leaderNode(t);
  const L = configFor(leader);

  // Pasted with a space and a newline around each: trimmed, so the signature matches below.
  const account = await cli(['dns', 'add', '--provider', 'Ali', '--access-key', ` ${ACCESS_KEY} `, '--access-secret', `${ACCESS_SECRET} \n`, '--endpoint', emu.endpoint, ...L]);
  t.is(account.code, 0, account.stderr);
  t.deepEqual(
    leader.runtime.state.cloudAccounts.map((a) => [a.accessKey, a.accessSecret]),
    [[ACCESS_KEY, ACCESS_SECRET]],
  );

  const added = await cli(['service', 'add', '--name', 'www', '--domain', '例子.中国', '--record', 'WWW', '--provider', 'Ali', ...L]);
  t.is(added.code, 0, added.stderr);
  t.regex(added.stdout, /added service www: www\.例子\.中国 on Ali/);
  const stored = leader.runtime.state.services[0]!;
  t.deepEqual([stored.domain, stored.record], [PUNY, 'www'], 'stored in punycode, lower case');

  const listed = await cli(['service', 'list', ...L]);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /www\s+www\.例子\.中国\s+Ali/);
  const json = JSON.parse((await cli(['service', 'list', '--json', ...L])).stdout) as { services: ManagedService[] };
  t.is(json.services[0]!.domain, PUNY, '--json keeps the stored (punycode) form');

  // The record is found under the punycode zone and moved to this node's address, signed with the trimmed secret.
  await until('the record to hold the leader\'s address', () => emu.records({ domain: PUNY, rr: 'www' })[0]?.value === LEADER_IP);
  t.is(emu.records({ domain: PUNY }).length, 1, 'updated in place: no second record created');

  // The admin API takes the Unicode spelling too, and stores the same normal form.
  const api = new AdminClient({ baseUrl: leader.url, secret: leader.runtime.identity.secret });
  await api.post('/v2/admin/services', { name: 'mail', domain: '例子。中国.', record: '邮件', provider: 'ali' });
  const mail = leader.runtime.state.services.find((s) => s.serviceName === 'mail')!;
  t.deepEqual([mail.domain, mail.record], [PUNY, 'xn--5nq051n']);
  t.regex((await cli(['service', 'list', ...L])).stdout, /mail\s+邮件\.例子\.中国/);
});

test('a record given as the full name is refused with the host part as a hint, by the CLI (exit 2) and the API (400 on record)', async (t) => {
  const leader = await leaderNode(t);
  const L = configFor(leader);
  const full = await cli(['service', 'add', '--name', 'www', '--domain', 'example.com', '--record', 'www.example.com', '--allow-create', '--provider', 'Ali', ...L]);
  t.is(full.code, 2);
  t.regex(full.stderr, /--record: is the full name www\.example\.com; give only the host part under example\.com: "www"/);
  const apex = await cli(['service', 'add', '--name', 'apex', '--domain', 'Example.com.', '--record', 'example.com', '--provider', 'Ali', ...L]);
  t.is(apex.code, 2);
  t.regex(apex.stderr, /--record: is the domain itself; give "@" for the apex of example\.com/);

  const api = new AdminClient({ baseUrl: leader.url, secret: leader.runtime.identity.secret });
  const err = await t.throwsAsync(api.post('/v2/admin/services', { name: 'www', domain: '例子.中国', record: 'www.例子.中国', provider: 'Ali' }), { instanceOf: AdminError });
  t.is((err as AdminError).status, 400);
  t.deepEqual((err as AdminError).details, [{ field: 'record', message: 'is the full name www.例子.中国; give only the host part under 例子.中国: "www"' }]);
  t.deepEqual(leader.runtime.state.services, [], 'nothing was stored');
});

test('join takes a node secret pasted with surrounding whitespace', async (t) => {
  const leader = await leaderNode(t);
  const follower = await startTestNode({ ...TIMING, NodeCode: 'office', NodeName: 'Office', WorkMode: 'follower', CocoaSecret: 'follower-secret-456', ISPs: ['CMCC'] });
  t.teardown(() => follower.stop());
  const joined = await cli(['join', follower.url, '--secret', '  follower-secret-456\n', ...configFor(leader)]);
  t.is(joined.code, 0, joined.stderr);
  await until('the follower to apply the join', () => follower.runtime.joined);
  t.is(leader.runtime.state.nodes.find((n) => n.nodeCode === 'office')?.secret, 'follower-secret-456');
});
