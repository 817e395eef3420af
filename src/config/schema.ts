// The config file's schema: the original's keys exactly (APIPort, NodeName, ... DSN) plus ours.
// Each key is declared once below with its rule (built from the shared schemas in src/schemas.ts,
// the same rules the API applies), its default, its environment variable and its description; the
// README's configuration table is generated from the same declarations (configTableMarkdown) and
// test/config.test.ts fails when the two differ. Validation lists every problem at once, each
// naming its key.
import { z } from 'zod';
import {
  httpUrlSchema,
  ispListSchema,
  networkTypeSchema,
  nodeAddressSchema,
  nodeCodeSchema,
  nodeNameSchema,
  secretSchema,
  workModeSchema,
} from '../schemas.js';

/** How an environment variable's text becomes the key's value (see convertEnv). */
type EnvKind = 'string' | 'number' | 'boolean' | 'list';

/** One config key, declared once. */
interface KeySpec<S extends z.ZodType = z.ZodType> {
  /** The rule, with `.default(...)` where the default is a plain value. */
  schema: S;
  /** The environment variable that overrides the key, and how its text is read. Null: none. */
  env: { name: string; kind: EnvKind } | null;
  /** What the key means (markdown, one line): the README's "meaning" column. */
  description: string;
  /**
   * The default as the README shows it, for keys whose default is worked out when the config is
   * finished rather than by the schema (e.g. DSN, FailAfterSeconds). Keys with a schema default
   * show that; keys with neither are required or simply off.
   */
  computedDefault?: string;
  /** Extra text after the env variable in the README (e.g. "(comma list)"). */
  envNote?: string;
}

const seconds = (min: number, max: number) => z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

// Defaults applied when the config is finished (src/config/index.ts), declared here once.
/** The original's Timeout, minutes, when the key is absent. */
export const DEFAULT_TIMEOUT_MINUTES = 10;
/** A peer is down after this long without a fresh watchdog, when neither FailAfterSeconds nor Timeout is given. */
export const DEFAULT_FAIL_AFTER_SECONDS = 15;
/** The SQLite database when DSN is empty. */
export const DEFAULT_SQLITE_DSN = 'file:./data/cocoasyncer.db';
/** Public-IP echo services per family, when PublicIP names no source of its own. */
export const DEFAULT_IP_SOURCES = {
  ipv4: ['https://4.ipw.cn', 'https://api4.ipify.org', 'https://ipv4.icanhazip.com'],
  ipv6: ['https://6.ipw.cn', 'https://api6.ipify.org', 'https://ipv6.icanhazip.com'],
} as const;
/** How many echo services must agree on an address, when a family's MinAgree is absent. */
export const DEFAULT_MIN_AGREE = 2;

const ipSourceSchema = z
  .object({
    Sources: z.array(httpUrlSchema).optional(),
    MinAgree: z.number().int().min(1).max(10).optional(),
    Interface: z.string().min(1).max(64).optional(),
    Command: z.string().min(1).max(1024).optional(),
    Static: z.string().min(2).max(64).optional(),
    Disabled: z.boolean().optional(),
  })
  .strict();

const LINE_IP_CODES = ['default', 'CT', 'CU', 'CMCC', 'CNEdu', 'OverSea'] as const;

/** LineIP: line code → per-family sources of the same shape as PublicIP's; an unknown line code is an error naming it. */
const lineIpSchema = z
  .record(z.string(), z.object({ IPv4: ipSourceSchema.optional(), IPv6: ipSourceSchema.optional() }).strict())
  .superRefine((map, ctx) => {
    for (const line of Object.keys(map)) {
      if (!(LINE_IP_CODES as readonly string[]).includes(line)) {
        ctx.addIssue({ code: 'custom', path: [line], message: `"${line}" is not a line code; use one of ${LINE_IP_CODES.join(', ')}` });
      }
    }
  })
  .default({});

