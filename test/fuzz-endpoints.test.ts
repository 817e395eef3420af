// Hostile input for every endpoint: wrong types, deep nesting, huge strings, unicode, prototype-
// pollution keys, invalid codes. No 5xx, no crash, and a rejected input changes nothing.
// Generated addresses are loopback only: a fuzzed join or node edit must never send traffic elsewhere.
import test from 'ava';
import fc from 'fast-check';
import { requestTarget, signRequest } from '../src/security/index.js';
import { startTestNode } from './helpers/node.js';
import type { RunningNode } from '../src/server.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 700);
const counts: Record<string, number> = {};

function snapshot(node: RunningNode): string {
  const s = node.runtime.state;
  return JSON.stringify({ v: s.version, services: s.services, accounts: s.cloudAccounts, nodes: s.nodes.map(({ statusCode: _s, watchDog: _w, ...n }) => n), mode: node.runtime.workMode });
}

async function send(node: RunningNode, method: string, path: string, body: string | undefined, opts: { sign?: string; headers?: Record<string, string> } = {}) {
  const url = `${node.url}${path}`;
  const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  if (opts.sign) Object.assign(headers, signRequest({ method, path: requestTarget(url), body: body ?? '', secret: opts.sign, keyId: 'cli' }));
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, text };
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', '\u0000', '../../etc/passwd', '<script>alert(1)</script>', 'CT', 'Mars', 'None', 'IPV5', 'Ali', 'DNSPod', '*', '@', 'a'.repeat(300), '💥'.repeat(100)),
  fc.string({ minLength: 2000, maxLength: 20000 }),
);
const loopbackUrl = fc.integer({ min: 1, max: 9 }).map((p) => `http://127.0.0.1:${p}`);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  loopbackUrl,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 5 }),
  fc.array(fc.constantFrom('default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea', 'None', 'Mars'), { maxLength: 8 }),
  fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer()), { maxKeys: 4 }),
  fc.letrec((tie) => ({ deep: fc.oneof({ depthSize: 'small' }, fc.constant(1), fc.tuple(tie('deep')), fc.record({ a: tie('deep') })) })).deep,
);

/** An answer with the places the node's own secret may be answered (v1, V1Compat) cleared. */
function withoutOwnSecret(text: string, ownCode: string): string {
  try {
    const reply = JSON.parse(text) as { cocoaBasic?: { cocoaSecret?: string; otherCocoaSyncer?: { nodeCode: string; cocoaSecret?: string }[] } };
    if (!reply.cocoaBasic) return text;
    delete reply.cocoaBasic.cocoaSecret;
    for (const n of reply.cocoaBasic.otherCocoaSyncer ?? []) if (n.nodeCode === ownCode) delete n.cocoaSecret;
    return JSON.stringify(reply);
  } catch {
    return text;
  }
}

/** A body: objects with the endpoint's field names (so validation runs deep), anything else, or raw text. */
function bodies(fields: string[]): fc.Arbitrary<string> {
  const object = fc
    .record(Object.fromEntries(fields.map((f) => [f, hostileValue])), { requiredKeys: [] })
    .chain((o) => fc.constantFrom(o, { ...o, ['__proto__']: { polluted: true } }, { ...o, constructor: { prototype: { polluted: true } } }));
  return fc.oneof(
    { weight: 6, arbitrary: object.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[]', 'null', '"x"', '{"__proto__":{"polluted":true}}', '{"cocoaBasic":{"__proto__":{"polluted":true}}}', '\u0000', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}') },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
}

interface Target {
  name: string;
  method: string;
  path: fc.Arbitrary<string>;
  fields: string[];
  /** How to authenticate: the node's secret signed (v2), a clear v1 secret in the body, or none. */
  auth: 'signed' | 'v1' | 'none';
  node: 'leader' | 'follower';
}

const seg = fc.oneof(hostileString.map((s) => encodeURIComponent(s.slice(0, 80))), fc.constantFrom('x', 'leader', '%00', '..', '%2e%2e'));

