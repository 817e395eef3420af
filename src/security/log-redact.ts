// Paths for pino's `redact` option. pino's redactor matches keys case-sensitively and each `*`
// stands for exactly one level (checked against pino 10 / @pinojs/redact), so the list spells out
// the case variants actually used (our camelCase model, the Go original's PascalCase config and
// `Dsn`) at the depths log objects reach. It cannot see inside strings: error messages that might
// quote a secret still go through `scrubText`, and whole objects of unknown shape through
// `redactObject`.

/** Key spellings whose values are secret wherever they appear in a logged object. */
const SECRET_KEY_SPELLINGS = [
  'secret',
  'Secret',
  'cocoaSecret',
  'CocoaSecret',
  'accessSecret',
  'AccessSecret',
  'accessKeySecret',
  'AccessKeySecret',
  'password',
  'Password',
  'dsn',
  'Dsn',
  'DSN',
  'token',
  'Token',
  'authorization',
  'Authorization',
  'credentialKey',
  'CredentialKey',
] as const;

/** Prefixes giving depths 0-3 for plain nesting and arrays of objects one or two levels down. */
const DEPTH_PREFIXES = ['', '*.', '*.*.', '*.*.*.', '*[*].', '*.*[*].'] as const;

/** Header containers: pino's req/res serializers, raw headers objects, and fetch-style option bags. */
const HEADER_CONTAINERS = ['headers', 'req.headers', 'res.headers', 'request.headers', 'options.headers'] as const;
/** Node lower-cases incoming names; outgoing ones keep the case they were built with. */
const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-cocoa-signature',
  'X-Cocoa-Signature',
] as const;

function headerPath(container: string, header: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(header) ? `${container}.${header}` : `${container}["${header}"]`;
}

/** Redaction paths for `pino({ redact: { paths: LOG_REDACT_PATHS } })`. */
export const LOG_REDACT_PATHS: string[] = [
  ...DEPTH_PREFIXES.flatMap((prefix) => SECRET_KEY_SPELLINGS.map((key) => `${prefix}${key}`)),
  ...HEADER_CONTAINERS.flatMap((container) => SECRET_HEADERS.map((header) => headerPath(container, header))),
  // Replicated state and the v1 wire shape, at the places they are usually logged whole.
  'cloudAccounts[*].accessSecret',
  'state.cloudAccounts[*].accessSecret',
  'nodes[*].secret',
  'state.nodes[*].secret',
  'cocoaBasic.cloudPlatformInfo[*].accessSecret',
  'cocoaBasic.otherCocoaSyncer[*].cocoaSecret',
  'body.cocoaBasic.cloudPlatformInfo[*].accessSecret',
  'body.cocoaBasic.otherCocoaSyncer[*].cocoaSecret',
  // Notifiers: the webhook URL carries the token (the signing secret is a `secret` key, above).
  'notifiers[*].url',
  'state.notifiers[*].url',
  'cocoaBasic.notifiers[*].url',
  'body.cocoaBasic.notifiers[*].url',
];