/** Environment variables that pin a family's public address (`PublicIP.<family>.Static`): containers, tests, a static line. */
export const PUBLIC_IP_ENV = { IPv4: 'COCOASYNCER_PUBLIC_IPV4', IPv6: 'COCOASYNCER_PUBLIC_IPV6' } as const;

const env = (name: string, kind: EnvKind = 'string') => ({ name, kind });
const spec = <S extends z.ZodType>(s: KeySpec<S>): KeySpec<S> => s;

/** Every key the file may carry, in the README's order; anything else is warned about as a likely typo. */
export const CONFIG_SPEC = {
  // The original's keys.
  APIPort: spec({ schema: z.number().int().min(0).max(65535, 'must be a port from 0 to 65535'), env: env('COCOASYNCER_API_PORT', 'number'), description: 'HTTP(S) port (0 picks a free one)' }),
  NodeName: spec({ schema: nodeNameSchema, env: env('COCOASYNCER_NODE_NAME'), description: 'friendly name (status page, badge)' }),
  NodeCode: spec({ schema: nodeCodeSchema, env: env('COCOASYNCER_NODE_CODE'), description: 'unique code, 1-64 of `A-Za-z0-9_.-`; never shown on public pages' }),
  NodeAddress: spec({ schema: nodeAddressSchema, env: env('COCOASYNCER_NODE_ADDRESS'), description: 'URL peers use to reach this node' }),
  ReverseProxy: spec({ schema: z.boolean().default(false), env: env('COCOASYNCER_REVERSE_PROXY', 'boolean'), description: 'trust `X-Forwarded-For`' }),
  WorkMode: spec({ schema: workModeSchema, env: env('COCOASYNCER_WORK_MODE'), description: '`leader` or `follower`' }),
  CocoaSecret: spec({
    schema: secretSchema,
    env: env('COCOASYNCER_SECRET'),
    description: 'this node\'s secret: at least 8 characters (shorter only with `V1Compat: true`); used until the node joins a cluster, then `cocoasyncer secret rotate` changes it',
  }),
  Timeout: spec({
    schema: z.number().positive().max(1440).optional(),
    env: env('COCOASYNCER_TIMEOUT', 'number'),
    description: 'original\'s failure timeout in **minutes**; used when `FailAfterSeconds` is absent',
    computedDefault: `\`${DEFAULT_TIMEOUT_MINUTES}\``,
  }),
  DataBaseType: spec({ schema: z.string().default('sqlite'), env: env('COCOASYNCER_DATABASE_TYPE'), description: '`sqlite`, `sqlite3` or `mysql` (MariaDB too)' }),
  DSN: spec({
    schema: z.string().default(''),
    env: env('COCOASYNCER_DSN'),
    description: 'SQLite `file:PATH`; MySQL `user:pass@tcp(host:3306)/db?charset=utf8mb4` or `mysql://user:pass@host:3306/db`',
    computedDefault: `\`${DEFAULT_SQLITE_DSN}\``,
  }),
  // Ours.
  BindAddress: spec({ schema: z.string().min(1).default('0.0.0.0'), env: env('COCOASYNCER_BIND_ADDRESS'), description: 'address to listen on' }),
  ISPs: spec({
    schema: ispListSchema.default(['default']),
    env: env('COCOASYNCER_ISPS', 'list'),
    envNote: '(comma list)',
    description: 'lines this node serves: `default`, `CT`, `CU`, `CMCC`, `CNEdu`, `OverSea`, or `None`',
  }),
  NetworkType: spec({ schema: networkTypeSchema.default('IPV4'), env: env('COCOASYNCER_NETWORK_TYPE'), description: '`IPV4` (A), `IPV6` (AAAA), `Both`' }),
  HeartbeatSeconds: spec({ schema: seconds(0.1, 3600).default(5), env: env('COCOASYNCER_HEARTBEAT_SECONDS', 'number'), description: 'heartbeat period' }),
  FailAfterSeconds: spec({
    schema: seconds(0.3, 86400).optional(),
    env: env('COCOASYNCER_FAIL_AFTER_SECONDS', 'number'),
    description: 'a peer whose watchdog is older is down (504)',
    computedDefault: `\`${DEFAULT_FAIL_AFTER_SECONDS}\` (or \`Timeout\`×60)`,
  }),
  RecoverAfter: spec({ schema: z.number().int().min(1).max(100).default(2), env: env('COCOASYNCER_RECOVER_AFTER', 'number'), description: 'fresh heartbeats before a returning peer takes its lines back' }),
  PushSeconds: spec({ schema: seconds(0.5, 86400).default(30), env: env('COCOASYNCER_PUSH_SECONDS', 'number'), description: 'leader\'s anti-entropy push period (edits push at once)' }),
  DnsSyncSeconds: spec({ schema: seconds(1, 86400).default(60), env: env('COCOASYNCER_DNS_SYNC_SECONDS', 'number'), description: 'DNS reconcile period' }),
  IpCheckSeconds: spec({ schema: seconds(1, 86400).default(30), env: env('COCOASYNCER_IP_CHECK_SECONDS', 'number'), description: 'public IP check period (a change triggers a reconcile)' }),
  RequestTimeoutSeconds: spec({ schema: seconds(0.1, 120).default(5), env: env('COCOASYNCER_REQUEST_TIMEOUT_SECONDS', 'number'), description: 'timeout of every outbound request' }),
  V1Compat: spec({ schema: z.boolean().default(false), env: env('COCOASYNCER_V1_COMPAT', 'boolean'), description: 'accept/speak the original\'s clear-secret v1 protocol; also accepts a `CocoaSecret` under 8 characters (as v1 clusters use), with a warning' }),
  TLSCert: spec({ schema: z.string().min(1).optional(), env: env('COCOASYNCER_TLS_CERT'), description: 'serve HTTPS with this certificate (PEM file; give `TLSKey` too)' }),
  TLSKey: spec({ schema: z.string().min(1).optional(), env: env('COCOASYNCER_TLS_KEY'), description: 'the certificate\'s private key (PEM file)' }),
  TrustCA: spec({ schema: z.string().min(1).optional(), env: env('COCOASYNCER_TRUST_CA'), description: 'extra CA (PEM) to trust for `https://` peers' }),
  CredentialKey: spec({ schema: z.string().min(16, 'must be at least 16 characters').optional(), env: env('COCOASYNCER_CREDENTIAL_KEY'), description: 'key to encrypt secrets at rest in the database' }),
  PublicIP: spec({
    schema: z.object({ IPv4: ipSourceSchema.optional(), IPv6: ipSourceSchema.optional() }).strict().default({}),
    // No scalar override: PUBLIC_IP_ENV pins a family's static address instead.
    env: null,
    envNote: `${Object.values(PUBLIC_IP_ENV).map((n) => `\`${n}\``).join(', ')} (static address)`,
    description: 'per family `IPv4`/`IPv6`: `Sources` (URLs), `MinAgree`, `Interface`, `Command`, `Static`, `Disabled`',
    computedDefault: 'echo services',
  }),
  LineIP: spec({
    schema: lineIpSchema,
    env: null,
    description: 'per-line addresses (multi-WAN): line code → `IPv4`/`IPv6` sources of the same shape as `PublicIP`; with both `Interface` and `Sources` the echo services are asked through that interface; a line without an entry uses `PublicIP`',
    computedDefault: '`{}`',
  }),
  LogLevel: spec({ schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), env: env('COCOASYNCER_LOG_LEVEL'), description: '`fatal` … `trace`, `silent`' }),
  LogFormat: spec({
    schema: z.enum(['auto', 'text', 'json'], { error: 'must be auto, text or json' }).default('auto'),
    env: env('COCOASYNCER_LOG_FORMAT'),
    description: '`text` (readable lines), `json` (one pino object per line), `auto`: text on a terminal, JSON otherwise',
  }),
  BodyLimitKB: spec({ schema: z.number().int().min(1).max(10240).default(256), env: env('COCOASYNCER_BODY_LIMIT_KB', 'number'), description: 'largest accepted request body' }),
  DryRun: spec({ schema: z.boolean().default(false), env: env('COCOASYNCER_DRY_RUN', 'boolean'), description: 'plan DNS changes, never write them' }),
  DnsMaxChangeShare: spec({
    schema: z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1').default(0.5),
    env: env('COCOASYNCER_DNS_MAX_CHANGE_SHARE', 'number'),
    description: 'DNS safety check: refuse a pass that would rewrite more than this share of its (at least 10) managed records without a failover or address-change reason; `1` turns it off',
  }),
};

type Spec = typeof CONFIG_SPEC;
export type ConfigKey = keyof Spec;

/** The schema of the whole file, built from CONFIG_SPEC. */
export const rawConfigSchema = z.object(Object.fromEntries(Object.entries(CONFIG_SPEC).map(([k, s]) => [k, s.schema])) as { [K in ConfigKey]: Spec[K]['schema'] });

export type RawConfig = z.infer<typeof rawConfigSchema>;
export const CONFIG_KEYS = Object.keys(CONFIG_SPEC) as ConfigKey[];

/**
 * Keys whose value is text: a YAML scalar given for them (`CocoaSecret: 999`, `NodeCode: 42`) is read
 * as its source text, as the original (Go, viper) reads it.
 */
export const TEXT_KEYS: ReadonlySet<ConfigKey> = new Set((Object.entries(CONFIG_SPEC) as [ConfigKey, KeySpec][]).filter(([, s]) => s.env?.kind === 'string').map(([k]) => k));

/** Environment overrides: one variable per scalar key. */
export const ENV_VARS: Record<string, { key: ConfigKey; kind: EnvKind }> = Object.fromEntries(
  (Object.entries(CONFIG_SPEC) as [ConfigKey, KeySpec][]).flatMap(([key, s]) => (s.env ? [[s.env.name, { key, kind: s.env.kind }]] : [])),
);

/** Converts an environment string to the key's type; a value that does not convert is passed on as text so the schema reports it. */
export function convertEnv(kind: EnvKind, value: string): unknown {
  const v = value.trim();
  switch (kind) {
    case 'number':
      return v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    case 'boolean':
      return /^(true|1|yes|on)$/i.test(v) ? true : /^(false|0|no|off)$/i.test(v) ? false : v;
    case 'list':
      return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    default:
      return value;
  }
}

/** The schema default of a key (undefined when it has none). */
function schemaDefault(schema: z.ZodType): unknown {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { default?: unknown };
  return json.default;
}

/** How the README writes a default: `false`, `[default]`, `0.0.0.0`; `—` for none. */
function defaultText(s: KeySpec): string {
  if (s.computedDefault !== undefined) return s.computedDefault;
  const d = schemaDefault(s.schema);
  if (d === undefined) return '—';
  return `\`${Array.isArray(d) ? `[${d.join(', ')}]` : String(d)}\``;
}

/** One README table row per key: `| key | env | default | meaning |`. */
export function configTableRows(): string[] {
  return (Object.entries(CONFIG_SPEC) as [ConfigKey, KeySpec][]).map(([key, s]) => {
    const envText = [s.env ? `\`${s.env.name}\`` : '', s.envNote ?? ''].filter((x) => x !== '').join(' ') || '—';
    return `| \`${key}\` | ${envText} | ${defaultText(s)} | ${s.description} |`;
  });
}

/** The README's configuration table, header included. */
export function configTableMarkdown(): string {
  return ['| key | env | default | meaning |', '|---|---|---|---|', ...configTableRows()].join('\n');
}
