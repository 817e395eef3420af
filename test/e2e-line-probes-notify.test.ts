// Issue 14 end to end ("Done when"): three node processes on loopback, node a a multi-WAN site whose
// two lines publish two addresses (LineIP), one service checked over HTTP at every published address,
// a JSON webhook, the Alidns emulator as the DNS provider; the check and the webhook are added with the CLI.
// a's Telecom server stops while node a runs: only CT moves, for that service, to a stand-in, one
// `failover` message is sent cluster-wide, the status page (real Chromium) shows the probe matrix
// with a's CT down and the address per line; the server returns: CT comes back, one `recovery`.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '../src/api/contract.js';
import { runCliProcess } from './helpers/cli-process.js';
import { until, type ProcNode } from './helpers/cluster.js';
import { ARTIFACTS, browserTest, openPage } from './helpers/browser.js';
import { moreDnsRuns, partitionWorld, seesUp, type Line } from './helpers/partition-world.js';
import { startSites, verdict } from './helpers/probe-sites.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';


/** Node a's Telecom and Unicom uplinks, and b's and c's single addresses (every 127.x.y.z is local). */
const A_CT = '127.0.0.11';
const A_CU = '127.0.0.12';
const B_IP = '127.0.0.13';
const C_IP = '127.0.0.14';
/** a's PublicIP: what a line without a LineIP entry would get (a serves none such). */
const A_PUBLIC = '127.0.0.10';

/** Tight timings: 1 s heartbeats, 1 s probes. */
const TIMING = { HeartbeatSeconds: 1, FailAfterSeconds: 3, RecoverAfter: 2, DnsSyncSeconds: 2, PushSeconds: 2 };
const CHECK_INTERVAL_SECONDS = 1;
const CHECK_TIMEOUT_SECONDS = 1;
const TOKEN = 'e2e-hook-token-7c6b5a49';

