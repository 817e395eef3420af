import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { assignPairs, ownedPairs } from '../src/cluster/failover.js';
import { handOffOnQuit } from '../src/cluster/handoff.js';
import { ISP_CODES, NETWORK_TYPES, type ClusterNode, type IspCode, type NetworkType } from '../src/model.js';

function node(nodeCode: string, isps: IspCode[], networkType: NetworkType = 'IPV4'): ClusterNode {
  return {
    nodeCode,
    nodeName: `node ${nodeCode}`,
    nodeAddress: `http://127.0.0.1:80${nodeCode.length}`,
    workMode: nodeCode === 'A' ? 'leader' : 'follower',
    secret: `secret-${nodeCode}`,
    isps,
    networkType,
    statusCode: 200,
    watchDog: '2024-01-01T00:00:00.000Z',
  };
}

const ispsOf = (nodes: readonly ClusterNode[]): Record<string, IspCode[]> =>
  Object.fromEntries(nodes.map((n) => [n.nodeCode, n.isps]));

const moves = (r: ReturnType<typeof handOffOnQuit>): string[] =>
  r.moves.map((m) => `${m.line}/${m.family}->${m.to}`);

const cases: Array<{
  title: string;
  nodes: ClusterNode[];
  quit: string;
  isps: Record<string, IspCode[]>;
  moves: string[];
  unserved?: string[];
  alreadyOwned?: string[];
  extras?: string[];
}> = [
  {
    title: 'a quitting follower’s line goes to the first remaining node',
    nodes: [node('A', ['CT']), node('B', ['CU']), node('C', ['CMCC'])],
    quit: 'B',
    isps: { A: ['CT', 'CU'], C: ['CMCC'] },
    moves: ['CU/ipv4->A'],
  },
  {
    title: 'a quitting leader’s lines go to the next node in cluster order',
    nodes: [node('A', ['CT', 'OverSea']), node('B', ['CU']), node('C', ['CMCC'])],
    quit: 'A',
    isps: { B: ['CU', 'CT', 'OverSea'], C: ['CMCC'] },
    moves: ['CT/ipv4->B', 'OverSea/ipv4->B'],
  },
  {
    title: 'with two nodes, the survivor takes every line of the quitter',
    nodes: [node('A', ['CT']), node('B', ['CU', 'CMCC'])],
    quit: 'B',
    isps: { A: ['CT', 'CU', 'CMCC'] },
    moves: ['CU/ipv4->A', 'CMCC/ipv4->A'],
  },
  {
    title: 'a None node is never a taker: the line goes past it',
    nodes: [node('L', ['None'], 'Both'), node('A', ['CT']), node('B', ['CU'])],
    quit: 'B',
    isps: { L: ['None'], A: ['CT', 'CU'] },
    moves: ['CU/ipv4->A'],
  },
  {
    title: 'a quitting None node just leaves',
    nodes: [node('L', ['None'], 'Both'), node('A', ['CT'])],
    quit: 'L',
    isps: { A: ['CT'] },
    moves: [],
  },
  {
    title: 'a line another node already lists stays with it and moves nowhere',
    nodes: [node('A', ['CU']), node('B', ['CT']), node('C', ['CT', 'CMCC'])],
    quit: 'C',
    isps: { A: ['CU', 'CMCC'], B: ['CT'] },
    moves: ['CMCC/ipv4->A'],
    alreadyOwned: ['CT/ipv4 by B'],
  },
  {
    title: 'an IPv6 line with only IPv4 nodes left is reported unserved and nobody gains it',
    nodes: [node('A', ['CT'], 'IPV4'), node('B', ['CU'], 'IPV6')],
    quit: 'B',
    isps: { A: ['CT'] },
    moves: [],
    unserved: ['CU/ipv6'],
  },
  {
    title: 'a Both quitter’s families can go to different nodes, and the later one becomes a standby',
    nodes: [node('A', ['CT'], 'IPV4'), node('B', ['CU'], 'Both'), node('Q', ['CMCC'], 'Both')],
    quit: 'Q',
    isps: { A: ['CT', 'CMCC'], B: ['CU', 'CMCC'] },
    moves: ['CMCC/ipv4->A', 'CMCC/ipv6->B'],
    extras: ['B owns CMCC/ipv4 behind A'],
  },
  {
    title: 'an IPv4 line given to a Both node makes it own the AAAA pair too, reported as an extra',
    nodes: [node('A', ['CT'], 'Both'), node('Q', ['CU'], 'IPV4')],
    quit: 'Q',
    isps: { A: ['CT', 'CU'] },
    moves: ['CU/ipv4->A'],
    extras: ['A owns CU/ipv6 first'],
  },
  {
    title: 'a taker that would steal a later node’s pair of the same line is skipped for the next one',
    nodes: [node('A', [], 'Both'), node('B', ['CT'], 'IPV6'), node('C', [], 'IPV4'), node('Q', ['CT'], 'IPV4')],
    quit: 'Q',
    isps: { A: [], B: ['CT'], C: ['CT'] },
    moves: ['CT/ipv4->C'],
  },
  {
    title: 'when every candidate would steal, the pair is unserved rather than stolen',
    nodes: [node('A', [], 'Both'), node('B', ['CT'], 'IPV6'), node('Q', ['CT'], 'IPV4')],
    quit: 'Q',
    isps: { A: [], B: ['CT'] },
    moves: [],
    unserved: ['CT/ipv4'],
  },
  {
    title: 'with ten nodes, each of the quitter’s pairs goes to the first node covering its family',
    nodes: [
      node('n0', ['None'], 'Both'),
      node('n1', ['default'], 'IPV6'),
      node('n2', ['CT'], 'IPV4'),
      node('n3', ['CU'], 'IPV4'),
      node('n4', ['CMCC'], 'IPV6'),
      node('n5', [], 'IPV4'),
      node('n6', [], 'IPV6'),
      node('n7', ['CNEdu'], 'IPV4'),
      node('n8', ['OverSea'], 'IPV4'),
      node('n9', ['OverSea', 'CNEdu'], 'Both'),
    ],
    quit: 'n9',
    isps: {
      n0: ['None'],
      n1: ['default', 'CNEdu', 'OverSea'],
      n2: ['CT'],
      n3: ['CU'],
      n4: ['CMCC'],
      n5: [],
      n6: [],
      n7: ['CNEdu'],
      n8: ['OverSea'],
    },
    moves: ['CNEdu/ipv6->n1', 'OverSea/ipv6->n1'],
    alreadyOwned: ['CNEdu/ipv4 by n7', 'OverSea/ipv4 by n8'],
  },
];

