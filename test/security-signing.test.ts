import test from 'ava';
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import {
  NonceCache,
  constantTimeEqual,
  getKeyId,
  isSignedRequest,
  requestTarget,
  signRequest,
  verifyRequest,
  type HeaderRecord,
  type VerifyRequestInput,
} from '../src/security/signing.js';

const SECRET_B = 'node-B-secret-0123456789abcdef';
const SECRET_C = 'node-C-secret-fedcba9876543210';
const NOW = 1_700_000_000_000; // ms
const NONCE = '0123456789abcdef0123456789abcdef';
const BODY = JSON.stringify({ nodeCode: 'A', watchDog: '2024-01-01T00:00:00Z' });

function signed(overrides: Partial<Parameters<typeof signRequest>[0]> = {}) {
  const req = { method: 'POST', path: '/v1/getClusterInfo', body: BODY, secret: SECRET_B, keyId: 'B', now: NOW, ...overrides };
  return { req, headers: signRequest(req) };
}

/** Headers the way Node's http server hands them over: names lower-cased. */
function asIncoming(headers: Record<string, string>): HeaderRecord {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function verify(input: Partial<VerifyRequestInput> & Pick<VerifyRequestInput, 'headers'>) {
  return verifyRequest({
    method: 'POST',
    path: '/v1/getClusterInfo',
    body: BODY,
    secret: SECRET_B,
    now: NOW,
    nonceCache: new NonceCache(),
    ...input,
  });
}

test('signRequest emits the v2 headers with the documented formats', (t) => {
  const { headers } = signed();
  t.deepEqual(Object.keys(headers).sort(), [
    'X-Cocoa-Content-SHA256',
    'X-Cocoa-Key',
    'X-Cocoa-Nonce',
    'X-Cocoa-Signature',
    'X-Cocoa-Timestamp',
    'X-Cocoa-Version',
  ]);
  t.is(headers['X-Cocoa-Version'], '2');
  t.is(headers['X-Cocoa-Key'], 'B');
  t.is(headers['X-Cocoa-Timestamp'], String(NOW / 1000));
  t.regex(headers['X-Cocoa-Nonce']!, /^[0-9a-f]{32}$/);
  t.regex(headers['X-Cocoa-Signature']!, /^[0-9a-f]{64}$/);
  t.is(headers['X-Cocoa-Content-SHA256'], createHash('sha256').update(BODY).digest('hex'));
  t.false(JSON.stringify(headers).includes(SECRET_B));
});

test('the signature is HMAC-SHA256 over the specified canonical string', (t) => {
  const { headers } = signed({ nonce: NONCE, path: '/v1/x?a=1&b=2', method: 'post' });
  const bodyHash = createHash('sha256').update(BODY).digest('hex');
  const canonical = `COCOA-HMAC-SHA256\nPOST\n/v1/x?a=1&b=2\n${NOW / 1000}\n${NONCE}\n${bodyHash}`;
  t.is(headers['X-Cocoa-Signature'], createHmac('sha256', SECRET_B).update(canonical).digest('hex'));
});

test('nonces are fresh per request unless injected', (t) => {
  t.not(signed().headers['X-Cocoa-Nonce'], signed().headers['X-Cocoa-Nonce']);
  t.is(signed({ nonce: NONCE }).headers['X-Cocoa-Nonce'], NONCE);
});

test('a valid request verifies (mixed-case, Node lower-case and fetch Headers)', (t) => {
  const { headers } = signed();
  t.deepEqual(verify({ headers }), { ok: true });
  t.deepEqual(verify({ headers: asIncoming(headers) }), { ok: true });
  t.deepEqual(verify({ headers: new Headers(headers) }), { ok: true });
  t.deepEqual(verify({ headers, body: Buffer.from(BODY) }), { ok: true });
});

test('GET with an empty body verifies, body omitted or empty', (t) => {
  const { headers } = signed({ method: 'GET', path: '/v1/status', body: '' });
  t.deepEqual(verify({ headers, method: 'GET', path: '/v1/status', body: undefined }), { ok: true });
  t.deepEqual(verify({ headers, method: 'get', path: '/v1/status', body: '' }), { ok: true });
});

test('a replayed request (same nonce) is rejected as replay', (t) => {
  const nonceCache = new NonceCache();
  const { headers } = signed();
  t.deepEqual(verify({ headers, nonceCache }), { ok: true });
  t.deepEqual(verify({ headers, nonceCache }), { ok: false, reason: 'replay' });
  t.deepEqual(verify({ headers, nonceCache, now: NOW + 299_000 }), { ok: false, reason: 'replay' });
});

test('a timestamp outside the window either way is stale; the edges are accepted', (t) => {
  const { headers } = signed();
  t.deepEqual(verify({ headers, now: NOW + 301_000 }), { ok: false, reason: 'stale' });
  t.deepEqual(verify({ headers, now: NOW - 301_000 }), { ok: false, reason: 'stale' });
  t.deepEqual(verify({ headers, now: NOW + 300_000 }), { ok: true });
  t.deepEqual(verify({ headers, now: NOW - 300_000 }), { ok: true });
  t.deepEqual(verify({ headers, now: NOW + 31_000, windowSeconds: 30 }), { ok: false, reason: 'stale' });
});

test('a request signed with another node secret is rejected', (t) => {
  const { headers } = signed({ secret: SECRET_C });
  t.deepEqual(verify({ headers }), { ok: false, reason: 'bad-signature' });
});

test('tampered body, method, path, query or signed headers are rejected', (t) => {
  const { headers } = signed();
  t.deepEqual(verify({ headers, body: BODY.replace('"A"', '"X"') }), { ok: false, reason: 'body-hash' });
  const forgedBody = JSON.stringify({ nodeCode: 'X' });
  const rehashed = { ...headers, 'X-Cocoa-Content-SHA256': createHash('sha256').update(forgedBody).digest('hex') };
  t.deepEqual(verify({ headers: rehashed, body: forgedBody }), { ok: false, reason: 'bad-signature' });
  t.deepEqual(verify({ headers, method: 'PUT' }), { ok: false, reason: 'bad-signature' });
  t.deepEqual(verify({ headers, path: '/v1/updateClusterInfo' }), { ok: false, reason: 'bad-signature' });
  t.deepEqual(verify({ headers, path: '/v1/getClusterInfo?x=1' }), { ok: false, reason: 'bad-signature' });
  const laterTs = { ...headers, 'X-Cocoa-Timestamp': String(NOW / 1000 + 1) };
  t.deepEqual(verify({ headers: laterTs }), { ok: false, reason: 'bad-signature' });
  const otherNonce = { ...headers, 'X-Cocoa-Nonce': NONCE };
  t.deepEqual(verify({ headers: otherNonce }), { ok: false, reason: 'bad-signature' });
});

test('missing headers are "missing"; malformed or duplicated ones are "bad-signature"', (t) => {
  const { headers } = signed();
  for (const name of Object.keys(headers)) {
    const partial = { ...headers };
    delete partial[name];
    t.deepEqual(verify({ headers: partial }), { ok: false, reason: 'missing' }, name);
  }
  const malformed: Array<[string, string]> = [
    ['X-Cocoa-Version', '1'],
    ['X-Cocoa-Timestamp', '1e9'],
    ['X-Cocoa-Timestamp', '-5'],
    ['X-Cocoa-Nonce', 'xyz'],
    ['X-Cocoa-Nonce', NONCE.toUpperCase()],
    ['X-Cocoa-Signature', headers['X-Cocoa-Signature']!.toUpperCase()],
    ['X-Cocoa-Signature', headers['X-Cocoa-Signature']!.slice(2)],
    ['X-Cocoa-Content-SHA256', 'abc'],
  ];
  for (const [name, value] of malformed) {
    t.deepEqual(verify({ headers: { ...headers, [name]: value } }), { ok: false, reason: 'bad-signature' }, `${name}=${value}`);
  }
  const incoming = { ...asIncoming(headers), 'x-cocoa-nonce': [headers['X-Cocoa-Nonce']!, NONCE] };
  t.deepEqual(verify({ headers: incoming }), { ok: false, reason: 'bad-signature' });
});

test('an empty secret never verifies, even against a signature made with the empty key', (t) => {
  const { headers } = signed({ nonce: NONCE });
  const bodyHash = headers['X-Cocoa-Content-SHA256']!;
  const canonical = `COCOA-HMAC-SHA256\nPOST\n/v1/getClusterInfo\n${NOW / 1000}\n${NONCE}\n${bodyHash}`;
  const forged = { ...headers, 'X-Cocoa-Signature': createHmac('sha256', '').update(canonical).digest('hex') };
  t.deepEqual(verify({ headers: forged, secret: '' }), { ok: false, reason: 'bad-signature' });
  t.throws(() => signed({ secret: '' }), { instanceOf: TypeError });
});

test('signRequest refuses inputs that would make the canonical string ambiguous', (t) => {
  t.throws(() => signed({ path: 'v1/x' }), { instanceOf: TypeError });
  t.throws(() => signed({ path: '/v1/x\nPOST' }), { instanceOf: TypeError });
  t.throws(() => signed({ method: 'PO ST' }), { instanceOf: TypeError });
  t.throws(() => signed({ nonce: 'abc' }), { instanceOf: TypeError });
  t.throws(() => signed({ keyId: '' }), { instanceOf: TypeError });
});

test('junk requests do not consume nonce-cache space', (t) => {
  const nonceCache = new NonceCache({ maxEntries: 10 });
  const { headers } = signed();
  for (let i = 0; i < 1000; i++) {
    const nonce = i.toString(16).padStart(32, '0');
    const junk = { ...headers, 'X-Cocoa-Nonce': nonce, 'X-Cocoa-Signature': createHash('sha256').update(nonce).digest('hex') };
    t.is(verify({ headers: junk, nonceCache }).ok, false);
  }
  // A correctly signed but stale request is not remembered either.
  t.deepEqual(verify({ headers, nonceCache, now: NOW + 600_000 }), { ok: false, reason: 'stale' });
  t.is(nonceCache.size, 0);
  t.is(nonceCache.evictions, 0);
  // ...and the genuine request still goes through once.
  t.deepEqual(verify({ headers, nonceCache }), { ok: true });
  t.is(nonceCache.size, 1);
});

test('nonce cache: bounded, evicts the soonest-to-expire, prunes expired entries', (t) => {
  const cache = new NonceCache({ maxEntries: 3 });
  const expiries = [50, 10, 40, 20, 30];
  expiries.forEach((expiresAt, i) => t.true(cache.remember(`n${i}`, expiresAt, 0)));
  t.is(cache.size, 3);
  t.is(cache.evictions, 2);
  // n1 (10) and n3 (20) went; the three latest-expiring stay.
  t.deepEqual(
    ['n0', 'n1', 'n2', 'n3', 'n4'].filter((n) => cache.has(n, 0)),
    ['n0', 'n2', 'n4'],
  );
  t.false(cache.remember('n0', 99, 0), 'a remembered nonce is a replay');
  cache.prune(35);
  t.is(cache.size, 2);
  t.false(cache.has('n4', 35));
  t.true(cache.remember('n4', 100, 35), 'an expired nonce may be recorded again');
  cache.prune(1000);
  t.is(cache.size, 0);
  t.throws(() => new NonceCache({ maxEntries: 0 }), { instanceOf: RangeError });
});

test('nonce cache stays bounded under a flood of valid requests', (t) => {
  const nonceCache = new NonceCache({ maxEntries: 100 });
  for (let i = 0; i < 1000; i++) {
    const { headers } = signed({ now: NOW + i });
    t.is(verify({ headers, nonceCache, now: NOW + i }).ok, true);
  }
  t.is(nonceCache.size, 100);
  t.is(nonceCache.evictions, 900);
});

test('a remembered nonce outlives the window its timestamp is accepted in', (t) => {
  const nonceCache = new NonceCache();
  // Signed 200 s in the future (within skew): it must stay remembered until 500 s from now.
  const { headers } = signed({ now: NOW + 200_000 });
  t.deepEqual(verify({ headers, nonceCache }), { ok: true });
  t.deepEqual(verify({ headers, nonceCache, now: NOW + 499_000 }), { ok: false, reason: 'replay' });
  t.deepEqual(verify({ headers, nonceCache, now: NOW + 501_000 }), { ok: false, reason: 'stale' });
});

test('isSignedRequest tells v2 from v1, and partial v2 headers count as v2', (t) => {
  const { headers } = signed();
  t.true(isSignedRequest(headers));
  t.true(isSignedRequest(asIncoming(headers)));
  t.true(isSignedRequest({ 'x-cocoa-signature': 'x' }));
  t.true(isSignedRequest(new Headers({ 'X-Cocoa-Version': '2' })));
  t.false(isSignedRequest({ 'content-type': 'application/json' }));
  t.false(isSignedRequest(new Headers()));
  t.is(getKeyId(asIncoming(headers)), 'B');
});

test('constantTimeEqual matches string equality', (t) => {
  t.true(constantTimeEqual('999', '999'));
  t.false(constantTimeEqual('999', '998'));
  t.false(constantTimeEqual('999', '9999'));
  t.false(constantTimeEqual('', 'a'));
  t.true(constantTimeEqual('', ''));
  t.true(constantTimeEqual('秘密🔑', '秘密🔑'));
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => constantTimeEqual(a, b) === (a === b)));
});

