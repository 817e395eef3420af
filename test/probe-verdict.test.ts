// Service health probes, the pure parts: check URL templates, probe classification, the majority
// verdict with calm recovery, and the per-record "owner back" rule a verdict's stand-in follows.
import test from 'ava';
import { classifyProbe, parseCheckUrl, patchCheck, probeEndpoint, serviceCheckSchema } from '../src/probe/check.js';
import { decideVerdicts, verdictsToSlotDown, targetKey, type ProbeResult, type ProberReport, type VerdictConfig } from '../src/probe/verdict.js';
import { probeJobs } from '../src/probe/targets.js';
import { planStateServing } from '../src/cluster/serving.js';
import { ownerBackFor } from '../src/dns/sync.js';
import { decideStandIn, recordStandInWrite, standInKey } from '../src/dns/stand-in.js';
import type { ClusterState, ClusterNode, ManagedService } from '../src/model.js';

test('check URL templates: http, https and tcp with {ip} as the host; anything else is refused with a reason', (t) => {
  const table: [string, string][] = [
    ['http://{ip}:8080/health', 'http 8080 /health'],
    ['http://{ip}/', 'http 80 /'],
    ['https://{ip}/status?full=1', 'https 443 /status?full=1'],
    ['tcp://{ip}:5432', 'tcp 5432 '],
  ];
  for (const [url, want] of table) {
    const r = parseCheckUrl(url);
    t.true(r.ok, url);
    if (r.ok) t.is(`${r.target.scheme} ${r.target.port} ${r.target.path}`, want, url);
  }
  const bad: [string, RegExp][] = [
    ['ftp://{ip}:21', /http:\/\/, https:\/\/ or tcp:\/\//],
    ['http://example.com/health', /host must be \{ip\}/],
    ['tcp://{ip}', /needs a port/],
    ['tcp://{ip}:22/x', /takes no path/],
    ['http://{ip}:70000/', /1-65535/],
    ['http://{ip}:0/', /1-65535/],
  ];
  for (const [url, message] of bad) {
    const r = parseCheckUrl(url);
    t.false(r.ok, url);
    if (!r.ok) t.regex(r.message, message, url);
  }
});

test('{ip} becomes the published address, IPv6 in brackets; https verifies the record\'s name (SNI)', (t) => {
  const http = probeEndpoint({ url: 'http://{ip}:8080/health' }, '203.0.113.7', 'ipv4', 'www.example.com');
  t.is(http?.url, 'http://203.0.113.7:8080/health');
  t.is(http?.servername, null);
  t.is(http?.hostHeader, 'www.example.com:8080', 'the Host header names the record, as users\' requests do');
  const v6 = probeEndpoint({ url: 'https://{ip}/health' }, '2001:db8::7', 'ipv6', 'www.example.com');
  t.is(v6?.url, 'https://[2001:db8::7]:443/health');
  t.is(v6?.host, '2001:db8::7');
  t.is(v6?.servername, 'www.example.com');
  t.is(v6?.hostHeader, 'www.example.com');
  t.is(probeEndpoint({ url: 'tcp://{ip}:22' }, '2001:db8::7', 'ipv4', 'x.example.com'), null, 'an address of the other family is not probed');
});

test('a probe is healthy on the expected status (default any 2xx/3xx) or a TCP connect; errors and timeouts are not', (t) => {
  const rows: [Parameters<typeof classifyProbe>[0], number | null, boolean][] = [
    [{ kind: 'http', status: 200 }, null, true],
    [{ kind: 'http', status: 302 }, null, true],
    [{ kind: 'http', status: 404 }, null, false],
    [{ kind: 'http', status: 503 }, null, false],
    [{ kind: 'http', status: 204 }, 204, true],
    [{ kind: 'http', status: 200 }, 204, false],
    [{ kind: 'connected' }, null, true],
    [{ kind: 'timeout' }, null, false],
    [{ kind: 'error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, null, false],
    [{ kind: 'error', code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'bad name' }, null, false],
  ];
  for (const [outcome, expect, ok] of rows) t.is(classifyProbe(outcome, expect).ok, ok, JSON.stringify([outcome, expect]));
  t.is(classifyProbe({ kind: 'http', status: 503 }, null).detail, 'HTTP 503 (expected 2xx/3xx)');
});

test('a check\'s options: defaults, the timeout within the interval, and service set patches naming the field', (t) => {
  t.deepEqual(serviceCheckSchema.parse({ url: 'tcp://{ip}:22' }), { url: 'tcp://{ip}:22', intervalSeconds: 10, timeoutSeconds: 3, expectStatus: null });
  const r = serviceCheckSchema.safeParse({ url: 'tcp://{ip}:22', intervalSeconds: 2, timeoutSeconds: 5 });
  t.false(r.success);
  const noUrl = patchCheck(undefined, { intervalSeconds: 5 });
  t.deepEqual(noUrl.ok ? null : noUrl.field, 'check.url');
  const current = serviceCheckSchema.parse({ url: 'http://{ip}:80/' });
  const faster = patchCheck(current, { intervalSeconds: 2, timeoutSeconds: 1 });
  t.deepEqual(faster.ok ? faster.check : null, { url: 'http://{ip}:80/', intervalSeconds: 2, timeoutSeconds: 1, expectStatus: null });
  const tooLong = patchCheck(current, { timeoutSeconds: 20 });
  t.is(tooLong.ok ? null : tooLong.field, 'check.timeoutSeconds');
  t.deepEqual(patchCheck(current, null), { ok: true, check: undefined });
});

// --- verdicts ---
const cfg: VerdictConfig = { failAfterMs: 10_000, recoverAfter: 2, freshMs: 30_000 };
const NOW = 1_000_000;
const result = (target: string, ok: boolean, failingForMs = 0, goodStreak = ok ? 5 : 0): ProbeResult => ({
  service: 'web', target, line: 'CT', family: 'ipv4', ok, failures: ok ? 0 : 3, failingForMs, goodStreak, latencyMs: 3, detail: ok ? 'HTTP 200' : 'ECONNREFUSED',
});
const reports = (entries: Record<string, ProbeResult[]>, atMs = NOW): Map<string, ProberReport> => new Map(Object.entries(entries).map(([p, results]) => [p, { atMs, results }]));
const keyC = targetKey('web', 'c', 'CT', 'ipv4');
const verdictOf = (down: Set<string>, r: Map<string, ProberReport>, live: string[]) => decideVerdicts(down, r, new Set(live), NOW, cfg);

test('a target is down for a service when a majority of its probing nodes failed to reach it for FailAfterSeconds', (t) => {
  const live = ['a', 'b', 'c'];
  const rows: [string, Record<string, ProbeResult[]>, boolean][] = [
    ['both probers failing long enough', { a: [result('c', false, 12_000)], b: [result('c', false, 11_000)] }, true],
    ['one of two probers failing (no majority)', { a: [result('c', false, 12_000)], b: [result('c', true)] }, false],
    ['both failing, one not yet for long enough', { a: [result('c', false, 12_000)], b: [result('c', false, 4_000)] }, false],
    ['the second prober has not probed it yet (counts as not failing)', { a: [result('c', false, 12_000)], b: [] }, false],
    ['the target\'s own view of itself never counts', { a: [result('c', false, 12_000)], b: [result('c', false, 12_000)], c: [result('c', true)] }, true],
  ];
  for (const [why, entries, down] of rows) {
    const v = verdictOf(new Set(), reports(entries), live);
    t.is(v.down.has(keyC), down, why);
  }
});

test('with two nodes the majority is the other node', (t) => {
  const v = verdictOf(new Set(), reports({ a: [result('c', false, 10_000)] }), ['a', 'c']);
  t.true(v.down.has(keyC));
  t.deepEqual(verdictsToSlotDown(v.verdicts).map((d) => [d.node, d.line, d.family, d.service]), [['c', 'CT', 'ipv4', 'web']]);
});

test('a dead target is the heartbeat\'s business, and reports of dead or stale probers do not count', (t) => {
  t.false(verdictOf(new Set(), reports({ a: [result('c', false, 60_000)] }), ['a', 'b']).down.has(keyC), 'target c not live: no verdict');
  const stale = new Map([...reports({ a: [result('c', false, 60_000)] }), ...reports({ b: [result('c', false, 60_000)] }, NOW - 31_000)]);
  const v = verdictOf(new Set(), stale, ['a', 'b', 'c']);
  t.is(v.verdicts[0]?.probers, 1, 'b\'s stale report does not count');
  t.true(v.down.has(keyC), 'a alone is the majority of the probers that report');
  t.false(verdictOf(new Set(), reports({ a: [result('c', false, 60_000)], b: [result('c', false, 60_000)] }), ['b', 'c']).verdicts[0]?.probers === 2, 'a dead prober does not vote');
});

test('recovery is calm: a down target comes back only when a majority reaches it RecoverAfter times in a row', (t) => {
  const live = ['a', 'b', 'c'];
  const down = new Set([keyC]);
  const rows: [string, Record<string, ProbeResult[]>, boolean][] = [
    ['failing stops, but no good streak yet', { a: [result('c', true, 0, 1)], b: [result('c', true, 0, 1)] }, true],
    ['one prober calm, the other not yet', { a: [result('c', true, 0, 2)], b: [result('c', true, 0, 1)] }, true],
    ['a prober fails again briefly (not long enough to vote down)', { a: [result('c', true, 0, 3)], b: [result('c', false, 1_000)] }, true],
    ['both calm', { a: [result('c', true, 0, 2)], b: [result('c', true, 0, 3)] }, false],
  ];
  for (const [why, entries, stillDown] of rows) t.is(verdictOf(down, reports(entries), live).down.has(keyC), stillDown, why);
});

test('an answer every other probe never takes a target down (the failure run restarts)', (t) => {
  let down = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const failing = i % 2 === 0;
    const v = verdictOf(down, reports({ a: [result('c', !failing, failing ? 5_000 : 0, failing ? 0 : 1)], b: [result('c', !failing, failing ? 5_000 : 0, failing ? 0 : 1)] }), ['a', 'b', 'c']);
    down = v.down;
    t.false(down.has(keyC));
  }
});

// --- targets ---
const node = (nodeCode: string, isps: ClusterNode['isps'], networkType: ClusterNode['networkType'] = 'IPV4'): ClusterNode => ({
  nodeCode, nodeName: nodeCode, nodeAddress: `http://${nodeCode}.test`, workMode: 'follower', secret: 's', isps, networkType, statusCode: 200, watchDog: new Date(0).toISOString(),
});
const web: ManagedService = { serviceName: 'web', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600, check: { url: 'https://{ip}:8443/health', intervalSeconds: 10, timeoutSeconds: 3, expectStatus: null } };
const state = (services: ManagedService[]): ClusterState => ({ version: 1, term: 0, nodes: [node('a', ['CT']), node('b', ['CU', 'CMCC']), node('c', ['None'])], services, cloudAccounts: [], notifiers: [] });

test('each node probes every other node of a checked service, per line it owns or serves, once per distinct URL', (t) => {
  const s = state([web, { ...web, serviceName: 'plain', record: 'plain', check: undefined }]);
  const plan = planStateServing(s, new Set(['b', 'c']), 'b');
  const perLine = (n: string, line: string) => (n === 'a' ? '203.0.113.1' : line === 'CU' ? '198.51.100.2' : '198.51.100.3');
  const jobs = probeJobs(s, plan, 'c', (n, line) => perLine(n, line));
  t.deepEqual(
    jobs.map((j) => [j.node, j.endpoint.url, j.endpoint.servername, j.slots.map((x) => x.line).join(',')]),
    [
      ['a', 'https://203.0.113.1:8443/health', 'www.example.com', 'CT'],
      ['b', 'https://198.51.100.2:8443/health', 'www.example.com', 'CU'],
      ['b', 'https://198.51.100.3:8443/health', 'www.example.com', 'CMCC,CT'],
    ],
    'a is dead, so b stands in for CT and is probed there too; the unchecked service is not probed; c never probes itself',
  );
  t.deepEqual(probeJobs(s, plan, 'c', () => null), [], 'no published address: nothing to probe');
});

// --- the stand-in rule for a verdict's takeover ---
test('a stand-in for a slot its live owner is down for writes once and yields; the episode ends only when the owner may serve the slot again', (t) => {
  const s = state([web]);
  const key = standInKey('web', 'www.example.com', 'A', 'CT');
  const downPlan = planStateServing(s, new Set(['a', 'b', 'c']), 'b', [{ node: 'a', line: 'CT', family: 'ipv4', service: 'web', reason: 'probe' }]);
  t.deepEqual(downPlan.byNode.get('b')?.map((x) => `${x.line}${x.takeover ? '<' + x.owner : ''}`), ['CT<a', 'CU', 'CMCC'], 'b stands in for a\'s CT line');
  const back = ownerBackFor(downPlan, new Set());
  t.false(back('a', key), 'a is live but down for web CT/ipv4: not back for this record');
  t.true(back('a', standInKey('web', 'www.example.com', 'AAAA', 'CT')), 'the other family is a\'s');
  t.true(back('a', standInKey('other', 'o.example.com', 'A', 'CT')), 'another service is a\'s');
  // Write once, then someone else rewrites: yield, and keep yielding every pass while the verdict lasts.
  let memory = recordStandInWrite(decideStandIn(new Map(), [{ key, owner: 'a', current: '203.0.113.1', desired: '198.51.100.2' }], back).memory, key, 'a', '198.51.100.2');
  for (let i = 0; i < 5; i++) {
    const d = decideStandIn(memory, [{ key, owner: 'a', current: '203.0.113.1', desired: '198.51.100.2' }], back);
    t.false(d.allowed.has(key));
    memory = d.memory;
  }
  // The verdict ends: the owner is back for the record and the episode ends.
  const upPlan = planStateServing(s, new Set(['a', 'b', 'c']), 'b');
  t.is(decideStandIn(memory, [], ownerBackFor(upPlan, new Set())).memory.size, 0);
});

test('cocoasyncer status shows the probe matrix: a row per probed line with its verdict, a column per prober', async (t) => {
  const { probeMatrix } = await import('../src/cli/commands/status.js');
  t.is(probeMatrix({ probes: { results: [], verdicts: [] } }), null, 'nothing probed: no section');
  const text = probeMatrix({
    probes: {
      results: [
        { ...result('c', false, 12_000), prober: 'a', ageSeconds: 0.2 },
        { ...result('c', false, 12_000), prober: 'b', ageSeconds: 0.4 },
        { ...result('a', true), prober: 'b', ageSeconds: 0.4 },
      ],
      verdicts: [
        { service: 'web', node: 'a', line: 'CT', family: 'ipv4', down: false, probers: 2, failing: 0, healthy: 1 },
        { service: 'web', node: 'c', line: 'CT', family: 'ipv4', down: true, probers: 2, failing: 2, healthy: 0 },
      ],
    },
  })!;
  const lines = text.split('\n');
  t.regex(lines[1]!, /SERVICE\s+TARGET\s+LINE\s+VERDICT\s+SEEN BY a\s+SEEN BY b/);
  t.regex(text, /web\s+a\s+CT:A\s+up\s+-\s+ok 3ms/);
  t.regex(text, /web\s+c\s+CT:A\s+DOWN 2\/2\s+FAIL x3\s+FAIL x3/);
  t.regex(text, /a -> c web CT:A: ECONNREFUSED/);
});

test('the board reads peers\' probe results from heartbeat answers, ignores what does not read, and shows only fresh reports', async (t) => {
  const { ProbeBoard } = await import('../src/probe/board.js');
  let now = NOW;
  const board = new ProbeBoard(cfg, () => now);
  const changes: number[] = [];
  board.on('verdicts', (down) => changes.push(down.length));
  t.false(board.record('b', [{ service: 'web', target: 'c', line: 'XX', family: 'ipv4' }]), 'a malformed answer is ignored');
  t.false(board.record('b', 'nonsense'));
  t.true(board.record('a', [result('c', false, 12_000)]));
  t.true(board.record('b', [result('c', false, 12_000)]));
  t.true(board.step(new Set(['a', 'b', 'c'])));
  t.deepEqual(board.slotDown.map((d) => `${d.service} ${d.node} ${d.line} ${d.family}`), ['web c CT ipv4']);
  t.false(board.step(new Set(['a', 'b', 'c'])), 'no change, no event');
  t.deepEqual(changes, [1]);
  t.is(board.status().results.length, 2);
  now += cfg.freshMs + 1;
  t.is(board.status().results.length, 0, 'stale reports are not shown');
  t.true(board.step(new Set(['a', 'b', 'c'])), 'nor counted: the verdict lifts');
  t.deepEqual(board.slotDown, []);
});