for (const c of cases) {
  test(c.title, (t) => {
    const r = handOffOnQuit(c.nodes, c.quit);
    t.is(r.removed?.nodeCode, c.quit);
    t.deepEqual(ispsOf(r.nodes), c.isps);
    t.deepEqual(moves(r), c.moves);
    t.deepEqual(r.unserved.map((p) => `${p.line}/${p.family}`), c.unserved ?? []);
    t.deepEqual(r.alreadyOwned.map((p) => `${p.line}/${p.family} by ${p.by}`), c.alreadyOwned ?? []);
    t.deepEqual(
      r.extras.map((e) => `${e.node} owns ${e.line}/${e.family} ${e.firstOwner === null ? 'first' : `behind ${e.firstOwner}`}`),
      c.extras ?? [],
    );
  });
}

test('quitting keeps the cluster order and every other field of the remaining nodes', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU']), node('C', ['CMCC'])];
  const r = handOffOnQuit(nodes, 'B');
  t.deepEqual(r.nodes.map((n) => n.nodeCode), ['A', 'C']);
  t.deepEqual({ ...r.nodes[0], isps: nodes[0].isps }, nodes[0]);
  t.is(r.nodes[1], nodes[2], 'an untouched node is passed through as is');
});

test('quitting does not mutate the input nodes', (t) => {
  const nodes = [node('A', ['CT']), node('B', ['CU'])];
  const copy = structuredClone(nodes);
  handOffOnQuit(nodes, 'B');
  t.deepEqual(nodes, copy);
});

test('an unknown quitter changes nothing and says so', (t) => {
  const nodes = [node('A', ['CT'])];
  const r = handOffOnQuit(nodes, 'Z');
  t.is(r.removed, null);
  t.deepEqual(r.nodes, nodes);
  t.deepEqual(r.moves, []);
});

// ---- properties ------------------------------------------------------------------------------

const clusterArb = (networkTypes: readonly NetworkType[]) =>
  fc
    .array(fc.record({ isps: fc.subarray([...ISP_CODES]), networkType: fc.constantFrom(...networkTypes) }), {
      minLength: 1,
      maxLength: 10,
    })
    .chain((specs) =>
      fc.tuple(
        fc.constant(specs.map((s, i) => node(`n${i}`, s.isps, s.networkType))),
        fc.integer({ min: 0, max: specs.length - 1 }),
      ),
    );

const k = (p: { line: string; family: string }): string => `${p.line}/${p.family}`;

test('after a quit no remaining node loses a pair, every move is served by its taker, and nothing is both moved and unserved', (t) => {
  fc.assert(
    fc.property(clusterArb(NETWORK_TYPES), ([nodes, q]) => {
      const quitter = nodes[q];
      const r = handOffOnQuit(nodes, quitter.nodeCode);
      const everyone = (ns: readonly ClusterNode[]) => new Set(ns.map((n) => n.nodeCode));
      const beforeRemaining = nodes.filter((n) => n !== quitter);
      const before = assignPairs({ nodes: beforeRemaining, live: everyone(beforeRemaining) });
      const after = new Map(assignPairs({ nodes: r.nodes, live: everyone(r.nodes) }).map((a) => [k(a), a]));
      // No steal: a pair a remaining node served before is served by the same node after.
      for (const a of before) assert.equal(after.get(k(a))?.servedBy, a.servedBy, `stolen ${k(a)}`);
      for (const m of r.moves) {
        assert.equal(after.get(k(m))?.servedBy, m.to);
        assert.equal(after.get(k(m))?.takeover, false);
      }
      // Each of the quitter's pairs is accounted for exactly once.
      const accounted = [...r.moves, ...r.unserved, ...r.alreadyOwned].map(k).sort();
      assert.deepEqual(accounted, ownedPairs([quitter]).map(k).sort());
      for (const p of r.unserved) assert.equal(after.has(k(p)), false);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('when all nodes share a network type, a quit moves no record: the taker is the node already standing in', (t) => {
  for (const networkType of NETWORK_TYPES) {
    fc.assert(
      fc.property(clusterArb([networkType]), ([nodes, q]) => {
        const quitter = nodes[q];
        const remaining = nodes.filter((n) => n !== quitter);
        // While the quitter was merely down, who stood in for its pairs?
        const whileDown = new Map(
          assignPairs({ nodes, live: new Set(remaining.map((n) => n.nodeCode)) }).map((a) => [k(a), a.servedBy]),
        );
        const r = handOffOnQuit(nodes, quitter.nodeCode);
        for (const m of r.moves) assert.equal(m.to, whileDown.get(k(m)));
        for (const p of r.unserved) assert.equal(whileDown.get(k(p)), null);
      }),
      { numRuns: 300 },
    );
  }
  t.pass();
});
