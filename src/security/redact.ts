// Keeping secrets out of logs, status pages and error messages. The original logged node secrets,
// cloud AccessKey secrets and the database DSN in clear; every output path goes through one of
// these helpers (or pino's `redact`, see log-redact.ts).

export const REDACTED = '***';

/**
 * Key names whose values are secret. Matching ignores case, `-` and `_`, so `accessKeySecret`,
 * `access_key_secret` and `AccessKeySecret` are one entry.
 */
export const SECRET_KEYS: readonly string[] = [
  'secret',
  'cocoaSecret',
  'accessSecret',
  'accessKeySecret',
  'secretKey',
  'password',
  'passwd',
  'dsn',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'privateKey',
  'credentialKey',
  'authorization',
  'proxyAuthorization',
  'cookie',
  'setCookie',
  'xCocoaSignature',
];

// Beyond this depth the remainder is replaced rather than walked: bounded stack, bounded output.
const MAX_DEPTH = 64;

function normaliseKey(key: string): string {
  return key.replace(/[-_]/g, '').toLowerCase();
}

const DEFAULT_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS.map(normaliseKey));

/** A secret for display (`maskSecret` in mask.ts, kept under its old name for callers). */
export { maskSecret as mask } from './mask.js';

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, not assignment: a `__proto__` key becomes a plain own property instead of
  // replacing the copy's prototype (no prototype pollution from attacker-shaped JSON).
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Deep copy of `value` in which every property whose key is secret-ish has its value replaced by
 * `***`. Safe on cycles (`[Circular]`), `__proto__` keys, getters that throw and very deep nesting
 * (`[Truncated]` beyond 64 levels). Objects with `toJSON` (Dates, Sequelize rows) are redacted in
 * their JSON form; Maps with string keys are redacted by key; other class instances become plain
 * objects of their own enumerable properties. The input is never modified.
 *
 * The result is typed as the input for convenience: redacted values are the string `***` whatever
 * their original type.
 */
