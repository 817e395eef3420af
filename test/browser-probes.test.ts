// The probe matrix on /v1/status in real headless Chromium: a 3-node loopback cluster whose sites run
// a checked HTTP service; one site's service stops while its node runs, and the open page shows that
// line down for the service (both probers failing) without a reload. Screenshots in test/artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { until, type ProcNode } from './helpers/cluster.js';
import { ARTIFACTS, browserTest, openPage } from './helpers/browser.js';
import { A, B, C, checkedWorld, verdict } from './helpers/probe-sites.js';

browserTest('the status page shows who sees whom per line, and a site whose service is down, without a reload', async (t) => {
  const { world, sites } = await checkedWorld(t, [{ code: 'a', isps: ['CT'], ip: A }, { code: 'b', isps: ['CU'], ip: B }, { code: 'c', isps: ['CMCC'], ip: C }], { kind: 'http' }, 'http');
  const [a] = world.nodes as [ProcNode, ProcNode, ProcNode];
  await until(async () => (await verdict(a, 'Node c', 'CMCC'))?.seenBy === 2, 60_000, 'the matrix to fill in');

  const { page, problems } = await openPage(t, a.url);
  await page.goto(`${a.url}/v1/status`);
  const cRow = page.locator('#probes tr[data-probe="www/Node c/CMCC/ipv4"]');
  await cRow.waitFor({ timeout: 10_000 }).catch(async (err: Error) => {
    t.log(problems, await page.locator('body').innerText());
    throw err;
  });
  // Headers show upper-case (CSS text-transform), as innerText gives them.
  t.deepEqual(await page.locator('#probes thead th').allInnerTexts(), ['SERVICE', 'NODE', 'LINE', 'VERDICT', 'SEEN BY NODE A', 'SEEN BY NODE B', 'SEEN BY NODE C']);
  t.is(await page.locator('#probes tbody tr').count(), 3, 'one row per (node, line): each node is probed by the two others');
  t.regex(await cRow.innerText(), /CMCC IPv4[\s\S]*up[\s\S]*reaches[\s\S]*reaches/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'status-page-probes-healthy.png'), fullPage: true });

  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  await sites.sites.get(C)!.stop();
  await page.waitForSelector('#probes tr.probe-down[data-probe="www/Node c/CMCC/ipv4"]', { timeout: 30_000 });
  t.regex(await cRow.innerText(), /down: 2 of 2 fail[\s\S]*fails[\s\S]*ECONNREFUSED[\s\S]*fails[\s\S]*ECONNREFUSED/);
  await page.waitForFunction(() => document.querySelector('tr[data-line="CMCC/ipv4"]')?.textContent?.includes('Node a') ?? false, undefined, { timeout: 15_000 });
  t.true(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true), 'updated in place');
  t.regex(await page.locator('#nodes').innerText(), /Node c[\s\S]*up/, 'node c itself is up');
  await page.screenshot({ path: join(ARTIFACTS, 'status-page-probes-down.png'), fullPage: true });
  const html = await page.content();
  for (const n of world.nodes) t.false(html.includes(n.secret), 'no node secret on the page');
  t.deepEqual(problems, []);
});

