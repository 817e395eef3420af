// The admin CLI as an operator and a script use it: the real `cocoasyncer` as a child process
// against in-process nodes on loopback, each test with its own config file naming its node.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterStatus } from '../src/node/status.js';
import { PeerClient } from '../src/cluster/peer-client.js';
import { AdminClient } from '../src/cli/admin-client.js';
import type { RunningNode } from '../src/server.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { makePki } from './helpers/tls.js';
import { ROOT, freePort, startTestNode } from './helpers/node.js';
import { cliConfigFor as configFor, runCliProcess as cli, type CliResult } from './helpers/cli-process.js';

type TestNode = RunningNode & { dir: string };

// Small timings; FailAfterSeconds leaves room for a loaded machine, since nothing here tests failover.
const TIMING = { HeartbeatSeconds: 0.3, FailAfterSeconds: 3, PushSeconds: 1, RecoverAfter: 1 };
const LEADER_SECRET = 'leader-secret-123';
const FOLLOWER_SECRET = 'follower-secret-456';
const ACCESS_SECRET = 'ali-access-secret-never-shown-0123';

async function leaderNode(t: ExecutionContext, overrides: Record<string, unknown> = {}): Promise<TestNode> {
  const node = await startTestNode({ ...TIMING, NodeCode: 'home', NodeName: 'Home', ISPs: ['CT'], ...overrides });
  t.teardown(() => node.stop());
  return node;
}

