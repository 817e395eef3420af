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
