import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { ownedPairs, ownsPair, planServing, type PlanNode, type ServedSlot } from '../src/cluster/failover.js';
import {
  createLiveness,
  creditStall,
  takeoverConfirmed,
  isPeerLiveForPlanning,
  liveForPlanning,
  observe,
  peerStatus,
  planningLiveSet,
  reportedStatusCode,
  retainPeers,
  statusCode,
  type LivenessState,
} from '../src/cluster/liveness.js';
import { NETWORK_TYPES, LINE_CODES, type IspCode, type NetworkType } from '../src/model.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const T0 = Date.parse('2024-05-01T00:00:00.000Z');
const FAIL = 30_000;

/** Feed a peer a sequence of observations: a number is a fresh watchdog `ms` before `now`
 *  (negative: in the future), null is an unreachable round. One round every 10 s. */
function feed(state: LivenessState, peer: string, rounds: Array<number | null>, start = T0): LivenessState {
  let s = state;
  rounds.forEach((age, i) => {
    const now = start + i * 10_000;
    s = observe(s, peer, age === null ? undefined : iso(now - age), now);
  });
  return s;
}

const at = (round: number): number => T0 + round * 10_000;

// ---- the v1 status code ------------------------------------------------------------------------

test('a peer is up while its watchdog is at most failAfter old, and down (504) one millisecond later', (t) => {
  const s = observe(createLiveness({ failAfterMs: FAIL }), 'B', iso(T0), T0);
  t.is(statusCode(s, 'B', T0 + FAIL), 200);
  t.is(statusCode(s, 'B', T0 + FAIL + 1), 504);
});

test('a peer that stops answering goes down exactly when its last watchdog goes stale, as in v1', (t) => {
  let s = observe(createLiveness({ failAfterMs: FAIL }), 'B', iso(T0), T0);
  s = observe(s, 'B', undefined, T0 + 20_000);
  t.is(statusCode(s, 'B', T0 + 20_000), 200);
  s = observe(s, 'B', undefined, T0 + 40_000);
  t.is(statusCode(s, 'B', T0 + 40_000), 504);
  t.false(isPeerLiveForPlanning(s, 'B', T0 + 40_000));
});

test('the watchdog is the peer’s own refresh time: an old watchdog received now is still down', (t) => {
  const s = observe(createLiveness({ failAfterMs: FAIL }), 'B', iso(T0 - FAIL - 1), T0);
  t.is(statusCode(s, 'B', T0), 504);
});

test('a peer whose clock runs ahead is up, as in v1', (t) => {
  const s = observe(createLiveness({ failAfterMs: FAIL }), 'B', iso(T0 + 3_600_000), T0);
  t.is(statusCode(s, 'B', T0), 200);
});

test('a peer never observed is down, and an unparseable watchdog counts as not reached', (t) => {
  const s = createLiveness({ failAfterMs: FAIL });
  t.is(statusCode(s, 'B', T0), 504);
  t.is(statusCode(observe(s, 'B', 'not a date', T0), 'B', T0), 504);
  const up = observe(s, 'B', iso(T0), T0);
  t.is(statusCode(observe(up, 'B', 'garbage', T0 + 10_000), 'B', T0 + 10_000), 200);
});

// ---- hysteresis ---------------------------------------------------------------------------------

test('a peer seen fresh at first sight is live for planning at once: it was never down', (t) => {
  const s = feed(createLiveness({ failAfterMs: FAIL }), 'B', [0]);
  t.true(isPeerLiveForPlanning(s, 'B', at(0)));
});