const TARGETS: Target[] = [
  { name: 'POST /v1/getClusterInfo', method: 'POST', path: fc.constant('/v1/getClusterInfo'), fields: ['cocoaSecret', 'cocoaBasic'], auth: 'v1', node: 'follower' },
  { name: 'POST /v1/updateClusterInfo', method: 'POST', path: fc.constant('/v1/updateClusterInfo'), fields: ['cocoaSecret', 'cocoaBasic'], auth: 'v1', node: 'follower' },
  { name: 'POST /v1/updateClusterInfo (signed)', method: 'POST', path: fc.constant('/v1/updateClusterInfo'), fields: ['cocoaBasic'], auth: 'signed', node: 'follower' },
  { name: 'POST /v1/cocoaSyncer/quit', method: 'POST', path: fc.constant('/v1/cocoaSyncer/quit'), fields: ['cocoaSecret'], auth: 'none', node: 'follower' },
  { name: 'POST /v2/admin/join', method: 'POST', path: fc.constant('/v2/admin/join'), fields: ['address', 'secret', 'isps', 'networkType'], auth: 'signed', node: 'leader' },
  { name: 'PATCH /v2/admin/nodes/:code', method: 'PATCH', path: seg.map((s) => `/v2/admin/nodes/${s}`), fields: ['address', 'isps', 'networkType', 'name'], auth: 'signed', node: 'leader' },
  { name: 'DELETE /v2/admin/nodes/:code', method: 'DELETE', path: seg.map((s) => `/v2/admin/nodes/${s}`), fields: [], auth: 'signed', node: 'leader' },
  { name: 'POST /v2/admin/services', method: 'POST', path: fc.constant('/v2/admin/services'), fields: ['name', 'domain', 'record', 'provider', 'nodes', 'allowCreate', 'ttl'], auth: 'signed', node: 'leader' },
  { name: 'DELETE /v2/admin/services/:name', method: 'DELETE', path: seg.map((s) => `/v2/admin/services/${s}`), fields: [], auth: 'signed', node: 'leader' },
  { name: 'POST /v2/admin/accounts', method: 'POST', path: fc.constant('/v2/admin/accounts'), fields: ['provider', 'accessKey', 'accessSecret', 'endpoint'], auth: 'signed', node: 'leader' },
  { name: 'PATCH /v2/admin/accounts/:p/:k', method: 'PATCH', path: fc.tuple(seg, seg).map(([a, b]) => `/v2/admin/accounts/${a}/${b}`), fields: ['accessSecret', 'endpoint'], auth: 'signed', node: 'leader' },
  { name: 'POST /v2/admin/quit', method: 'POST', path: fc.constant('/v2/admin/quit'), fields: ['force'], auth: 'signed', node: 'leader' },
  { name: 'POST /v2/cluster/leave', method: 'POST', path: fc.constant('/v2/cluster/leave'), fields: ['nodeCode'], auth: 'signed', node: 'leader' },
  { name: 'POST /v2/cluster/demote', method: 'POST', path: fc.constant('/v2/cluster/demote'), fields: ['newLeader'], auth: 'signed', node: 'follower' },
  { name: 'GET /v2/admin/dns/log', method: 'GET', path: fc.dictionary(fc.constantFrom('limit', 'x', '__proto__'), hostileString.map((s) => s.slice(0, 50)), { maxKeys: 3 }).map((q) => `/v2/admin/dns/log?${new URLSearchParams(q)}`), fields: [], auth: 'signed', node: 'leader' },
  { name: 'GET pages', method: 'GET', path: fc.tuple(fc.constantFrom('/v1/badge', '/v1/status', '/v1/status.json', '/metrics', '/healthz', '/readyz', '/v1/openapi.json', '/', '/v1'), fc.dictionary(fc.constantFrom('style', 'label', 'x', '__proto__', 'constructor'), hostileString.map((s) => s.slice(0, 200)), { maxKeys: 3 })).map(([p, q]) => `${p}?${new URLSearchParams(q)}`), fields: [], auth: 'none', node: 'leader' },
  { name: 'unknown routes', method: 'POST', path: seg.map((s) => `/v1/${s}`), fields: ['a'], auth: 'none', node: 'follower' },
];

test(`fuzz: ${TARGETS.length} endpoints × ${RUNS} hostile inputs — no 5xx, no crash, rejected inputs change nothing`, async (t) => {
  // `None` nodes serve no line, so nothing a fuzzed service or account says is ever called.
  const common = { ISPs: ['None'], HeartbeatSeconds: 1, FailAfterSeconds: 3 };
  const leader = await startTestNode({ ...common, NodeCode: 'fuzz-leader' });
  const follower = await startTestNode({ ...common, NodeCode: 'fuzz-follower', WorkMode: 'follower', CocoaSecret: 'follower-secret-1', V1Compat: true });
  t.teardown(async () => {
    await leader.stop();
    await follower.stop();
  });
  const secretOf = { leader: 'leader-secret-123', follower: 'follower-secret-1' };
  let total = 0;
  for (const target of TARGETS) {
    const node = target.node === 'leader' ? leader : follower;
    await fc.assert(
      fc.asyncProperty(target.path, bodies(target.fields), fc.boolean(), async (path, rawBody, withSecret) => {
        let body: string | undefined = target.method === 'GET' || target.method === 'DELETE' ? undefined : rawBody;
        if (body !== undefined && target.auth === 'v1' && withSecret) {
          // Put the right secret in, so the input reaches validation and the apply path.
          try {
            const parsed: unknown = JSON.parse(body);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = JSON.stringify({ ...parsed, cocoaSecret: secretOf[target.node] });
          } catch {
            /* not JSON: stays as is */
          }
        }
        const before = snapshot(node);
        const res = await send(node, target.method, path, body, target.auth === 'signed' ? { sign: secretOf[target.node] } : {});
        counts[target.name] = (counts[target.name] ?? 0) + 1;
        if (res.status >= 500 && !(res.status === 503 && path.startsWith('/readyz'))) throw new Error(`${target.name} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
        let business = 200;
        try {
          const parsed = JSON.parse(res.text) as { statusCode?: unknown };
          if (typeof parsed.statusCode === 'number') business = parsed.statusCode;
        } catch {
          /* pages */
        }
        if (res.status >= 400 || business >= 400) {
          if (snapshot(node) !== before) throw new Error(`${target.name} ${path} was refused (${res.status}/${business}) but changed the state`);
        }
        if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype was polluted');
        // The one secret an answer may carry: with V1Compat, a v1 getClusterInfo that proved this
        // node's secret in clear gets it back where the Go program puts it (cocoaBasic.cocoaSecret and
        // the node's own entry), since a Go leader adding the node keeps it from there. Nowhere else.
        const shown = target.name === 'POST /v1/getClusterInfo' ? withoutOwnSecret(res.text, node.runtime.nodeCode) : res.text;
        for (const secret of Object.values(secretOf)) if (shown.includes(secret)) throw new Error(`${target.name} echoed a secret`);
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261121) },
    );
    total += counts[target.name] ?? 0;
  }
  for (const node of [leader, follower]) t.is((await fetch(`${node.url}/v1`)).status, 200, 'still alive');
  t.log(`fuzz cases per endpoint: ${JSON.stringify(counts)}`);
  t.log(`fuzz cases in total: ${total}`);
  t.true(total >= 10_000, `at least 10 000 cases (ran ${total})`);
});
