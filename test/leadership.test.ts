import test from 'ava';
import { compareClaims, decideOnRefusal, decidePush, nextTerm, shouldStepDown, type IncomingPush, type LocalView } from '../src/cluster/leadership.js';

const order = ['A', 'B', 'C'];
const follower = (leader: string | null, term: number, version: number, joined = true): LocalView => ({ me: 'B', role: 'follower', claim: { leader, term, version }, joined, order });
const leader = (term: number, version: number): LocalView => ({ me: 'B', role: 'leader', claim: { leader: 'B', term, version }, joined: true, order });
const push = (from: string | undefined, leaderCode: string | null, term: number | undefined, version: number, extra: Partial<IncomingPush> = {}): IncomingPush => ({
  from,
  claim: { leader: leaderCode, term, version },
  versioned: true,
  listsMe: true,
  ...extra,
});

test('claims order by term, then version, then cluster order', (t) => {
  t.true(compareClaims({ leader: 'C', term: 2, version: 1 }, { leader: 'A', term: 1, version: 99 }, order) > 0);
  t.true(compareClaims({ leader: 'C', term: 1, version: 5 }, { leader: 'A', term: 1, version: 4 }, order) > 0);
  t.true(compareClaims({ leader: 'A', term: 1, version: 5 }, { leader: 'C', term: 1, version: 5 }, order) > 0);
  t.is(compareClaims({ leader: 'A', term: 1, version: 5 }, { leader: 'A', term: 1, version: 5 }, order), 0);
  t.true(compareClaims({ leader: 'A', term: 1, version: 5 }, { leader: null, term: 1, version: 5 }, order) > 0);
});

const pushTable: [string, LocalView, IncomingPush, ReturnType<typeof decidePush>][] = [
  ['a follower takes its leader\'s newer version', follower('A', 1, 5), push('A', 'A', 1, 6), { accept: true, stepDown: false }],
  ['a follower refuses a stale version of its leader', follower('A', 1, 5), push('A', 'A', 1, 4), { accept: false, reason: 'stale' }],
  ['a push that does not list the receiver is refused', follower('A', 1, 5), push('A', 'A', 1, 6, { listsMe: false }), { accept: false, reason: 'excludes-self' }],
  ['a signed push must come from the leader it names', follower('A', 1, 5), push('C', 'A', 1, 6), { accept: false, reason: 'not-leader' }],
  ['an older term is refused however new its version', follower('C', 2, 3), push('A', 'A', 1, 50), { accept: false, reason: 'older-term' }],
  ['a newer term is taken from another node (a promotion)', follower('A', 1, 9), push('C', 'C', 2, 3), { accept: true, stepDown: false }],
  ['a leader takes a newer term and steps down', leader(1, 9), push('C', 'C', 2, 3), { accept: true, stepDown: true }],
  ['a leader refuses a rival of the same term with the weaker claim', leader(1, 9), push('C', 'C', 1, 8), { accept: false, reason: 'is-leader' }],
  ['a leader yields to a rival of the same term with the stronger claim', leader(1, 9), push('C', 'C', 1, 10), { accept: true, stepDown: true }],
  ['a follower refuses a rival of its leader in the same term with the weaker claim', follower('A', 1, 9), push('C', 'C', 1, 9), { accept: false, reason: 'not-leader' }],
  ['a node not yet joined takes its first push', follower(null, 0, 0, false), push('A', 'A', 0, 3), { accept: true, stepDown: false }],
  ['a node that left a cluster of term 5 joins another of term 0', follower(null, 5, 20, false), push('Q', 'Q', 0, 2), { accept: true, stepDown: false }],
  ['a v1 push (no term) to a leader is refused as the original does', leader(0, 3), push(undefined, 'A', undefined, 4, { versioned: false }), { accept: false, reason: 'is-leader' }],
  ['a v1 push to a follower is taken', follower('A', 0, 3), push(undefined, 'A', undefined, 4, { versioned: false }), { accept: true, stepDown: false }],
];

for (const [title, local, incoming, expected] of pushTable) {
  test(`push: ${title}`, (t) => {
    t.deepEqual(decidePush(local, incoming), expected);
  });
}

test('a leader steps down when a follower refuses its push for a newer term; bumps past its own restored version; else retries', (t) => {
  t.is(decideOnRefusal({ leader: 'A', term: 1, version: 9 }, 'A', { leader: 'C', term: 2, version: 3 }, order), 'step-down');
  t.is(decideOnRefusal({ leader: 'A', term: 1, version: 9 }, 'A', { leader: 'A', term: 1, version: 12 }, order), 'bump-version');
  t.is(decideOnRefusal({ leader: 'A', term: 2, version: 9 }, 'A', { leader: 'C', term: 1, version: 30 }, order), 'retry');
});

test('two leaders that hear each other: exactly one steps down', (t) => {
  const a = { leader: 'A', term: 3, version: 20 };
  const c = { leader: 'C', term: 4, version: 2 };
  t.false(shouldStepDown('leader', c, 'C', a, order));
  t.true(shouldStepDown('leader', a, 'A', c, order));
  // Same term and version: cluster order decides, the same way on both nodes.
  const a2 = { leader: 'A', term: 4, version: 2 };
  t.not(shouldStepDown('leader', a2, 'A', c, order), shouldStepDown('leader', c, 'C', a2, order));
  t.false(shouldStepDown('follower', a, 'A', c, order));
});

test('a promotion starts a term above every term known', (t) => {
  t.is(nextTerm(0), 1);
  t.is(nextTerm(3, 5, 1), 6);
});
