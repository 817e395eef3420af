// A node under many slow connections, with a small open-file limit: its own trouble is never read
// as its peers' death, and the slow clients cannot starve its heartbeats.
import test from 'ava';
import { connect, type Socket } from 'node:net';
import { until, type ProcNode } from './helpers/cluster.js';
import { moreDnsRuns, partitionWorld, seesUp } from './helpers/partition-world.js';

/** Opens `count` connections that send half a request and then nothing; reopens closed ones until stopped. */
function slowClients(port: number, count: number): { stop(): void; opened: () => number } {
  const sockets = new Set<Socket>();
  let stopped = false;
  let opened = 0;
  const open = () => {
    if (stopped || opened > count * 20) return;
    opened += 1;
    const s = connect(port, '127.0.0.1', () => s.write('GET /v1 HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => {
      sockets.delete(s);
      setTimeout(open, 50).unref();
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
    opened: () => opened,
  };
}

test('300 slow connections against a node limited to 128 open files: no record moves and both nodes keep seeing each other up', async (t) => {
  const w = await partitionWorld(t, [
    { code: 'A', mode: 'leader', isps: ['default'], ipv4: '198.51.100.10', wrap: ['prlimit', '--nofile=128:128'] },
    { code: 'B', mode: 'follower', isps: ['CU'], ipv4: '198.51.100.20' },
  ]);
  const [A, B] = w.nodes as [ProcNode, ProcNode];
  await until(() => w.value('default') === '198.51.100.10' && w.value('CU') === '198.51.100.20', 30_000, 'each line on its owner');
  await until(async () => (await seesUp(A, 'B')) && (await seesUp(B, 'A')), 30_000, 'both up');
  const mark = w.mark();
  const attack = slowClients(A.port, 300);
  t.teardown(() => attack.stop());
  await until(() => attack.opened() >= 300, 30_000, 'the slow clients to connect');
  await moreDnsRuns([A, B], 4, 90_000);
  t.true(await seesUp(A, 'B'));
  t.true(await seesUp(B, 'A'));
  attack.stop();
  t.deepEqual(w.changes('default', mark), []);
  t.deepEqual(w.changes('CU', mark), []);
});

test('a heartbeat that fails for a local reason (EMFILE) is no evidence: a live peer stays live however long it lasts', async (t) => {
  const { Heartbeat } = await import('../src/cluster/heartbeat.js');
  const { PeerError } = await import('../src/cluster/peer-client.js');
  const { silentLogger } = await import('../src/log.js');
  type Runtime = ConstructorParameters<typeof Heartbeat>[0];
  type Client = ConstructorParameters<typeof Heartbeat>[1];
  let now = 1_000_000;
  const node = (code: string, workMode: 'leader' | 'follower') => ({ nodeCode: code, nodeName: code, nodeAddress: `http://${code}`, workMode, secret: 's', isps: ['default' as const], networkType: 'IPV4' as const, statusCode: 200, watchDog: new Date(now).toISOString() });
  let state = { version: 1, term: 0, nodes: [node('A', 'leader'), node('B', 'follower')], services: [], cloudAccounts: [] };
  const runtime = { nodeCode: 'A', workMode: 'leader', get state() { return state; }, updateInMemory: (s: typeof state) => (state = s), stepDown: async () => undefined } as unknown as Runtime;
  let mode: 'ok' | 'local' | 'net' = 'ok';
  let beats = 0;
  const client = {
    clockOffset: () => undefined,
    post: async () => {
      beats += 1;
      if (mode === 'local') throw new PeerError('http://B', 'local', 'this host could not make the request (EMFILE)');
      if (mode === 'net') throw new PeerError('http://B', 'net', 'connection refused');
      return { protocol: 'v2', reply: { statusCode: 200, statusString: 'ok', cocoaBasic: { stateVersion: 1, term: 0, otherCocoaSyncer: [{ nodeCode: 'B', watchDog: `w${beats}`, statusCode: 200, workMode: 'follower' }, { nodeCode: 'A', statusCode: 200, workMode: 'leader' }] } } };
    },
  } as unknown as Client;
  const hb = new Heartbeat(runtime, client, { heartbeatMs: 1000, failAfterMs: 3000, recoverAfter: 2 }, silentLogger(), () => now);
  for (let i = 0; i < 3; i++) {
    await hb.beat();
    now += 1000;
  }
  t.true(hb.live.has('B'));
  mode = 'local';
  for (let i = 0; i < 10; i++) {
    await hb.beat();
    now += 1000;
  }
  t.true(hb.live.has('B'), 'ten seconds of EMFILE did not make B dead');
  t.is(hb.view('B')?.statusCode, 200);
  mode = 'net';
  for (let i = 0; i < 5; i++) {
    await hb.beat();
    now += 1000;
  }
  t.is(hb.view('B')?.statusCode, 504, 'a refused connection is evidence');
});
