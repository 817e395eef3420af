// One normal form for DNS names: table tests of the pure rules, the schemas that apply them, and a
// Unicode domain round-tripping through FQDN building and the planner's name matching.
import test from 'ava';
import { canonicalName, checkHostPart, displayName, normalizeDomain, normalizeRecord } from '../src/dns/domain-name.js';
import { planChanges } from '../src/dns/plan.js';
import { canonicalName as providerCanonicalName, fqdnOf, type DnsRecord } from '../src/dns/provider.js';
import { serviceAddRequest as serviceAddSchema } from '../src/api/contract.js';
import { serviceFqdn, type ManagedService } from '../src/model.js';
import { accessKeySchema, accessSecretSchema, domainSchema, pastedSecretSchema, recordSchema } from '../src/schemas.js';

const ok = (value: string) => ({ ok: true, value });
const no = (message: string) => ({ ok: false, message });

test('normalizeDomain: lower-case ASCII, punycode for IDN, no stray dots; refusals say why', (t) => {
  const rows: [string, object][] = [
    ['example.com', ok('example.com')],
    ['  Example.COM  ', ok('example.com')],
    ['example.com.', ok('example.com')],
    ['例子.中国', ok('xn--fsqu00a.xn--fiqs8s')],
    ['例子。中国', ok('xn--fsqu00a.xn--fiqs8s')],
    ['XN--FSQU00A.xn--fiqs8s', ok('xn--fsqu00a.xn--fiqs8s')],
    ['Bücher.de', ok('xn--bcher-kva.de')],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', ok('example.com')],
    ['sub.example.co.uk', ok('sub.example.co.uk')],
    ['', no('must not be empty')],
    ['   ', no('must not be empty')],
    ['com', no('must be a domain name such as example.com (at least two labels)')],
    ['example..com', no('must not have empty labels (stray dots)')],
    ['.example.com', no('must not have empty labels (stray dots)')],
    ['example.com..', no('must not have empty labels (stray dots)')],
    ['-bad.com', no('has an invalid label "-bad": letters, digits, "-" and "_" only, not starting or ending with "-"')],
    ['ex ample.com', no('must be a domain name without spaces or "%"')],
    ['ex%41mple.com', no('must be a domain name without spaces or "%"')],
    ['xn--zz.com', no('is not a valid domain name (IDNA conversion failed)')],
    ['example.123', no('is not a valid domain name (IDNA conversion failed)')],
    ['1.2.3.4', no('is an IP address, not a domain name such as example.com')],
    ['0x7f.1', no('is an IP address, not a domain name such as example.com')],
    ['*.example.com', no('must be a domain name such as example.com, without a wildcard')],
    [`${'a'.repeat(64)}.com`, no('must have labels of at most 63 characters')],
    [`${'a.'.repeat(127)}com`, no('must be at most 253 characters (in punycode)')],
  ];
  for (const [input, want] of rows) t.deepEqual(normalizeDomain(input), want, JSON.stringify(input));
});

test('normalizeRecord: @, host labels, a leading wildcard; Unicode labels in punycode', (t) => {
  const rows: [string, object][] = [
    ['@', ok('@')],
    [' WWW ', ok('www')],
    ['www.', ok('www')],
    ['a.b', ok('a.b')],
    ['*', ok('*')],
    ['*.www', ok('*.www')],
    ['_acme-challenge', ok('_acme-challenge')],
    ['邮件', ok('xn--5nq051n')],
    ['', no('must not be empty: give @ for the apex, or host labels such as www')],
    ['www..a', no('must not have empty labels (stray dots)')],
    ['.www', no('must not have empty labels (stray dots)')],
    ['www.*', no('may have "*" only as its first label (a wildcard such as *.www)')],
    ['@.www', no('must be @ alone for the apex, or host labels such as www')],
    ['w w', no('must be a host record without spaces or "%"')],
  ];
  for (const [input, want] of rows) t.deepEqual(normalizeRecord(input), want, JSON.stringify(input));
});

test('checkHostPart: a record given as the full name is refused, with the host part as the hint', (t) => {
  t.deepEqual(checkHostPart('www', 'example.com'), ok('www'));
  t.deepEqual(checkHostPart('www.example', 'example.com'), ok('www.example'));
  t.deepEqual(checkHostPart('www.example.com', 'example.com'), no('is the full name www.example.com; give only the host part under example.com: "www"'));
  t.deepEqual(checkHostPart('a.b.example.com', 'example.com'), no('is the full name a.b.example.com; give only the host part under example.com: "a.b"'));
  t.deepEqual(checkHostPart('*.example.com', 'example.com'), no('is the full name *.example.com; give only the host part under example.com: "*"'));
  t.deepEqual(checkHostPart('example.com', 'example.com'), no('is the domain itself; give "@" for the apex of example.com'));
  t.deepEqual(
    checkHostPart('www.xn--fsqu00a.xn--fiqs8s', 'xn--fsqu00a.xn--fiqs8s'),
    no('is the full name www.例子.中国; give only the host part under 例子.中国: "www"'),
  );
  // Not a suffix on a label boundary: a different name, accepted.
  t.deepEqual(checkHostPart('wwwexample.com', 'example.com'), ok('wwwexample.com'));
});