async function followerNode(t: ExecutionContext, overrides: Record<string, unknown> = {}): Promise<TestNode> {
  const node = await startTestNode({ ...TIMING, NodeCode: 'office', NodeName: 'Office', WorkMode: 'follower', CocoaSecret: FOLLOWER_SECRET, ISPs: ['CMCC'], PublicIP: { IPv4: { Static: '203.0.113.20' } }, ...overrides });
  t.teardown(() => node.stop());
  return node;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function joinWithCli(t: ExecutionContext, leader: TestNode, follower: TestNode): Promise<void> {
  const r = await cli(['join', follower.url, '--secret', FOLLOWER_SECRET, ...configFor(leader)]);
  t.is(r.code, 0, r.stderr);
  await until('the follower to apply the join', () => follower.runtime.joined && follower.runtime.state.version === leader.runtime.state.version);
}

/** What a peer sees from getClusterInfo: 200 joined or leader, 201 not joined. */
async function clusterInfoCode(node: TestNode): Promise<number> {
  const client = new PeerClient({ selfCode: 'probe', v1Compat: false, timeoutMs: 3000 });
  const { reply } = await client.post({ nodeCode: node.config.nodeCode, nodeAddress: node.url, secret: node.runtime.identity.secret }, '/v1/getClusterInfo', () => ({}));
  return reply.statusCode;
}

/** The admin API in-process, for polling without a process per poll. */
const admin = (node: TestNode) => new AdminClient({ baseUrl: node.url, secret: node.runtime.identity.secret });

const versions = (...nodes: TestNode[]) => nodes.map((n) => n.runtime.state.version);

test('join a follower, see both in status, add a service and an account: both nodes apply the same state version', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  const L = configFor(leader);

  const joined = await cli(['join', follower.url, '--secret', FOLLOWER_SECRET, '--isps', 'cmcc', '--network', 'ipv4', ...L]);
  t.is(joined.code, 0, joined.stderr);
  t.regex(joined.stdout, /joined office: Office at http:\/\/127\.0\.0\.1:\d+, follower, lines CMCC, IPV4/);
  t.false(joined.stdout.includes(FOLLOWER_SECRET) || joined.stderr.includes(FOLLOWER_SECRET), 'the joining node\'s secret is never printed');

  await until('the leader to see the follower up', () => leader.heartbeat.live.has('office'));
  const status = await cli(['status', '--json', ...L]);
  t.is(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as ClusterStatus;
  t.deepEqual(s.nodes.map((n) => n.nodeCode), ['home', 'office']);
  t.is(s.node.workMode, 'leader');
  t.true(s.nodes.every((n) => n.up));
  t.false(status.stdout.includes(LEADER_SECRET) || status.stdout.includes(FOLLOWER_SECRET));

  const human = await cli(['status', ...L]);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /Node home \(Home\): leader, state v\d+/);
  t.regex(human.stdout, /\* home\s+Home\s+leader\s+up \(self\)/);
  t.regex(human.stdout, /office\s+Office\s+follower\s+up\s+[\d.]+s ago/);
  t.regex(human.stdout, /CT:A/);
  t.regex(human.stdout, /CMCC:A/);

  const svc = await cli(['service', 'add', '--name', 'www', '--domain', 'Example.com', '--record', 'www', '--provider', 'aliyun', ...L]);
  t.is(svc.code, 0, svc.stderr);
  t.regex(svc.stdout, /added service www: www\.example\.com on Ali \(state v\d+\)/);
  t.regex(svc.stderr, /no Ali cloud account yet/, 'the node\'s warning reaches the operator');

  const acct = await cli(['dns', 'add', '--provider', 'Ali', '--access-key', 'LTAI5tCliKey0001', '--access-secret', ACCESS_SECRET, '--endpoint', 'http://127.0.0.1:9', '--no-verify', ...L]);
  t.is(acct.code, 0, acct.stderr);
  t.regex(acct.stdout, /added Ali account LTAI5tCliKey0001/);
  t.false(acct.stdout.includes(ACCESS_SECRET) || acct.stderr.includes(ACCESS_SECRET));

  await until('the follower to apply the edits', () => follower.runtime.state.version === leader.runtime.state.version);
  t.is(follower.runtime.state.services[0]?.serviceName, 'www');
  t.is(follower.runtime.state.cloudAccounts[0]?.accessKey, 'LTAI5tCliKey0001');
  // And the leader knows the follower applied it: status shows the follower's state version.
  await until('the leader to see the follower\'s version', async () => {
    const r = await admin(leader).get<ClusterStatus>('/v2/admin/status');
    return r.nodes.every((n) => n.stateVersion === leader.runtime.state.version);
  });
  const final = JSON.parse((await cli(['st', '--json', ...L])).stdout) as ClusterStatus;
  t.deepEqual(final.nodes.map((n) => n.stateVersion), [leader.runtime.state.version, leader.runtime.state.version]);

  // Human and JSON listings (the aliases too): parseable JSON, and never a secret in full.
  const listings: { args: string[]; r: CliResult }[] = [];
  for (const args of [['node', 'list'], ['node', 'ls', '--json'], ['service', 'list'], ['svc', 'ls', '--json'], ['dns', 'list'], ['dns', 'ls', '--json']]) {
    listings.push({ args, r: await cli([...args, ...L]) });
  }
  for (const { args, r } of listings) {
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    if (args.includes('--json')) t.notThrows(() => JSON.parse(r.stdout), `${args.join(' ')} is JSON`);
    t.false(r.stdout.includes(ACCESS_SECRET), `${args.join(' ')} never prints the access secret`);
    t.false(r.stdout.includes(LEADER_SECRET) || r.stdout.includes(FOLLOWER_SECRET), `${args.join(' ')} never prints a node secret`);
  }
  const [nodeList, nodeJson, svcList, svcJson, dnsList, dnsJson] = listings.map((l) => l.r.stdout) as [string, string, string, string, string, string];
  t.regex(nodeList, /office\s+Office\s+http:\/\/127\.0\.0\.1:\d+\s+follower\s+CMCC\s+IPV4\s+up/);
  t.deepEqual((JSON.parse(nodeJson) as { nodes: { nodeCode: string }[] }).nodes.map((n) => n.nodeCode), ['home', 'office']);
  t.regex(svcList, /www\s+www\.example\.com\s+Ali\s+all\s+no\s+600/);
  t.deepEqual((JSON.parse(svcJson) as { services: { serviceName: string }[] }).services.map((x) => x.serviceName), ['www']);
  t.regex(dnsList, /Ali\s+LTAI5tCliKey0001\s+\S*\*\*\*\*\S*\s+http:\/\/127\.0\.0\.1:9/);
  t.deepEqual((JSON.parse(dnsJson) as { accounts: { accessSecret: string }[] }).accounts.map((a) => a.accessSecret), ['al****23']);
});

