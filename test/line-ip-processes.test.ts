// One address per line with real nodes as processes and the Alidns emulator (issue 14 part 1): a
// multi-WAN site's node writes each line's own address; when one uplink's address cannot be
// determined only that line fails over to the other node, and it comes back once detected again.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { startAlidnsEmulator, type AlidnsEmulator } from './emulators/alidns.js';
import { procNode, until, type NodeSpec, type ProcNode } from './helpers/cluster.js';

const ALI_LINE = { default: 'default', CT: 'telecom', CU: 'unicom', CMCC: 'mobile' } as const;
type Line = keyof typeof ALI_LINE;
const LINES = Object.keys(ALI_LINE) as Line[];

async function world(t: import('ava').ExecutionContext, specs: NodeSpec[]) {
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-line': 'ali-line-secret-value' }, domains: ['example.com'] });
  for (const line of LINES) ali.seed({ domain: 'example.com', rr: 'www', type: 'A', line: ALI_LINE[line], value: '192.0.2.1' });
  const nodes = await Promise.all(specs.map((s) => procNode(s)));
  t.teardown(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await ali.close();
  });
  await Promise.all(nodes.map((n) => n.start()));
  const [leader, ...followers] = nodes as [ProcNode, ...ProcNode[]];
  for (const f of followers) await leader.admin.post('/v2/admin/join', { address: f.url, secret: f.secret });
  await leader.admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-line', accessSecret: 'ali-line-secret-value', endpoint: ali.endpoint });
  await leader.admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  const record = (line: Line) => ali.records({ rr: 'www', type: 'A', line: ALI_LINE[line] })[0]!;
  return {
    ali,
    nodes,
    value: (line: Line) => record(line).value,
    holds: (want: Partial<Record<Line, string>>) => (Object.entries(want) as [Line, string][]).every(([line, ip]) => record(line).value === ip),
    changes: (line: Line) => (ali as AlidnsEmulator).zone.valueChanges.filter((c) => c.id === record(line).id).map((c) => c.to),
  };
}

test('a node with LineIP writes each line\'s own address; lines without an entry get its PublicIP, and the other node\'s lines its own', async (t) => {
  const w = await world(t, [
    { code: 'router', mode: 'leader', isps: ['CT', 'CU', 'CMCC'], ipv4: '127.0.0.10', extra: { LineIP: { CT: { IPv4: { Static: '127.0.0.11' } }, CU: { IPv4: { Static: '127.0.0.12' } } } } },
    { code: 'office', mode: 'follower', isps: ['default'], ipv4: '127.0.0.20' },
  ]);
  await until(() => w.holds({ CT: '127.0.0.11', CU: '127.0.0.12', CMCC: '127.0.0.10', default: '127.0.0.20' }), 20_000, 'each line to hold its address');
  // The other node learns the router's addresses per line from its heartbeats.
  const [router, office] = w.nodes as [ProcNode, ProcNode];
  const seen = await office.admin.get<{ nodes: { nodeCode: string; addresses: { line: string; address: string | null; ownEntry: boolean }[] }[] }>('/v2/admin/status');
  const r = seen.nodes.find((n) => n.nodeCode === 'router')!;
  t.deepEqual(r.addresses.map((a) => `${a.line}=${a.address}${a.ownEntry ? '*' : ''}`), ['CT=127.0.0.11*', 'CU=127.0.0.12*', 'CMCC=127.0.0.10']);
  const metrics = await (await fetch(`${router.url}/metrics`)).text();
  t.regex(metrics, /cocoasyncer_line_address_info\{line="CT",family="ipv4",address="127\.0\.0\.11"\} 1/);
  t.regex(metrics, /cocoasyncer_line_address_info\{line="CMCC",family="ipv4",address="127\.0\.0\.10"\} 1/);
  const page = (await (await fetch(`${router.url}/v1/status.json`)).json()) as { nodes: { self: boolean; addresses: { line: string; address: string }[] }[] };
  t.deepEqual(page.nodes.find((n) => n.self)!.addresses.map((a) => `${a.line}=${a.address}`), ['CT=127.0.0.11', 'CU=127.0.0.12', 'CMCC=127.0.0.10']);
});

/** An echo service on 127.0.0.21 that answers one address, or fails (HTTP 503) while `down`. */
async function switchableEcho(t: import('ava').ExecutionContext, address: string) {
  const state = { down: false, asked: 0 };
  const server = http.createServer((_req, res) => {
    state.asked += 1;
    if (state.down) res.writeHead(503).end('unavailable');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(`${address}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.21', r));
  t.teardown(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return { url: `http://127.0.0.21:${(server.address() as AddressInfo).port}/`, state };
}

test('when one line\'s address cannot be determined only that line moves to the other node, and it comes back once detected again', async (t) => {
  const echo = await switchableEcho(t, '36.112.0.11');
  const w = await world(t, [
    {
      code: 'router',
      mode: 'leader',
      isps: ['CT', 'CU'],
      ipv4: '127.0.0.10',
      // CT's address comes from an echo service asked through the loopback interface.
      extra: { IpCheckSeconds: 1, LineIP: { CT: { IPv4: { Interface: 'lo', Sources: [echo.url], MinAgree: 1 } }, CU: { IPv4: { Static: '127.0.0.12' } } } },
    },
    { code: 'office', mode: 'follower', isps: ['default'], ipv4: '127.0.0.20' },
  ]);
  const [router] = w.nodes as [ProcNode, ProcNode];
  await until(() => w.holds({ CT: '36.112.0.11', CU: '127.0.0.12', default: '127.0.0.20' }), 20_000, 'each line to hold its address');
  const before = Object.fromEntries(LINES.map((l) => [l, w.changes(l).length])) as Record<Line, number>;

  echo.state.down = true;
  const moved = await until(() => w.holds({ CT: '127.0.0.20' }), 20_000, 'CT to move to the other node');
  t.log(`CT's source down → the other node's address on CT: ${moved} ms (IP check 1 s, two readings)`);
  t.true(w.holds({ CU: '127.0.0.12', default: '127.0.0.20' }), 'the router keeps its other line');

  echo.state.down = false;
  await until(() => w.holds({ CT: '36.112.0.11' }), 20_000, 'CT to come back to the router');
  // A few more checks and syncs: nothing moves again.
  const asked = echo.state.asked;
  await until(() => echo.state.asked >= asked + 3, 20_000, 'three more readings');
  t.deepEqual(w.changes('CT').slice(before.CT), ['127.0.0.20', '36.112.0.11'], 'CT changed exactly twice: away and back');
  for (const line of ['CU', 'default'] as const) t.is(w.changes(line).length, before[line], `${line} never changed`);

  const out = router.output();
  const count = (msg: string) => out.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
  t.is(count('public IP detection failed'), 1, 'the failure is logged once');
  t.is(count('public IP detection recovered'), 1, 'the recovery is logged once');
  t.regex(out, /"line":"CT".*"msg":"public IP detection failed"|"msg":"public IP detection failed".*"line":"CT"/);
  t.regex(out, /HTTP 503/);
});
