import test from 'ava';
import { decideStandIn, recordStandInWrite, standInKey, type StandInMemory, type StandInRow } from '../src/dns/stand-in.js';

const key = standInKey('web', 'www.example.com', 'A', 'CU');
const row = (current: string | null, desired = '198.51.100.2'): StandInRow => ({ key, owner: 'B', current, desired });
const none = new Set<string>();

test('a stand-in writes a silent owner\'s record once, then finds it rewritten by the owner and yields for good', (t) => {
  let memory: StandInMemory = new Map();
  // Partition: B looks dead. The record holds B's address; the stand-in may write.
  let d = decideStandIn(memory, [row('203.0.113.9')], none);
  t.true(d.allowed.has(key));
  memory = recordStandInWrite(d.memory, key, 'B', '198.51.100.2');
  // B is alive on the other side and writes its own address back.
  d = decideStandIn(memory, [row('203.0.113.9')], none);
  t.false(d.allowed.has(key));
  t.deepEqual(d.yielded.map((y) => y.current), ['203.0.113.9']);
  memory = d.memory;
  // However long the partition lasts, the stand-in never writes that record again.
  for (let i = 0; i < 10; i++) {
    d = decideStandIn(memory, [row('203.0.113.9')], none);
    t.false(d.allowed.has(key));
    memory = d.memory;
  }
});

test('hearing the owner again ends the episode: a later failure starts a new takeover', (t) => {
  let memory: StandInMemory = new Map([[key, { owner: 'B', wrote: '198.51.100.2', yielded: true }]]);
  let d = decideStandIn(memory, [], new Set(['B']));
  t.is(d.memory.size, 0);
  memory = d.memory;
  d = decideStandIn(memory, [row('203.0.113.9')], none);
  t.true(d.allowed.has(key));
});

test('a stand-in whose own address changes rewrites the record it holds (its own value, not someone else\'s)', (t) => {
  let memory: StandInMemory = recordStandInWrite(new Map(), key, 'B', '198.51.100.2');
  const d = decideStandIn(memory, [row('198.51.100.2', '198.51.100.3')], none);
  t.true(d.allowed.has(key));
  memory = recordStandInWrite(d.memory, key, 'B', '198.51.100.3');
  t.is(memory.get(key)?.wrote, '198.51.100.3');
});

test('a record already holding this node\'s value is kept and watched from then on', (t) => {
  let d = decideStandIn(new Map(), [row('198.51.100.2')], none);
  t.true(d.allowed.has(key));
  t.is(d.memory.get(key)?.wrote, '198.51.100.2');
  d = decideStandIn(d.memory, [row('192.0.2.77')], none);
  t.false(d.allowed.has(key));
  t.is(d.yielded.length, 1);
});

test('a missing record may be created once; episodes of other owners are kept', (t) => {
  const other = standInKey('web', 'www.example.com', 'A', 'CT');
  const memory: StandInMemory = new Map([[other, { owner: 'C', wrote: '198.51.100.2', yielded: false }]]);
  const d = decideStandIn(memory, [row(null)], new Set(['B']));
  t.true(d.allowed.has(key));
  t.true(d.memory.has(other));
});
