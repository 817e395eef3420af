import test from 'ava';
import fc from 'fast-check';
import { makeScrubber, mask, redactDsn, redactObject, scrubText, REDACTED } from '../src/security/redact.js';

const ACCESS_SECRET = 'LTAI5tAccessKeySecretValue0123';

test('mask shows 2+2 characters only for long secrets', (t) => {
  t.is(mask(ACCESS_SECRET), 'LT****23');
  t.is(mask('0123456789abcdef'), '01****ef');
  t.is(mask('0123456789abcde'), '****', '15 chars: revealing 4 would give away too much');
  t.is(mask('12345678'), '****');
  t.is(mask('999'), '****');
  t.is(mask(''), '****');
  t.is(mask('🔑🔑0123456789abcdef🗝️'), '🔑🔑****🗝️', 'code points are never split');
});

test('redactObject replaces secret-ish keys at any depth, case- and separator-insensitively', (t) => {
  const input = {
    nodeCode: 'A',
    secret: 's0',
    cocoaBasic: {
      cocoaSecret: 's1',
      Dsn: 'root:pw@tcp(db:3306)/cocoa',
      otherCocoaSyncer: [{ nodeCode: 'B', CocoaSecret: 's2', ISPs: ['CT'] }],
      cloudPlatformInfo: [{ platformProvider: 'Ali', accessKey: 'LTAIid', accessSecret: 's3', AccessKeySecret: 's4' }],
    },
    headers: { Authorization: 'Bearer s5', 'x-cocoa-signature': 'abc', 'content-type': 'application/json' },
    db: { password: 's6', PASSWORD: 's7', access_key_secret: 's8', Token: 's9', dsn: 's10' },
  };
  const snapshot = structuredClone(input);
  const out = redactObject(input);
  const text = JSON.stringify(out);
  for (let i = 0; i <= 10; i++) t.false(text.includes(`"s${i}"`), `s${i}`);
  t.false(text.includes('Bearer'));
  t.false(text.includes('root:pw'));
  t.is(out.cocoaBasic.cloudPlatformInfo[0]?.accessKey, 'LTAIid');
  t.is(out.cocoaBasic.cloudPlatformInfo[0]?.accessSecret, REDACTED);
  t.deepEqual(out.cocoaBasic.otherCocoaSyncer[0]?.ISPs, ['CT']);
  t.is(out.headers['content-type'], 'application/json');
  t.deepEqual(input, snapshot, 'the input is not modified');
});

test('redactObject with an explicit key list', (t) => {
  const out = redactObject({ pin: '1234', secret: 'kept', nested: { PIN: '5678' } }, ['pin']);
  t.deepEqual(out, { pin: REDACTED, secret: 'kept', nested: { PIN: REDACTED } });
});

test('redactObject is safe with __proto__ keys and does not pollute prototypes', (t) => {
  const hostile = JSON.parse('{"a":1,"__proto__":{"secret":"s1","polluted":true},"b":{"__proto__":{"isAdmin":true}}}') as Record<string, unknown>;
  const out = redactObject(hostile);
  t.is(Object.getPrototypeOf(out), Object.prototype);
  t.true(Object.prototype.hasOwnProperty.call(out, '__proto__'));
  const ownProto = Object.getOwnPropertyDescriptor(out, '__proto__')?.value as Record<string, unknown>;
  t.deepEqual({ ...ownProto }, { secret: REDACTED, polluted: true });
  t.is((out as { polluted?: unknown }).polluted, undefined);
  t.is(({} as { polluted?: unknown; isAdmin?: unknown }).polluted, undefined);
  t.is(({} as { isAdmin?: unknown }).isAdmin, undefined);
  t.false(JSON.stringify(out).includes('s1'));
});