test('refused joins change nothing: wrong secret, unreachable address, already joined, duplicate node code', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  const twin = await followerNode(t, { NodeName: 'Twin' }); // same NodeCode "office"
  const L = configFor(leader);

  const wrongSecret = 'not-the-follower-secret';
  const before = versions(leader, follower);
  const wrong = await cli(['join', follower.url, '--secret', wrongSecret, ...L]);
  t.is(wrong.code, 1, 'the joining node refusing the secret is a refusal, not the CLI\'s own auth (4)');
  t.regex(wrong.stderr, /refused the secret/);
  t.regex(wrong.stderr, /--secret/);
  t.false(wrong.stderr.includes(wrongSecret) || wrong.stdout.includes(wrongSecret), 'the given secret is not echoed');

  const port = await freePort();
  const gone = await cli(['join', `http://127.0.0.1:${port}`, '--secret', FOLLOWER_SECRET, ...L]);
  t.is(gone.code, 1);
  t.regex(gone.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+/);
  t.deepEqual(versions(leader, follower), before);
  t.false(follower.runtime.joined);

  await joinWithCli(t, leader, follower);
  const after = versions(leader, follower, twin);
  const again = await cli(['join', follower.url, '--secret', FOLLOWER_SECRET, '--json', ...L]);
  t.is(again.code, 1);
  const err = JSON.parse(again.stderr) as { error: { exitCode: number; status: number; message: string; details: { field: string }[] } };
  t.is(err.error.exitCode, 1);
  t.is(err.error.status, 409);
  t.regex(err.error.message, /already in this cluster/);
  t.deepEqual(err.error.details.map((d) => d.field), ['<nodeAddress>']);
  t.is(again.stdout, '', '--json errors go to stderr, stdout stays empty');

  const dup = await cli(['join', twin.url, '--secret', FOLLOWER_SECRET, ...L]);
  t.is(dup.code, 1);
  t.regex(dup.stderr, /a node with code "office" is already in the cluster/);
  t.deepEqual(versions(leader, follower, twin), after);
  t.false(twin.runtime.joined);
});

