// A mixed cluster with Go-like peers (./helpers/go-peer.ts), which behave as the original Go program
// does and decode every message with Go's encoding/json semantics.
//
// Timing. The Go program's periods are fixed: feed + pull 30 s, leader push 35 s, status 40 s,
// `Timeout` in whole minutes. The peers run them scaled by 1/15 (real seconds per Go second): feed
// every 2 s, push every 2.33 s, status every 2.67 s, `Timeout: 3` minutes = 12 s. Our nodes run on the
// same scale: `HeartbeatSeconds: 0.5` (7.5 s), `PushSeconds: 1.5` (22.5 s), `FailAfterSeconds: 4` (60 s:
// the Go node's 30 s feed plus 30 s of margin, what the README asks of a mixed cluster). So "5 minutes"
// below is 10 feeds of each Go peer, about 20 s of test time; the tests wait for those feeds to happen
// rather than for a time.
//
// Why `Timeout: 3` for the Go followers: with three nodes or more, a Go follower holds every peer's
// watchdog but the last one it pulls from the leader's pushes (its feed job writes each pull's result
// onto the copy it took before pulling, undoing the earlier pulls and any push that landed meanwhile),
// so its view of our leader may be a few push periods old (~5 s here, ~100 s in real time). The Go
// program has the same limit in real time: its minimum `Timeout: 1` minute would flap there too; its
// default of 10 minutes does not. For the same reason our push period is not the Go feed period: with
// equal periods the pushes can lock in phase with the feed and land inside its pull window every time,
// so every one of them is undone (seen here with `PushSeconds: 2`: our leader's watchdog 10 s old).
import test from 'ava';
import { AdminClient } from '../src/cli/admin-client.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { until } from './helpers/cluster.js';
import { GoPeer, backwardsWrites } from './helpers/go-peer.js';
import { formatGoTime } from './helpers/go-json.js';
import { freshMariaDb } from './helpers/mariadb.js';
import { restartTestNode, startTestNode } from './helpers/node.js';

const SCALE = 1 / 15;
const OUR_TIMING = { HeartbeatSeconds: 0.5, PushSeconds: 1.5, FailAfterSeconds: 4, RecoverAfter: 2, DnsSyncSeconds: 1, RequestTimeoutSeconds: 2 };
/** Go feeds in 5 minutes (one every 30 s). */
const FIVE_MINUTES_OF_FEEDS = 10;
const LEADER_IP = '203.0.113.10';
const INITIAL = '192.0.2.1';

const feeds = (peer: GoPeer) => peer.ownWatchDogs.filter((w) => w.by === 'feed').length;
const problemsOf = (peer: GoPeer) => peer.decodeProblems().map((d) => `${d.what}: ${d.fatal ?? d.typeErrors.map((e) => `${e.field} got ${e.value}`).join(', ')}`);

