// Loads the config: YAML file → environment overrides → schema → one typed, frozen object.
// Every problem is collected and reported together, each naming its key; unknown keys only warn
// (with the closest known key), so a newer config file still starts an older node — unless the
// config is invalid anyway, when they are listed among the problems (a typo is the likely cause).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import type { Family, IspCode, LineCode, NetworkType, WorkMode } from '../model.js';
import { normalizeDatabaseType, parseDsn, type DatabaseConfig } from './dsn.js';
import {
  CONFIG_KEYS,
  TEXT_KEYS,
  type ConfigKey,
  DEFAULT_FAIL_AFTER_SECONDS,
  DEFAULT_IP_SOURCES,
  DEFAULT_MIN_AGREE,
  DEFAULT_SQLITE_DSN,
  DEFAULT_TIMEOUT_MINUTES,
  ENV_VARS,
  PUBLIC_IP_ENV,
  convertEnv,
  rawConfigSchema,
  type RawConfig,
} from './schema.js';
import { describeUnknownKey, findUnknownKeys } from './unknown-keys.js';

import { MIN_SECRET_LENGTH } from '../security/known-secrets.js';

export type { DatabaseConfig } from './dsn.js';

export interface IpSourceConfig {
  sources: string[];
  minAgree: number;
  iface: string | null;
  command: string | null;
  staticAddress: string | null;
  disabled: boolean;
}

export interface Config {
  /** The file it came from (null when built from an object) and the folder relative paths resolve against. */
  file: string | null;
  baseDir: string;
  apiPort: number;
  bindAddress: string;
  nodeName: string;
  nodeCode: string;
  nodeAddress: string;
  reverseProxy: boolean;
  workMode: WorkMode;
  secret: string;
  isps: IspCode[];
  networkType: NetworkType;
  /** The original's Timeout, minutes, kept to echo it in v1 answers. */
  timeoutMinutes: number;
  timing: {
    heartbeatMs: number;
    failAfterMs: number;
    recoverAfter: number;
    pushMs: number;
    dnsSyncMs: number;
    ipCheckMs: number;
    requestTimeoutMs: number;
  };
  databaseType: 'sqlite' | 'mysql';
  database: DatabaseConfig;
  v1Compat: boolean;
  tls: { cert: string; key: string } | null;
  trustCa: string | null;
  credentialKey: string | null;
  publicIp: { ipv4: IpSourceConfig; ipv6: IpSourceConfig };
  /** LineIP: per-line sources; a line (or family) without an entry uses `publicIp`. */
  lineIp: Partial<Record<LineCode, Partial<Record<Family, IpSourceConfig>>>>;
  logLevel: RawConfig['LogLevel'];
  /** LogFormat: `text` (pino-pretty), `json`, or `auto` (text on a terminal, JSON otherwise). */
  logFormat: RawConfig['LogFormat'];
  bodyLimitBytes: number;
  dryRun: boolean;
  /** DnsMaxChangeShare: the DNS safety check's limit, 0..1 (1: off). */
  dnsMaxChangeShare: number;
}

