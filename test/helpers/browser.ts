// Debian's Chromium, driven by playwright-core, for the status-page tests. Without Chromium the
// browser tests skip with a notice on a laptop; CI (CI=true) fails instead of skipping.
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROOT } from './node.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Where the tests leave their screenshots (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const haveChromium = existsSync(CHROMIUM);
const onCi = process.env.CI === 'true';

if (!haveChromium && !onCi) {
  console.warn(`\n  NOTICE: ${CHROMIUM} is missing; skipping the browser tests (apt-get install chromium). CI=true fails instead.\n`);
}

/** `test`, or `test.skip` on a machine without Chromium outside CI. */
export const browserTest = haveChromium || onCi ? test : test.skip;

/**
 * A page (1200×900 unless `viewport` says) in a fresh headless Chromium, closed when the test ends, and the page's problems
 * as they happen: script errors, console errors, 4xx/5xx answers and requests to any origin but
 * `origin` (the page must load nothing from elsewhere). Throws when Chromium is missing on CI.
 */
export async function openPage(t: ExecutionContext, origin: string, viewport = { width: 1200, height: 900 }): Promise<{ page: Page; problems: string[] }> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing and CI=true forbids skipping the browser tests`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(origin)) problems.push(`external request: ${req.url()}`);
  });
  return { page, problems };
}