const recoveryCases: Array<{ title: string; recoverAfter?: number; rounds: Array<number | null>; live: boolean[] }> = [
  {
    title: 'a down peer is live for planning again only after two consecutive fresh observations (default)',
    rounds: [FAIL + 1, 0, 0, 0],
    live: [false, false, true, true],
  },
  {
    title: 'with recoverAfter 3, it takes three fresh observations',
    recoverAfter: 3,
    rounds: [FAIL + 1, 0, 0, 0],
    live: [false, false, false, true],
  },
  {
    title: 'with recoverAfter 1 there is no hysteresis',
    recoverAfter: 1,
    rounds: [FAIL + 1, 0, 0],
    live: [false, true, true],
  },
  {
    title: 'a stale observation during recovery starts the count again',
    rounds: [FAIL + 1, 0, FAIL + 1, 0, 0],
    live: [false, false, false, false, true],
  },
  {
    title: 'an unreachable round during recovery neither counts nor resets while the watchdog is fresh',
    rounds: [FAIL + 1, 0, null, 0],
    live: [false, false, false, true],
  },
  {
    title: 'a live peer that goes stale is down at once: going down needs no hysteresis beyond failAfter',
    rounds: [0, 0, FAIL + 1, 0, 0],
    live: [true, true, false, false, true],
  },
];

for (const c of recoveryCases) {
  test(c.title, (t) => {
    let s = createLiveness({ failAfterMs: FAIL, recoverAfter: c.recoverAfter });
    const seen = c.rounds.map((age, i) => {
      s = feed(s, 'B', [age], at(i));
      return isPeerLiveForPlanning(s, 'B', at(i));
    });
    t.deepEqual(seen, c.live);
  });
}

test('a recovering peer shows 200 on the wire but is reported 504 to peers until it settles', (t) => {
  let s = feed(createLiveness({ failAfterMs: FAIL }), 'B', [FAIL + 1, 0]);
  t.is(statusCode(s, 'B', at(1)), 200);
  t.is(reportedStatusCode(s, 'B', at(1)), 504);
  t.like(peerStatus(s, 'B', at(1)), { statusCode: 200, liveForPlanning: false, recovering: true, freshStreak: 1 });
  s = feed(s, 'B', [0], at(2));
  t.is(reportedStatusCode(s, 'B', at(2)), 200);
  t.like(peerStatus(s, 'B', at(2)), { recovering: false, liveForPlanning: true });
});

test('a peer whose watchdog went stale between two observations was down in between and must recover', (t) => {
  // Observed fresh, then nothing for 50 s (the heartbeat loop stalled), then fresh again.
  let s = observe(createLiveness({ failAfterMs: FAIL }), 'B', iso(T0), T0);
  s = observe(s, 'B', iso(T0 + 50_000), T0 + 50_000);
  t.false(isPeerLiveForPlanning(s, 'B', T0 + 50_000));
  s = observe(s, 'B', iso(T0 + 60_000), T0 + 60_000);
  t.true(isPeerLiveForPlanning(s, 'B', T0 + 60_000));
});

test('observe returns a new state and leaves the old one alone', (t) => {
  const s0 = createLiveness({ failAfterMs: FAIL });
  const s1 = observe(s0, 'B', iso(T0), T0);
  t.is(s0.peers.size, 0);
  t.is(s1.peers.size, 1);
});

test('retainPeers forgets nodes that left the cluster', (t) => {
  const s = observe(observe(createLiveness({ failAfterMs: FAIL }), 'B', iso(T0), T0), 'C', iso(T0), T0);
  t.deepEqual([...retainPeers(s, ['C', 'D']).peers.keys()], ['C']);
});

test('createLiveness refuses nonsense settings', (t) => {
  t.throws(() => createLiveness({ failAfterMs: 0 }), { instanceOf: RangeError });
  t.throws(() => createLiveness({ failAfterMs: FAIL, recoverAfter: 0 }), { instanceOf: RangeError });
  t.throws(() => createLiveness({ failAfterMs: FAIL, recoverAfter: 1.5 }), { instanceOf: RangeError });
  t.is(createLiveness({ failAfterMs: FAIL }).config.recoverAfter, 2);
});

// ---- the calm-recovery rule about myself --------------------------------------------------------

const views = (entries: Record<string, number | undefined>): Map<string, number | undefined> =>
  new Map(Object.entries(entries));

