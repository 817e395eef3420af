// /v1/status.json and /v1/status (server side): what they show, and what they must never show.
import test from 'ava';
import type { PublicStatus } from '../src/http/pages/status-view.js';
import { ACCESS_KEY, FOLLOWER_IP, LEADER_IP, SEEDED_IP, startCluster, waitFor } from './helpers/surfaces-cluster.js';
import { startTestNode } from './helpers/node.js';

async function statusJson(url: string): Promise<{ view: PublicStatus; text: string; headers: Headers }> {
  const res = await fetch(`${url}/v1/status.json`);
  const text = await res.text();
  return { view: JSON.parse(text) as PublicStatus, text, headers: res.headers };
}

const lineOf = (view: PublicStatus, line: string) => view.services[0]!.lines.find((l) => l.line === line && l.family === 'ipv4')!;

test('status.json shows every node with its lines, and the DNS values this node read or wrote', async (t) => {
  const { leader, emulator } = await startCluster(t);
  await waitFor(() => emulator!.records({ line: 'telecom' })[0]?.value === LEADER_IP, 10_000, 'the leader to write its records');
  let s = (await statusJson(leader.url)).view;
  await waitFor(async () => ((s = (await statusJson(leader.url)).view).changes?.length ?? 0) >= 2 && lineOf(s, 'CT').value === LEADER_IP, 10_000, 'the audit log and line values');

  t.is(s.node.name, 'LuckyCocoa');
  t.is(s.node.role, 'leader');
  t.is(s.node.stateVersion, leader.runtime.state.version);
  t.deepEqual(s.health, { up: 2, total: 2, level: 'healthy' });
  t.deepEqual(
    s.nodes.map((n) => ({ index: n.index, name: n.name, role: n.role, self: n.self, up: n.up, owns: n.owns, serving: n.serving.map((e) => `${e.line}${e.takeover ? '*' : ''}`) })),
    [
      { index: 0, name: 'LuckyCocoa', role: 'leader', self: true, up: true, owns: ['default', 'CT'], serving: ['default', 'CT'] },
      { index: 1, name: 'ChinoCafe', role: 'follower', self: false, up: true, owns: ['CU', 'CMCC'], serving: ['CU', 'CMCC'] },
    ],
  );
  t.is(s.nodes[1]!.stateVersion, leader.runtime.state.version, 'the follower applied the newest state');

  const svc = s.services[0]!;
  t.is(svc.name, 'www');
  t.is(svc.fqdn, 'www.example.com');
  t.deepEqual(svc.lines.map((l) => l.line), ['default', 'CT', 'CU', 'CMCC']);
  for (const line of ['default', 'CT']) {
    const l = lineOf(s, line);
    t.is(l.servedBy, 'LuckyCocoa');
    t.is(l.value, LEADER_IP, line);
    t.true(l.state === 'written' || l.state === 'in-sync', l.state);
  }
  for (const line of ['CU', 'CMCC']) {
    const l = lineOf(s, line);
    t.is(l.servedBy, 'ChinoCafe');
    t.is(l.value, null, 'the leader does not read lines it does not serve');
    t.is(l.state, 'unknown');
  }
  t.is(s.dns.ipv4, LEADER_IP);
  // Each record this node serves, with its TTL and the failover bound FailAfterSeconds + DnsSyncSeconds + TTL.
  const timing = { failAfterSeconds: leader.config.timing.failAfterMs / 1000, syncSeconds: leader.config.timing.dnsSyncMs / 1000 };
  t.deepEqual(s.dns.timing, timing);
  const ttl = emulator!.records({ line: 'telecom' })[0]!.ttl;
  t.deepEqual(
    s.dns.records.filter((r) => r.type === 'A').map((r) => [r.fqdn, r.line, r.ttl, r.boundSeconds]),
    ['default', 'CT'].map((line) => ['www.example.com', line, ttl, Math.round(timing.failAfterSeconds + timing.syncSeconds + ttl)]),
  );
  const written = s.changes!.filter((c) => c.outcome === 'ok');
  t.true(written.length >= 2);
  t.deepEqual(
    written.map((c) => ({ node: c.node, fqdn: c.fqdn, oldValue: c.oldValue, newValue: c.newValue })),
    written.map(() => ({ node: 'LuckyCocoa', fqdn: 'www.example.com', oldValue: SEEDED_IP, newValue: LEADER_IP })),
  );
});