test('canonicalName compares names from anywhere: Unicode, upper case, trailing dot; never throws', (t) => {
  const rows: [string, string][] = [
    ['WWW.Example.COM.', 'www.example.com'],
    ['www.例子.中国', 'www.xn--fsqu00a.xn--fiqs8s'],
    ['www.xn--fsqu00a.xn--fiqs8s', 'www.xn--fsqu00a.xn--fiqs8s'],
    ['*.例子.中国', '*.xn--fsqu00a.xn--fiqs8s'],
    ['@', '@'],
    ['XN--ZZ.com', 'xn--zz.com'],
    ['ex%41.com', 'ex%41.com'],
  ];
  for (const [input, want] of rows) {
    t.is(canonicalName(input), want, input);
    t.is(providerCanonicalName(input), want, `provider.ts: ${input}`);
  }
});

test('displayName shows punycode labels in Unicode and leaves ASCII names alone', (t) => {
  t.is(displayName('xn--fsqu00a.xn--fiqs8s'), '例子.中国');
  t.is(displayName('www.xn--fsqu00a.xn--fiqs8s'), 'www.例子.中国');
  t.is(displayName('*.xn--fsqu00a.xn--fiqs8s'), '*.例子.中国');
  t.is(displayName('www.example.com'), 'www.example.com');
  t.is(displayName('@'), '@');
  t.is(displayName('xn--zz.com'), 'xn--zz.com', 'an invalid punycode label is shown as it is');
});

test('the schemas store the normal form; a full-name record is refused on the record field', (t) => {
  t.is(domainSchema.parse('例子.中国.'), 'xn--fsqu00a.xn--fiqs8s');
  t.is(recordSchema.parse('WWW.'), 'www');
  const bad = domainSchema.safeParse('ex ample.com');
  t.false(bad.success);
  const base = { name: 'www', provider: 'ali' };
  const s = serviceAddSchema.parse({ ...base, domain: '例子.中国', record: 'WWW' });
  t.deepEqual([s.domain, s.record], ['xn--fsqu00a.xn--fiqs8s', 'www']);
  const full = serviceAddSchema.safeParse({ ...base, domain: 'example.com', record: 'www.example.com' });
  t.false(full.success);
  t.deepEqual(
    full.error?.issues.map((i) => [i.path.join('.'), i.message]),
    [['record', 'is the full name www.example.com; give only the host part under example.com: "www"']],
  );
});

test('pasted credentials: surrounding whitespace is trimmed on the access key, the access secret and a join secret', (t) => {
  t.is(accessKeySchema.parse(' LTAI5tKey0001 '), 'LTAI5tKey0001');
  t.is(accessSecretSchema.parse(' SKsecretValue0123\n'), 'SKsecretValue0123');
  t.is(pastedSecretSchema.parse('\tfollower-secret-456 \r\n'), 'follower-secret-456');
  t.false(accessSecretSchema.safeParse('   ').success, 'whitespace alone is no secret');
  t.false(pastedSecretSchema.safeParse(' \n').success);
});

test('a Unicode domain round-trips: stored in punycode, the FQDN built and matched in punycode against a Unicode listing', (t) => {
  const { domain, record } = serviceAddSchema.parse({ name: 'www', provider: 'Ali', domain: '例子.中国', record: 'www' });
  const service: ManagedService = { serviceName: 'www', domain, record, platformProvider: 'Ali', nodes: [], allowCreate: true, ttl: 600 };
  t.is(serviceFqdn(service), 'www.xn--fsqu00a.xn--fiqs8s');
  t.is(serviceFqdn({ record: '@', domain }), 'xn--fsqu00a.xn--fiqs8s');
  t.is(fqdnOf('www', '例子.中国'), 'www.xn--fsqu00a.xn--fiqs8s', 'a provider answering with the Unicode zone name');
  t.is(displayName(serviceFqdn(service)), 'www.例子.中国');
  // A provider that lists the record under its Unicode name: matched, so nothing is created twice.
  const listed: DnsRecord = { id: '1', name: 'WWW.例子.中国.', type: 'A', line: 'default', providerLine: 'default', value: '36.112.0.1', ttl: 600, enabled: true };
  const changes = planChanges({
    services: [service],
    serve: new Map([['www', [{ line: 'default', family: 'ipv4' }]]]),
    ips: { ipv4: '36.112.0.2' },
    records: new Map([['www', [listed]]]),
  });
  t.deepEqual(
    changes.map((c) => [c.kind, c.fqdn, c.domain]),
    [['update', 'www.xn--fsqu00a.xn--fiqs8s', 'xn--fsqu00a.xn--fiqs8s']],
  );
});
