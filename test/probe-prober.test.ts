// The prober's I/O against real servers on loopback: what one probe sees (an HTTP status, a TCP
// connect, a refused port, a server that never answers), and the Prober's per-target memory (failure
// run, good streak) on its own timer with each check's timeout.
import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { probe, Prober } from '../src/probe/prober.js';
import { probeEndpoint } from '../src/probe/check.js';
import type { ProbeJob } from '../src/probe/targets.js';
import { until } from './helpers/cluster.js';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function job(url: string, timeoutSeconds = 1): ProbeJob {
  const endpoint = probeEndpoint({ url }, '127.0.0.1', 'ipv4', 'www.example.com')!;
  return { key: url, service: 'web', node: 'b', endpoint, slots: [{ line: 'CT', family: 'ipv4' }, { line: 'CU', family: 'ipv4' }], check: { url, intervalSeconds: 1, timeoutSeconds, expectStatus: null } };
}

test('one probe: an HTTP status (with the record\'s name as Host), a TCP connect, a refused port, a server that never answers', async (t) => {
  let host = '';
  let status = 200;
  const web = http.createServer((req, res) => {
    host = req.headers.host ?? '';
    res.writeHead(status).end();
  });
  const webPort = await listen(web);
  const silent = net.createServer(() => {}); // accepts, never answers
  const silentPort = await listen(silent);
  t.teardown(() => {
    web.close();
    silent.close();
  });
  const ep = (url: string) => probeEndpoint({ url }, '127.0.0.1', 'ipv4', 'www.example.com')!;

  t.deepEqual(await probe(ep(`http://{ip}:${webPort}/health`), 1000), { kind: 'http', status: 200 });
  t.is(host, `www.example.com:${webPort}`);
  status = 503;
  t.deepEqual(await probe(ep(`http://{ip}:${webPort}/health`), 1000), { kind: 'http', status: 503 });
  t.deepEqual(await probe(ep(`tcp://{ip}:${webPort}`), 1000), { kind: 'connected' });
  web.close();
  await new Promise((r) => setTimeout(r, 50));
  t.like(await probe(ep(`tcp://{ip}:${webPort}`), 1000), { kind: 'error', code: 'ECONNREFUSED' });
  const started = Date.now();
  t.deepEqual(await probe(ep(`http://{ip}:${silentPort}/`), 300), { kind: 'timeout' });
  t.true(Date.now() - started < 1500, 'the timeout ends the probe');
});

test('the prober keeps a failure run and a good streak per target, fanned out to every line sharing the URL', async (t) => {
  let healthy = true;
  const web = http.createServer((_req, res) => res.writeHead(healthy ? 200 : 500).end());
  const port = await listen(web);
  t.teardown(() => web.close());
  const url = `http://{ip}:${port}/health`;
  const prober = new Prober({ jobs: () => [job(url)], tickMs: 50 });
  const seen: boolean[] = [];
  prober.on('probed', (_job, ok) => seen.push(ok));
  prober.start();
  t.teardown(() => prober.stop());
  await until(() => prober.results()[0]?.goodStreak === 2, 10_000, 'two good probes');
  t.deepEqual(prober.results().map((r) => [r.line, r.ok, r.failures]), [['CT', true, 0], ['CU', true, 0]]);
  healthy = false;
  await until(() => (prober.results()[0]?.failures ?? 0) >= 2, 10_000, 'two failed probes');
  const failing = prober.results()[0]!;
  t.false(failing.ok);
  t.is(failing.goodStreak, 0);
  t.true(failing.failingForMs >= 900, 'the run is as long as the time since the first failed probe');
  t.regex(failing.detail, /HTTP 500/);
  healthy = true;
  await until(() => prober.results()[0]?.ok === true, 10_000, 'a good probe again');
  t.is(prober.results()[0]!.failingForMs, 0, 'a good probe ends the run');
  t.true(seen.includes(false) && seen.includes(true));
});

test('probes never wait on each other beyond the concurrency bound: a silent target times out alone', async (t) => {
  const silent = net.createServer(() => {});
  const silentPort = await listen(silent);
  const web = http.createServer((_req, res) => res.writeHead(204).end());
  const webPort = await listen(web);
  t.teardown(() => {
    silent.close();
    web.close();
  });
  const jobs = [job(`http://{ip}:${silentPort}/`, 2), job(`http://{ip}:${webPort}/`)];
  const prober = new Prober({ jobs: () => jobs, tickMs: 50, concurrency: 2 });
  prober.start();
  t.teardown(() => prober.stop());
  await until(() => prober.results().some((r) => r.ok), 1500, 'the healthy target judged while the silent one hangs');
  t.true(prober.results().some((r) => r.ok && r.latencyMs !== null && r.latencyMs < 1000));
  await until(() => prober.results().filter((r) => !r.ok).some((r) => r.detail === 'timed out'), 5000, 'the silent target timed out');
  t.pass('the silent target failed with "timed out" after its own timeout');
});
