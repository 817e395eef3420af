// Throughput and latency of /v1/badge and /metrics (and /v1/status.json) on loopback, for a node
// whose state holds 20 nodes and 200 services. The node runs in this process (one core: Node's
// event loop); the load comes from Debian's wrk when installed, else from a keep-alive load loop
// in a worker thread. Prints figures; asserts nothing.
//   npx tsx bench/http-surfaces.ts [seconds=8]        (BENCH_LOAD=node forces the worker load loop)
// Goals: badge >= 5000 req/s; /metrics p99 < 10 ms.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { LINE_CODES, type ClusterNode, type IspCode, type ManagedService } from '../src/model.js';

interface LoadResult {
  tool: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

interface LoadJob {
  url: string;
  connections: number;
  seconds: number;
}

const WRK = '/usr/bin/wrk';
const useWrk = existsSync(WRK) && process.env.BENCH_LOAD !== 'node';

// The fallback load loop, as plain JS run in a worker thread (another core than the server's):
// `connections` keep-alive clients, each sending the next request as soon as the last answer is
// read; latencies in ms.
const LOAD_LOOP = `
const { Agent, request } = require('node:http');
const { parentPort, workerData: job } = require('node:worker_threads');
const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
const latencies = [];
let errors = 0;
const deadline = Date.now() + job.seconds * 1000;
const one = () => new Promise((resolve) => {
  const started = process.hrtime.bigint();
  const req = request(job.url, { agent }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode !== 200) errors++;
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      resolve();
    });
  });
  req.on('error', () => { errors++; resolve(); });
  req.end();
});
const client = async () => { while (Date.now() < deadline) await one(); };
const t0 = Date.now();
Promise.all(Array.from({ length: job.connections }, client)).then(() => {
  agent.destroy();
  parentPort.postMessage({ latencies, errors, seconds: (Date.now() - t0) / 1000 });
});
`;

await main();

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 8);
  const { startTestNode } = await import('../test/helpers/node.js');
  const node = await startTestNode({ NodeName: 'BenchCocoa', NodeCode: 'bench-0', ISPs: ['default'], HeartbeatSeconds: 3600, FailAfterSeconds: 7200, PushSeconds: 3600, DnsSyncSeconds: 3600 });
  // Quiet node: no schedules, so the figures are the HTTP surfaces alone.
  node.pusher.stop();
  await Promise.all([node.heartbeat.stop(), node.dnsSync.stop()]);

  const lines = LINE_CODES;
  const nodes: ClusterNode[] = [node.runtime.self];
  for (let i = 1; i < 20; i++) {
    nodes.push({
      nodeCode: `bench-${i}`,
      nodeName: `Bench node ${i}`,
      nodeAddress: `http://127.0.0.1:${40000 + i}`,
      workMode: 'follower',
      secret: `bench-follower-secret-${i}`,
      isps: [lines[i % lines.length]!, lines[(i + 2) % lines.length]!] as IspCode[],
      networkType: i % 3 === 0 ? 'Both' : 'IPV4',
      // A few down, so the plan has takeovers to compute.
      statusCode: i % 7 === 0 ? 504 : 200,
      watchDog: new Date().toISOString(),
    });
  }
  const services: ManagedService[] = Array.from({ length: 200 }, (_, i) => ({
    serviceName: `svc${i}`,
    domain: 'example.com',
    record: `svc${i}`,
    platformProvider: i % 2 ? 'Ali' : 'DNSPod',
    nodes: i % 4 === 0 ? nodes.slice(0, 5).map((n) => n.nodeCode) : [],
    allowCreate: false,
    ttl: 600,
  }));
  await node.runtime.replace({ ...node.runtime.state, nodes, services }, 'bench');

  // Where a scrape's time goes: clusterStatus() (src/node, on the reactor's cached plan) vs the rest of the exposition.
  const { clusterStatus } = await import('../src/node/status.js');
  const src = { runtime: node.runtime, heartbeat: node.heartbeat, pusher: node.pusher, dnsSync: node.dnsSync, plan: node.reactor.plan, startedAt: new Date() };
  const timeIt = async (fn: () => unknown, n = 50) => {
    for (let i = 0; i < 5; i++) await fn();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - t0) / n;
  };
  const statusMs = await timeIt(() => clusterStatus(src));
  const scrapeMs = await timeIt(() => node.metrics.scrape());
  console.log(`in-process: clusterStatus() ${statusMs.toFixed(2)} ms, whole /metrics scrape ${scrapeMs.toFixed(2)} ms (mean of 50)`);

  const check = await fetch(`${node.url}/metrics`);
  const metricsBytes = (await check.text()).length;
  console.log(`node: ${nodes.length} nodes, ${services.length} services; /metrics is ${(metricsBytes / 1024).toFixed(1)} KiB`);
  const tool = useWrk ? 'wrk' : 'keep-alive load loop in a worker thread';
  console.log(`load: ${tool}, ${seconds} s per run, loopback, the node on one event loop\n`);

  const runs: [string, string, number][] = [
    ['/v1/badge', 'throughput', 64],
    ['/v1/badge', 'latency', 1],
    ['/metrics', 'throughput', 8],
    ['/metrics', 'latency', 1],
    ['/v1/status.json', 'latency', 1],
  ];
  const results: { path: string; mode: string; c: number; r: LoadResult }[] = [];
  for (const [path, mode, c] of runs) {
    // Warm up (JIT, caches), then measure.
    await load({ url: `${node.url}${path}`, connections: c, seconds: 1 });
    const r = await load({ url: `${node.url}${path}`, connections: c, seconds });
    results.push({ path, mode, c, r });
    console.log(`${path.padEnd(16)} ${mode.padEnd(10)} c=${String(c).padEnd(3)} ${fmt(r.rps, 0).padStart(7)} req/s   p50 ${fmt(r.p50, 2)} ms   p99 ${fmt(r.p99, 2)} ms   (${r.requests} requests, ${r.errors} errors)`);
  }

  const badge = Math.max(...results.filter((x) => x.path === '/v1/badge').map((x) => x.r.rps));
  const metricsP99 = results.find((x) => x.path === '/metrics' && x.mode === 'latency')!.r.p99;
  console.log(`\ngoal: /v1/badge >= 5000 req/s on one core: ${fmt(badge, 0)} req/s ${badge >= 5000 ? 'MET' : 'NOT MET'}`);
  console.log(`goal: /metrics p99 < 10 ms with 20 nodes and 200 services: ${fmt(metricsP99, 2)} ms ${metricsP99 < 10 ? 'MET' : 'NOT MET'}`);
  await node.stop();
}