test('redactObject handles cycles and keeps shared references', (t) => {
  type Node = { name: string; secret: string; self?: Node; children: Node[] };
  const root: Node = { name: 'root', secret: 's1', children: [] };
  const shared = { name: 'shared', secret: 's2', children: [] };
  root.self = root;
  root.children.push(shared, shared, root);
  const out = redactObject(root) as unknown as Record<string, unknown>;
  t.is(out['self'], '[Circular]');
  const children = out['children'] as unknown[];
  t.deepEqual(children[0], { name: 'shared', secret: REDACTED, children: [] });
  t.deepEqual(children[1], children[0], 'a shared object that is not an ancestor is copied, not flagged');
  t.is(children[2], '[Circular]');
  t.notThrows(() => JSON.stringify(out));
});

test('redactObject survives very deep nesting', (t) => {
  let deep: Record<string, unknown> = { secret: 'bottom' };
  for (let i = 0; i < 100_000; i++) deep = { next: deep };
  const out = redactObject(deep);
  const text = JSON.stringify(out);
  t.true(text.includes('[Truncated]'));
  t.false(text.includes('bottom'));
});

test('redactObject handles Maps, Errors, Dates, toJSON objects, class instances and throwing getters', (t) => {
  class Row {
    constructor(private readonly values: Record<string, unknown>) {}
    toJSON(): Record<string, unknown> {
      return this.values;
    }
  }
  class Plain {
    accessSecret = 's3';
    region = 'cn-hangzhou';
  }
  const error = Object.assign(new Error('boom'), { password: 's4' });
  const hostile = {
    get token(): string {
      throw new Error('nope');
    },
    get other(): string {
      throw new Error('nope');
    },
  };
  const out = redactObject({
    map: new Map<string, unknown>([['secret', 's1'], ['name', 'n']]),
    row: new Row({ cocoaSecret: 's2', nodeCode: 'B' }),
    plain: new Plain(),
    error,
    when: new Date(0),
    bytes: Buffer.from('abc'),
    hostile,
  });
  t.deepEqual([...out.map], [['secret', REDACTED], ['name', 'n']]);
  t.deepEqual(out.row as unknown, { cocoaSecret: REDACTED, nodeCode: 'B' });
  t.deepEqual(out.plain as unknown, { accessSecret: REDACTED, region: 'cn-hangzhou' });
  const redactedError = out.error as unknown as Record<string, unknown>;
  t.is(redactedError['message'], 'boom');
  t.is(redactedError['password'], REDACTED);
  t.is(out.when as unknown, new Date(0).toJSON());
  t.true(Buffer.isBuffer(out.bytes));
  t.deepEqual({ ...out.hostile }, { token: REDACTED, other: '[Unreadable]' });
  t.is(redactObject('plain string'), 'plain string');
  t.is(redactObject(null), null);
});

test('redactDsn hides the password in URL DSNs', (t) => {
  t.is(redactDsn('mysql://root:hunter2@127.0.0.1:3306/test'), 'mysql://root:***@127.0.0.1:3306/test');
  t.is(redactDsn('mariadb://user:p@ss/w0rd@db.example:3306/cocoa?ssl=true'), 'mariadb://user:***@db.example:3306/cocoa?ssl=true');
  t.is(redactDsn('mysql://root:pw@[::1]:3306/db'), 'mysql://root:***@[::1]:3306/db');
  t.is(redactDsn('mysql://root@localhost/db'), 'mysql://root@localhost/db');
  t.is(redactDsn('mysql://root:@localhost/db'), 'mysql://root:***@localhost/db');
  t.is(redactDsn('mysql://localhost:3306/db?user=root&password=hunter2&charset=utf8'), 'mysql://localhost:3306/db?user=root&password=***&charset=utf8');
  // A query value holding `@` costs the host part (over-redaction), never the password.
  t.false(redactDsn('mysql://root:hunter2@db/c?admin=a@b').includes('hunter2'));
});

