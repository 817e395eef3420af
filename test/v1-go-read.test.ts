// A v1 push is read the way the Go program reads it, and everything we write on v1 decodes cleanly
// with Go's encoding/json into the original's model structs.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forV1Follower, parseRfc3339, stateFromPush, toGoTime, toV1CocoaBasic, toV1Nodes, CLEAR, type LocalFacts } from '../src/cluster/wire-v1.js';
import { readV1Push, readV2Push, readV1Lines } from '../src/cluster/wire-v1-read.js';
import { pushBody } from '../src/cluster/pusher.js';
import type { ClusterState } from '../src/model.js';
import { APIRequestType, ServerReturnType, goUnmarshal, formatGoTime, type GoAPIRequest, type GoServerReturn } from './helpers/go-json.js';
import { ROOT } from './helpers/node.js';

const goNode = (over: Record<string, unknown> = {}) => ({
  nodeName: 'LuckyCocoa',
  nodeCode: 'SH',
  nodeAddress: 'http://127.0.0.1:44443',
  workMode: 'leader',
  cocoaSecret: 'Cocoa&Mafuyu',
  // A node the Go program created and whose lines the admin never set.
  ISPs: null,
  networkType: '',
  statusCode: 0,
  watchDog: '0001-01-01T00:00:00Z',
  cocoaManagedService: null,
  ...over,
});
const follower = (over: Record<string, unknown> = {}) => goNode({ nodeName: 'ChinoCafe', nodeCode: 'GZ', nodeAddress: 'http://127.0.0.1:44444', workMode: 'follower', cocoaSecret: 'follower-secret-456', ISPs: ['CU'], networkType: 'IPV4', ...over });

/** A push as a Go leader marshals APIRequest: every CocoaBasic field, zero values and all. */
const goPush = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  cocoaSecret: 'follower-secret-456',
  cocoaBasic: {
    apiPort: 0, nodeName: '', nodeCode: '', nodeAddress: '', workMode: '', cocoaSecret: '', reverseProxy: false,
    otherCocoaSyncer: nodes, cocoaManagedService: null, cloudPlatformInfo: null, timeout: 0, DataBaseType: '', Dsn: '',
    createdAt: '0001-01-01T00:00:00Z', updatedAt: '0001-01-01T00:00:00Z', configImported: false,
    ...extra,
  },
});

function read(body: unknown) {
  const r = readV1Push(body);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r;
}

test('null lines mean no lines yet (the node serves nothing) and a blank network type is the default', (t) => {
  const r = read(goPush([goNode(), follower()]));
  const [leader, f] = r.basic.otherCocoaSyncer;
  t.deepEqual(leader!.ISPs, ['None']);
  t.is(leader!.networkType, 'IPV4');
  t.deepEqual(f!.ISPs, ['CU']);
  t.deepEqual(r.notes, [], 'nothing unusual about a Go node without lines');
  t.false(r.versioned, 'a Go push carries no version');
  t.is(r.basic.otherCocoaSyncer[0]!.watchDog, '0001-01-01T00:00:00.000Z', 'the zero time is a time');
});

test('line codes typed in the Go CLI are normalized: case, repeats, None with others, unknown codes', (t) => {
  const cases: [unknown, string[]][] = [
    [['ct'], ['CT']],
    [['CU', 'CU'], ['CU']],
    [['None', 'CU'], ['None']],
    [['cmcc', 'oversea', 'cnedu', 'DEFAULT'], ['CMCC', 'OverSea', 'CNEdu', 'default']],
    [['CT', 'Mars'], ['CT']],
    [['Mars'], ['None']],
    [[''], ['None']],
    [[], ['None']],
    ['CT,CU', ['None']],
    [[7, 'CU'], ['CU']],
  ];
  for (const [lines, want] of cases) {
    t.deepEqual(read(goPush([goNode({ ISPs: lines }), follower()])).basic.otherCocoaSyncer[0]!.ISPs, want, JSON.stringify(lines));
  }
  const notes: { field: string; message: string }[] = [];
  readV1Lines(['None', 'cu', 'Mars'], 'ISPs', notes);
  t.deepEqual(notes.map((n) => n.field), ['ISPs.1', 'ISPs.2', 'ISPs'], 'each change is noted by field');
  t.false(JSON.stringify(notes).includes('Mars'), 'values are not echoed');
});

