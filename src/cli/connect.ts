// Where the CLI connects and with which secret. The node is the one the config file describes
// (http(s)://127.0.0.1:<APIPort>, or its BindAddress when it listens on one address only);
// `--node URL` overrides. The secret is `--secret`, else $COCOASYNCER_SECRET, else the config's
// CocoaSecret — the same precedence the node's own config loader applies.
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfigFile, type Config } from '../config/index.js';
import { nodeAddressSchema } from '../schemas.js';
import { AdminClient } from './admin-client.js';
import { describeConfigLocation, findConfigPath, noConfigMessage } from './config-path.js';
import { usageError } from './output.js';

export interface ConnectionFlags {
  /** --config (program option). */
  config?: string;
  /** --node URL. */
  node?: string;
  /** The CLI's own secret: --secret (or --node-secret on `join`). */
  secret?: string;
  /** Which flag gave `secret`, for messages. */
  secretFlag?: string;
}

export interface Connection {
  baseUrl: string;
  secret: string;
  ca: Buffer | null;
  timeoutMs: number;
  /** The config file read, described with what chose it (null: none was needed or found). */
  configFile: string | null;
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const secretFlag = flags.secretFlag ?? '--secret';
  let node: string | undefined;
  if (flags.node !== undefined) {
    const parsed = nodeAddressSchema.safeParse(flags.node);
    if (!parsed.success) throw usageError(`--node: ${parsed.error.issues[0]?.message ?? 'invalid URL'}`);
    node = parsed.data;
  }
  const givenSecret = flags.secret !== undefined && flags.secret !== '' ? flags.secret : env.COCOASYNCER_SECRET || undefined;

  // The config is needed for whatever the flags leave open; with --node and a secret it is only
  // read (if present) for TrustCA, and a broken one is then no reason to fail.
  const needConfig = node === undefined || givenSecret === undefined;
  const location = findConfigPath(flags.config, env);
  if (!location && needConfig) throw usageError(`${noConfigMessage()}\n(the CLI reads the node's address and secret from this file; or give --node URL and ${secretFlag} / $COCOASYNCER_SECRET)`);
  const path = location?.path ?? '';
  let config: Config | null = null;
  try {
    if (location) config = loadConfigFile(path, env).config;
  } catch (err) {
    if (needConfig) {
      const why = err instanceof ConfigError ? err.message : (err as Error).message;
      throw usageError(`${why}\n(the CLI reads the node's address and secret from this file; or give --node URL and ${secretFlag} / $COCOASYNCER_SECRET)`);
    }
  }

  let baseUrl = node;
  if (baseUrl === undefined) {
    const c = config!;
    if (c.apiPort === 0) throw usageError(`APIPort is 0 in ${path} (the node picks a random port), so the CLI cannot know it: give --node URL`);
    baseUrl = `${c.tls ? 'https' : 'http'}://${hostFor(c.bindAddress)}:${c.apiPort}`;
  }
  const secret = givenSecret ?? config!.secret;

  let ca: Buffer | null = null;
  const caPath = config?.trustCa ?? (env.COCOASYNCER_TRUST_CA || null);
  if (caPath && baseUrl.startsWith('https:')) {
    try {
      ca = readFileSync(caPath);
    } catch (err) {
      throw usageError(`TrustCA: cannot read ${caPath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  // Outbound calls the node makes for us (join asks the new node) take up to its request timeout;
  // leave room for that on top.
  const timeoutMs = (config?.timing.requestTimeoutMs ?? 5000) * 2 + 10_000;
  return { baseUrl, secret, ca, timeoutMs, configFile: config && location ? describeConfigLocation(location) : null };
}

/** The loopback address when the node listens everywhere, else the one address it listens on. */
function hostFor(bind: string): string {
  if (bind === '0.0.0.0' || bind === '') return '127.0.0.1';
  if (bind === '::') return '[::1]';
  return bind.includes(':') ? `[${bind}]` : bind;
}

export function clientFor(conn: Connection): AdminClient {
  return new AdminClient({ baseUrl: conn.baseUrl, secret: conn.secret, ca: conn.ca, timeoutMs: conn.timeoutMs });
}
