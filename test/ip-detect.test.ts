import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { agree, StableIp, stepStable, INITIAL_STABLE } from '../src/ip/agree.js';
import { normalizeAddress } from '../src/ip/address.js';
import { classifyAddress } from '../src/ip/classify.js';
import type { Family } from '../src/model.js';
import { detectIp } from '../src/ip/detect.js';
import { DEFAULT_IP_SOURCES, readHttp } from '../src/ip/sources.js';
import { readInterface, type InterfaceTable } from '../src/ip/interfaces.js';

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
  const url = await echoServer(t, { '/a': { body: '36.112.0.5\n' }, '/b': { body: '  36.112.0.5 ' }, '/c': { body: '36.112.0.9' } });
  const r = await detectIp({ sources: [url('/a'), url('/b'), url('/c')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(r.address, '36.112.0.5');
  t.is(r.method, 'http');
  t.is(r.readings.length, 3);
});

test('two sources that disagree give no address', async (t) => {
  const url = await echoServer(t, { '/a': { body: '36.112.0.5' }, '/b': { body: '36.112.0.9' } });
  const r = await detectIp({ sources: [url('/a'), url('/b')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(r.address, null);
  t.regex(r.reason ?? '', /disagree/);
});

test('an answer of the wrong family, garbage, an HTTP error or a hang counts as no reading', async (t) => {
  const url = await echoServer(t, {
    '/ok1': { body: '36.112.0.5' },
    '/ok2': { body: '36.112.0.5' },
    '/v6': { body: '240e:1:2:3::5' },
    '/junk': { body: '<html>36.112.0.5</html>' },
    '/err': { status: 502, body: '36.112.0.5' },
    '/hang': { hang: true },
  });
  const started = Date.now();
  const r = await detectIp(
    { sources: ['/ok1', '/v6', '/junk', '/err', '/hang', '/ok2'].map(url), minAgree: 2, timeoutMs: 300 },
    'ipv4',
  );
  t.true(Date.now() - started < 2000, 'the hanging source is cut off by the timeout');
  t.is(r.address, '36.112.0.5');
  const errors = Object.fromEntries(r.readings.map((x) => [new URL(x.source.replace(/^echo /, '')).pathname, x.error ?? 'ok']));
  t.regex(errors['/v6']!, /not an IPv4 address/);
  t.regex(errors['/junk']!, /not an IPv4 address/);
  t.regex(errors['/err']!, /HTTP 502/);
  t.regex(errors['/hang']!, /timed out/);
});

test('IPv6 detection validates the family and normalises the address', async (t) => {
  const url = await echoServer(t, { '/a': { body: '240E:1:2:3:0:0::5' }, '/b': { body: '240e:1:2:3::5' }, '/c': { body: '36.112.0.5' } });
  const r = await detectIp({ sources: [url('/a'), url('/b'), url('/c')], minAgree: 2, timeoutMs: 2000 }, 'ipv6');
  t.is(r.address, '240e:1:2:3::5');
  t.is(await readHttp(url('/b'), 'ipv6', 1000), '240e:1:2:3::5');
});

test('with fewer sources than minAgree, all configured sources must agree', async (t) => {
  const url = await echoServer(t, { '/a': { body: '36.112.0.5' } });
  const r = await detectIp({ sources: [url('/a')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(r.address, '36.112.0.5');
});

test('a static address wins over every other source and is validated', async (t) => {
  const s = await detectIp({ staticAddress: '36.112.0.8', sources: ['http://127.0.0.1:1/'] }, 'ipv4');
  t.is(s.address, '36.112.0.8');
  t.deepEqual(s.warnings, []);
  const bad = await detectIp({ staticAddress: '203.0.113.8' }, 'ipv6');
  t.is(bad.address, null);
  t.is((await detectIp({ disabled: true, staticAddress: '203.0.113.8' }, 'ipv4')).method, 'disabled');
});

test('an interface source takes the first global address of the family and says what it skipped', async (t) => {
  const table = {
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 2 },
      { address: 'fd00::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 },
      { address: '240e:1:2:3::abcd', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 },
      { address: '169.254.1.1', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
      { address: '36.112.0.10', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
      { address: '36.112.0.11', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
    ],
    lan0: [
      { address: '192.168.1.10', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
      { address: '100.64.0.7', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
    ],
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }],
  } as unknown as InterfaceTable;
  // No /proc/net/if_inet6 (not Linux): IPv6 from the table, global only.
  const src = { table, ifInet6: null };
  t.is(readInterface('eth0', 'ipv6', src), '240e:1:2:3::abcd');
  t.is(readInterface('eth0', 'ipv4', src), '36.112.0.10', 'the primary (first) global IPv4 address');
  t.throws(() => readInterface('lo', 'ipv4', src), { message: 'interface lo has no global IPv4 address: 127.0.0.1 is a loopback address' });
  t.throws(() => readInterface('lan0', 'ipv4', src), {
    message: 'interface lan0 has no global IPv4 address: 192.168.1.10 is a private (RFC 1918) address; 100.64.0.7 is in the shared (CGNAT) range 100.64.0.0/10',
  });
  const lan = await detectIp({ iface: 'lan0', sources: [] }, 'ipv4', { interfaces: () => src });
  t.is(lan.address, null);
  t.is(lan.method, 'interface');
  t.regex(lan.reason ?? '', /^interface lan0: interface lan0 has no global IPv4 address: 192\.168\.1\.10 is a private/);
  const r = await detectIp({ iface: 'wlan9', sources: [] }, 'ipv4', { interfaces: () => src });
  t.is(r.address, null);
  t.regex(r.reason ?? '', /no network interface named wlan9/);
});

test('a command source takes the first word printed, validated, within a timeout', async (t) => {
  t.is((await detectIp({ command: 'echo 36.112.0.19; echo trailing', timeoutMs: 2000 }, 'ipv4')).address, '36.112.0.19');
  const wrong = await detectIp({ command: 'echo 2001:db8::9', timeoutMs: 2000 }, 'ipv4');
  t.is(wrong.address, null);
  const lan = await detectIp({ command: 'echo 10.20.10.22', timeoutMs: 2000 }, 'ipv4');
  t.is(lan.address, null);
  t.is(lan.reason, 'command: 10.20.10.22 is a private (RFC 1918) address');
  t.deepEqual(lan.readings, [{ source: 'command', address: null, refused: '10.20.10.22', error: '10.20.10.22 is a private (RFC 1918) address' }]);
  const slow = await detectIp({ command: 'sleep 5; echo 36.112.0.19', timeoutMs: 200 }, 'ipv4');
  t.is(slow.address, null);
  t.regex(slow.reason ?? '', /timed out/);
});

test('without configured sources the shipped echo services are used (read through an injected reader)', async (t) => {
  const asked: string[] = [];
  const r = await detectIp({}, 'ipv6', {
    readHttp: async (u) => {
      asked.push(u);
      return '240e:1:2:3::1';
    },
  });
  t.deepEqual(asked, [...DEFAULT_IP_SOURCES.ipv6]);
  t.is(r.address, '240e:1:2:3::1');
  t.true(DEFAULT_IP_SOURCES.ipv4.every((u) => u.startsWith('https://')));
});

test('normalizeAddress rejects other families, zone ids and padding junk', (t) => {
  t.is(normalizeAddress('ipv4', '203.0.113.1'), '203.0.113.1');
  t.is(normalizeAddress('ipv4', '::1'), null);
  t.is(normalizeAddress('ipv6', 'fe80::1%eth0'), null);
  t.is(normalizeAddress('ipv6', '2001:DB8:0000::1'), '2001:db8::1');
  t.is(normalizeAddress('ipv4', '203.0.113.1 x'), null);
});

test('classifyAddress: only global unicast is a usable public address, each refusal says why', (t) => {
  const rows: [Family, string, string | true][] = [
    ['ipv4', '36.112.0.5', true],
    ['ipv4', '1.1.1.1', true],
    ['ipv4', '10.20.10.22', '10.20.10.22 is a private (RFC 1918) address'],
    ['ipv4', '172.16.0.1', '172.16.0.1 is a private (RFC 1918) address'],
    ['ipv4', '192.168.1.1', '192.168.1.1 is a private (RFC 1918) address'],
    ['ipv4', '100.64.12.34', '100.64.12.34 is in the shared (CGNAT) range 100.64.0.0/10'],
    ['ipv4', '100.127.255.254', '100.127.255.254 is in the shared (CGNAT) range 100.64.0.0/10'],
    ['ipv4', '100.128.0.1', true],
    ['ipv4', '127.0.0.1', '127.0.0.1 is a loopback address'],
    ['ipv4', '169.254.10.1', '169.254.10.1 is link-local'],
    ['ipv4', '0.0.0.0', '0.0.0.0 is the unspecified address'],
    ['ipv4', '224.0.0.1', '224.0.0.1 is a multicast address'],
    ['ipv4', '255.255.255.255', '255.255.255.255 is the broadcast address'],
    ['ipv4', '192.0.2.1', '192.0.2.1 is in a reserved or documentation range'],
    ['ipv4', '203.0.113.5', '203.0.113.5 is in a reserved or documentation range'],
    ['ipv4', '240.0.0.1', '240.0.0.1 is in a reserved or documentation range'],
    ['ipv4', '198.18.0.1', '198.18.0.1 is in a reserved or documentation range'],
    ['ipv4', '127.1', '127.1 is not an IPv4 address'],
    ['ipv4', '::1', '::1 is not an IPv4 address'],
    ['ipv6', '240e:1:2:3::5', true],
    ['ipv6', '2408:8000::1', true],
    ['ipv6', '2002:2470:5::1', true],
    ['ipv6', '2001:0:4136:e378::1', true],
    ['ipv6', 'fd00::2', 'fd00::2 is a unique-local address (fc00::/7)'],
    ['ipv6', 'fc00::1', 'fc00::1 is a unique-local address (fc00::/7)'],
    ['ipv6', '::1', '::1 is a loopback address'],
    ['ipv6', '::', ':: is the unspecified address'],
    ['ipv6', 'fe80::1', 'fe80::1 is link-local'],
    ['ipv6', 'ff02::1', 'ff02::1 is a multicast address'],
    ['ipv6', 'fec0::1', 'fec0::1 is a site-local address (deprecated, fec0::/10)'],
    ['ipv6', '::ffff:36.112.0.5', '::ffff:36.112.0.5 is an IPv4-mapped IPv6 address'],
    ['ipv6', '64:ff9b::2470:5', '64:ff9b::2470:5 is a NAT64 address (64:ff9b::/96)'],
    ['ipv6', '2001:db8::1', '2001:db8::1 is in a reserved or documentation range'],
    ['ipv6', '100::1', '100::1 is in the discard-only range 100::/64'],
    ['ipv6', '36.112.0.5', '36.112.0.5 is not an IPv6 address'],
  ];
  for (const [family, address, want] of rows) {
    const c = classifyAddress(family, address);
    if (want === true) t.true(c.global, `${address} is global`);
    else t.is(c.global ? 'global' : c.reason, want, address);
  }
});

test('echo sources answering a private or CGNAT address are refused with source and reason, and never agree', async (t) => {
  const url = await echoServer(t, {
    '/lan1': { body: '10.20.10.22' },
    '/lan2': { body: '10.20.10.22\n' },
    '/cgnat': { body: '100.64.12.34' },
    '/pub': { body: '36.112.0.5' },
    '/pub2': { body: '36.112.0.5' },
  });
  // Two of three agree on a private address: that must not win.
  const lan = await detectIp({ sources: [url('/lan1'), url('/lan2'), url('/pub')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(lan.address, null);
  t.is(
    lan.reason,
    `only 1 of 3 sources gave a usable address; 2 must agree (echo ${url('/lan1')}: 10.20.10.22 is a private (RFC 1918) address; echo ${url('/lan2')}: 10.20.10.22 is a private (RFC 1918) address)`,
  );
  t.deepEqual(lan.readings[0], { source: `echo ${url('/lan1')}`, address: null, refused: '10.20.10.22', error: '10.20.10.22 is a private (RFC 1918) address' });

  // One CGNAT answer among two good ones: the good ones win, the refusal is kept in the readings.
  const ok = await detectIp({ sources: [url('/cgnat'), url('/pub'), url('/pub2')], minAgree: 2, timeoutMs: 2000 }, 'ipv4');
  t.is(ok.address, '36.112.0.5');
  t.is(ok.readings[0]!.error, '100.64.12.34 is in the shared (CGNAT) range 100.64.0.0/10');

  const single = await detectIp({ sources: [url('/cgnat')], minAgree: 1, timeoutMs: 2000 }, 'ipv4');
  t.is(single.address, null);
  t.is(single.reason, `only 0 of 1 sources gave a usable address; 1 must agree (echo ${url('/cgnat')}: 100.64.12.34 is in the shared (CGNAT) range 100.64.0.0/10)`);
});

test('IPv6 echo answers that are unique-local, loopback or link-local are refused', async (t) => {
  const url = await echoServer(t, { '/ula': { body: 'fd00::2' }, '/lo': { body: '::1' }, '/ll': { body: 'FE80::1' } });
  const r = await detectIp({ sources: [url('/ula'), url('/lo'), url('/ll')], minAgree: 1, timeoutMs: 2000 }, 'ipv6');
  t.is(r.address, null);
  t.deepEqual(
    r.readings.map((x) => [x.refused, x.error]),
    [
      ['fd00::2', 'fd00::2 is a unique-local address (fc00::/7)'],
      ['::1', '::1 is a loopback address'],
      ['fe80::1', 'fe80::1 is link-local'],
    ],
  );
});

test('a static address that is not global is used as given, with a warning', async (t) => {
  const v4 = await detectIp({ staticAddress: '127.0.0.5' }, 'ipv4');
  t.is(v4.address, '127.0.0.5');
  t.deepEqual(v4.warnings, ['static ipv4 address 127.0.0.5 is a loopback address; used as given']);
  const v6 = await detectIp({ staticAddress: 'FD00::2' }, 'ipv6');
  t.is(v6.address, 'fd00::2');
  t.deepEqual(v6.warnings, ['static ipv6 address fd00::2 is a unique-local address (fc00::/7); used as given']);
});