const selfCases: Array<{
  title: string;
  rounds: Record<string, Array<number | null>>;
  views: Record<string, number | undefined>;
  live: boolean;
}> = [
  { title: 'a single node with no peers is live for planning at cold start', rounds: {}, views: {}, live: true },
  {
    title: 'before the first heartbeat round a node with peers is not live: it would take over everyone',
    rounds: {},
    views: { B: undefined },
    live: false,
  },
  {
    title: 'a recovering node does not plan its lines while a peer it hears reports it 504',
    rounds: { B: [0] },
    views: { B: 504 },
    live: false,
  },
  {
    title: 'a node plans its lines once every peer it hears reports it 200',
    rounds: { B: [0], C: [0] },
    views: { B: 200, C: 200 },
    live: true,
  },
  {
    title: 'one dissenting peer is enough to keep a node out',
    rounds: { B: [0], C: [0] },
    views: { B: 200, C: 504 },
    live: false,
  },
  {
    title: 'a peer that could not be asked this round is not waited for',
    rounds: { B: [0], C: [0] },
    views: { B: 200, C: undefined },
    live: true,
  },
  {
    title: 'a peer I hear as down has no say: all but one dying leaves the survivor live',
    rounds: { B: [null, null, null, null, null], C: [FAIL + 1] },
    views: { B: undefined, C: 504 },
    live: true,
  },
  {
    title: 'a peer never heard, silent for less than the fail-after window, is unknown: I sit out (it may be joining)',
    rounds: { B: [null, null] },
    views: { B: undefined },
    live: false,
  },
  {
    title: 'a node sits out while a peer it hears is still recovering in its own view',
    rounds: { B: [FAIL + 1, 0] },
    views: { B: 200 },
    live: false,
  },
];

for (const c of selfCases) {
  test(c.title, (t) => {
    let s = createLiveness({ failAfterMs: FAIL });
    let last = 0;
    for (const [peer, rounds] of Object.entries(c.rounds)) {
      s = feed(s, peer, rounds);
      last = Math.max(last, rounds.length - 1);
    }
    t.is(liveForPlanning(s, 'A', views(c.views), at(last)), c.live);
  });
}

test('the planning live set holds settled peers, and me only when the calm-recovery rule allows', (t) => {
  let s = createLiveness({ failAfterMs: FAIL });
  s = feed(s, 'B', [0, 0]);
  s = feed(s, 'C', [FAIL + 1, 0]);
  s = feed(s, 'D', [FAIL + 1, FAIL + 1]);
  t.deepEqual([...planningLiveSet(s, 'A', views({ B: 200, C: undefined, D: undefined }), at(1))].sort(), ['A', 'B']);
  t.deepEqual([...planningLiveSet(s, 'A', views({ B: 504, C: undefined, D: undefined }), at(1))].sort(), ['B']);
});

// ---- simulated cluster ----------------------------------------------------------------------------
//
// Each tick every live node, in a shuffled order, refreshes its watchdog, pulls every peer it can
// reach (its watchdog and its reported status for me), computes its plan and writes exactly that
// plan's records. Records start on their first owner. We count, per record, how often its value
// changes, and how many nodes wrote it in each tick.

const HEARTBEAT = 1000;

interface SimEvent {
  tick: number;
  node: string;
  kind: 'crash' | 'revive' | 'disconnect' | 'reconnect';
}

interface SimOptions {
  nodes: PlanNode[];
  failAfterTicks: number;
  recoverAfter: number;
  ticks: number;
  events: SimEvent[];
  seed: number;
  /** What a node tells peers about them: the hysteresis-aware status (default) or the raw one. */
  report?: 'planning' | 'raw';
}

interface SimResult {
  /** Per record, the sequence of nodes whose address it held. */
  history: Map<string, string[]>;
  /** "tick 12 CT/ipv4: A+B" for every tick in which two nodes wrote one record. */
  doubleWrites: string[];
  final: Map<string, string>;
}