test('network types in any case; anything unknown is the default', (t) => {
  for (const [given, want] of [['both', 'Both'], ['ipv6', 'IPV6'], ['IPV5', 'IPV4'], [3, 'IPV4'], [null, 'IPV4']] as const) {
    t.is(read(goPush([goNode({ networkType: given }), follower()])).basic.otherCocoaSyncer[0]!.networkType, want, String(given));
  }
});

test('node codes of any Unicode text the Go CLI accepts; blank names fall back to the code', (t) => {
  const r = read(goPush([goNode({ nodeCode: '北京', nodeName: '' }), follower({ nodeCode: 'sh 01' })]));
  t.deepEqual(r.basic.otherCocoaSyncer.map((n) => [n.nodeCode, n.nodeName]), [['北京', '北京'], ['sh 01', 'ChinoCafe']]);
  const state = stateFromPush(r.basic, 3);
  t.is(state.version, 4);
  // What a v1 follower accepted, a v2 follower accepts too once this node leads (the strict reader).
  const again = readV2Push({ cocoaBasic: { otherCocoaSyncer: toV1Nodes(state, CLEAR), cocoaManagedService: state.services, cloudPlatformInfo: [], stateVersion: 4 } });
  t.true(again.ok, JSON.stringify(again));
});

test('Go times in every form the Go program writes are read; values of the wrong type are left at zero', (t) => {
  const r = read(goPush([goNode({ watchDog: '2026-12-01T07:46:17.123456789+08:00', statusCode: '200' }), follower({ watchDog: 1700000000 })]));
  t.is(r.basic.otherCocoaSyncer[0]!.watchDog, '2026-11-30T23:46:17.123Z');
  t.is(r.basic.otherCocoaSyncer[0]!.statusCode, undefined);
  t.is(r.basic.otherCocoaSyncer[1]!.watchDog, undefined);
  t.is(parseRfc3339('2023-09-18T22:54:22.0765568+08:00'), '2023-09-18T14:54:22.076Z');
  for (const bad of ['2023-09-18 22:54:22Z', '2023-02-29T00:00:00Z', '1700000000', '2023-09-18T22:54:22+0800']) t.is(parseRfc3339(bad), null, bad);
});

test('services: repeats the Go CLI leaves are counted once, repeated names renamed, unusable ones left out with a note', (t) => {
  const svc = (serviceName: string, record = 'test', domain = 'luckykeeper.site') => ({ serviceName, domain, record, platformProvider: 'Ali' });
  const r = read(goPush([goNode(), follower()], { cocoaManagedService: [svc('测试'), svc('测试2', 'test2'), svc('测试'), svc('测试2', 'test2'), svc('测试', 'test3'), svc('bad', 'test', 'not a domain'), null, svc('alias', 'test')] }));
  t.deepEqual(r.basic.cocoaManagedService!.map((s) => [s.serviceName, s.record]), [['测试', 'test'], ['测试2', 'test2'], ['测试 #2', 'test3']]);
  t.deepEqual(r.notes.map((n) => n.field), ['cocoaBasic.cocoaManagedService.4.serviceName', 'cocoaBasic.cocoaManagedService.5.domain', 'cocoaBasic.cocoaManagedService.6', 'cocoaBasic.cocoaManagedService.7']);
});

test('cloud accounts: incomplete ones are left out, a repeated key keeps the later one', (t) => {
  const acct = (accessSecret: string, accessKey = 'LTAI-key') => ({ platformProvider: 'Ali', accessKey, accessSecret });
  const r = read(goPush([goNode(), follower()], { cloudPlatformInfo: [acct('one'), acct(''), acct('two')] }));
  t.deepEqual(r.basic.cloudPlatformInfo!.map((a) => a.accessSecret), ['two']);
  t.false(JSON.stringify(r.notes).includes('two'), 'no secret in a note');
});