test('bad input and the wrong node: exit 2 naming the flag, exit 5 on a follower, nothing changes', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  await joinWithCli(t, leader, follower);
  const L = configFor(leader);
  const F = configFor(follower);
  const before = versions(leader, follower);

  const onFollower = await cli(['service', 'add', '--name', 'www', '--domain', 'example.com', '--record', 'www', '--provider', 'Ali', ...F]);
  t.is(onFollower.code, 5);
  t.regex(onFollower.stderr, /run it on the leader \(Home at http:\/\/127\.0\.0\.1:\d+\)/);
  const dnsOnFollower = await cli(['dns', 'add', '--provider', 'Ali', '--access-key', 'K1', '--access-secret', ACCESS_SECRET, ...F]);
  t.is(dnsOnFollower.code, 5);
  t.false(dnsOnFollower.stderr.includes(ACCESS_SECRET));

  const badIsp = await cli(['node', 'set', 'office', '--isps', 'CT,Mars', ...L]);
  t.is(badIsp.code, 2);
  t.regex(badIsp.stderr, /--isps: unknown line "Mars"/);
  const badNetwork = await cli(['join', follower.url, '--secret', FOLLOWER_SECRET, '--network', 'IPV5', ...L]);
  t.is(badNetwork.code, 2);
  t.regex(badNetwork.stderr, /--network: must be one of IPV4, IPV6, Both/);
  const badProvider = await cli(['service', 'add', '--name', 'x', '--domain', 'example.com', '--record', 'www', '--provider', 'Route53', ...L]);
  t.is(badProvider.code, 2);
  t.regex(badProvider.stderr, /--provider: unknown DNS provider "Route53"; known: Ali, DNSPod/);
  const badDomain = await cli(['service', 'add', '--name', 'x', '--domain', 'localhost', '--record', 'www', '--provider', 'Ali', ...L]);
  t.is(badDomain.code, 2);
  t.regex(badDomain.stderr, /--domain: must be a domain name/);
  const badTtl = await cli(['service', 'add', '--name', 'x', '--domain', 'example.com', '--record', 'www', '--provider', 'Ali', '--ttl', '0', ...L]);
  t.is(badTtl.code, 2);
  t.regex(badTtl.stderr, /--ttl/);
  const badEndpoint = await cli(['dns', 'add', '--provider', 'Ali', '--access-key', 'K1', '--access-secret', ACCESS_SECRET, '--endpoint', 'ftp://x', ...L]);
  t.is(badEndpoint.code, 2);
  t.regex(badEndpoint.stderr, /--endpoint: must be an http/);
  t.false(badEndpoint.stderr.includes(ACCESS_SECRET));
  const unknownNode = await cli(['node', 'set', 'nobody', '--name', 'X', ...L]);
  t.is(unknownNode.code, 1);
  t.regex(unknownNode.stderr, /no node with code "nobody"/);
  const unknownService = await cli(['service', 'rm', 'nope', ...L]);
  t.is(unknownService.code, 1);
  t.regex(unknownService.stderr, /no service named "nope"/);
  const unknownOption = await cli(['node', 'list', '--colour', ...L]);
  t.is(unknownOption.code, 2);
  t.regex(unknownOption.stderr, /unknown option '--colour'/);

  t.deepEqual(versions(leader, follower), before, 'no refused command changed the state');
});

