import test from 'ava';
import fc from 'fast-check';
import { inspect } from 'node:util';
import {
  CredentialKey,
  SealError,
  isSealed,
  isSealedAtRest,
  open,
  openAtRest,
  seal,
  sealAtRest,
  sealContext,
} from '../src/security/seal.js';

const SECRET_B = 'node-B-secret-0123456789abcdef';
const SECRET_C = 'node-C-secret-fedcba9876543210';
const ACCESS_SECRET = 'LTAI-super-secret-AccessKeySecret-value';
const CTX_B = sealContext('cloudAccounts.accessSecret', 'Ali', 'B');

function sealError(code: 'malformed' | 'auth-failed') {
  return { instanceOf: SealError, message: code === 'malformed' ? /malformed/ : /authentication/ };
}

/** Re-encodes a sealed value after changing its decoded payload. */
function mutatePayload(sealed: string, prefix: string, mutate: (raw: Buffer) => void): string {
  const raw = Buffer.from(sealed.slice(prefix.length), 'base64url');
  mutate(raw);
  return prefix + raw.toString('base64url');
}

test('seal/open round-trip, including empty and non-ASCII values', (t) => {
  for (const value of [ACCESS_SECRET, '', '密钥🔑 with spaces\nand newline', 'x'.repeat(10_000)]) {
    const sealed = seal(value, SECRET_B, CTX_B);
    t.true(sealed.startsWith('v2:'));
    t.regex(sealed, /^v2:[A-Za-z0-9_-]+$/);
    t.true(isSealed(sealed));
    t.is(open(sealed, SECRET_B, CTX_B), value);
  }
  t.false(isSealed(ACCESS_SECRET));
  t.false(isSealed(undefined));
});

test('opening with another node secret fails', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  t.throws(() => open(sealed, SECRET_C, CTX_B), sealError('auth-failed'));
});

test('a sealed value moved to another field or another node fails', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  t.throws(() => open(sealed, SECRET_B, sealContext('nodes.secret', 'B')), sealError('auth-failed'));
  t.throws(() => open(sealed, SECRET_B, sealContext('cloudAccounts.accessSecret', 'DNSPod', 'B')), sealError('auth-failed'));
  // Same secret on two nodes (a common v1 setup) still does not let B's value be replayed to C.
  t.throws(() => open(sealed, SECRET_B, sealContext('cloudAccounts.accessSecret', 'Ali', 'C')), sealError('auth-failed'));
  // sealContext is unambiguous where naive joining is not.
  t.not(sealContext('a.b', 'c'), sealContext('a', 'b.c'));
});

test('tampering with any byte of salt, iv, tag or ciphertext is detected', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  const length = Buffer.from(sealed.slice(3), 'base64url').length;
  t.is(length, 16 + 12 + 16 + Buffer.byteLength(ACCESS_SECRET));
  for (let i = 0; i < length; i++) {
    const tampered = mutatePayload(sealed, 'v2:', (raw) => {
      raw[i] = raw[i]! ^ 0x01;
    });
    t.throws(() => open(tampered, SECRET_B, CTX_B), sealError('auth-failed'), `byte ${i}`);
  }
  const truncated = mutatePayload(sealed, 'v2:', () => undefined).slice(0, -4);
  t.throws(() => open(truncated, SECRET_B, CTX_B), { instanceOf: SealError });
});

test('malformed sealed values are rejected as malformed', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  t.throws(() => open(sealed.slice(3), SECRET_B, CTX_B), sealError('malformed'));
  t.throws(() => open(`v2:${'A'.repeat(10)}`, SECRET_B, CTX_B), sealError('malformed'));
  t.throws(() => open(`${sealed}!`, SECRET_B, CTX_B), sealError('malformed'));
  t.throws(() => open(`${sealed.slice(0, 10)}=${sealed.slice(10)}`, SECRET_B, CTX_B), sealError('malformed'));
  t.throws(() => open(ACCESS_SECRET, SECRET_B, CTX_B), sealError('malformed'));
});

