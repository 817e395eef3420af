import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { agree, StableIp, stepStable, INITIAL_STABLE } from '../src/ip/agree.js';
import { normalizeAddress } from '../src/ip/address.js';
import { detectIp } from '../src/ip/detect.js';
import { DEFAULT_IP_SOURCES, readHttp, readInterface } from '../src/ip/sources.js';

/** A local echo server: each path answers with a fixed body (or status / silence). */
async function echoServer(t: import('ava').ExecutionContext, routes: Record<string, { body?: string; status?: number; hang?: boolean }>) {
  const server = http.createServer((req, res) => {
    const route = routes[req.url ?? '/'];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    if (route.hang) return;
    res.writeHead(route.status ?? 200, { 'content-type': 'text/plain' }).end(route.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return (path: string) => `${base}${path}`;
}

test('agree: the address most readings agree on, if enough do and no other ties it', (t) => {
  const rows: [(string | null)[], number, string | null][] = [
    [['1.1.1.1', '1.1.1.1', '2.2.2.2'], 2, '1.1.1.1'],
    [['1.1.1.1', '2.2.2.2', '3.3.3.3'], 2, null],
    [['1.1.1.1', '2.2.2.2'], 1, null],
    [['1.1.1.1', null, null], 2, null],
    [['1.1.1.1', null, null], 1, '1.1.1.1'],
    [['1.1.1.1', '1.1.1.1', '2.2.2.2', '2.2.2.2'], 2, null],
    [[], 1, null],
  ];
  for (const [readings, min, want] of rows) t.is(agree(readings, min), want, JSON.stringify([readings, min]));
});

test('a single odd reading does not change the accepted address; the same new one read N times does', (t) => {
  const s = new StableIp(3);
  t.is(s.observe('1.1.1.1'), '1.1.1.1', 'the first address is taken at once');
  t.is(s.observe('9.9.9.9'), '1.1.1.1');
  t.is(s.observe('1.1.1.1'), '1.1.1.1', 'the odd reading is forgotten');
  t.is(s.observe('2.2.2.2'), '1.1.1.1');
  t.is(s.observe(null), '1.1.1.1', 'a failed reading changes nothing');
  t.is(s.observe('2.2.2.2'), '1.1.1.1');
  t.deepEqual(s.pending, { address: '2.2.2.2', count: 2 });
  t.is(s.observe('2.2.2.2'), '2.2.2.2');
  t.is(s.pending, null);
});

test('alternating readings never move the accepted address', (t) => {
  let state = stepStable(INITIAL_STABLE, '1.1.1.1', 2);
  for (let i = 0; i < 20; i++) state = stepStable(state, i % 2 ? '1.1.1.1' : '2.2.2.2', 2);
  t.is(state.accepted, '1.1.1.1');
});

test('detection takes the address two of three local echo sources agree on', async (t) => {
  const url = await echoServer(t, { '/a': { body: '203.0.113.5\n' }, '/b': { body: '  203.0.113.5 ' }, '/c': { body: '198.51.100.9' } });
  const r = await detectIp({ sources: [url('/a'), url('/b'), url('/c')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(r.address, '203.0.113.5');
  t.is(r.method, 'http');
  t.is(r.readings.length, 3);
});

test('two sources that disagree give no address', async (t) => {
  const url = await echoServer(t, { '/a': { body: '203.0.113.5' }, '/b': { body: '198.51.100.9' } });
  const r = await detectIp({ sources: [url('/a'), url('/b')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(r.address, null);
  t.regex(r.reason ?? '', /disagree/);
});

test('an answer of the wrong family, garbage, an HTTP error or a hang counts as no reading', async (t) => {
  const url = await echoServer(t, {
    '/ok1': { body: '203.0.113.5' },
    '/ok2': { body: '203.0.113.5' },
    '/v6': { body: '2001:db8::5' },
    '/junk': { body: '<html>203.0.113.5</html>' },
    '/err': { status: 502, body: '203.0.113.5' },
    '/hang': { hang: true },
  });
  const started = Date.now();
  const r = await detectIp(
    { sources: ['/ok1', '/v6', '/junk', '/err', '/hang', '/ok2'].map(url), minAgree: 2, timeoutMs: 300 },
    'ipv4',
  );
  t.true(Date.now() - started < 2000, 'the hanging source is cut off by the timeout');
  t.is(r.address, '203.0.113.5');
  const errors = Object.fromEntries(r.readings.map((x) => [new URL(x.source).pathname, x.error ?? 'ok']));
  t.regex(errors['/v6']!, /not an IPv4 address/);
  t.regex(errors['/junk']!, /not an IPv4 address/);
  t.regex(errors['/err']!, /HTTP 502/);
  t.regex(errors['/hang']!, /timed out/);
});

test('IPv6 detection validates the family and normalises the address', async (t) => {
  const url = await echoServer(t, { '/a': { body: '2001:DB8:0:0::5' }, '/b': { body: '2001:db8::5' }, '/c': { body: '203.0.113.5' } });
  const r = await detectIp({ sources: [url('/a'), url('/b'), url('/c')], minAgree: 2, timeoutMs: 2000 }, 'ipv6');
  t.is(r.address, '2001:db8::5');
  t.is(await readHttp(url('/b'), 'ipv6', 1000), '2001:db8::5');
});

test('with fewer sources than minAgree, all configured sources must agree', async (t) => {
  const url = await echoServer(t, { '/a': { body: '203.0.113.5' } });
  const r = await detectIp({ sources: [url('/a')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(r.address, '203.0.113.5');
});

test('a static address wins over every other source and is validated', async (t) => {
  t.is((await detectIp({ staticAddress: '203.0.113.8', sources: ['http://127.0.0.1:1/'] }, 'ipv4')).address, '203.0.113.8');
  const bad = await detectIp({ staticAddress: '203.0.113.8' }, 'ipv6');
  t.is(bad.address, null);
  t.is((await detectIp({ disabled: true, staticAddress: '203.0.113.8' }, 'ipv4')).method, 'disabled');
});

test('an interface source skips loopback, link-local and private IPv6 addresses', async (t) => {
  const table = {
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 2 },
      { address: 'fd00::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 },
      { address: '2001:db8::abcd', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 },
      { address: '169.254.1.1', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
      { address: '192.168.1.10', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
    ],
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }],
  } as unknown as ReturnType<typeof import('node:os').networkInterfaces>;
  t.is(readInterface('eth0', 'ipv6', table), '2001:db8::abcd');
  t.is(readInterface('eth0', 'ipv4', table), '192.168.1.10');
  t.throws(() => readInterface('lo', 'ipv4', table), { message: /no usable IPv4/ });
  const r = await detectIp({ iface: 'wlan9', sources: [] }, 'ipv4', { interfaces: () => table });
  t.is(r.address, null);
  t.regex(r.reason ?? '', /no network interface named wlan9/);
});

test('a command source takes the first word printed, validated, within a timeout', async (t) => {
  t.is((await detectIp({ command: 'echo 203.0.113.9; echo trailing', timeoutMs: 2000 }, 'ipv4')).address, '203.0.113.9');
  const wrong = await detectIp({ command: 'echo 2001:db8::9', timeoutMs: 2000 }, 'ipv4');
  t.is(wrong.address, null);
  const slow = await detectIp({ command: 'sleep 5; echo 203.0.113.9', timeoutMs: 200 }, 'ipv4');
  t.is(slow.address, null);
  t.regex(slow.reason ?? '', /timed out/);
});

test('without configured sources the shipped echo services are used (read through an injected reader)', async (t) => {
  const asked: string[] = [];
  const r = await detectIp({}, 'ipv6', {
    readHttp: async (u) => {
      asked.push(u);
      return '2001:db8::1';
    },
  });
  t.deepEqual(asked, [...DEFAULT_IP_SOURCES.ipv6]);
  t.is(r.address, '2001:db8::1');
  t.true(DEFAULT_IP_SOURCES.ipv4.every((u) => u.startsWith('https://')));
});

test('normalizeAddress rejects other families, zone ids and padding junk', (t) => {
  t.is(normalizeAddress('ipv4', '203.0.113.1'), '203.0.113.1');
  t.is(normalizeAddress('ipv4', '::1'), null);
  t.is(normalizeAddress('ipv6', 'fe80::1%eth0'), null);
  t.is(normalizeAddress('ipv6', '2001:DB8:0000::1'), '2001:db8::1');
  t.is(normalizeAddress('ipv4', '203.0.113.1 x'), null);
});