export class ConfigError extends Error {
  /**
   * `problems`: what makes the config unusable, each naming its key; `warnings`: what was noticed
   * besides (e.g. the shipped example secret), for `config check` to list as well.
   */
  constructor(
    readonly problems: string[],
    readonly warnings: string[] = [],
  ) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadResult {
  config: Config;
  warnings: string[];
}

/** Reads and validates a config file; `env` overrides it (pass `{}` to ignore the environment). */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
  let doc: unknown;
  try {
    const parsed = parseDocument(text);
    if (parsed.errors.length) throw parsed.errors[0]!;
    doc = parsed.toJS() ?? {};
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) Object.assign(doc, textScalars(parsed));
  } catch (err) {
    throw new ConfigError([`config file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ConfigError([`config file ${path} must be a mapping of keys to values`]);
  }
  return buildConfig(doc as Record<string, unknown>, { file: path, baseDir: dirname(path), env });
}

/**
 * The text keys (TEXT_KEYS) given as a plain number or boolean, as written in the file: `0999`
 * stays `0999`, not 999. Go's viper reads such a scalar as text; so does this loader.
 */
function textScalars(doc: ReturnType<typeof parseDocument>): Record<string, string> {
  const out: Record<string, string> = {};
  const map = doc.contents;
  if (!map || !('items' in map) || !Array.isArray(map.items)) return out;
  for (const pair of map.items as { key: unknown; value: unknown }[]) {
    if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
    const key = String(pair.key.value);
    const v = pair.value.value;
    if (TEXT_KEYS.has(key as ConfigKey) && (typeof v === 'number' || typeof v === 'boolean')) out[key] = pair.value.source ?? String(v);
  }
  return out;
}

/** Validates a config object (file contents or built by a test). */
export function buildConfig(
  input: Record<string, unknown>,
  opts: { file?: string | null; baseDir: string; env?: NodeJS.ProcessEnv },
): LoadResult {
  const warnings: string[] = [];
  const known = new Set<string>(CONFIG_KEYS);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!known.has(key)) continue;
    // A number or boolean for a text key is its text, as the original reads it (`CocoaSecret: 999`).
    raw[key] = TEXT_KEYS.has(key as ConfigKey) && (typeof value === 'number' || typeof value === 'boolean') ? String(value) : value;
  }
  const unknownKeys = findUnknownKeys(input, CONFIG_KEYS).map(describeUnknownKey);
  for (const [name, { key, kind }] of Object.entries(ENV_VARS)) {
    const value = opts.env?.[name];
    if (value !== undefined) raw[key] = convertEnv(kind, value);
  }
  addStaticIpFromEnv(raw, opts.env ?? {});

  const parsed = rawConfigSchema.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.length ? issue.path.join('.') : '(root)';
      problems.push(`${key}: ${describeIssue(issue.message, raw, issue.path)}`);
    }
    const secretProblem = typeof raw.CocoaSecret === 'string' ? shortSecretProblem(raw.CocoaSecret, raw.V1Compat === true) : null;
    if (secretProblem) problems.push(secretProblem);
    throw new ConfigError([...unknownKeys, ...problems], warnings);
  }
  const config = finish(parsed.data, opts.file ?? null, opts.baseDir, problems, warnings);
  if (problems.length) throw new ConfigError([...unknownKeys, ...problems], warnings);
  return { config: config!, warnings: [...unknownKeys.map((u) => `${u}; ignored`), ...warnings] };
}

/**
 * A CocoaSecret under MIN_SECRET_LENGTH is refused unless V1Compat is on (v1 clusters use such
 * secrets, e.g. the original's `999`); the message says why and what to do. Null: acceptable.
 */
function shortSecretProblem(secret: string, v1Compat: boolean): string | null {
  if (secret === '' || secret.length >= MIN_SECRET_LENGTH || v1Compat) return null;
  return `CocoaSecret: is ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are required, because a short secret is easily guessed. Set a longer one (e.g. \`openssl rand -base64 24\`), or set V1Compat: true to keep a v1 cluster's short secret`;
}

function describeIssue(message: string, raw: Record<string, unknown>, path: PropertyKey[]): string {
  // zod says "Invalid input: expected string, received undefined" for a missing key; say it plainly.
  let value: unknown = raw;
  for (const p of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p] : undefined;
  return value === undefined ? 'is required' : message;
}

function addStaticIpFromEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  // PUBLIC_IP_ENV (COCOASYNCER_PUBLIC_IPV4 / _IPV6) pin the address (containers, tests, a static line).
  const publicIp = { ...((raw.PublicIP as Record<string, unknown> | undefined) ?? {}) };
  for (const [fam, name] of Object.entries(PUBLIC_IP_ENV)) {
    const value = env[name];
    if (value !== undefined) publicIp[fam] = { Static: value.trim() };
  }
  if (Object.keys(publicIp).length) raw.PublicIP = publicIp;
}

function finish(raw: RawConfig, file: string | null, baseDir: string, problems: string[], warnings: string[]): Config | null {
  const databaseType = normalizeDatabaseType(raw.DataBaseType);
  let database: DatabaseConfig | null = null;
  if (!databaseType) {
    problems.push(`DataBaseType: "${raw.DataBaseType}" is not supported; use sqlite, sqlite3 or mysql`);
  } else {
    const dsn = raw.DSN.trim() || (databaseType === 'sqlite' ? DEFAULT_SQLITE_DSN : '');
    if (dsn === '') problems.push('DSN: is required when DataBaseType is mysql');
    else {
      try {
        database = parseDsn(databaseType, dsn, baseDir);
      } catch (err) {
        problems.push(`DSN: ${(err as Error).message}`);
      }
    }
  }
  if ((raw.TLSCert === undefined) !== (raw.TLSKey === undefined)) problems.push('TLSCert/TLSKey: give both or neither');

  const timeoutMinutes = raw.Timeout ?? DEFAULT_TIMEOUT_MINUTES;
  const heartbeatMs = raw.HeartbeatSeconds * 1000;
  // Without FailAfterSeconds the original's Timeout (minutes) decides, as a v1 operator expects.
  const failAfterMs = raw.FailAfterSeconds !== undefined ? raw.FailAfterSeconds * 1000 : raw.Timeout !== undefined ? raw.Timeout * 60_000 : DEFAULT_FAIL_AFTER_SECONDS * 1000;
  if (failAfterMs < heartbeatMs * 2) problems.push(`FailAfterSeconds: must be at least twice HeartbeatSeconds (${heartbeatMs / 1000}s), else a live peer looks down between heartbeats`);
  // The secret in use (stored once the node serves) is warned about at start and on the status
  // page (security/known-secrets.ts secretWarnings); here only what the file itself cannot be.
  const secretProblem = shortSecretProblem(raw.CocoaSecret, raw.V1Compat);
  if (secretProblem) problems.push(secretProblem);
  for (const [line, fams] of Object.entries(raw.LineIP)) {
    for (const fam of ['IPv4', 'IPv6'] as const) {
      const served = raw.NetworkType === 'Both' || raw.NetworkType === (fam === 'IPv4' ? 'IPV4' : 'IPV6');
      if (fams[fam] && !served) warnings.push(`LineIP.${line}.${fam} is ignored: NetworkType ${raw.NetworkType} serves no ${fam}`);
    }
  }
  if (!database || !databaseType || problems.length) return null;

  const at = (p: string | undefined) => (p === undefined ? null : isAbsolute(p) ? p : resolve(baseDir, p));
  const ipSource = (s: RawConfig['PublicIP']['IPv4'], defaults: readonly string[]): IpSourceConfig => ({
    sources: s?.Sources ?? (s?.Static || s?.Interface || s?.Command ? [] : [...defaults]),
    minAgree: s?.MinAgree ?? DEFAULT_MIN_AGREE,
    iface: s?.Interface ?? null,
    command: s?.Command ?? null,
    staticAddress: s?.Static ?? null,
    disabled: s?.Disabled ?? false,
  });

  return Object.freeze({
    file,
    baseDir,
    apiPort: raw.APIPort,
    bindAddress: raw.BindAddress,
    nodeName: raw.NodeName,
    nodeCode: raw.NodeCode,
    nodeAddress: raw.NodeAddress,
    reverseProxy: raw.ReverseProxy,
    workMode: raw.WorkMode,
    secret: raw.CocoaSecret,
    isps: raw.ISPs,
    networkType: raw.NetworkType,
    timeoutMinutes,
    timing: {
      heartbeatMs,
      failAfterMs,
      recoverAfter: raw.RecoverAfter,
      pushMs: raw.PushSeconds * 1000,
      dnsSyncMs: raw.DnsSyncSeconds * 1000,
      ipCheckMs: raw.IpCheckSeconds * 1000,
      requestTimeoutMs: raw.RequestTimeoutSeconds * 1000,
    },
    databaseType,
    database,
    v1Compat: raw.V1Compat,
    tls: raw.TLSCert && raw.TLSKey ? { cert: at(raw.TLSCert)!, key: at(raw.TLSKey)! } : null,
    trustCa: at(raw.TrustCA),
    credentialKey: raw.CredentialKey ?? null,
    publicIp: { ipv4: ipSource(raw.PublicIP.IPv4, DEFAULT_IP_SOURCES.ipv4), ipv6: ipSource(raw.PublicIP.IPv6, DEFAULT_IP_SOURCES.ipv6) },
    lineIp: Object.fromEntries(
      Object.entries(raw.LineIP).map(([line, fams]) => [
        line,
        Object.fromEntries([
          ...(fams.IPv4 ? [['ipv4', ipSource(fams.IPv4, DEFAULT_IP_SOURCES.ipv4)]] : []),
          ...(fams.IPv6 ? [['ipv6', ipSource(fams.IPv6, DEFAULT_IP_SOURCES.ipv6)]] : []),
        ]),
      ]),
    ) as Config['lineIp'],
    logLevel: raw.LogLevel,
    logFormat: raw.LogFormat,
    bodyLimitBytes: raw.BodyLimitKB * 1024,
    dryRun: raw.DryRun,
    dnsMaxChangeShare: raw.DnsMaxChangeShare,
  });
}
