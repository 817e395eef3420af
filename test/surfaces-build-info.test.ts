// /metrics names the build: cocoasyncer_build_info{version,nodejs_version} = 1, the version read
// from package.json (what `cocoasyncer --version` prints), on a real node over loopback.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startTestNode } from './helpers/node.js';
import { sample, scrape } from './helpers/surfaces-cluster.js';

test('/metrics carries cocoasyncer_build_info with the package.json version and the Node.js version, value 1', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const m = await scrape(node);
  const family = m.get('cocoasyncer_build_info');
  t.is(family?.type, 'GAUGE');
  t.is(family?.metrics.length, 1, 'one series');
  t.is(sample(m, 'cocoasyncer_build_info', { version, nodejs_version: process.version }), 1);
});