test('our leader with Go followers: they stay up for 5 minutes of Go time, none of their lines is taken, their watchdogs never go back', async (t) => {
  const ali = await startAlidnsEmulator({ credentials: { 'LTAI-mixed': 'ali-mixed-secret' }, domains: ['example.com'] });
  for (const line of ['default', 'telecom', 'unicom', 'mobile']) ali.seed({ domain: 'example.com', rr: 'www', type: 'A', line, value: INITIAL });
  const leader = await startTestNode({ NodeCode: 'SH', V1Compat: true, ISPs: ['default', 'CT'], ...OUR_TIMING });
  const gz = await GoPeer.start({ nodeCode: 'GZ', nodeName: 'ChinoCafe', secret: 'gz-go-secret', workMode: 'follower', scale: SCALE, timeoutMinutes: 3 });
  const bj = await GoPeer.start({ nodeCode: '北京', nodeName: 'Beijing', secret: 'bj-go-secret', workMode: 'follower', scale: SCALE, timeoutMinutes: 3 });
  // Our leader's view of each Go follower, sampled all along: [ms, nodeCode, statusCode].
  const views: [number, string, number][] = [];
  const sampler = setInterval(() => {
    for (const n of leader.runtime.state.nodes) if (n.nodeCode !== 'SH') views.push([Date.now(), n.nodeCode, n.statusCode]);
  }, 50);
  t.teardown(async () => {
    clearInterval(sampler);
    await Promise.all([gz.close(), bj.close()]);
    await leader.stop();
    await ali.close();
  });

  const admin = new AdminClient({ baseUrl: leader.url, secret: 'leader-secret-123' });
  await admin.post('/v2/admin/join', { address: gz.url, secret: 'gz-go-secret', isps: ['CU'] });
  await admin.post('/v2/admin/join', { address: bj.url, secret: 'bj-go-secret', isps: ['CMCC'] });
  await admin.post('/v2/admin/accounts', { provider: 'Ali', accessKey: 'LTAI-mixed', accessSecret: 'ali-mixed-secret', endpoint: ali.endpoint });
  await admin.post('/v2/admin/services', { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' });
  // The leader serves its own lines; the Go followers' lines are theirs (the Go-like peer writes no DNS).
  await until(() => ali.records({ rr: 'www', line: 'telecom' })[0]?.value === LEADER_IP, 15_000, 'the leader to write its own lines');
  await until(() => gz.node('SH') && bj.node('SH'), 10_000, 'the first v1 push to both Go followers');
  const startFeeds = { gz: feeds(gz), bj: feeds(bj) };
  const started = Date.now();

  await until(() => feeds(gz) - startFeeds.gz >= FIVE_MINUTES_OF_FEEDS && feeds(bj) - startFeeds.bj >= FIVE_MINUTES_OF_FEEDS, 120_000, '5 Go minutes (10 feeds of each Go follower)', 200);
  const elapsed = Date.now() - started;
  t.log(`5 Go minutes took ${(elapsed / 1000).toFixed(1)} s; ${views.length} samples of the leader's view; pushes to GZ ${gz.ownWatchDogs.filter((w) => w.by === 'push').length}`);

  // Up all along, as the leader saw them, from the first time it heard them.
  for (const code of ['GZ', '北京']) {
    const mine = views.filter(([, c]) => c === code);
    const firstUp = mine.findIndex(([, , s]) => s === 200);
    t.true(firstUp >= 0, `${code} heard as up`);
    const down = mine.slice(firstUp).filter(([at, , s]) => s !== 200 && at >= started);
    t.deepEqual(down.length, 0, `${code} never down after it was first heard (first down at ${down[0] ? new Date(down[0][0]).toISOString() : '-'})`);
  }
  // None of their lines taken: unicom and mobile never got the leader's address.
  t.is(ali.records({ rr: 'www', line: 'unicom' })[0]!.value, INITIAL);
  t.is(ali.records({ rr: 'www', line: 'mobile' })[0]!.value, INITIAL);
  t.false(ali.zone.valueChanges.some((c) => c.to === LEADER_IP && ali.records({ rr: 'www' }).some((r) => r.id === c.id && (r.line === 'unicom' || r.line === 'mobile'))), 'never written, not even for a moment');

  for (const peer of [gz, bj]) {
    // Our pushes set the follower's own watchdog (it stores it as pushed) and never moved it back.
    t.deepEqual(backwardsWrites(peer.ownWatchDogs, 'push').map((b) => `${formatGoTime(b.from)} -> ${formatGoTime(b.to)}`), [], `${peer.store.NodeCode}: no push moved its watchdog back`);
    t.true(peer.ownWatchDogs.some((w) => w.by === 'push'));
    // Stored as pushed: its own entry says 200, never the 504 a just-joined node starts with.
    const rounds = peer.statusRounds.filter((r) => r.at >= started);
    t.true(rounds.length >= 5);
    for (const r of rounds) t.deepEqual(r.codes, { SH: 200, GZ: 200, 北京: 200 }, `${peer.store.NodeCode}'s view at ${new Date(r.at).toISOString()}, watchdog ages ${JSON.stringify(r.ages)}`);
    t.log(`${peer.store.NodeCode}: oldest watchdog it held for our leader: ${Math.max(...rounds.map((r) => r.ages.SH!))} ms`);
    // Everything our leader sent, and every answer it gave, decoded cleanly with Go's rules.
    t.deepEqual(problemsOf(peer), []);
    t.true(peer.decoded.filter((d) => d.what === 'request /v1/updateClusterInfo').length >= 5);
    t.true(peer.decoded.filter((d) => d.what.startsWith('answer') && d.what.includes(leader.url)).length >= 5, 'it pulled our leader and read its watchdog');
  }
  // A Go peer publishes no addresses per line: unknown, never a line down (nothing moved above).
  t.is(leader.heartbeat.addressesOf('GZ'), undefined);
  t.deepEqual(leader.reactor.plan.services[0]!.down, []);
  // Its lines as the admin set them here, in its store.
  t.deepEqual(gz.node('GZ')!.ISPs, ['CU']);
  t.deepEqual(bj.node('北京')!.ISPs, ['CMCC']);
});

test('a Go leader adds our follower, stores its real secret, and its full Go-shaped pushes join it; lines typed free-hand are read as meant', async (t) => {
  const SECRET = 'follower-secret-456';
  const follower = await startTestNode({ NodeCode: 'GZ', NodeName: 'ChinoCafe', WorkMode: 'follower', CocoaSecret: SECRET, V1Compat: true, ISPs: ['CU', 'CMCC'], ...OUR_TIMING });
  const goLeader = await GoPeer.start({ nodeCode: '上海', nodeName: 'LuckyCocoa', secret: 'Cocoa&Mafuyu', workMode: 'leader', scale: SCALE, timeoutMinutes: 1 });
  t.teardown(async () => {
    await goLeader.close();
    await follower.stop();
  });

  // The CLI's add-node step: getClusterInfo with the secret typed in; a 201 stores the answer's node.
  const added = await goLeader.addNode(follower.url, SECRET);
  t.true(added.ok);
  t.is(added.statusCode, 201);
  t.is(goLeader.node('GZ')!.CocoaSecret, SECRET, 'the secret from the answer is the real one, not "***"');
  t.deepEqual(goLeader.node('GZ')!.ISPs, ['CU', 'CMCC']);
  t.deepEqual(problemsOf(goLeader), []);
  goLeader.addService('测试', 'luckykeeper.site', 'test');
  // The Go leader's own node keeps `"ISPs": null, "networkType": ""`: it serves no line.
  t.is(goLeader.node('上海')!.ISPs, null);

  await until(() => follower.runtime.joined, 15_000, 'the first Go push to join our follower');
  const leaderNode = () => follower.runtime.state.nodes.find((n) => n.nodeCode === '上海')!;
  t.is(leaderNode().workMode, 'leader');
  t.deepEqual(leaderNode().isps, ['None'], 'no lines yet: serves nothing');
  t.is(leaderNode().networkType, 'IPV4');
  t.deepEqual(follower.runtime.state.services.map((s) => [s.serviceName, s.domain, s.record]), [['测试', 'luckykeeper.site', 'test']]);

  // Lines as a Go admin types them: in any case, repeated, with None beside others.
  goLeader.setLines('GZ', 'cu,CU');
  goLeader.setLines('上海', 'ct');
  await until(() => follower.runtime.state.nodes.find((n) => n.nodeCode === 'GZ')!.isps.join() === 'CU' && leaderNode().isps.join() === 'CT', 10_000, 'normalized lines');
  goLeader.setLines('上海', 'None,CT');
  await until(() => leaderNode().isps.join() === 'None', 10_000, '"None,CT" read as None');

  // Every push accepted, with business code 200, for several rounds; the Go leader sees our follower up.
  const pushesBefore = goLeader.pushes.length;
  await until(() => goLeader.pushes.length >= pushesBefore + 4, 20_000, 'four more Go pushes');
  t.deepEqual(goLeader.pushes.filter((p) => !p.ok).map((p) => `${p.statusCode} ${p.statusString}`), []);
  await until(() => goLeader.statusRounds.length >= 3, 20_000, 'Go status rounds');
  for (const r of goLeader.statusRounds) t.is(r.codes.GZ, 200, 'our follower is up for the Go leader: it pulls our watchdog with the stored secret');
  // Our follower hears the Go leader's watchdog (times with +08:00 and nanoseconds) as live.
  await until(() => leaderNode().statusCode === 200, 10_000, 'the Go leader heard as up');
  // Both directions decoded cleanly: our answers (handshake, pulls, push answers) in Go, and the
  // requests our follower sent to the Go leader (its v2 try, then v1 heartbeats).
  t.deepEqual(problemsOf(goLeader), []);
  t.true(goLeader.decoded.some((d) => d.what === 'request /v1/getClusterInfo'), 'our follower pulled the Go leader');
  // Our follower's own entry keeps its own liveness, whatever the Go leader pushes for it.
  t.is(follower.runtime.state.nodes.find((n) => n.nodeCode === 'GZ')!.statusCode, 200);
});

test('a Go push that would corrupt our state is refused with HTTP 200 and a business code the Go leader prints, naming the field', async (t) => {
  const SECRET = 'follower-secret-456';
  const follower = await startTestNode({ NodeCode: 'GZ', WorkMode: 'follower', CocoaSecret: SECRET, V1Compat: true, ...OUR_TIMING });
  const goLeader = await GoPeer.start({ nodeCode: 'SH', nodeName: 'LuckyCocoa', secret: 'Cocoa&Mafuyu', workMode: 'leader', scale: SCALE }, false);
  t.teardown(async () => {
    await goLeader.close();
    await follower.stop();
  });
  t.true((await goLeader.addNode(follower.url, SECRET)).ok);
  // An address typed without its scheme: our follower could never reach its leader.
  goLeader.setAddress('SH', '127.0.0.1:44443');
  const before = JSON.stringify(follower.runtime.state);
  await goLeader.pushAll();
  const [refused] = goLeader.pushes;
  t.false(refused!.ok);
  t.is(refused!.statusCode, 400);
  t.regex(refused!.statusString, /^Push refused: cocoaBasic\.otherCocoaSyncer\.0\.nodeAddress: must be an http:\/\/ or https:\/\/ URL/);
  t.false(refused!.statusString.includes('Cocoa&Mafuyu') || refused!.statusString.includes(SECRET));
  t.deepEqual(problemsOf(goLeader), [], 'the refusal decodes cleanly in Go');
  t.is(JSON.stringify(follower.runtime.state), before);
  // Fixed in the Go CLI, the next push joins.
  goLeader.setAddress('SH', 'http://127.0.0.1:44443');
  await goLeader.pushAll();
  t.true(goLeader.pushes.at(-1)!.ok);
  t.true(follower.runtime.joined);
});

test('a v2 caller never gets the secret back, and without V1Compat a Go leader cannot add our node', async (t) => {
  const SECRET = 'follower-secret-456';
  const closed = await startTestNode({ NodeCode: 'GZ', WorkMode: 'follower', CocoaSecret: SECRET });
  const goLeader = await GoPeer.start({ nodeCode: 'SH', nodeName: 'LuckyCocoa', secret: 'Cocoa&Mafuyu', workMode: 'leader', scale: SCALE }, false);
  t.teardown(async () => {
    await goLeader.close();
    await closed.stop();
  });
  const refused = await goLeader.addNode(closed.url, SECRET);
  t.false(refused.ok);
  t.is(refused.statusCode, 401, 'V1Compat is off: the clear secret is refused');
  t.is(goLeader.store.OtherCocoaSyncer!.length, 1);
  t.deepEqual(problemsOf(goLeader), [], 'the refusal itself decodes cleanly');
  // Signed (v2), the answer masks every secret, this node's own included.
  const { requestTarget, signRequest } = await import('../src/security/index.js');
  const url = `${closed.url}/v1/getClusterInfo`;
  const text = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest({ method: 'POST', path: requestTarget(url), body: '{}', secret: SECRET, keyId: 'test' }) }, body: '{}' })).text();
  t.false(text.includes(SECRET));
  t.is((JSON.parse(text) as { cocoaBasic: { cocoaSecret: string } }).cocoaBasic.cocoaSecret, '***');
});