function simulate(o: SimOptions): SimResult {
  const codes = o.nodes.map((n) => n.nodeCode);
  const fresh = (): LivenessState => createLiveness({ failAfterMs: o.failAfterTicks * HEARTBEAT, recoverAfter: o.recoverAfter });
  const sim = new Map(
    codes.map((c) => [c, { alive: true, connected: true, state: fresh(), watchDog: 0, plan: [] as ServedSlot[] }]),
  );
  const record = new Map<string, string>();
  const history = new Map<string, string[]>();
  for (const p of ownedPairs(o.nodes)) {
    const owner = o.nodes.find((n) => ownsPair(n, p))!.nodeCode;
    record.set(`${p.line}/${p.family}`, owner);
    history.set(`${p.line}/${p.family}`, [owner]);
  }
  const doubleWrites: string[] = [];
  let rng = o.seed >>> 0 || 1;
  const random = (): number => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return rng / 2 ** 32;
  };

  for (let tick = 0; tick < o.ticks; tick++) {
    const now = tick * HEARTBEAT;
    for (const e of o.events.filter((x) => x.tick === tick)) {
      const n = sim.get(e.node)!;
      if (e.kind === 'crash') Object.assign(n, { alive: false, plan: [] });
      if (e.kind === 'revive') Object.assign(n, { alive: true, state: fresh() }); // a restarted process
      if (e.kind === 'disconnect') n.connected = false; // the site's uplink: process and memory stay
      if (e.kind === 'reconnect') n.connected = true;
    }
    const order = [...codes].sort(() => random() - 0.5);
    const writers = new Map<string, Set<string>>();
    for (const me of order) {
      const n = sim.get(me)!;
      if (!n.alive) continue;
      n.watchDog = now;
      const viewsOfMe = new Map<string, number | undefined>();
      for (const peer of codes) {
        if (peer === me) continue;
        const p = sim.get(peer)!;
        const reachable = p.alive && p.connected && n.connected;
        n.state = observe(n.state, peer, reachable ? iso(p.watchDog) : undefined, now);
        const told = o.report === 'raw' ? statusCode(p.state, me, now) : reportedStatusCode(p.state, me, now);
        viewsOfMe.set(peer, reachable ? told : undefined);
      }
      n.plan = planServing({ nodes: o.nodes, live: planningLiveSet(n.state, me, viewsOfMe, now), me });
      if (!n.connected) continue; // its writes do not reach the DNS provider
      for (const e of n.plan) {
        const key = `${e.line}/${e.family}`;
        writers.set(key, new Set([...(writers.get(key) ?? []), me]));
        if (record.get(key) !== me) {
          record.set(key, me);
          history.get(key)!.push(me);
        }
      }
    }
    for (const [key, who] of writers) if (who.size > 1) doubleWrites.push(`tick ${tick} ${key}: ${[...who].join('+')}`);
  }
  return { history, doubleWrites, final: record };
}

function node(nodeCode: string, isps: IspCode[], networkType: NetworkType = 'IPV4'): PlanNode {
  return { nodeCode, isps, networkType };
}

const three = [node('A', ['CT']), node('B', ['CU'], 'Both'), node('C', ['CMCC'], 'Both')];
const tenNodes = LINE_CODES.map((line, i) => node(`n${i}`, [line], i % 2 ? 'Both' : 'IPV4')).concat([
  node('n6', ['None'], 'Both'),
  node('n7', [], 'IPV6'),
  node('n8', [], 'IPV4'),
  node('n9', ['CT'], 'IPV4'),
]);