test('refused only for what would corrupt the state, each problem naming its field', (t) => {
  const refused = (body: unknown) => {
    const r = readV1Push(body);
    return r.ok ? [] : r.problems.map((p) => p.field);
  };
  t.deepEqual(refused({}), ['cocoaBasic']);
  t.deepEqual(refused(goPush([])), ['cocoaBasic.otherCocoaSyncer']);
  t.deepEqual(refused(goPush(null as unknown as unknown[])), ['cocoaBasic.otherCocoaSyncer']);
  t.deepEqual(refused(goPush([goNode({ nodeCode: '' }), follower({ nodeAddress: '' })])), ['cocoaBasic.otherCocoaSyncer.0.nodeCode', 'cocoaBasic.otherCocoaSyncer.1.nodeAddress']);
  t.deepEqual(refused(goPush([goNode({ cocoaSecret: '' }), follower({ workMode: 'Boss' })])), ['cocoaBasic.otherCocoaSyncer.0.cocoaSecret', 'cocoaBasic.otherCocoaSyncer.1.workMode']);
  t.deepEqual(refused(goPush([goNode(), follower({ nodeCode: 'SH' })])), ['cocoaBasic.otherCocoaSyncer.1.nodeCode']);
  t.deepEqual(refused(goPush([goNode({ nodeCode: 'a\u0000b' }), follower()])), ['cocoaBasic.otherCocoaSyncer.0.nodeCode']);
});

// -------------------------------------------------------------------------------------------------
// What we write, decoded by Go.

const STATE: ClusterState = {
  version: 9,
  term: 0,
  nodes: [
    { nodeCode: 'SH', nodeName: 'LuckyCocoa', nodeAddress: 'http://127.0.0.1:44443', workMode: 'leader', secret: 'leader-secret-123', isps: ['default', 'CT'], networkType: 'IPV4', statusCode: 200, watchDog: '2026-11-30T23:46:17.123Z' },
    // A Go follower as last pulled: its own watchdog string, with offset and nanoseconds.
    { nodeCode: 'GZ', nodeName: 'ChinoCafe', nodeAddress: 'http://127.0.0.1:44444', workMode: 'follower', secret: 'follower-secret-456', isps: ['None'], networkType: 'IPV4', statusCode: 504, watchDog: '2026-12-01T07:46:10.5+08:00' },
    // A node never heard from: its watchdog is whatever the state holds, even nonsense.
    { nodeCode: '北京', nodeName: 'Beijing', nodeAddress: 'http://127.0.0.1:44445', workMode: 'follower', secret: 'bj-secret-789', isps: ['CMCC'], networkType: 'Both', statusCode: 504, watchDog: '+275760-09-13T00:00:00.000Z' },
  ],
  services: [{ serviceName: '测试', domain: 'luckykeeper.site', record: 'test', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 }],
  cloudAccounts: [{ platformProvider: 'Ali', accessKey: 'LTAI-key', accessSecret: 'access-secret', endpoint: null }],
  notifiers: [],
};
const LOCAL: LocalFacts = { apiPort: 44443, nodeName: 'LuckyCocoa', nodeCode: 'SH', nodeAddress: 'http://127.0.0.1:44443', workMode: 'leader', reverseProxy: false, timeoutMinutes: 0.25, databaseType: 'sqlite', createdAt: new Date('2026-11-30T00:00:00Z'), updatedAt: new Date(Number.NaN) };

