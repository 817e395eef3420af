// /v1/status in real headless Chromium (Debian's package, driven by playwright-core): a 2-node
// cluster with real DNS work against the Alidns emulator; a node is stopped and the open page
// follows without a reload; no secret, access key or node code reaches the DOM.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FOLLOWER_IP, LEADER_IP, startCluster, waitFor } from './helpers/surfaces-cluster.js';
import { ARTIFACTS, browserTest, openPage } from './helpers/browser.js';

browserTest('the status page shows the cluster, follows a node going down without a reload, and shows no secret', async (t) => {
  const cluster = await startCluster(t);
  const { leader, follower, emulator } = cluster;
  await waitFor(
    () => emulator!.records({ line: 'telecom' })[0]?.value === LEADER_IP && emulator!.records({ line: 'unicom' })[0]?.value === FOLLOWER_IP,
    10_000,
    'both nodes to write their lines',
  );

  const { page, problems } = await openPage(t, leader.url);

  await page.goto(`${leader.url}/v1/status`);
  await page.waitForSelector('#nodes tr[data-index="1"][data-status="up"]');
  const rows = page.locator('#nodes tbody tr');
  t.is(await rows.count(), 2);
  t.regex(await rows.nth(0).innerText(), /LuckyCocoa[\s\S]*this node[\s\S]*leader[\s\S]*up[\s\S]*default[\s\S]*CT/);
  t.regex(await rows.nth(1).innerText(), /ChinoCafe[\s\S]*follower[\s\S]*up[\s\S]*CU[\s\S]*CMCC/);
  t.regex(await page.locator('#health').innerText(), /All 2 nodes up/);
  // Each node's address per line: this node's from its detection, the peer's as its heartbeats publish it.
  t.regex(await page.locator('#nodes tr[data-index="0"] [data-address="CT/ipv4"]').innerText(), /CT 203\.0\.113\.10/);
  await page.waitForFunction(() => document.querySelector('#nodes tr[data-index="1"] [data-address="CU/ipv4"]')?.textContent?.includes('203.0.113.20') ?? false);
  const ct = page.locator('tr[data-line="CT/ipv4"]');
  await page.waitForFunction(() => document.querySelector('tr[data-line="CT/ipv4"]')?.textContent?.includes('203.0.113.10') ?? false);
  t.regex(await ct.innerText(), /LuckyCocoa[\s\S]*203\.0\.113\.10/);
  t.regex(await page.locator('tr[data-line="CU/ipv4"]').innerText(), /ChinoCafe[\s\S]*unknown/, 'lines served elsewhere are not known here');
  // Each record's TTL and the failover bound, next to the DNS sync facts.
  await page.waitForSelector('table.ttl tbody tr');
  t.regex(await page.locator('table.ttl').innerText(), /www\.example\.com A[\s\S]*CT[\s\S]*\d+ s[\s\S]*\d+ s/);
  const badgeLoaded = () => {
    const img = document.querySelector('header img') as HTMLImageElement | null;
    return img !== null && img.complete && img.naturalWidth > 0;
  };
  await page.waitForFunction(badgeLoaded); // under the page's CSP
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'status-page-healthy.png'), fullPage: true });

  // The page must follow the failover by polling, not by being reloaded.
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  await follower.stop();
  await page.waitForSelector('#nodes tr[data-index="1"][data-status="down"]', { timeout: 15_000 });
  await page.waitForFunction(() => document.querySelector('tr[data-line="CU/ipv4"]')?.textContent?.includes('203.0.113.10') ?? false, undefined, { timeout: 15_000 });
  t.true(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true), 'updated in place');
  t.regex(await page.locator('#health').innerText(), /1 of 2 nodes down/);
  const takeovers = await page.locator('#nodes tr[data-index="0"] .chip.takeover').allInnerTexts();
  t.deepEqual(takeovers.map((s) => s.replace(/\s+/g, ' ')), ['CU IPv4 ↪ from ChinoCafe', 'CMCC IPv4 ↪ from ChinoCafe']);
  t.regex(await page.locator('tr[data-line="CU/ipv4"]').innerText(), /LuckyCocoa \(takeover\)[\s\S]*203\.0\.113\.10/);
  await page.waitForFunction(() => (document.body.textContent ?? '').includes('198.51.100.7 → 203.0.113.10'));
  t.regex(await page.locator('header img').getAttribute('src') ?? '', /h=1-2-degraded$/, 'the badge follows the health');
  await page.waitForFunction(badgeLoaded);
  await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });

  // No secret, access key or node code, in the rendered DOM or in the JSON it polls.
  const dom = await page.content();
  const visible = await page.evaluate(() => document.body.innerText);
  const json = await (await fetch(`${leader.url}/v1/status.json`)).text();
  for (const value of [...cluster.secrets, ...cluster.codes]) {
    t.false(dom.includes(value), `DOM contains ${value}`);
    t.false(visible.includes(value), `visible text contains ${value}`);
    t.false(json.includes(value), `status.json contains ${value}`);
  }
  t.deepEqual(problems, []);
});