const sequences: Array<{ title: string; nodes: PlanNode[]; events: SimEvent[]; moved: Record<string, string[]> }> = [
  {
    title: 'a follower crash and restart moves its records once to the survivor and once back',
    nodes: three,
    events: [
      { tick: 10, node: 'B', kind: 'crash' },
      { tick: 30, node: 'B', kind: 'revive' },
    ],
    moved: { 'CU/ipv4': ['B', 'A', 'B'], 'CU/ipv6': ['B', 'C', 'B'] },
  },
  {
    title: 'the leader crashing and restarting moves its record to the next node and back',
    nodes: three,
    events: [
      { tick: 10, node: 'A', kind: 'crash' },
      { tick: 30, node: 'A', kind: 'revive' },
    ],
    moved: { 'CT/ipv4': ['A', 'B', 'A'] },
  },
  {
    title: 'a site losing its uplink (process still running) gets its records back without a fight',
    nodes: three,
    events: [
      { tick: 10, node: 'A', kind: 'disconnect' },
      { tick: 30, node: 'A', kind: 'reconnect' },
    ],
    moved: { 'CT/ipv4': ['A', 'B', 'A'] },
  },
  {
    title: 'a restart inside failAfter moves nothing',
    nodes: three,
    events: [
      { tick: 10, node: 'B', kind: 'crash' },
      { tick: 12, node: 'B', kind: 'revive' },
    ],
    moved: {},
  },
  {
    title: 'a node flapping during its recovery moves nothing more',
    nodes: three,
    events: [
      { tick: 10, node: 'B', kind: 'crash' },
      { tick: 30, node: 'B', kind: 'revive' },
      { tick: 31, node: 'B', kind: 'crash' },
      { tick: 32, node: 'B', kind: 'revive' },
    ],
    moved: { 'CU/ipv4': ['B', 'A', 'B'], 'CU/ipv6': ['B', 'C', 'B'] },
  },
  {
    title: 'with ten nodes, the first node crashing hands its record to the next IPv4 node and gets it back',
    nodes: tenNodes,
    events: [
      { tick: 10, node: 'n0', kind: 'crash' },
      { tick: 30, node: 'n0', kind: 'revive' },
    ],
    moved: { 'default/ipv4': ['n0', 'n1', 'n0'] },
  },
  {
    title: 'with ten nodes, a Both node losing its uplink hands its A record to the co-owner and its AAAA record to the first IPv6 node',
    nodes: tenNodes,
    events: [
      { tick: 10, node: 'n1', kind: 'disconnect' },
      { tick: 30, node: 'n1', kind: 'reconnect' },
    ],
    moved: { 'CT/ipv4': ['n1', 'n9', 'n1'], 'CT/ipv6': ['n1', 'n3', 'n1'] },
  },
];

for (const c of sequences) {
  test(c.title, (t) => {
    const r = simulate({ nodes: c.nodes, failAfterTicks: 4, recoverAfter: 2, ticks: 50, events: c.events, seed: 7 });
    t.deepEqual(r.doubleWrites, []);
    const moved = Object.fromEntries([...r.history].filter(([, h]) => h.length > 1));
    t.deepEqual(moved, c.moved);
  });
}

test('peers reporting the hysteresis-aware status keep a node that dies again just after returning from moving records; the raw status does not', (t) => {
  const run = (report: 'planning' | 'raw') =>
    simulate({
      nodes: three,
      failAfterTicks: 4,
      recoverAfter: 3,
      ticks: 80,
      seed: 1,
      report,
      events: [
        { tick: 10, node: 'B', kind: 'crash' },
        { tick: 30, node: 'B', kind: 'revive' },
        { tick: 32, node: 'B', kind: 'crash' },
        { tick: 50, node: 'B', kind: 'revive' },
      ],
    }).history.get('CU/ipv4');
  t.deepEqual(run('planning'), ['B', 'A', 'B']);
  t.deepEqual(run('raw'), ['B', 'A', 'B', 'A', 'B']);
});

test('all but one node dying leaves the survivor writing every record, and each moves back on return', (t) => {
  const r = simulate({
    nodes: three,
    failAfterTicks: 4,
    recoverAfter: 2,
    ticks: 60,
    seed: 3,
    events: [
      { tick: 10, node: 'A', kind: 'crash' },
      { tick: 10, node: 'B', kind: 'crash' },
      { tick: 40, node: 'A', kind: 'revive' },
      { tick: 40, node: 'B', kind: 'revive' },
    ],
  });
  t.deepEqual(r.doubleWrites, []);
  t.deepEqual(Object.fromEntries(r.history), {
    'CT/ipv4': ['A', 'C', 'A'],
    'CU/ipv4': ['B', 'C', 'B'],
    'CU/ipv6': ['B', 'C', 'B'],
    'CMCC/ipv4': ['C'],
    'CMCC/ipv6': ['C'],
  });
});

