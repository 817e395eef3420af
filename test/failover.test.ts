import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import {
  assignPairs,
  canTakeOver,
  ownedPairs,
  ownsPair,
  planAll,
  planAllForService,
  planForService,
  planServing,
  unservedForService,
  unservedPairs,
  type PlanNode,
  type ServedSlot,
} from '../src/cluster/failover.js';
import { ISP_CODES, NETWORK_TYPES, type IspCode, type NetworkType } from '../src/model.js';

function node(nodeCode: string, isps: IspCode[], networkType: NetworkType = 'IPV4'): PlanNode {
  return { nodeCode, isps, networkType };
}

// "CT/v4" for an own pair, "CT/v4<B" for a pair taken over from B.
function show(entries: readonly ServedSlot[]): string[] {
  return entries.map((e) => `${e.line}/${e.family === 'ipv4' ? 'v4' : 'v6'}${e.takeover ? `<${e.owner}` : ''}`);
}

function served(nodes: readonly PlanNode[], live: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [code, entries] of planAll({ nodes, live: new Set(live) })) out[code] = show(entries);
  return out;
}

function unserved(nodes: readonly PlanNode[], live: readonly string[]): string[] {
  return unservedPairs({ nodes, live: new Set(live) }).map((a) => `${a.line}/${a.family === 'ipv4' ? 'v4' : 'v6'}`);
}

// Ten nodes: the six lines on n0..n5 with mixed families, a None node, two spares and a second
// owner of CT.
const ten: PlanNode[] = [
  node('n0', ['default'], 'IPV4'),
  node('n1', ['CT'], 'Both'),
  node('n2', ['CU'], 'IPV4'),
  node('n3', ['CMCC'], 'IPV6'),
  node('n4', ['CNEdu'], 'IPV4'),
  node('n5', ['OverSea'], 'Both'),
  node('n6', ['None'], 'Both'),
  node('n7', [], 'IPV6'),
  node('n8', [], 'IPV4'),
  node('n9', ['CT'], 'IPV4'),
];