export function redactObject<T>(value: T, keysToRedact: Iterable<string> = SECRET_KEYS): T {
  const keySet = keysToRedact === SECRET_KEYS ? DEFAULT_KEY_SET : new Set([...keysToRedact].map(normaliseKey));
  const ancestors = new Set<object>();

  const walk = (node: unknown, depth: number): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (ancestors.has(node)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    ancestors.add(node);
    try {
      return copy(node, depth);
    } finally {
      ancestors.delete(node);
    }
  };

  const copy = (node: object, depth: number): unknown => {
    if (Array.isArray(node)) return node.map((item: unknown) => walk(item, depth + 1));
    if (ArrayBuffer.isView(node)) return node; // binary payloads: nothing keyed inside
    if (node instanceof Map) {
      const out = new Map<unknown, unknown>();
      for (const [k, v] of node as Map<unknown, unknown>) {
        out.set(k, typeof k === 'string' && keySet.has(normaliseKey(k)) ? REDACTED : walk(v, depth + 1));
      }
      return out;
    }
    if (node instanceof Set) return new Set([...(node as Set<unknown>)].map((v) => walk(v, depth + 1)));
    if (node instanceof Error) {
      const out: Record<string, unknown> = {};
      defineOwn(out, 'name', node.name);
      defineOwn(out, 'message', node.message);
      if (node.stack !== undefined) defineOwn(out, 'stack', node.stack);
      copyProps(node, out, depth);
      return out;
    }
    if (!isPlainObject(node)) {
      const toJSON = (node as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        let json: unknown;
        try {
          json = toJSON.call(node);
        } catch {
          return '[Unserializable]';
        }
        // toJSON may return the object itself or another instance; walking it once more is safe
        // because `node` is still among the ancestors.
        return json === node ? copyProps(node, {}, depth) : walk(json, depth + 1);
      }
    }
    return copyProps(node, {}, depth);
  };

  const copyProps = (node: object, out: Record<string, unknown>, depth: number): Record<string, unknown> => {
    for (const key of Object.keys(node)) {
      if (keySet.has(normaliseKey(key))) {
        defineOwn(out, key, REDACTED);
        continue;
      }
      let child: unknown;
      try {
        child = (node as Record<string, unknown>)[key];
      } catch {
        child = '[Unreadable]';
      }
      defineOwn(out, key, walk(child, depth + 1));
    }
    return out;
  };

  return walk(value, 0) as T;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The spellings of a secret that realistically end up in text: raw, URL-encoded, base64, JSON. */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const uriComponent = encodeURIComponent(secret);
  forms.add(uriComponent);
  forms.add(uriComponent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(uriComponent.replace(/%20/g, '+')); // application/x-www-form-urlencoded
  forms.add(encodeURI(secret));
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  forms.add(base64);
  forms.add(base64.replace(/=+$/, ''));
  forms.add(bytes.toString('base64url'));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter((form) => form.length > 0);
}

/**
 * Replaces every occurrence of each known secret in `text` with `***`, including its URL-encoded
 * (either hex case, `+` for space), base64, base64url and JSON-escaped forms. Longer strings are
 * matched first so that a secret containing another is replaced whole. Empty secrets are ignored.
 */
export function scrubText(text: string, secrets: Iterable<string>): string {
  return makeScrubber(secrets)(text);
}

/**
 * `scrubText` with the pattern built once, for hot paths such as a log hook. Build a new one when
 * the set of known secrets changes (e.g. after a push).
 */
export function makeScrubber(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of secretForms(secret)) forms.add(form);
  }
  if (forms.size === 0) return (text) => text;
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(alternatives.join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

const SECRET_QUERY_PARAM = /([?&](?:password|passwd|pwd|pass|secret|token|access_?token|api_?key|auth)=)[^&#]*/gi;
// Userinfo runs to the LAST `@` that is followed by something host-shaped: a password holding `@`
// and `/` is then still hidden whole; the cost is over-redaction when a query value contains `@`.
const URL_DSN = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@((?:\[[0-9a-fA-F:.]*\]|[^@/?#[\]:]*)(?::[0-9]*)?(?:[/?#].*)?)$/is;

function maskUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  return colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:${REDACTED}`;
}

/**
 * A DSN with its password (and password-like query parameters) replaced by `***`, user and host
 * kept so the log still says where the node connects. Handles
 * - URLs: `mysql://user:pass@host:3306/db?x=y` (a password may even contain unescaped `@` or `/`),
 * - the Go driver form: `user:pass@tcp(host:port)/db?charset=utf8mb4` (parsed as the driver does:
 *   credentials end at the last `@` before the last `/`),
 * - SQLite `file:path.db`, `:memory:` and bare paths, returned unchanged.
 * When in doubt it redacts more, never less.
 */
export function redactDsn(dsn: string): string {
  if (/^file:/i.test(dsn) || dsn === ':memory:') return dsn;
  let out = dsn;
  // `@tcp(`, `@unix(` and `@/` (no address) cannot end a URL's userinfo, so they mark the Go form
  // even when the user or password happens to make the start look like `scheme://`. A URL whose
  // password contains them is parsed the Go way, which only redacts more.
  const goForm = /@(?:[a-z0-9]*\(|\/)/i.test(dsn);
  const url = goForm ? null : URL_DSN.exec(dsn);
  if (url !== null) {
    const [, scheme = '', userinfo = '', rest = ''] = url;
    out = `${scheme}${maskUserinfo(userinfo)}@${rest}`;
  } else if (goForm || !/^[a-z][a-z0-9+.-]*:\/\//i.test(dsn)) {
    const lastSlash = dsn.lastIndexOf('/');
    const head = lastSlash < 0 ? dsn : dsn.slice(0, lastSlash);
    // The driver would reject a DSN whose password swallowed the only `/`, but it must not leak
    // in our logs either: fall back to the last `@` anywhere.
    const at = head.includes('@') ? head.lastIndexOf('@') : dsn.lastIndexOf('@');
    if (at >= 0) out = `${maskUserinfo(dsn.slice(0, at))}${dsn.slice(at)}`;
  }
  return out.replace(SECRET_QUERY_PARAM, `$1${REDACTED}`);
}