test('the CLI\'s own credentials and reachability: exit 4 on a wrong secret, 3 when nothing answers, 2 on a bad config', async (t) => {
  const leader = await leaderNode(t);
  const wrongOwn = 'wrong-own-secret-789';
  const bad = await cli(['status', '--node', leader.url, '--secret', wrongOwn]);
  t.is(bad.code, 4);
  t.regex(bad.stderr, /refused the CLI's credentials/);
  t.false(bad.stderr.includes(wrongOwn));
  const viaEnv = await cli(['node', 'list', '--node', leader.url], { env: { COCOASYNCER_SECRET: LEADER_SECRET } });
  t.is(viaEnv.code, 0, viaEnv.stderr);
  const envOverridesConfig = await cli(['node', 'list', ...configFor(leader)], { env: { COCOASYNCER_SECRET: wrongOwn } });
  t.is(envOverridesConfig.code, 4, '$COCOASYNCER_SECRET overrides the config file, as for the node');
  const flagOverridesEnv = await cli(['node', 'list', '--secret', LEADER_SECRET, ...configFor(leader)], { env: { COCOASYNCER_SECRET: wrongOwn } });
  t.is(flagOverridesEnv.code, 0, flagOverridesEnv.stderr);

  const port = await freePort();
  const down = await cli(['status', '--json', '--node', `http://127.0.0.1:${port}`, '--secret', LEADER_SECRET]);
  t.is(down.code, 3);
  t.regex((JSON.parse(down.stderr) as { error: { message: string } }).error.message, /cannot reach the node at http:\/\/127\.0\.0\.1:\d+: connection refused/);

  const noConfig = await cli(['status', '--config', join(leader.dir, 'missing.yaml')]);
  t.is(noConfig.code, 2);
  t.regex(noConfig.stderr, /cannot read config file .*missing\.yaml/);
  t.regex(noConfig.stderr, /--node URL/);
  const badNode = await cli(['status', '--node', 'not a url', '--secret', LEADER_SECRET]);
  t.is(badNode.code, 2);
  t.regex(badNode.stderr, /--node: must be an http/);
});

test('without a terminal a missing required value is a usage error naming the flag; "-" reads a secret from stdin', async (t) => {
  const node = ['--node', 'http://127.0.0.1:9', '--secret', LEADER_SECRET];
  // One process per case, in turn (the unit tests cover the rest of the flags).
  const cases: [string[], RegExp][] = [
    [['join', ...node], /missing <nodeAddress>/],
    [['join', 'http://10.0.0.2:44443', ...node.slice(0, 2)], /missing --secret/],
    [['service', 'add', '--name', 'www', '--record', 'www', '--provider', 'Ali', ...node], /missing --domain/],
    [['node', 'rm', ...node], /missing <code>/],
    [['dns', 'add', '--provider', 'Ali', '--access-key', 'K1', ...node], /missing --access-secret/],
    [['dns', 'set', '--provider', 'Ali', '--access-key', 'K1', ...node], /give --access-secret, --endpoint or --no-endpoint/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, message);
  }

  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  const joined = await cli(['join', follower.url, '--secret', '-', ...configFor(leader)], { input: `${FOLLOWER_SECRET}\n` });
  t.is(joined.code, 0, joined.stderr);
  const acct = await cli(['dns', 'add', '--provider', 'DNSPod', '--access-key', 'AKIDcli0001', '--access-secret', '-', '--no-verify', ...configFor(leader)], { input: ACCESS_SECRET });
  t.is(acct.code, 0, acct.stderr);
  t.is(leader.runtime.state.cloudAccounts[0]?.accessSecret, ACCESS_SECRET);
});

test('quit on a follower: it leaves the leader\'s node list and answers 201 on getClusterInfo; quit on the leader is exit 5', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  await joinWithCli(t, leader, follower);
  t.is(await clusterInfoCode(follower), 200);

  const onLeader = await cli(['quit', ...configFor(leader)]);
  t.is(onLeader.code, 5);
  t.regex(onLeader.stderr, /the leader cannot quit its own cluster/);

  const quit = await cli(['quit', ...configFor(follower)]);
  t.is(quit.code, 0, quit.stderr);
  t.regex(quit.stdout, /left the cluster: the leader handed this node's lines over/);
  const list = JSON.parse((await cli(['node', 'list', '--json', ...configFor(leader)])).stdout) as { nodes: { nodeCode: string }[] };
  t.deepEqual(list.nodes.map((n) => n.nodeCode), ['home']);
  t.is(await clusterInfoCode(follower), 201);

  const again = await cli(['quit', ...configFor(follower)]);
  t.is(again.code, 1);
  t.regex(again.stderr, /not in a cluster/);
});

test('quit <code> on the leader removes the follower, prints the hand-off, and the follower answers 201', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  await joinWithCli(t, leader, follower);

  const removed = await cli(['quit', 'office', ...configFor(leader)]);
  t.is(removed.code, 0, removed.stderr);
  t.regex(removed.stdout, /removed node office from the cluster \(state v\d+\)/);
  t.regex(removed.stdout, /CMCC:A -> home/, 'the follower\'s line is handed to the leader');
  t.regex(removed.stdout, /the node was told it left the cluster/);
  t.deepEqual(leader.runtime.state.nodes.map((n) => n.nodeCode), ['home']);
  t.true(leader.runtime.state.nodes[0]!.isps.includes('CMCC'));
  await until('the follower to reset', async () => (await clusterInfoCode(follower)) === 201);

  const json = await cli(['node', 'rm', 'office', '--json', ...configFor(leader)]);
  t.is(json.code, 1);
  t.is((JSON.parse(json.stderr) as { error: { status: number } }).error.status, 404);
});

