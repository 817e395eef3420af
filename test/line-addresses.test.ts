// One address per line (issue 14 part 1): what a node publishes per (line, family), which slots a
// failed detection takes down, and the two-readings rule that keeps one odd reading from moving a line.
import test from 'ava';
import { addressSlotDown, publishedAddress, readPublishedAddresses, type PublishedAddresses } from '../src/cluster/addresses.js';
import type { PlanNode } from '../src/cluster/failover.js';
import { planNodeServing } from '../src/cluster/serving.js';
import { INITIAL_SLOT_READING, publishedOf, stepSlotReading, type SlotReadingState } from '../src/ip/index.js';
import type { IspCode, ManagedService, NetworkType } from '../src/model.js';

const node = (nodeCode: string, isps: IspCode[], networkType: NetworkType = 'IPV4'): PlanNode => ({ nodeCode, isps, networkType });
const a = node('a', ['CT', 'CU']);
const b = node('b', ['CMCC']);

test('a line with its own entry publishes that, any other line the default; null is down, absent is unknown', (t) => {
  const p: PublishedAddresses = { default: { ipv4: '203.0.113.1' }, lines: { CT: { ipv4: '203.0.113.11' }, CU: { ipv4: null } } };
  t.is(publishedAddress(p, 'CT', 'ipv4'), '203.0.113.11');
  t.is(publishedAddress(p, 'CU', 'ipv4'), null);
  t.is(publishedAddress(p, 'CMCC', 'ipv4'), '203.0.113.1');
  t.is(publishedAddress(p, 'CT', 'ipv6'), undefined, 'a family the line has no entry for falls back to the default, which has none');
  t.is(publishedAddress(undefined, 'CT', 'ipv4'), undefined, 'a node that publishes nothing (an original Go peer) is unknown');
});

const table: { name: string; addresses: Record<string, PublishedAddresses | undefined>; nodes?: PlanNode[]; want: string[] }[] = [
  { name: 'every address known: nothing is down', addresses: { a: { default: { ipv4: '203.0.113.1' }, lines: {} }, b: { default: { ipv4: '203.0.113.2' }, lines: {} } }, want: [] },
  { name: 'a line whose own address failed is down for that node alone', addresses: { a: { default: { ipv4: '203.0.113.1' }, lines: { CT: { ipv4: null }, CU: { ipv4: '203.0.113.12' } } } }, want: ['a/CT/ipv4'] },
  {
    name: 'a failed default takes down every line the node owns or could stand in for, but not a line with its own address',
    addresses: { a: { default: { ipv4: null }, lines: { CU: { ipv4: '203.0.113.12' } } } },
    want: ['a/CT/ipv4', 'a/CMCC/ipv4'],
  },
  { name: 'a peer that published nothing is never down (Go peers, not heard yet)', addresses: { a: undefined, b: undefined }, want: [] },
  { name: 'a family the node does not serve gives no verdict', addresses: { b: { default: { ipv6: null }, lines: {} } }, want: [] },
  { name: 'a None node never stands in, so it gets no verdict', nodes: [a, node('n', ['None'])], addresses: { n: { default: { ipv4: null }, lines: {} } }, want: [] },
];
for (const row of table) {
  test(`addressSlotDown: ${row.name}`, (t) => {
    const got = addressSlotDown({ nodes: row.nodes ?? [a, b], addressesOf: (code) => row.addresses[code] });
    t.deepEqual(got.map((d) => `${d.node}/${d.line}/${d.family}`), row.want);
    for (const d of got) t.regex(d.reason, /no IPv4 address for line/);
    t.true(got.every((d) => d.service === undefined), 'an address verdict holds for every service');
  });
}

test('a node whose CT address failed keeps CU; the other node stands in for CT only', (t) => {
  const svc: ManagedService = { serviceName: 'web', nodes: [], domain: 'example.com', record: 'www', platformProvider: 'Ali', allowCreate: false, ttl: 600 };
  const slotDown = addressSlotDown({ nodes: [a, b], addressesOf: (code) => (code === 'a' ? { default: { ipv4: '203.0.113.1' }, lines: { CT: { ipv4: null } } } : undefined) });
  const plan = planNodeServing({ nodes: [a, b], services: [svc], live: new Set(['a', 'b']), me: 'a', stateVersion: 1, slotDown });
  t.deepEqual(plan.byNode.get('a')!.map((s) => s.line), ['CU']);
  t.deepEqual(plan.byNode.get('b')!.map((s) => `${s.line}${s.takeover ? '<' + s.owner : ''}`), ['CT<a', 'CMCC']);
});

test('a peer\'s published addresses are read strictly: unknown lines, wrong families and junk are dropped, never read as down', (t) => {
  t.deepEqual(readPublishedAddresses({ default: { ipv4: '203.0.113.1', ipv6: 'nonsense' }, lines: { CT: { ipv4: null }, XX: { ipv4: null }, CU: { ipv4: '2001:db8::1' } } }), {
    default: { ipv4: '203.0.113.1' },
    lines: { CT: { ipv4: null }, CU: {} },
  });
  t.is(readPublishedAddresses(undefined), undefined);
  t.is(readPublishedAddresses('203.0.113.1'), undefined);
  t.is(readPublishedAddresses({ lines: {} }), undefined);
});

const run = (readings: (string | null)[], from: SlotReadingState = INITIAL_SLOT_READING) => {
  let s = from;
  const seen: (string | null | undefined)[] = [];
  for (const r of readings) {
    s = stepSlotReading(s, r);
    seen.push(publishedOf(s));
  }
  return seen;
};

test('the first address is taken at once; a new one after two equal readings; one odd reading changes nothing', (t) => {
  t.deepEqual(run(['203.0.113.1', '203.0.113.2', '203.0.113.1', '203.0.113.2', '203.0.113.2']), ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2']);
});

test('one failed reading keeps the address; two in a row take the slot down; it comes back after two good readings', (t) => {
  t.deepEqual(run(['203.0.113.1', null, '203.0.113.1', null, null, '203.0.113.1', null, '203.0.113.1', '203.0.113.1']), [
    '203.0.113.1',
    '203.0.113.1',
    '203.0.113.1',
    '203.0.113.1',
    null,
    null,
    null,
    null,
    '203.0.113.1',
  ]);
});

test('a slot that never had an address is unknown after one failure and down after two', (t) => {
  t.deepEqual(run([null, null]), [undefined, null]);
});

test('back from down on a new address takes that address', (t) => {
  t.deepEqual(run(['203.0.113.1', null, null, '203.0.113.9', '203.0.113.9']), ['203.0.113.1', '203.0.113.1', null, null, '203.0.113.9']);
});
