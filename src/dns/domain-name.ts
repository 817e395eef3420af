// One normal form for every DNS name CocoaSyncer stores, sends and compares: lower-case ASCII, IDN
// labels in punycode (`例子.中国` → `xn--fsqu00a.xn--fiqs8s`), no trailing or doubled dots. The IDNA
// mapping is the platform's (WHATWG URL host parsing, UTS #46: `node:url` domainToASCII and
// domainToUnicode), so full-width letters and the ideographic full stop `。` map as a browser maps
// them. Names are shown to people in Unicode (displayName). Pure functions, no I/O.
import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

/** A normalised name, or why the input is not one (a message meant to follow the field's name). */
export type NameResult = { ok: true; value: string } | { ok: false; message: string };

const MAX_NAME = 253;
/** LDH labels as registries and both providers take them; `_` too (service labels such as `_acme-challenge`). */
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

const fail = (message: string): NameResult => ({ ok: false, message });

/**
 * Labels in ASCII, or why not. `%` is refused before IDNA, which would percent-decode it
 * (`ex%41.com` → `exa.com`); a single trailing dot (the absolute form, `example.com.`) is dropped.
 */
function asciiLabels(input: string, what: string): { labels: string[] } | { message: string } {
  if (/[%\s]/.test(input)) return { message: `must be a ${what} without spaces or "%"` };
  const ascii = domainToASCII(input);
  if (ascii === '') return { message: `is not a valid ${what} (IDNA conversion failed)` };
  const name = ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
  const labels = name.split('.');
  if (labels.some((l) => l === '')) return { message: `must not have empty labels (stray dots)` };
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) {
    return { message: bad.length > 63 ? 'must have labels of at most 63 characters' : `has an invalid label "${bad.slice(0, 63)}": letters, digits, "-" and "_" only, not starting or ending with "-"` };
  }
  if (name.length > MAX_NAME) return { message: `must be at most ${MAX_NAME} characters (in punycode)` };
  return { labels };
}

/**
 * A registered domain (a zone) such as `example.com` or `例子.中国`, in normal form
 * (`example.com`, `xn--fsqu00a.xn--fiqs8s`). At least two labels; not an IP address (IDNA would
 * turn `0x7f.1` into `127.0.0.1`); no wildcard.
 */
export function normalizeDomain(input: string): NameResult {
  const t = input.trim();
  if (t === '') return fail('must not be empty');
  if (t.includes('*')) return fail('must be a domain name such as example.com, without a wildcard');
  const r = asciiLabels(t, 'domain name');
  if ('message' in r) return fail(r.message);
  const name = r.labels.join('.');
  if (isIP(name)) return fail(`is an IP address, not a domain name such as example.com`);
  if (r.labels.length < 2) return fail('must be a domain name such as example.com (at least two labels)');
  return { ok: true, value: name };
}

/**
 * A host record under a zone, in normal form: `@` for the apex, host labels such as `www` or
 * `a.b`, `*` allowed as the first label only. A trailing dot is dropped (`www.` → `www`).
 */
export function normalizeRecord(input: string): NameResult {
  const t = input.trim();
  if (t === '') return fail('must not be empty: give @ for the apex, or host labels such as www');
  if (t === '@') return { ok: true, value: '@' };
  if (t === '*') return { ok: true, value: '*' };
  const wildcard = t.startsWith('*.');
  const rest = wildcard ? t.slice(2) : t;
  if (rest.includes('*')) return fail('may have "*" only as its first label (a wildcard such as *.www)');
  if (rest.includes('@')) return fail('must be @ alone for the apex, or host labels such as www');
  const r = asciiLabels(rest, 'host record');
  if ('message' in r) return fail(r.message);
  const name = (wildcard ? ['*', ...r.labels] : r.labels).join('.');
  if (name.length > MAX_NAME) return fail(`must be at most ${MAX_NAME} characters (in punycode)`);
  return { ok: true, value: name };
}

/**
 * Refuses a record given as the full name, which would manage `www.example.com.example.com`.
 * Both arguments already in normal form. The record is refused (with the host part as a hint)
 * rather than reduced: a record that ends with its own domain is far more likely a slip than a
 * wish, but guessing would store a name nobody typed. Returns the record unchanged when it is fine.
 */
export function checkHostPart(record: string, domain: string): NameResult {
  if (record === domain) return fail(`is the domain itself; give "@" for the apex of ${displayName(domain)}`);
  if (record.endsWith(`.${domain}`)) {
    const host = record.slice(0, -(domain.length + 1));
    return fail(`is the full name ${displayName(record)}; give only the host part under ${displayName(domain)}: "${displayName(host)}"`);
  }
  return { ok: true, value: record };
}

/**
 * The comparable form of a name from anywhere (a provider's listing, a stored service): trimmed,
 * IDNA to ASCII (lower-case, punycode), no trailing dot. Never throws: a name IDNA refuses is only
 * lower-cased, so it still compares equal to itself.
 */
export function canonicalName(name: string): string {
  const t = name.trim().replace(/\.$/, '');
  if (t === '' || t === '@') return t;
  const ascii = /%/.test(t) ? '' : domainToASCII(t);
  return (ascii === '' ? t.toLowerCase() : ascii).replace(/\.$/, '');
}

/** A name in normal form as people read it: punycode labels in Unicode (`xn--fsqu00a.xn--fiqs8s` → `例子.中国`). */
export function displayName(name: string): string {
  if (name === '@' || name === '' || !name.includes('xn--')) return name;
  const wildcard = name.startsWith('*.');
  const u = domainToUnicode(wildcard ? name.slice(2) : name);
  if (u === '') return name;
  return wildcard ? `*.${u}` : u;
}
