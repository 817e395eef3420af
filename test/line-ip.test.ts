// LineIP (issue 14 part 1) at the edges: echo sources asked through a line's interface, the config
// key's rules, and a node's detection per (line, family) — what it writes, what it publishes, and
// the log (issue 12 item 11): a failure logged once per change of state, naming each source and why.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import test from 'ava';
import { buildConfig, ConfigError } from '../src/config/index.js';
import { DnsSync } from '../src/dns/sync.js';
import { ipFor } from '../src/dns/plan.js';
import { detectIp, type DetectResult, type InterfaceTable } from '../src/ip/index.js';
import { createLogger } from '../src/log.js';
import type { Family } from '../src/model.js';
import { renderStatus } from '../src/cli/commands/status.js';
import { testConfig } from './helpers/config.js';
import { startTestNode } from './helpers/node.js';

/** An echo service on 127.0.0.21 that answers each caller with a public address derived from the caller's own (127.0.0.N → 36.112.0.N). */
async function echoOnLoopback(t: import('ava').ExecutionContext): Promise<string> {
  const server = http.createServer((req, res) => {
    const last = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '').split('.').pop();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`36.112.0.${last}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.21', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.21:${(server.address() as AddressInfo).port}/`;
}

const uplinks = (): { table: InterfaceTable; ifInet6: null } => ({
  table: {
    ppp0: [{ address: '127.0.0.11', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '127.0.0.11/8' }],
    ppp1: [{ address: '127.0.0.12', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '127.0.0.12/8' }],
  },
  ifInet6: null,
});

test('an echo source of a line with an Interface is asked through that interface: each uplink sees its own public address', async (t) => {
  const url = await echoOnLoopback(t);
  const ct = await detectIp({ iface: 'ppp0', sources: [url], minAgree: 1, timeoutMs: 3000 }, 'ipv4', { interfaces: uplinks });
  const cu = await detectIp({ iface: 'ppp1', sources: [url], minAgree: 1, timeoutMs: 3000 }, 'ipv4', { interfaces: uplinks });
  t.is(ct.address, '36.112.0.11');
  t.is(cu.address, '36.112.0.12');
  t.regex(ct.readings[0]!.source, /via ppp0 \(127\.0\.0\.11\)/);
  // Without sources an Interface is read directly (as PublicIP always did).
  const direct = await detectIp({ iface: 'ppp0', sources: [], timeoutMs: 3000 }, 'ipv4', { interfaces: uplinks });
  t.is(direct.method, 'interface');
  t.is(direct.address, null, '127.0.0.11 is not a public address');
});

test('an echo source through an interface that does not exist fails naming the interface, and asks nothing', async (t) => {
  const r = await detectIp({ iface: 'ppp9', sources: ['http://127.0.0.21:1/'], minAgree: 1, timeoutMs: 1000 }, 'ipv4', { interfaces: uplinks });
  t.is(r.address, null);
  t.regex(r.reason ?? '', /interface ppp9: no network interface named ppp9/);
});

const base = {
  APIPort: 0,
  NodeName: 'n',
  NodeCode: 'n',
  NodeAddress: 'http://127.0.0.1:1',
  WorkMode: 'leader',
  CocoaSecret: 'line-ip-secret-1',
  PublicIP: { IPv4: { Static: '203.0.113.10' } },
};

test('LineIP: each line\'s sources are read like PublicIP\'s; a line without an entry has none', (t) => {
  const { config } = buildConfig({ ...base, LineIP: { CT: { IPv4: { Interface: 'ppp0' } }, CU: { IPv4: { Interface: 'ppp1', Sources: ['https://4.ipw.cn'], MinAgree: 1 } }, CMCC: { IPv4: { Static: '203.0.113.12' } } } }, { baseDir: '/tmp', env: {} });
  t.deepEqual(config.lineIp.CT?.ipv4, { sources: [], minAgree: 2, iface: 'ppp0', command: null, staticAddress: null, disabled: false });
  t.deepEqual(config.lineIp.CU?.ipv4?.sources, ['https://4.ipw.cn']);
  t.is(config.lineIp.CMCC?.ipv4?.staticAddress, '203.0.113.12');
  t.is(config.lineIp.default, undefined);
  t.deepEqual(buildConfig(base, { baseDir: '/tmp', env: {} }).config.lineIp, {});
  const v6 = buildConfig({ ...base, LineIP: { CT: { IPv6: { Interface: 'ppp0' } } } }, { baseDir: '/tmp', env: {} });
  t.deepEqual(v6.warnings, ['LineIP.CT.IPv6 is ignored: NetworkType IPV4 serves no IPv6']);
});

test('LineIP: an unknown line code or source key is a config error naming the key', (t) => {
  const err = t.throws(() => buildConfig({ ...base, LineIP: { CTT: { IPv4: { Static: '203.0.113.11' } }, CU: { IPv4: { Interfce: 'ppp1' } } } }, { baseDir: '/tmp', env: {} }), { instanceOf: ConfigError });
  t.true(err!.problems.some((p) => /^LineIP\.CTT: "CTT" is not a line code; use one of default, CT, CU, CMCC, CNEdu, OverSea/.test(p)), err!.problems.join('\n'));
  t.true(err!.problems.some((p) => p.startsWith('LineIP.CU.IPv4') && p.includes('Interfce')), err!.problems.join('\n'));
});

/** A DnsSync on scripted readings (the detector is the edge; everything else is the real thing). */
function syncWith(readings: (scope: string, family: Family) => string | null, overrides: Record<string, unknown>) {
  const config = testConfig({ IpCheckSeconds: 3600, ...overrides });
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const log = createLogger({ level: 'info', destination });
  const runtime = { self: { networkType: 'IPV4' } };
  const detect = async (cfg: { staticAddress?: string | null; iface?: string | null }, family: Family): Promise<DetectResult> => {
    const scope = cfg.iface ?? 'default';
    const address = readings(scope, family);
    return address
      ? { family, address, method: 'interface', readings: [{ source: `interface ${scope}`, address }], warnings: [] }
      : { family, address: null, method: 'http', readings: [{ source: 'echo https://a.example', address: null, error: 'timed out after 5000 ms' }, { source: 'echo https://b.example', address: null, error: 'HTTP 502' }], reason: 'only 0 of 2 sources gave a usable address; 2 must agree', warnings: [] };
  };
  const sync = new DnsSync({ config, runtime: runtime as never, serving: () => { throw new Error('no pass in this test'); }, audit: () => undefined, log, detect: detect as never });
  return { sync, lines };
}

test('a node writes each line\'s own address; one failed reading keeps it; two publish the line as down; two good ones bring it back', async (t) => {
  let ctUp = true;
  const { sync } = syncWith((scope) => (scope === 'ppp0' ? (ctUp ? '36.112.0.11' : null) : scope === 'ppp1' ? '36.112.0.12' : '36.112.0.10'), {
    LineIP: { CT: { IPv4: { Interface: 'ppp0' } }, CU: { IPv4: { Interface: 'ppp1' } } },
  });
  await sync.checkIp();
  t.deepEqual(sync.published, { default: { ipv4: '36.112.0.10' }, lines: { CT: { ipv4: '36.112.0.11' }, CU: { ipv4: '36.112.0.12' } } });
  t.is(ipFor(sync.ips, 'CT', 'ipv4'), '36.112.0.11');
  t.is(ipFor(sync.ips, 'CU', 'ipv4'), '36.112.0.12');
  t.is(ipFor(sync.ips, 'CMCC', 'ipv4'), '36.112.0.10', 'a line without an entry uses PublicIP');
  ctUp = false;
  await sync.checkIp();
  t.is(sync.published.lines.CT?.ipv4, '36.112.0.11', 'a single failed reading moves nothing');
  await sync.checkIp();
  t.is(sync.published.lines.CT?.ipv4, null, 'two in a row: the line is down');
  t.is(ipFor(sync.ips, 'CT', 'ipv4'), null);
  t.is(sync.published.lines.CU?.ipv4, '36.112.0.12', 'the other lines stay');
  ctUp = true;
  await sync.checkIp();
  t.is(sync.published.lines.CT?.ipv4, null, 'one good reading is not yet a recovery');
  await sync.checkIp();
  t.is(sync.published.lines.CT?.ipv4, '36.112.0.11');
  await sync.stop();
});

test('a detection failure is logged once per change of state, naming each source and its reason; a recovery once', async (t) => {
  let up = false;
  const { sync, lines } = syncWith(() => (up ? '36.112.0.10' : null), { PublicIP: { IPv4: { Sources: ['https://a.example', 'https://b.example'] } } });
  // Start-up asks from several places at once: one check, one line.
  await Promise.all([sync.checkIp(), sync.checkIp(), sync.checkIp()]);
  for (let i = 0; i < 4; i++) await sync.checkIp();
  const failed = lines.filter((l) => l.msg === 'public IP detection failed');
  t.is(failed.length, 1);
  t.deepEqual(failed[0]!.sources, [
    { source: 'echo https://a.example', reason: 'timed out after 5000 ms' },
    { source: 'echo https://b.example', reason: 'HTTP 502' },
  ]);
  t.is(lines.filter((l) => /fail over until it is detected again/.test(l.msg)).length, 1, 'going down is said once');
  up = true;
  for (let i = 0; i < 4; i++) await sync.checkIp();
  t.is(lines.filter((l) => l.msg === 'public IP detection recovered').length, 1);
  t.is(lines.filter((l) => l.msg === 'public IP detection failed').length, 1);
  await sync.stop();
});

test('`cocoasyncer status` shows this node\'s address per line, its own LineIP entries marked', async (t) => {
  const node = await startTestNode({ ISPs: ['CT', 'CU', 'CMCC'], LineIP: { CT: { IPv4: { Static: '203.0.113.11' } }, CU: { IPv4: { Static: '203.0.113.12' } } } });
  t.teardown(() => node.stop());
  await node.dnsSync.checkIp();
  const text = renderStatus(node.reactor.status());
  t.regex(text, /Addresses per line[^\n]*\n {2}test-leader: CT\* 203\.0\.113\.11, CU\* 203\.0\.113\.12, CMCC 203\.0\.113\.10/);
});