browserTest('a multi-WAN site\'s Telecom service stops while its node runs: only CT fails over, one failover and one recovery message, the probe matrix on the status page', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  // The service every site runs, bound on each address its node publishes, one port for all.
  const sites = await startSites([A_CT, A_CU, B_IP, C_IP], { kind: 'http' });
  t.teardown(() => sites.close());
  const w = await partitionWorld(t, [
    { code: 'a', mode: 'leader', isps: ['CT', 'CU'], ipv4: A_PUBLIC, extra: { ...TIMING, LineIP: { CT: { IPv4: { Static: A_CT } }, CU: { IPv4: { Static: A_CU } } } } },
    { code: 'b', mode: 'follower', isps: ['CMCC'], ipv4: B_IP, extra: TIMING },
    { code: 'c', mode: 'follower', isps: ['default'], ipv4: C_IP, extra: TIMING },
  ]);
  const [a, b, c] = w.nodes as [ProcNode, ProcNode, ProcNode];
  const cli = async (node: ProcNode, args: string[]) => {
    const r = await runCliProcess(['--config', node.configFile, ...args]);
    t.is(r.code, 0, `cocoasyncer ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  // The right address per line, from the emulator's point of view.
  const holds = (want: Partial<Record<Line, string>>) => (Object.entries(want) as [Line, string][]).every(([line, ip]) => w.value(line) === ip);
  const home = { CT: A_CT, CU: A_CU, CMCC: B_IP, default: C_IP };
  await until(() => holds(home), 60_000, 'each line on its own address');
  t.deepEqual({ CT: w.value('CT'), CU: w.value('CU'), CMCC: w.value('CMCC'), default: w.value('default') }, home);
  await until(async () => (await seesUp(a, 'b')) && (await seesUp(a, 'c')) && (await seesUp(b, 'a')) && (await seesUp(c, 'a')), 30_000, 'everyone up');

  // The operator adds the check and the webhook with the CLI, on the leader.
  const checkUrl = `http://{ip}:${sites.port}/health`;
  await cli(a, ['service', 'set', 'www', '--check', checkUrl, '--check-interval', String(CHECK_INTERVAL_SECONDS), '--check-timeout', String(CHECK_TIMEOUT_SECONDS)]);
  // Pushed to the followers: `service list` there shows it.
  await until(async () => (await runCliProcess(['--config', c.configFile, 'service', 'list'])).stdout.includes(`http://{ip}:${sites.port}/health`), 60_000, 'c to list the check');
  const hook = `/hook/${TOKEN}`;
  await cli(a, ['notify', 'add', '--name', 'ops', '--url', `${rx.base}${hook}`, '--format', 'json']);
  for (const n of [b, c]) await until(async () => (await n.admin.call(api.listNotifiers)).notifiers.length === 1, 30_000, `${n.code} to hold the notifier`);

  // Every node probes the others' published addresses: a's two lines at their own addresses.
  await until(async () => {
    const v = await Promise.all([verdict(b, 'Node a', 'CT'), verdict(b, 'Node a', 'CU'), verdict(a, 'Node b', 'CMCC'), verdict(a, 'Node c', 'default')]);
    return v.every((x) => x && !x.down && x.probers === 2 && x.seenBy === 2);
  }, 30_000, 'the probe matrix to fill in: every line judged by its two probers, all up');
  t.true(sites.sites.get(A_CT)!.hits() > 0 && sites.sites.get(A_CU)!.hits() > 0, 'a\'s lines are probed at their own addresses');
  t.is(rx.requests.length, 0, 'nothing to announce yet');
  const mark = w.mark();

  // a's Telecom server dies; node a itself keeps running and heartbeating.
  const closedAt = Date.now();
  await sites.sites.get(A_CT)!.stop();
  await until(() => w.value('CT') !== A_CT, 60_000, 'CT to move off a\'s Telecom address');
  const movedMs = Date.now() - closedAt;
  const standIn = w.value('CT')!;
  const bound = TIMING.FailAfterSeconds + CHECK_INTERVAL_SECONDS + TIMING.DnsSyncSeconds;
  t.log(`port closed → stand-in's address on CT in ${(movedMs / 1000).toFixed(1)} s (FailAfterSeconds + check interval + DnsSyncSeconds = ${bound} s)`);
  t.true([B_IP, C_IP].includes(standIn), `CT is on a stand-in's address (${standIn})`);
  // Calm: not on the first failed probe. (A probe already under way at the close, at most one
  // timeout long, may be the first failure: hence FailAfterSeconds less the timeout.)
  t.true(movedMs >= (TIMING.FailAfterSeconds - CHECK_TIMEOUT_SECONDS) * 1000, 'not before the probers have failed for FailAfterSeconds');
  t.true(holds({ CU: A_CU, CMCC: B_IP, default: C_IP }), 'a keeps its Unicom line; the other lines stay');
  t.true(await seesUp(b, 'a') && await seesUp(c, 'a'), 'node a is live: only its service is down');

  // Exactly one failover message cluster-wide, from the node that wrote the record.
  const events = (event: string) => rx.delivered(hook).filter((r) => r.body.event === event);
  await until(() => events('failover').length >= 1, 30_000, 'the failover message');
  await moreDnsRuns([a, b, c], 3);
  t.is(events('failover').length, 1, 'one failover message');
  t.like(events('failover')[0]!.body, { service: 'www', record: 'www.example.com', line: 'CT', family: 'ipv4', oldAddress: A_CT, newAddress: standIn, node: standIn === B_IP ? 'b' : 'c' });
  t.regex(events('failover')[0]!.body.reason as string, /^node a's line is down \(probe: 2 of 2 probing nodes cannot reach www\); this node stands in for it$/, 'the reason names the failed probe, not a dead node');

  // The status page in Chromium, while a's CT is down for the service.
  const { page, problems } = await openPage(t, b.url, { width: 1280, height: 1000 });
  await page.goto(`${b.url}/v1/status`);
  const ctRow = page.locator('#probes tr[data-probe="www/Node a/CT/ipv4"]');
  const cuRow = page.locator('#probes tr[data-probe="www/Node a/CU/ipv4"]');
  await page.waitForSelector('#probes tr.probe-down[data-probe="www/Node a/CT/ipv4"]', { timeout: 30_000 });
  t.deepEqual(await page.locator('#probes thead th').allInnerTexts(), ['SERVICE', 'NODE', 'LINE', 'VERDICT', 'SEEN BY NODE A', 'SEEN BY NODE B', 'SEEN BY NODE C']);
  const standInName = standIn === B_IP ? 'Node b' : 'Node c';
  t.deepEqual(
    (await page.locator('#probes tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-probe')))).sort(),
    ['www/Node a/CT/ipv4', 'www/Node a/CU/ipv4', 'www/Node b/CMCC/ipv4', 'www/Node c/default/ipv4', `www/${standInName}/CT/ipv4`].sort(),
    'one row per probed (node, line): every line a node serves, the stand-in\'s CT included',
  );
  t.regex(await page.locator(`#probes tr[data-probe="www/${standInName}/CT/ipv4"]`).innerText(), /CT IPv4[\s\S]*\bup\b/, 'the stand-in is reached on CT');
  t.regex(await ctRow.innerText(), /CT IPv4[\s\S]*down: 2 of 2 fail[\s\S]*fails[\s\S]*ECONNREFUSED[\s\S]*fails[\s\S]*ECONNREFUSED/);
  t.regex(await cuRow.innerText(), /CU IPv4[\s\S]*\bup\b[\s\S]*reaches[\s\S]*reaches/);
  t.is(await cuRow.getAttribute('class'), null, 'a\'s Unicom line is not down');
  const aRow = page.locator('#nodes tbody tr[data-index="0"]');
  t.regex(await aRow.locator('td').first().innerText(), /^Node a/);
  t.is(await aRow.getAttribute('data-status'), 'up', 'node a itself is up');
  t.is(await aRow.locator('[data-address="CT/ipv4"]').innerText(), `CT ${A_CT}`);
  t.is(await aRow.locator('[data-address="CU/ipv4"]').innerText(), `CU ${A_CU}`);
  // The services table: CT served by the stand-in as a takeover (its value is known on the node that writes it).
  await page.waitForFunction((name) => document.querySelector('tr[data-line="CT/ipv4"]')?.textContent?.includes(`${name} (takeover)`) ?? false, standInName, { timeout: 15_000 });
  t.regex(await page.locator('tr[data-line="CU/ipv4"]').innerText(), /Node a(?! \(takeover)/, 'CU is served by a itself');
  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'e2e-line-probes-ct-down.png');
  await page.screenshot({ path: shot, fullPage: true });
  const png = readFileSync(shot);
  t.true(png.length > 1000, 'the screenshot has content');
  t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the screenshot is a PNG');
  t.is(png.readUInt32BE(16), 1280, 'of the page at the viewport\'s width (IHDR)');
  t.false((await page.content()).includes(TOKEN), 'the webhook token is not on the page');
  t.deepEqual(problems, []);
  await page.close();

  // All that while (the failover message, several DNS passes on every node, the page), the
  // owner never took CT back: it still holds the stand-in's address.
  t.is(w.value('CT'), standIn, 'CT stays on the stand-in while a\'s Telecom service is down');
  t.deepEqual(w.changes('CT', mark), [standIn]);

  // The server returns: after RecoverAfter good rounds CT comes back to a's Telecom address.
  await sites.sites.get(A_CT)!.start();
  await until(() => w.value('CT') === A_CT, 60_000, 'CT back on a\'s Telecom address');
  await until(() => events('recovery').length >= 1, 30_000, 'the recovery message');
  await until(async () => (await verdict(b, 'Node a', 'CT'))?.down === false, 30_000, 'the verdict lifted');
  await moreDnsRuns([a, b, c], 3);
  t.is(events('recovery').length, 1, 'one recovery message');
  t.like(events('recovery')[0]!.body, { service: 'www', line: 'CT', family: 'ipv4', oldAddress: standIn, newAddress: A_CT, node: 'a' });
  t.is(events('failover').length, 1, 'still one failover message');
  const kinds = rx.delivered(hook).map((r) => r.body.event as string).sort();
  t.deepEqual(kinds, ['failover', 'recovery'], 'no other message: no node went down, no leader changed');

  // Each record changed at most twice: CT away and back, the others never.
  t.deepEqual(w.changes('CT', mark), [standIn, A_CT]);
  for (const line of ['CU', 'CMCC', 'default'] as const) t.deepEqual(w.changes(line, mark), [], `${line} never changed`);
  for (const n of w.nodes) t.false(n.output().includes(TOKEN), `node ${n.code}'s log does not show the webhook token`);
});