test('promote: the follower becomes the leader and the old leader, alive, becomes a follower', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  await joinWithCli(t, leader, follower);

  const onLeader = await cli(['promote', ...configFor(leader)]);
  t.is(onLeader.code, 1);
  t.regex(onLeader.stderr, /already the leader/);

  const promoted = await cli(['promote', '--json', ...configFor(follower)]);
  t.is(promoted.code, 0, promoted.stderr);
  const reply = JSON.parse(promoted.stdout) as { oldLeader: string; oldLeaderTold: boolean; stateVersion: number };
  t.is(reply.oldLeader, 'home');
  t.true(reply.oldLeaderTold);
  t.true(follower.runtime.isLeader);
  t.is(leader.runtime.workMode, 'follower');

  // Edits now belong on the new leader: the old one says where to go.
  const oldLeaderEdit = await cli(['service', 'add', '--name', 'www', '--domain', 'example.com', '--record', 'www', '--provider', 'Ali', ...configFor(leader)]);
  t.is(oldLeaderEdit.code, 5);
  t.regex(oldLeaderEdit.stderr, /run it on the leader/);
  const newLeaderEdit = await cli(['service', 'add', '--name', 'www', '--domain', 'example.com', '--record', 'www', '--provider', 'Ali', ...configFor(follower)]);
  t.is(newLeaderEdit.code, 0, newLeaderEdit.stderr);
  await until('the old leader to apply the new leader\'s push', () => leader.runtime.state.services.length === 1);
  const st = JSON.parse((await cli(['status', '--json', ...configFor(follower)])).stdout) as ClusterStatus;
  t.deepEqual(Object.fromEntries(st.nodes.map((n) => [n.nodeCode, n.workMode])), { home: 'follower', office: 'leader' });
});