const cases: Array<{
  title: string;
  nodes: PlanNode[];
  live: string[];
  served: Record<string, string[]>;
  unserved?: string[];
}> = [
  {
    title: 'two live nodes each serve their own line',
    nodes: [node('A', ['CT']), node('B', ['CU', 'CMCC'])],
    live: ['A', 'B'],
    served: { A: ['CT/v4'], B: ['CU/v4', 'CMCC/v4'] },
  },
  {
    title: 'with two nodes, the survivor takes over the dead follower’s lines',
    nodes: [node('A', ['CT']), node('B', ['CU', 'CMCC'])],
    live: ['A'],
    served: { A: ['CT/v4', 'CU/v4<B', 'CMCC/v4<B'], B: [] },
  },
  {
    title: 'when the leader (first node) dies, the follower takes over its line',
    nodes: [node('A', ['CT']), node('B', ['CU'])],
    live: ['B'],
    served: { A: [], B: ['CT/v4<A', 'CU/v4'] },
  },
  {
    title: 'with three nodes, an orphaned line goes to exactly one live node, the first in cluster order',
    nodes: [node('A', ['CT']), node('B', ['CU']), node('C', ['CMCC'])],
    live: ['B', 'C'],
    served: { A: [], B: ['CT/v4<A', 'CU/v4'], C: ['CMCC/v4'] },
  },
  {
    title: 'with three nodes and all but the last dying, the last serves every line',
    nodes: [node('A', ['CT']), node('B', ['CU']), node('C', ['CMCC'])],
    live: ['C'],
    served: { A: [], B: [], C: ['CT/v4<A', 'CU/v4<B', 'CMCC/v4'] },
  },
  {
    title: 'with ten nodes and half of them dead (the leader too), A orphans go to the first IPv4 node and AAAA orphans to the first IPv6 one',
    nodes: ten,
    live: ['n2', 'n6', 'n7', 'n8', 'n9'],
    served: {
      n0: [],
      n1: [],
      n2: ['default/v4<n0', 'CU/v4', 'CNEdu/v4<n4', 'OverSea/v4<n5'],
      n3: [],
      n4: [],
      n5: [],
      n6: [],
      n7: ['CT/v6<n1', 'CMCC/v6<n3', 'OverSea/v6<n5'],
      n8: [],
      n9: ['CT/v4'],
    },
  },
  {
    title: 'with ten nodes all live, each serves its own lines and spares and the None node serve nothing',
    nodes: ten,
    live: ten.map((n) => n.nodeCode),
    served: {
      n0: ['default/v4'],
      n1: ['CT/v4', 'CT/v6'],
      n2: ['CU/v4'],
      n3: ['CMCC/v6'],
      n4: ['CNEdu/v4'],
      n5: ['OverSea/v4', 'OverSea/v6'],
      n6: [],
      n7: [],
      n8: [],
      n9: [],
    },
  },
  {
    title: 'a None node never serves nor takes over, even as the first live node',
    nodes: [node('L', ['None'], 'Both'), node('A', ['CT']), node('B', ['CU'])],
    live: ['L', 'A'],
    served: { L: [], A: ['CT/v4', 'CU/v4<B'], B: [] },
  },
  {
    title: 'when only a None node is left, every line is unserved',
    nodes: [node('L', ['None'], 'Both'), node('A', ['CT']), node('B', ['CU'])],
    live: ['L'],
    served: { L: [], A: [], B: [] },
    unserved: ['CT/v4', 'CU/v4'],
  },
  {
    title: 'None beside real lines still means the node owns nothing, and its lines are not planned',
    nodes: [node('L', ['None', 'CT'], 'Both'), node('A', ['CU'])],
    live: ['L', 'A'],
    served: { L: [], A: ['CU/v4'] },
  },
  {
    title: 'an IPv6-only node owns only the AAAA pair and cannot stand in for an IPv4 line',
    nodes: [node('A', ['CT'], 'IPV4'), node('B', ['CU'], 'IPV6')],
    live: ['B'],
    served: { A: [], B: ['CU/v6'] },
    unserved: ['CT/v4'],
  },
  {
    title: 'a Both node owns both families of its line and its pairs go to whoever covers each family',
    nodes: [node('A', ['CT'], 'Both'), node('B', ['CU'], 'IPV4'), node('C', ['CMCC'], 'IPV6')],
    live: ['B', 'C'],
    served: { A: [], B: ['CT/v4<A', 'CU/v4'], C: ['CT/v6<A', 'CMCC/v6'] },
  },
  {
    title: 'a Both node takes over both an A and an AAAA orphan',
    nodes: [node('A', ['CT'], 'IPV4'), node('B', ['CU'], 'IPV6'), node('C', ['CMCC'], 'Both')],
    live: ['C'],
    served: { A: [], B: [], C: ['CT/v4<A', 'CU/v6<B', 'CMCC/v4', 'CMCC/v6'] },
  },
  {
    title: 'a line listed on two nodes is served by the first live owner only, as its own line',
    nodes: [node('A', ['CT']), node('B', ['CT', 'CU'])],
    live: ['A', 'B'],
    served: { A: ['CT/v4'], B: ['CU/v4'] },
  },
  {
    title: 'when the first of two owners dies, the second serves the line as its own, not as a takeover',
    nodes: [node('C', ['CMCC']), node('A', ['CT']), node('B', ['CT'])],
    live: ['C', 'B'],
    served: { C: ['CMCC/v4'], A: [], B: ['CT/v4'] },
  },
  {
    title: 'a takeover names the first owner in cluster order when every owner is dead',
    nodes: [node('S', []), node('A', ['CT']), node('B', ['CT'])],
    live: ['S'],
    served: { S: ['CT/v4<A'], A: [], B: [] },
  },
  {
    title: 'a node with no lines is a spare: it owns nothing but stands in first when it comes first',
    nodes: [node('S', [], 'Both'), node('A', ['CT']), node('B', ['CU'])],
    live: ['S', 'B'],
    served: { S: ['CT/v4<A'], A: [], B: ['CU/v4'] },
  },
  {
    title: 'with nobody live, every owned pair is unserved',
    nodes: [node('A', ['CT']), node('B', ['CU'], 'Both')],
    live: [],
    served: { A: [], B: [] },
    unserved: ['CT/v4', 'CU/v4', 'CU/v6'],
  },
  {
    title: 'live codes that name no node are ignored',
    nodes: [node('A', ['CT']), node('B', ['CU'])],
    live: ['Z', 'B'],
    served: { A: [], B: ['CT/v4<A', 'CU/v4'] },
  },
];