test('our getClusterInfo answer decodes cleanly in Go; the own secret only for a caller that proved it', (t) => {
  for (const secrets of [{}, { ownSecret: 'leader-secret-123' }]) {
    const text = JSON.stringify({ statusCode: 200, statusString: 'MafuMafu~', cocoaBasic: toV1CocoaBasic(STATE, LOCAL, secrets) });
    const go = goUnmarshal<GoServerReturn>(text, ServerReturnType);
    t.is(go.fatal, null);
    t.deepEqual(go.typeErrors, []);
    t.is(go.value.CocoaBasic.Timeout, 1, 'a whole number of minutes');
    t.is(formatGoTime(go.value.CocoaBasic.UpdatedAt), '0001-01-01T00:00:00Z', 'a time Go cannot hold is sent as the zero time');
    t.is(formatGoTime(go.value.CocoaBasic.OtherCocoaSyncer![2]!.WatchDog), '0001-01-01T00:00:00Z');
    const expected = 'ownSecret' in secrets ? 'leader-secret-123' : '***';
    t.is(go.value.CocoaBasic.CocoaSecret, expected);
    t.deepEqual(go.value.CocoaBasic.OtherCocoaSyncer!.map((n) => n.CocoaSecret), [expected, '***', '***']);
    t.false(text.includes('access-secret') || text.includes('follower-secret-456') || text.includes('bj-secret-789'));
  }
});

test('our v1 push decodes cleanly in Go and gives the follower\'s own entry status 200 and a watchdog that never goes back', (t) => {
  const nowMs = Date.parse('2026-11-30T23:46:12Z');
  const gz = STATE.nodes[1]!;
  const body = { ...pushBody(STATE, gz, 'v1', nowMs), cocoaSecret: gz.secret };
  const go = goUnmarshal<GoAPIRequest>(JSON.stringify(body), APIRequestType);
  t.is(go.fatal, null);
  t.deepEqual(go.typeErrors, []);
  t.is(go.value.CocoaSecret, 'follower-secret-456');
  const own = go.value.CocoaBasic.OtherCocoaSyncer!.find((n) => n.NodeCode === 'GZ')!;
  t.is(own.StatusCode, 200, 'not our 504');
  t.is(formatGoTime(own.WatchDog), '2026-11-30T23:46:12Z', 'now, later than the 23:46:10.5 we last saw');
  // When its last watchdog is ahead of our clock, that one is kept.
  const ahead = forV1Follower(toV1Nodes(STATE, CLEAR), 'GZ', Date.parse('2026-11-30T23:46:00Z'));
  t.is(ahead[1]!.watchDog, '2026-11-30T23:46:10.500Z');
  t.deepEqual(ahead[0], toV1Nodes(STATE, CLEAR)[0], 'other entries untouched');
  // A v2 push is not changed: its receiver keeps its own watchdog regardless.
  const v2 = pushBody(STATE, gz, 'v2', nowMs) as { cocoaBasic: { otherCocoaSyncer: { watchDog: string; statusCode: number }[] } };
  t.is(v2.cocoaBasic.otherCocoaSyncer[1]!.statusCode, 504);
});

test('the reference document\'s example decodes cleanly in Go, and reads as a v1 push', (t) => {
  const example = readFileSync(join(ROOT, 'test/fixtures/v1-getClusterInfo-reference.json'), 'utf8');
  const go = goUnmarshal<GoServerReturn>(example, ServerReturnType);
  t.is(go.fatal, null);
  t.deepEqual(go.typeErrors, []);
  t.is(go.value.CocoaBasic.Dsn, 'root:***@tcp(192.168.1.2:3306)/cocoasyncer?charset=utf8mb4', 'Dsn travels under its Go field name');
  const basic = JSON.parse(example).cocoaBasic;
  basic.otherCocoaSyncer[1].nodeCode = 'GZ';
  const r = read({ cocoaSecret: 'x', cocoaBasic: basic });
  t.deepEqual(r.basic.otherCocoaSyncer.map((n) => n.ISPs), [['default', 'CT', 'OverSea'], ['CU', 'CMCC', 'CNEdu']]);
  t.is(toGoTime('2023-09-18T22:54:22.0765568+08:00'), '2023-09-18T14:54:22.076Z');
});