for (const db of ['sqlite', 'mariadb'] as const) {
  test(`${db}: what a Go leader pushes (node code 上海, service 测试, no lines) survives a restart of our follower`, async (t) => {
    const maria = db === 'mariadb' ? await freshMariaDb('go-push') : null;
    if (db === 'mariadb' && !maria) return t.pass('MariaDB not reachable here (see the notice)');
    const SECRET = 'follower-secret-456';
    const config = { NodeCode: 'GZ', WorkMode: 'follower', CocoaSecret: SECRET, V1Compat: true, ISPs: ['CU'], ...OUR_TIMING, ...(maria ? { DataBaseType: 'mysql', DSN: maria.dsn } : {}) };
    const follower = await startTestNode(config);
    // Crons off: one add-node step and one push, by hand.
    const goLeader = await GoPeer.start({ nodeCode: '上海', nodeName: '心爱', secret: 'Cocoa&Mafuyu', workMode: 'leader', scale: SCALE }, false);
    let again: Awaited<ReturnType<typeof restartTestNode>> | null = null;
    let stopped = false;
    t.teardown(async () => {
      await goLeader.close();
      if (!stopped) await follower.stop();
      await again?.stop();
      await maria?.drop();
    });
    t.true((await goLeader.addNode(follower.url, SECRET)).ok);
    goLeader.addService('测试', 'luckykeeper.site', 'test');
    await goLeader.pushAll();
    t.deepEqual(goLeader.pushes.map((p) => p.statusCode), [200]);
    const pushed = follower.runtime.state;
    await follower.stop();
    stopped = true;
    again = await restartTestNode(follower.config);
    t.deepEqual(again.runtime.state.nodes.map((n) => [n.nodeCode, n.nodeName, n.isps]), [['上海', '心爱', ['None']], ['GZ', 'TestCocoa', ['CU']]]);
    t.deepEqual(again.runtime.state.services, pushed.services);
    t.is(again.runtime.state.services[0]!.serviceName, '测试');
  });
}