for (const c of cases) {
  test(c.title, (t) => {
    t.deepEqual(served(c.nodes, c.live), c.served);
    t.deepEqual(unserved(c.nodes, c.live), c.unserved ?? []);
  });
}

test('planServing gives each node exactly its share of planAll', (t) => {
  const nodes = [node('A', ['CT'], 'Both'), node('B', ['CU']), node('C', ['CMCC'], 'IPV6')];
  const live = new Set(['B', 'C']);
  const all = planAll({ nodes, live });
  for (const n of nodes) t.deepEqual(planServing({ nodes, live, me: n.nodeCode }), all.get(n.nodeCode));
});

test('a node that is not live plans nothing, even for its own lines', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU'])];
  t.deepEqual(planServing({ nodes, live: new Set(['B']), me: 'A' }), []);
});

test('a node that is not in the list plans nothing', (t) => {
  const nodes = [node('A', ['CT'])];
  t.deepEqual(planServing({ nodes, live: new Set(['A', 'X']), me: 'X' }), []);
});

test('lines nobody lists are never planned', (t) => {
  const nodes = [node('A', ['CT']), node('B', [], 'Both')];
  t.deepEqual(
    ownedPairs(nodes).map((p) => `${p.line}/${p.family}`),
    ['CT/ipv4'],
  );
  t.deepEqual(served(nodes, ['B']), { A: [], B: ['CT/v4<A'] });
});

test('a node code listed twice counts once, at its first position', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU']), node('A', ['CMCC'])];
  t.deepEqual(served(nodes, ['A', 'B']), { A: ['CT/v4'], B: ['CU/v4'] });
});

test('assignPairs reports owners, server and takeover for every owned pair', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CT', 'CU'], 'IPV6')];
  t.deepEqual(assignPairs({ nodes, live: new Set(['B']) }), [
    { line: 'CT', family: 'ipv4', owners: ['A'], servedBy: null, takeover: false },
    { line: 'CT', family: 'ipv6', owners: ['B'], servedBy: 'B', takeover: false },
    { line: 'CU', family: 'ipv6', owners: ['B'], servedBy: 'B', takeover: false },
  ]);
});

test('a service served by a subset is planned among those nodes only', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU']), node('C', ['CMCC'])];
  const live = new Set(['A', 'C']);
  // A is live but outside the service: it neither serves nor stands in; C takes B's line.
  t.deepEqual(show(planForService(nodes, ['B', 'C'], live, 'A')), []);
  t.deepEqual(show(planForService(nodes, ['B', 'C'], live, 'C')), ['CU/v4<B', 'CMCC/v4']);
  t.deepEqual([...planAllForService(nodes, ['B', 'C'], live).keys()], ['B', 'C']);
  // CT is only A's line, and A does not serve this service: not planned at all.
  t.deepEqual(unservedForService(nodes, ['B', 'C'], new Set()).map((a) => a.line), ['CU', 'CMCC']);
});

test('a service with an empty node list is served by every node', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU'])];
  const live = new Set(['A']);
  t.deepEqual(show(planForService(nodes, [], live, 'A')), ['CT/v4', 'CU/v4<B']);
});

test('a service’s node list does not reorder the cluster: cluster order still breaks ties', (t) => {
  const nodes = [node('A', []), node('B', []), node('C', ['CT'])];
  t.deepEqual(show(planForService(nodes, ['B', 'A', 'C'], new Set(['A', 'B']), 'A')), ['CT/v4<C']);
});

test('planning does not mutate its inputs', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU'])];
  const live = new Set(['A']);
  const copy = structuredClone(nodes);
  planAll({ nodes, live });
  t.deepEqual(nodes, copy);
  t.deepEqual([...live], ['A']);
});

