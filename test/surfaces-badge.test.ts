// /v1/badge: well-formed SVG (checked by a strict XML reader below), right counts and colours,
// caching headers, validation, and a hostile node name that stays text.
import test from 'ava';
import { clusterHealth } from '../src/metrics/health.js';
import { BadgeCache, BADGE_STYLES, healthText } from '../src/http/pages/badge.js';
import { startCluster, waitFor } from './helpers/surfaces-cluster.js';
import { startTestNode } from './helpers/node.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
// XML 1.0 Char production (BMP part; astral characters arrive as valid surrogate pairs).
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw "<" in ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`unterminated entity in ${where}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
    if (!m) throw new Error(`unknown entity &${ref}; in ${where}`);
    const cp = m[1] ? parseInt(m[1], 16) : Number(m[2]);
    const ch = String.fromCodePoint(cp);
    if (BAD_CHAR.test(ch)) throw new Error(`character reference to a forbidden character in ${where}`);
    return ch;
  });
}

/** A strict, small XML reader: one root, balanced tags, quoted unique attributes, valid entities,
 *  no forbidden characters. Throws on anything a real XML parser would reject in an SVG badge. */
function parseXml(text: string): XmlElement {
  if (BAD_CHAR.test(text)) throw new Error('forbidden character');
  let i = 0;
  const s = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < s.length) {
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (s.startsWith('</', i)) {
      const m = NAME.exec(s.slice(i + 2));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const close = s.indexOf('>', i);
      if (s.slice(i + 2 + m[0].length, close).trim() !== '') throw new Error(`junk in end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`mismatched </${m[0]}> at ${i}`);
      i = close + 1;
      if (stack.length === 0) {
        if (s.slice(i).trim() !== '') throw new Error('content after the root element');
        return open;
      }
    } else if (s[i] === '<') {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) throw new Error(`bad start tag at ${i}`);
      const el: XmlElement = { name: m[0], attrs: {}, children: [] };
      i += 1 + m[0].length;
      for (;;) {
        const ws = /^\s*/.exec(s.slice(i))![0];
        i += ws.length;
        if (s.startsWith('/>', i) || s[i] === '>') break;
        if (!ws) throw new Error(`attributes must be separated by space at ${i}`);
        const a = /^([A-Za-z_:][A-Za-z0-9_.:-]*)\s*=\s*(["'])/.exec(s.slice(i));
        if (!a) throw new Error(`bad attribute at ${i}`);
        const quote = a[2]!;
        const start = i + a[0].length;
        const end = s.indexOf(quote, start);
        if (end < 0) throw new Error('unterminated attribute value');
        if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
        el.attrs[a[1]!] = decode(s.slice(start, end), `attribute ${a[1]}`);
        i = end + 1;
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('second root element');
      else root = el;
      if (s.startsWith('/>', i)) {
        i += 2;
        if (stack.length === 0) {
          if (s.slice(i).trim() !== '') throw new Error('content after the root element');
          return el;
        }
      } else {
        i += 1;
        stack.push(el);
      }
    } else {
      const next = s.indexOf('<', i);
      const raw = s.slice(i, next < 0 ? s.length : next);
      if (!stack.length) {
        if (raw.trim()) throw new Error('text outside the root element');
      } else {
        stack[stack.length - 1]!.children.push(decode(raw, 'text'));
      }
      i = next < 0 ? s.length : next;
    }
  }
  throw new Error('unclosed elements at the end');
}

function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

function find(el: XmlElement, name: string): XmlElement | null {
  if (el.name === name) return el;
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    const f = find(c, name);
    if (f) return f;
  }
  return null;
}

/** The message side's colour: badge-maker draws the label then the message as `rect` fills. */
function messageFill(svg: XmlElement): string {
  const rects: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === 'rect' && e.attrs.fill && !e.attrs.fill.startsWith('url(')) rects.push(e);
    e.children.forEach((c) => typeof c !== 'string' && walk(c));
  };
  walk(svg);
  return rects[rects.length - 1]!.attrs.fill!;
}

// badge-maker 6's brightgreen, orange and red.
const GREEN = '#4b0';
const ORANGE = '#ea7233';
const RED = '#dd4343';

test('the strict XML reader accepts a good document and rejects broken ones', (t) => {
  t.is(textOf(parseXml('<a x="1"><b>&lt;&amp;&#65;</b></a>')), '<&A');
  for (const bad of ['<a><b></a>', '<a>&</a>', '<a>&bogus;</a>', '<a x=1/>', '<a x="<"/>', '<a/><b/>', '<a x="1" x="2"/>', '<a>\u0001</a>', '<a>']) {
    t.throws(() => parseXml(bad), undefined, bad);
  }
});