test('redactDsn hides the password in Go driver DSNs', (t) => {
  t.is(redactDsn('root:hunter2@tcp(192.168.1.2:3306)/cocoasyncer?charset=utf8mb4'), 'root:***@tcp(192.168.1.2:3306)/cocoasyncer?charset=utf8mb4');
  t.is(redactDsn('root:p@ss:w/rd@tcp(db:3306)/cocoa'), 'root:***@tcp(db:3306)/cocoa');
  t.is(redactDsn('user:pw@unix(/var/run/mysqld/mysqld.sock)/db'), 'user:***@unix(/var/run/mysqld/mysqld.sock)/db');
  t.is(redactDsn('user:pw@/db'), 'user:***@/db');
  t.is(redactDsn('user@tcp(db)/db'), 'user@tcp(db)/db');
  t.is(redactDsn('user:pw/x@tcp(db)'), 'user:***@tcp(db)', 'no leak even when the password swallowed the only slash');
  t.is(redactDsn('root:x@tcp(db)/c?charset=utf8&password=two'), 'root:***@tcp(db)/c?charset=utf8&password=***');
});

test('redactDsn leaves SQLite DSNs alone', (t) => {
  for (const dsn of ['file:cocoasyncer.db', 'file:/var/lib/cocoa/state.db?mode=rwc', ':memory:', 'data/cocoasyncer.db', 'file:a@b/c.db']) {
    t.is(redactDsn(dsn), dsn);
  }
});

test('scrubText replaces raw, URL-encoded, base64 and JSON-escaped occurrences', (t) => {
  const secret = 'p@ss w/rd+"x"';
  const text = [
    `raw=${secret}`,
    `url=${encodeURIComponent(secret)}`,
    `lower=${encodeURIComponent(secret).toLowerCase()}`,
    `form=${encodeURIComponent(secret).replace(/%20/g, '+')}`,
    `b64=${Buffer.from(secret).toString('base64')}`,
    `b64url=${Buffer.from(secret).toString('base64url')}`,
    `json=${JSON.stringify({ secret })}`,
  ].join(' | ');
  const out = scrubText(text, [secret]);
  t.is(
    out,
    'raw=*** | url=*** | lower=*** | form=*** | b64=*** | b64url=*** | json={"secret":"***"}',
  );
});

test('scrubText prefers longer secrets, ignores empty ones and escapes regex syntax', (t) => {
  t.is(scrubText('a=abcdef b=abc', ['abc', 'abcdef']), 'a=*** b=***');
  t.is(scrubText('token=a.b*c(d) and axbxc', ['a.b*c(d)']), 'token=*** and axbxc');
  t.is(scrubText('nothing to hide', ['', '']), 'nothing to hide');
  t.is(scrubText('k1 k1 k1', ['k1']), '*** *** ***');
  t.is(scrubText('unrelated', []), 'unrelated');
  const scrub = makeScrubber(['k1', 'secret-two']);
  t.is(scrub('a k1 b secret-two c'), 'a *** b *** c');
  t.is(scrub('again k1'), 'again ***', 'the compiled pattern is reusable (no lastIndex carry-over)');
});

test('property: scrubText output never contains the secret, raw or URL-encoded', (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !s.includes('*')),
      fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { maxLength: 5 }),
      (secret, fillers) => {
        const text = fillers.join(secret) + encodeURIComponent(secret) + fillers.join(' ') + secret;
        const out = scrubText(text, [secret]);
        return !out.includes(secret) && !out.includes(encodeURIComponent(secret));
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: redactDsn never leaks an arbitrary password in URL or Go form', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 24 }), (password) => {
      const forms: Array<[string, string]> = [
        [`mysql://user:${password}@db.example:3306/cocoa?charset=utf8mb4`, 'mysql://user:***@db.example:3306/cocoa?charset=utf8mb4'],
        [`user:${password}@tcp(db.example:3306)/cocoa?charset=utf8mb4`, 'user:***@tcp(db.example:3306)/cocoa?charset=utf8mb4'],
        [`user:${password}@/cocoa`, 'user:***@/cocoa'],
        [`mysql://user:${password}@[::1]/cocoa`, 'mysql://user:***@[::1]/cocoa'],
      ];
      return forms.every(([dsn, expected]) => {
        fc.pre(!expected.includes(password));
        return !redactDsn(dsn).includes(password);
      });
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