// ---- properties over random clusters ---------------------------------------------------------

const clusterArb = fc
  .array(
    fc.record({
      isps: fc.subarray([...ISP_CODES]),
      networkType: fc.constantFrom(...NETWORK_TYPES),
      live: fc.boolean(),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .map((specs) => ({
    nodes: specs.map((s, i) => node(`n${i}`, s.isps, s.networkType)),
    live: specs.flatMap((s, i) => (s.live ? [`n${i}`] : [])),
  }));

const key = (e: { line: string; family: string }): string => `${e.line}/${e.family}`;

test('every owned pair with an eligible live node is served by exactly one node across all views', (t) => {
  fc.assert(
    fc.property(clusterArb, ({ nodes, live }) => {
      const liveSet = new Set(live);
      const servers = new Map<string, string[]>();
      for (const n of nodes) {
        for (const e of planServing({ nodes, live: liveSet, me: n.nodeCode })) {
          servers.set(key(e), [...(servers.get(key(e)) ?? []), n.nodeCode]);
        }
      }
      const unservedKeys = new Set(unservedPairs({ nodes, live: liveSet }).map(key));
      for (const pair of ownedPairs(nodes)) {
        const eligible = nodes.some(
          (n) => liveSet.has(n.nodeCode) && (ownsPair(n, pair) || canTakeOver(n, pair.family)),
        );
        const by = servers.get(key(pair)) ?? [];
        if (eligible) {
          if (by.length !== 1 || unservedKeys.has(key(pair))) return false;
        } else if (by.length !== 0 || !unservedKeys.has(key(pair))) {
          return false;
        }
      }
      // Nothing served that nobody owns.
      const owned = new Set(ownedPairs(nodes).map(key));
      return [...servers.keys()].every((k) => owned.has(k));
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a live owner that is the first live owner always serves its own pair, never as a takeover', (t) => {
  fc.assert(
    fc.property(clusterArb, ({ nodes, live }) => {
      const liveSet = new Set(live);
      for (const pair of ownedPairs(nodes)) {
        const first = nodes.find((n) => liveSet.has(n.nodeCode) && ownsPair(n, pair));
        if (!first) continue;
        const mine = planServing({ nodes, live: liveSet, me: first.nodeCode });
        if (!mine.some((e) => key(e) === key(pair) && !e.takeover && e.owner === first.nodeCode)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('every served pair goes to a live, non-None node covering its family; a takeover to the first such', (t) => {
  fc.assert(
    fc.property(clusterArb, ({ nodes, live }) => {
      const liveSet = new Set(live);
      for (const [code, entries] of planAll({ nodes, live: liveSet })) {
        const n = nodes.find((x) => x.nodeCode === code)!;
        for (const e of entries) {
          if (!liveSet.has(code) || !canTakeOver(n, e.family)) return false;
          if (e.takeover !== !ownsPair(n, e)) return false;
          if (e.takeover) {
            const firstEligible = nodes.find((x) => liveSet.has(x.nodeCode) && canTakeOver(x, e.family));
            if (firstEligible?.nodeCode !== code) return false;
            const owner = nodes.find((x) => x.nodeCode === e.owner);
            if (!owner || !ownsPair(owner, e) || liveSet.has(e.owner)) return false;
          } else if (e.owner !== code) {
            return false;
          }
        }
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('every node computes the same partition whatever order it learnt who is live in', (t) => {
  fc.assert(
    fc.property(
      clusterArb.chain((c) =>
        fc.tuple(fc.constant(c), fc.shuffledSubarray(c.live, { minLength: c.live.length, maxLength: c.live.length })),
      ),
      ([{ nodes, live }, shuffled]) => {
        const one = planAll({ nodes, live: new Set(live) });
        const two = planAll({ nodes: structuredClone(nodes), live: new Set(shuffled) });
        const perMe = new Map(
          nodes.map((n) => [n.nodeCode, planServing({ nodes, live: new Set(shuffled), me: n.nodeCode })]),
        );
        assert.deepStrictEqual(two, one);
        assert.deepStrictEqual(perMe, one);
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