test('the badge is well-formed SVG that names the node and counts the nodes up, green when all are up', async (t) => {
  const { leader } = await startCluster(t, { dns: false });
  const res = await fetch(`${leader.url}/v1/badge`);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
  t.regex(res.headers.get('cache-control') ?? '', /max-age=(\d|[1-5]\d)(\D|$)/, 'cacheable for under a minute');
  t.regex(res.headers.get('etag') ?? '', /^"[^"]+"$/);
  const svg = parseXml(await res.text());
  t.is(svg.name, 'svg');
  t.is(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
  t.is(textOf(find(svg, 'title')!), 'CocoaSyncer: LuckyCocoa | 2/2 up');
  t.is(messageFill(svg), GREEN);
});

test('a matching If-None-Match gets 304; a failover changes the badge, its colour and its ETag', async (t) => {
  const { leader, follower } = await startCluster(t, { dns: false });
  const first = await fetch(`${leader.url}/v1/badge`);
  const etag = first.headers.get('etag')!;
  await first.arrayBuffer();
  const again = await fetch(`${leader.url}/v1/badge`, { headers: { 'If-None-Match': etag } });
  t.is(again.status, 304);
  t.is(again.headers.get('etag'), etag);
  t.is(await again.text(), '');
  t.is((await fetch(`${leader.url}/v1/badge`, { headers: { 'If-None-Match': `W/${etag}, "other"` } })).status, 304, 'weak comparison, lists');

  await follower.stop();
  await waitFor(() => !leader.heartbeat.live.has(follower.runtime.nodeCode), 10_000, 'the follower to be down');
  const after = await fetch(`${leader.url}/v1/badge`, { headers: { 'If-None-Match': etag } });
  t.is(after.status, 200);
  t.not(after.headers.get('etag'), etag);
  const svg = parseXml(await after.text());
  t.is(textOf(find(svg, 'title')!), 'CocoaSyncer: LuckyCocoa | 1/2 up · 1 down');
  t.is(messageFill(svg), ORANGE, 'some nodes down');
});

test('a follower whose leader is unreachable shows a red badge that says "no leader"', async (t) => {
  const { leader, follower } = await startCluster(t, { dns: false });
  await leader.stop();
  await waitFor(() => !follower.heartbeat.live.has(leader.runtime.nodeCode), 10_000, 'the leader to be down');
  const svg = parseXml(await (await fetch(`${follower.url}/v1/badge`)).text());
  t.is(textOf(find(svg, 'title')!), 'CocoaSyncer: ChinoCafe | 1/2 · no leader');
  t.is(messageFill(svg), RED);
});

test('every documented style renders; a custom label is used; bad style or label gets 400 naming the parameter', async (t) => {
  const node = await startTestNode({ NodeName: 'Solo' });
  t.teardown(() => node.stop());
  for (const style of BADGE_STYLES) {
    const res = await fetch(`${node.url}/v1/badge?style=${style}`);
    t.is(res.status, 200, style);
    const text = await res.text();
    t.notThrows(() => parseXml(text), style);
  }
  const labelled = parseXml(await (await fetch(`${node.url}/v1/badge?label=${encodeURIComponent('DDNS & co')}`)).text());
  t.is(textOf(find(labelled, 'title')!), 'DDNS & co: Solo | 1/1 up');
  t.is((await fetch(`${node.url}/v1/badge?v=123`)).status, 200, 'unknown parameters (cache busters) are ignored');

  const bad: [string, string][] = [
    ['style=neon', 'style'],
    ['style=flat&style=plastic', 'style'],
    ['label=', 'label'],
    [`label=${'x'.repeat(41)}`, 'label'],
    ['label=%01bell', 'label'],
  ];
  for (const [query, field] of bad) {
    const res = await fetch(`${node.url}/v1/badge?${query}`);
    t.is(res.status, 400, query);
    t.regex(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { details: { field: string }[]; message: string };
    t.deepEqual(body.details.map((d) => d.field), [field], query);
    t.true(body.message.startsWith(`${field}:`), query);
  }
});

test('a hostile node name is escaped: the SVG stays well-formed and the name is plain text', async (t) => {
  const hostile = '<script>&"\'</script>\u0007';
  const node = await startTestNode({ NodeName: hostile });
  t.teardown(() => node.stop());
  const text = await (await fetch(`${node.url}/v1/badge`)).text();
  t.false(text.includes('<script'), 'no markup from the name');
  const svg = parseXml(text);
  t.is(find(svg, 'script'), null);
  t.is(textOf(find(svg, 'title')!), 'CocoaSyncer: <script>&"\'</script>\uFFFD | 1/1 up', 'the name reads back exactly, the control character replaced');
  t.true(svg.attrs['aria-label']!.includes('<script>&"\''));
});

test('the badge is rendered once per distinct input, not per request', (t) => {
  const cache = new BadgeCache(4);
  const healthy = clusterHealth([{ nodeCode: 'a', nodeName: 'A', workMode: 'leader', self: true, up: true }]);
  const input = { nodeName: 'A', health: healthy, style: 'flat' as const, label: 'CocoaSyncer' };
  const first = cache.get(input);
  t.is(cache.get({ ...input, health: { ...healthy } }), first, 'same inputs, same rendered object');
  const degraded = cache.get({ ...input, health: { up: 1, total: 2, level: 'degraded' } });
  t.not(degraded.etag, first.etag);
  for (let i = 0; i < 10; i++) cache.get({ ...input, label: `L${i}` });
  t.is(cache.size, 4, 'bounded: labels come from the query string');
});

test('the three health levels read differently without colour: all up, some down, no leader', (t) => {
  const node = (nodeCode: string, workMode: string, up: boolean) => ({ nodeCode, nodeName: nodeCode, workMode, self: nodeCode === 'a', up });
  const healthy = healthText(clusterHealth([node('a', 'leader', true), node('b', 'follower', true), node('c', 'follower', true)]));
  const someDown = healthText(clusterHealth([node('a', 'leader', true), node('b', 'follower', true), node('c', 'follower', false)]));
  const noLeader = healthText(clusterHealth([node('a', 'follower', true), node('b', 'leader', false), node('c', 'follower', true)]));
  t.is(healthy, '3/3 up');
  t.is(someDown, '2/3 up · 1 down');
  t.is(noLeader, '2/3 · no leader');
});