test('dns plan, log, set and remove; node set; service remove (a dry-run leader against the Alidns emulator)', async (t) => {
  const key = 'LTAI5tPlanKey0001';
  const emu = await startAlidnsEmulator({ credentials: { [key]: ACCESS_SECRET } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '198.51.100.1', line: 'telecom' });
  const leader = await leaderNode(t, { DryRun: true });
  const L = configFor(leader);

  const emptyPlan = await cli(['dns', 'plan', ...L]);
  t.is(emptyPlan.code, 0, emptyPlan.stderr);
  t.regex(emptyPlan.stdout, /No changes/);

  t.is((await cli(['dns', 'add', '--provider', 'Ali', '--access-key', key, '--access-secret', ACCESS_SECRET, '--endpoint', emu.endpoint, ...L])).code, 0);
  t.is((await cli(['service', 'add', '--name', 'www', '--domain', 'example.com', '--record', 'www', '--provider', 'Ali', ...L])).code, 0);
  const plan = await cli(['dns', 'plan', ...L]);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /this node's IPs: IPv4 203\.0\.113\.10/);
  t.regex(plan.stdout, /Update\s+A\s+CT\s+198\.51\.100\.1 -> 203\.0\.113\.10/);
  const planJson = JSON.parse((await cli(['dns', 'plan', '--json', ...L])).stdout) as { changes: unknown[]; dryRun: boolean };
  t.true(planJson.dryRun);
  t.true(planJson.changes.length >= 1);
  t.is(emu.writes(), 0, 'a plan writes nothing');

  // service set: changed in place, unknown names and empty changes refused.
  const svcSet = await cli(['service', 'set', 'www', '--allow-create', '--ttl', '900', ...L]);
  t.is(svcSet.code, 0, svcSet.stderr);
  t.regex(svcSet.stdout, /service www: www\.example\.com on Ali, create yes, ttl 900, nodes all/);
  const listed = JSON.parse((await cli(['service', 'list', '--json', ...L])).stdout) as { services: { serviceName: string; allowCreate: boolean; ttl: number }[] };
  t.like(listed.services.find((s) => s.serviceName === 'www'), { allowCreate: true, ttl: 900 });
  t.regex((await cli(['service', 'set', 'www', '--no-allow-create', ...L])).stdout, /create no, ttl 900/);
  const unknown = await cli(['service', 'set', 'nope', '--ttl', '900', ...L]);
  t.not(unknown.code, 0);
  t.regex(unknown.stderr, /no service named "nope"/);
  const nothing = await cli(['service', 'set', 'www', ...L]);
  t.is(nothing.code, 2);
  t.regex(nothing.stderr, /give at least one of --allow-create/);

  // service set --check: a health check is added, tuned and removed; bad values name their flag.
  const checked = await cli(['service', 'set', 'www', '--check', 'http://{ip}:8080/health', '--check-interval', '5', ...L]);
  t.is(checked.code, 0, checked.stderr);
  t.regex(checked.stdout, /check http:\/\/\{ip\}:8080\/health every 5s, timeout 3s/);
  t.regex((await cli(['service', 'set', 'www', '--check-status', '204', ...L])).stdout, /every 5s, timeout 3s, expect 204/);
  const badUrl = await cli(['service', 'set', 'www', '--check', 'http://example.com/health', ...L]);
  t.is(badUrl.code, 2);
  t.regex(badUrl.stderr, /--check: the host must be \{ip\}/);
  const tooSlow = await cli(['service', 'set', 'www', '--check-timeout', '9', ...L]);
  t.is(tooSlow.code, 2, tooSlow.stderr);
  t.regex(tooSlow.stderr, /--check-timeout: must be at most the interval \(5s\)/);
  const noCheck = await cli(['service', 'set', 'www', '--no-check', ...L]);
  t.is(noCheck.code, 0, noCheck.stderr);
  t.regex(noCheck.stdout, /check none/);
  const orphanFlag = await cli(['service', 'set', 'www', '--check-interval', '5', ...L]);
  t.is(orphanFlag.code, 2, 'a tuning flag on a service without a check');
  t.regex(orphanFlag.stderr, /--check: the service has no check yet/);
  const listedChecks = JSON.parse((await cli(['service', 'list', '--json', ...L])).stdout) as { services: { serviceName: string; check?: unknown }[] };
  t.is(listedChecks.services.find((s) => s.serviceName === 'www')?.check, undefined);

  const log = await cli(['dns', 'log', '--limit', '5', '--json', ...L]);
  t.is(log.code, 0, log.stderr);
  t.true(Array.isArray((JSON.parse(log.stdout) as { entries: unknown[] }).entries));
  const badLimit = await cli(['dns', 'log', '--limit', '5000', ...L]);
  t.is(badLimit.code, 2);
  t.regex(badLimit.stderr, /--limit: must be a whole number from 1 to 1000/);

  // A wrong access secret makes the plan incomplete: exit 1, and the secret is still not shown.
  const wrongSecret = 'wrong-access-secret-000000';
  // dns set tries the new secret first (one read call) and stores nothing when it does not work.
  const refused = await cli(['dns', 'set', '--provider', 'ali', '--access-key', key, '--access-secret', wrongSecret, ...L]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /these credentials do not work: Ali rejected access key LTAI\*+0001 \(SignatureDoesNotMatch\).*nothing was stored \(use --no-verify/);
  t.false(refused.stderr.includes(wrongSecret));
  t.is(leader.runtime.state.cloudAccounts[0]?.accessSecret, ACCESS_SECRET);
  const set = await cli(['dns', 'set', '--provider', 'ali', '--access-key', key, '--access-secret', wrongSecret, '--no-verify', ...L]);
  t.is(set.code, 0, set.stderr);
  t.false(set.stdout.includes(wrongSecret));
  const failing = await cli(['dns', 'plan', ...L]);
  t.is(failing.code, 1);
  t.regex(failing.stderr, /the plan is incomplete/);
  t.false(failing.stdout.includes(wrongSecret) || failing.stderr.includes(wrongSecret));

  // Without an endpoint the account means the real Alidns: take the service away first, so no
  // reconcile could ever leave loopback.
  t.is((await cli(['service', 'remove', 'www', ...L])).code, 0);
  const noEndpoint = await cli(['dns', 'set', '--provider', 'Ali', '--access-key', key, '--no-endpoint', ...L]);
  t.is(noEndpoint.code, 0, noEndpoint.stderr);
  t.regex(noEndpoint.stdout, /endpoint default/);
  t.is(leader.runtime.state.cloudAccounts[0]?.endpoint, null);

  const renamed = await cli(['node', 'set', 'home', '--name', '家里', '--isps', 'CT,CU', ...L]);
  t.is(renamed.code, 0, renamed.stderr);
  t.regex(renamed.stdout, /updated node home \(state v\d+\): 家里 at .*lines CT,CU/);

  const rm = await cli(['dns', 'rm', '--provider', 'Ali', '--access-key', key, ...L]);
  t.is(rm.code, 0, rm.stderr);
  t.deepEqual(leader.runtime.state.services, []);
  t.deepEqual(leader.runtime.state.cloudAccounts, []);
});

test('the top-level help documents the exit codes; a subcommand\'s --help exits 0; no or an unknown command is exit 2', async (t) => {
  const top = await cli(['--help']);
  t.is(top.code, 0);
  for (const code of ['0  ok', '1  refused', '2  usage', '3  the node is unreachable', '4  the node refused the CLI\'s credentials', '5  not allowed on this node']) t.true(top.stdout.includes(code), code);
  const sub = await cli(['dns', 'set', '--help']);
  t.is(sub.code, 0);
  t.regex(sub.stdout, /--no-endpoint/);
  const none = await cli([]);
  t.is(none.code, 2, 'no command is a usage error');
  const unknown = await cli(['frobnicate']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command 'frobnicate'/);
});

test('an https node from the config is reached over https trusting TrustCA; without the CA it is exit 3 naming TLS', async (t) => {
  const pki = makePki();
  const tls = { TLSCert: pki.cert, TLSKey: pki.key, TrustCA: pki.ca };
  const port = await freePort();
  const leader = await leaderNode(t, { ...tls, APIPort: port, NodeAddress: `https://127.0.0.1:${port}` });
  const ok = await cli(['status', '--json', ...configFor(leader, tls)]);
  t.is(ok.code, 0, ok.stderr);
  t.is((JSON.parse(ok.stdout) as ClusterStatus).node.nodeCode, 'home');
  const untrusted = await cli(['status', '--node', `https://127.0.0.1:${port}`, '--secret', LEADER_SECRET, '--config', join(leader.dir, 'none.yaml')]);
  t.is(untrusted.code, 3);
  t.regex(untrusted.stderr, /TLS failed .*TrustCA/);
});

/** util-linux `script` gives the CLI a real terminal; without it the prompt test is skipped. */
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

(hasScript ? test : test.skip)('on a terminal a missing value is asked for, and a secret is read without echo', async (t) => {
  const leader = await leaderNode(t);
  const follower = await followerNode(t);
  const command = [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'join', ...configFor(leader)].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let screen = '';
  child.stdout!.on('data', (d: Buffer) => (screen += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const waitFor = (text: string) => until(`the prompt "${text}"`, () => screen.includes(text), 20_000);

  await waitFor('Address of the node to join');
  child.stdin!.write(`${follower.url}\r`);
  await waitFor('(input hidden)');
  child.stdin!.write(`${FOLLOWER_SECRET}\r`);
  await waitFor('joined office');
  child.stdin!.end();
  t.is(await closed, 0, screen);
  t.false(screen.includes(FOLLOWER_SECRET), 'the typed secret is not echoed');
  await until('the follower to apply the join', () => follower.runtime.joined);
  t.pass();
});