function fmt(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

async function load(job: LoadJob): Promise<LoadResult> {
  return useWrk ? wrk(job) : workerLoad(job);
}

function wrk(job: LoadJob): Promise<LoadResult> {
  // Asynchronous: this process's event loop is the server under test.
  return new Promise((resolve, reject) => {
    execFile(WRK, ['-t1', `-c${job.connections}`, `-d${job.seconds}s`, '--latency', job.url], (err, stdout) => {
      if (err) return reject(err);
      resolve(parseWrk(stdout, job.seconds));
    });
  });
}

function parseWrk(out: string, seconds: number): LoadResult {
  const unit = (v: string, u: string) => Number(v) * (u === 'us' ? 0.001 : u === 's' ? 1000 : 1);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    return m ? unit(m[1]!, m[2]!) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { tool: 'wrk', requests, seconds, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), p50: pct('50'), p99: pct('99'), errors };
}

function workerLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOAD_LOOP, { eval: true, workerData: job });
    w.once('error', reject);
    w.once('message', (m: { latencies: number[]; errors: number; seconds: number }) => {
      const s = [...m.latencies].sort((a, b) => a - b);
      const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
      resolve({ tool: 'worker', requests: s.length, seconds: m.seconds, rps: s.length / m.seconds, p50: at(50), p99: at(99), errors: m.errors });
      void w.terminate();
    });
  });
}