// Random clusters, one node failing (crash or lost uplink) at a random time for a random while,
// random step order every tick, random timing settings.
const scenarioArb = fc
  .record({
    specs: fc.array(
      fc.record({
        isps: fc.subarray(['default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea', 'None'] as IspCode[], { maxLength: 3 }),
        networkType: fc.constantFrom(...NETWORK_TYPES),
      }),
      { minLength: 2, maxLength: 6 },
    ),
    victim: fc.nat(),
    kind: fc.constantFrom('crash' as const, 'disconnect' as const),
    start: fc.integer({ min: 3, max: 10 }),
    length: fc.integer({ min: 1, max: 25 }),
    failAfterTicks: fc.integer({ min: 3, max: 6 }),
    recoverAfter: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer(),
  })
  .map((r) => {
    const nodes = r.specs.map((s, i) => node(`n${i}`, s.isps, s.networkType));
    const victim = nodes[r.victim % nodes.length].nodeCode;
    const back = r.kind === 'crash' ? ('revive' as const) : ('reconnect' as const);
    return {
      nodes,
      failAfterTicks: r.failAfterTicks,
      recoverAfter: r.recoverAfter,
      seed: r.seed,
      ticks: r.start + r.length + r.failAfterTicks + r.recoverAfter + 10,
      events: [
        { tick: r.start, node: victim, kind: r.kind },
        { tick: r.start + r.length, node: victim, kind: back },
      ],
    };
  });

test('peers reporting the raw v1 status still never make two writers', (t) => {
  fc.assert(
    fc.property(scenarioArb, (sc) => {
      const r = simulate({ ...sc, report: 'raw' });
      assert.deepEqual(r.doubleWrites, []);
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test('over any single failure and recovery, no record has two writers and each moves at most twice, ending on its owner', (t) => {
  fc.assert(
    fc.property(scenarioArb, (sc) => {
      const r = simulate(sc);
      assert.deepEqual(r.doubleWrites, []);
      for (const [key, h] of r.history) {
        assert.ok(h.length <= 3, `${key} moved ${h.length - 1} times: ${h.join(' -> ')}`);
        assert.equal(r.final.get(key), h[0], `${key} did not return to its owner: ${h.join(' -> ')}`);
      }
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a peer first heard only after failed tries (a follower not yet pushed to) is live at its first fresh answer', (t) => {
  let s = createLiveness({ failAfterMs: FAIL });
  s = observe(s, 'B', undefined, at(0));
  s = observe(s, 'B', iso(at(1)), at(1));
  t.true(isPeerLiveForPlanning(s, 'B', at(1)), 'no recovery wait: it was never seen up and then down');
});

test('quorum: with three voters a takeover needs a majority that sees the owner down, and a peer that still reaches it vetoes', (t) => {
  const voters = ['A', 'B', 'C'];
  // Only A <-> B is cut: C still reports B up, so A holds B's lines.
  t.false(takeoverConfirmed(voters, 'A', 'B', new Map([['C', new Map([['B', 200]])]])));
  // B is really gone: C sees it down too (2 of 3).
  t.true(takeoverConfirmed(voters, 'A', 'B', new Map([['C', new Map([['B', 504]])]])));
  // A hears nobody: 1 of 3 is no majority; it takes over nothing.
  t.false(takeoverConfirmed(voters, 'A', 'B', new Map()));
  // Two voters: no majority exists; silence is enough.
  t.true(takeoverConfirmed(['A', 'B'], 'A', 'B', new Map()));
  // Five voters: 3 must see it down, and one reaching it vetoes.
  const five = ['A', 'B', 'C', 'D', 'E'];
  t.true(takeoverConfirmed(five, 'A', 'B', new Map([['C', new Map([['B', 504]])], ['D', new Map([['B', 504]])]])));
  t.false(takeoverConfirmed(five, 'A', 'B', new Map([['C', new Map([['B', 504]])], ['D', new Map([['B', 504]])], ['E', new Map([['B', 200]])]])));
  t.false(takeoverConfirmed(five, 'A', 'B', new Map([['C', new Map([['B', 504]])]])));
});

test('a stall of this node\'s own is credited to its peers, not counted as their silence', (t) => {
  let s = createLiveness({ failAfterMs: 2000 });
  s = observe(s, 'B', new Date(10_000).toISOString(), 10_000);
  t.is(statusCode(s, 'B', 13_000), 504);
  s = creditStall(s, 5000);
  t.is(statusCode(s, 'B', 13_000), 200);
});
