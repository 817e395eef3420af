// /healthz and /readyz.
import test from 'ava';
import { startTestNode } from './helpers/node.js';

test('/healthz and /readyz answer 200 on a running node', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const live = await fetch(`${node.url}/healthz`);
  t.is(live.status, 200);
  t.deepEqual(await live.json(), { status: 'ok' });
  const ready = await fetch(`${node.url}/readyz`);
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', writes: 'ok', config: 'ok' } });
  t.is(ready.headers.get('cache-control'), 'no-store');
});

test('with the database gone, /readyz answers 503 with a JSON reason while /healthz stays 200', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  await node.store.sequelize.close();
  const ready = await fetch(`${node.url}/readyz`);
  t.is(ready.status, 503);
  const body = (await ready.json()) as { status: string; reason: string; checks: Record<string, string> };
  t.is(body.status, 'not ready');
  t.is(body.checks.database, 'unreachable');
  t.regex(body.reason, /database/);
  t.is((await fetch(`${node.url}/healthz`)).status, 200, 'liveness never depends on the database');
});