test('property: changing any one character of a sealed value is detected', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:v=';
  fc.assert(
    fc.property(fc.nat({ max: sealed.length - 1 }), fc.constantFrom(...alphabet), (i, c) => {
      fc.pre(sealed[i] !== c);
      const changed = sealed.slice(0, i) + c + sealed.slice(i + 1);
      try {
        open(changed, SECRET_B, CTX_B);
        return false;
      } catch (error) {
        return error instanceof SealError;
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('the sealed output does not contain the plaintext in any obvious encoding', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  const plain = Buffer.from(ACCESS_SECRET);
  for (const form of [ACCESS_SECRET, plain.toString('base64'), plain.toString('base64url'), plain.toString('hex')]) {
    t.false(sealed.includes(form.slice(0, 12)), form);
  }
  t.false(sealed.includes(SECRET_B));
  t.false(Buffer.from(sealed.slice(3), 'base64url').includes(plain));
});

test('sealing the same value twice gives different output', (t) => {
  const a = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  const b = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  t.not(a, b);
  t.not(a.slice(3, 25), b.slice(3, 25), 'fresh salt and iv');
  t.is(open(a, SECRET_B, CTX_B), open(b, SECRET_B, CTX_B));
});

test('SealError messages never contain the plaintext, the secret or the sealed text', (t) => {
  const sealed = seal(ACCESS_SECRET, SECRET_B, CTX_B);
  const error = t.throws(() => open(sealed, SECRET_C, CTX_B), { instanceOf: SealError });
  t.is(error?.code, 'auth-failed');
  t.is(error?.name, 'SealError');
  const rendered = `${error?.message}\n${error?.stack}\n${inspect(error)}`;
  for (const secret of [ACCESS_SECRET, SECRET_B, SECRET_C, sealed.slice(3)]) t.false(rendered.includes(secret));
});

test('seal refuses an empty secret or context and ill-formed Unicode', (t) => {
  t.throws(() => seal(ACCESS_SECRET, '', CTX_B), { instanceOf: TypeError });
  t.throws(() => seal(ACCESS_SECRET, SECRET_B, ''), { instanceOf: TypeError });
  t.throws(() => seal('lone \uD800 surrogate', SECRET_B, CTX_B), { instanceOf: TypeError });
  t.throws(() => open(seal('x', SECRET_B, CTX_B), '', CTX_B), { instanceOf: TypeError });
});

test('property: seal/open round-trips arbitrary strings (unicode included)', (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      (plaintext, secret, field) => open(seal(plaintext, secret, field), secret, field) === plaintext,
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (plaintext) => {
      fc.pre(Buffer.from(plaintext).toString() === plaintext);
      return open(seal(plaintext, SECRET_B, CTX_B), SECRET_B, CTX_B) === plaintext;
    }),
  );
  t.pass();
});

// At rest.

const RAW_KEY = Buffer.alloc(32, 7);

test('CredentialKey accepts base64, base64url and a long passphrase', (t) => {
  const fromB64 = CredentialKey.fromConfig(RAW_KEY.toString('base64'));
  const fromB64url = CredentialKey.fromConfig(` ${RAW_KEY.toString('base64url')}\n`);
  const fromBytes = CredentialKey.fromBytes(RAW_KEY);
  const sealed = sealAtRest(ACCESS_SECRET, fromB64);
  t.is(openAtRest(sealed, fromB64url), ACCESS_SECRET, 'base64 and base64url of the same bytes are the same key');
  t.is(openAtRest(sealed, fromBytes), ACCESS_SECRET);

  const phrase = CredentialKey.fromConfig('correct horse battery staple');
  const again = CredentialKey.fromConfig('correct horse battery staple');
  t.is(openAtRest(sealAtRest(ACCESS_SECRET, phrase), again), ACCESS_SECRET);
  t.throws(() => openAtRest(sealed, phrase), sealError('auth-failed'));

  const generated = CredentialKey.generate();
  t.is(Buffer.from(generated, 'base64').length, 32);
  t.notThrows(() => CredentialKey.fromConfig(generated));
});

test('CredentialKey rejects short passphrases without echoing them, and never prints its bytes', (t) => {
  const error = t.throws(() => CredentialKey.fromConfig('changeme'), { instanceOf: TypeError });
  t.false(error?.message.includes('changeme'));
  t.throws(() => CredentialKey.fromBytes(Buffer.alloc(16)), { instanceOf: TypeError });
  const key = CredentialKey.fromConfig(RAW_KEY.toString('base64'));
  const renderings = [String(key), JSON.stringify({ key }), inspect(key, { showHidden: true, depth: 5 }), Object.keys(key).join()];
  for (const r of renderings) {
    t.false(r.includes(RAW_KEY.toString('base64')), r);
    t.false(r.includes(RAW_KEY.toString('hex')), r);
  }
  t.is(String(key), '[CredentialKey]');
});

test('sealAtRest/openAtRest round-trip, legacy plaintext passes through, tamper detected', (t) => {
  const key = CredentialKey.fromBytes(RAW_KEY);
  const sealed = sealAtRest(ACCESS_SECRET, key);
  t.true(sealed.startsWith('enc:v1:'));
  t.true(isSealedAtRest(sealed));
  t.false(sealed.includes(ACCESS_SECRET));
  t.not(sealAtRest(ACCESS_SECRET, key), sealed);
  t.is(openAtRest(sealed, key), ACCESS_SECRET);

  t.false(isSealedAtRest(ACCESS_SECRET));
  t.false(isSealedAtRest(null));
  t.is(openAtRest(ACCESS_SECRET, key), ACCESS_SECRET, 'legacy values stay readable');
  t.is(openAtRest('', key), '');

  const tampered = mutatePayload(sealed, 'enc:v1:', (raw) => {
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x80;
  });
  t.throws(() => openAtRest(tampered, key), sealError('auth-failed'));
  t.throws(() => openAtRest('enc:v1:short', key), sealError('malformed'));
  t.throws(() => openAtRest(sealed, CredentialKey.fromBytes(Buffer.alloc(32, 8))), sealError('auth-failed'));
});

test('at-rest context binds a value to its column', (t) => {
  const key = CredentialKey.fromBytes(RAW_KEY);
  const sealed = sealAtRest(ACCESS_SECRET, key, 'cloud_accounts.access_secret');
  t.is(openAtRest(sealed, key, 'cloud_accounts.access_secret'), ACCESS_SECRET);
  t.throws(() => openAtRest(sealed, key, 'nodes.secret'), sealError('auth-failed'));
  t.throws(() => openAtRest(sealed, key), sealError('auth-failed'));
});

test('push and at-rest formats cannot be confused', (t) => {
  const key = CredentialKey.fromBytes(RAW_KEY);
  const atRest = sealAtRest(ACCESS_SECRET, key);
  t.false(isSealed(atRest));
  t.throws(() => open(atRest, SECRET_B, CTX_B), sealError('malformed'));
  t.false(isSealedAtRest(seal(ACCESS_SECRET, SECRET_B, CTX_B)));
});

test('property: at-rest round-trips arbitrary strings', (t) => {
  const key = CredentialKey.fromBytes(RAW_KEY);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (plaintext) => {
      const sealed = sealAtRest(plaintext, key);
      return isSealedAtRest(sealed) && openAtRest(sealed, key) === plaintext;
    }),
  );
  t.pass();
});