test('after the follower stops, status.json shows it down, its lines taken over and rewritten', async (t) => {
  const { leader, follower, emulator } = await startCluster(t);
  await waitFor(() => emulator!.records({ line: 'unicom' })[0]?.value === FOLLOWER_IP, 10_000, 'the follower to write its records');
  await follower.stop();
  let s = (await statusJson(leader.url)).view;
  await waitFor(async () => lineOf((s = (await statusJson(leader.url)).view), 'CU').value === LEADER_IP, 10_000, 'the takeover to be written');
  t.is(s.health.level, 'degraded');
  const chino = s.nodes.find((n) => n.name === 'ChinoCafe')!;
  t.false(chino.up);
  t.deepEqual(chino.serving, []);
  t.true(chino.watchdogAgeSeconds! >= 1.2);
  const me = s.nodes.find((n) => n.self)!;
  t.deepEqual(me.serving.filter((e) => e.takeover).map((e) => `${e.line} from ${e.from}`), ['CU from ChinoCafe', 'CMCC from ChinoCafe']);
  for (const line of ['CU', 'CMCC']) {
    const l = lineOf(s, line);
    t.is(l.servedBy, 'LuckyCocoa');
    t.true(l.takeover);
    t.is(l.state, 'written');
    t.deepEqual(l.owners, ['ChinoCafe']);
  }
});

test('neither the page nor the JSON carries a secret, an access key, a node code or a node address', async (t) => {
  const { leader, follower, admin, secrets, codes, emulator } = await startCluster(t);
  await waitFor(() => emulator!.records({ line: 'telecom' })[0]?.value === LEADER_IP, 10_000, 'DNS work to be done');
  // A rejected secret, then a takeover run: provider error texts are on the page too.
  const wrong = 'surfaces-wrong-secret-42';
  await admin.patch(`/v2/admin/accounts/Ali/${ACCESS_KEY}`, { accessSecret: wrong });
  await follower.stop();
  let json = '';
  await waitFor(async () => (JSON.parse((json = (await statusJson(leader.url)).text)) as PublicStatus).dns.lastErrors.length > 0, 10_000, 'a provider error on the page');
  const html = await (await fetch(`${leader.url}/v1/status`)).text();
  t.regex(json, /rejected access key/, 'the error is shown, with the key masked');
  // DNS sync failing is a field of its own (the page's second headline), with its start and the auth flag.
  const failing = (JSON.parse(json) as PublicStatus).dns;
  t.true(failing.failing);
  t.true(failing.authFailing);
  t.truthy(failing.failingSince);
  const forbidden = [...secrets, wrong, ...codes, leader.url.replace('http://', ''), follower.url.replace('http://', ''), emulator!.endpoint];
  for (const value of forbidden) {
    t.false(json.includes(value), `status.json must not contain ${value}`);
    t.false(html.includes(value), `the page must not contain ${value}`);
  }
});

test('the page is self-contained, locked down by CSP, and escapes a hostile node name', async (t) => {
  const hostile = '</script><script>alert(1)</script><b>&amp;"\'';
  const node = await startTestNode({ NodeName: hostile });
  t.teardown(() => node.stop());
  const res = await fetch(`${node.url}/v1/status`);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'text/html; charset=utf-8');
  t.is(res.headers.get('cache-control'), 'no-store');
  const csp = res.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'none'/);
  t.regex(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  t.notRegex(csp, /unsafe-inline|unsafe-eval/);
  const html = await res.text();
  t.false(html.includes('<script>alert(1)'), 'the name never becomes markup');
  t.false(html.includes('<b>&amp;'), 'nor does any part of it');
  t.is(html.match(/<script[\s>]/g)?.length, 2, 'only the page\'s own two script elements');
  t.notRegex(html, /(src|href)=["']?(https?:)?\/\//, 'no external resource');
  t.true(html.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped in the title and heading');

  const { view, headers } = await statusJson(node.url);
  t.is(view.node.name, hostile, 'the JSON carries the name exactly');
  t.is(headers.get('cache-control'), 'no-store');
});
