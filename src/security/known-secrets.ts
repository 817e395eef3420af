// Every secret this node knows, in one list: what the log scrubber, the status page and any other
// text output must never show. Built from plain shapes so it serves the node (config + runtime)
// and anything holding part of that (a test, the status view) alike.

/** The config's secrets: the node's own secret, the database password, the credential key. */
export interface ConfigSecrets {
  secret: string;
  database: { dialect: string; password?: string };
  credentialKey: string | null;
}

/** The replicated state's secrets, and the identity's secret (which may differ from the config's). */
export interface StateSecrets {
  identity?: { secret: string };
  state: {
    nodes: readonly { secret: string }[];
    cloudAccounts: readonly { accessSecret: string }[];
    /** Webhook URLs carry tokens; signing secrets are secrets (absent in older callers' shapes). */
    notifiers?: readonly { url: string; secret: string | null }[];
  };
}

/**
 * The parts of a webhook URL that may be a token: the whole URL, its path and query, each path
 * segment and query value of 8+ characters (Telegram's `bot<token>` segment also without `bot`).
 */
export function webhookUrlSecrets(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    out.push(`${u.pathname}${u.search}`);
    for (const seg of u.pathname.split('/')) {
      const s = decodeURIComponent(seg);
      out.push(s);
      if (/^bot.+/.test(s)) out.push(s.slice(3));
    }
    for (const v of u.searchParams.values()) out.push(v);
  } catch {
    // Not a URL: the whole text is all there is.
  }
  return out.filter((s) => s.length >= 8);
}

/**
 * The secrets a node knows: its config's (CocoaSecret, the MySQL password, CredentialKey) and, once
 * the runtime is up, its identity's secret, every node's secret and every cloud account's access
 * secret. Empty strings are left out. Order: config first, then identity, nodes, accounts, notifiers (URL token parts, signing secrets).
 */
export function knownSecrets(config: ConfigSecrets, runtime: StateSecrets | null = null): string[] {
  const out = [config.secret];
  if (config.database.dialect === 'mysql' && config.database.password) out.push(config.database.password);
  if (config.credentialKey) out.push(config.credentialKey);
  if (runtime) {
    if (runtime.identity) out.push(runtime.identity.secret);
    for (const n of runtime.state.nodes) out.push(n.secret);
    for (const a of runtime.state.cloudAccounts) out.push(a.accessSecret);
    for (const n of runtime.state.notifiers ?? []) {
      out.push(...webhookUrlSecrets(n.url));
      if (n.secret) out.push(n.secret);
    }
  }
  return out.filter((s) => s !== '');
}

/**
 * Secrets anyone can read: the one this project ships in config/cocoasyncer.yaml and the original
 * Go CocoaSyncer's well-known example (`Cocoa&Mafuyu`, from its README and config.yaml). A node on
 * one of these accepts requests from anyone who read the docs.
 */
export const EXAMPLE_SECRETS: readonly string[] = ['Cocoa&Mafuyu-change-me', 'Cocoa&Mafuyu'];

/** The shortest secret accepted without V1Compat (v1 clusters use shorter ones, e.g. the original's `999`). */
export const MIN_SECRET_LENGTH = 8;

/** True for a published example secret (EXAMPLE_SECRETS, or any value still carrying `change-me`). */
export function isExampleSecret(secret: string): boolean {
  return EXAMPLE_SECRETS.includes(secret) || secret.includes('change-me');
}

/**
 * Warnings about the secret a node actually uses (the stored one once it serves, not the config
 * file's): a published example, or shorter than MIN_SECRET_LENGTH (only possible with V1Compat).
 * Never contains the secret. Shown at start (log) and on the status page / status.json.
 */
export function secretWarnings(secretInUse: string): string[] {
  const out: string[] = [];
  if (isExampleSecret(secretInUse)) {
    out.push('this node uses a published example secret: anyone can command it; rotate it with "cocoasyncer secret rotate"');
  }
  if (secretInUse.length < MIN_SECRET_LENGTH) {
    out.push(`this node's secret is shorter than ${MIN_SECRET_LENGTH} characters (accepted because V1Compat is on, for v1 peers); rotate it to a longer one once no Go peer remains`);
  }
  return out;
}