test('requestTarget gives path plus query', (t) => {
  t.is(requestTarget('http://127.0.0.1:44444/v1/getClusterInfo?x=1'), '/v1/getClusterInfo?x=1');
  t.is(requestTarget(new URL('http://h/')), '/');
});

test('property: signed requests verify for arbitrary methods, paths and bodies', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      fc.webPath(),
      fc.uint8Array({ maxLength: 512 }),
      fc.string({ minLength: 1, unit: 'grapheme' }),
      (method, webPath, body, secret) => {
        const path = webPath.startsWith('/') ? webPath : `/${webPath}`;
        const headers = signRequest({ method, path, body, secret, keyId: 'B', now: NOW });
        const result = verifyRequest({ method, path, headers, body, secret, now: NOW, nonceCache: new NonceCache() });
        return result.ok;
      },
    ),
  );
  t.pass();
});

test('property: any single-byte change of the body is rejected', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (bytes, position, delta) => {
        const body = Buffer.from(bytes);
        const headers = signRequest({ method: 'POST', path: '/v1/updateClusterInfo', body, secret: SECRET_B, keyId: 'B', now: NOW });
        const tampered = Buffer.from(body);
        const i = position % tampered.length;
        tampered[i] = (tampered[i]! + delta) % 256;
        const nonceCache = new NonceCache();
        const result = verifyRequest({ method: 'POST', path: '/v1/updateClusterInfo', headers, body: tampered, secret: SECRET_B, now: NOW, nonceCache });
        return !result.ok && result.reason === 'body-hash' && nonceCache.size === 0;
      },
    ),
  );
  t.pass();
});
