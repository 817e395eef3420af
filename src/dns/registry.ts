// One map from provider name to factory. Every spelling an operator may use goes through
// normalizeProviderName (names.ts), so config validation, CLI and reconciler agree on what exists.
import { createHash } from 'node:crypto';
import type { CloudAccount } from '../model.js';
import { normalizeProviderName, providerAliases, PROVIDER_NAMES, type ProviderName } from './names.js';
import type { DnsProvider } from './provider.js';
import { createAliProvider } from './providers/ali.js';
import { createDnspodProvider } from './providers/dnspod.js';
import { createCloudflareProvider } from './providers/cloudflare.js';
import { createHuaweiProvider } from './providers/huawei.js';
import { createVolcengineProvider } from './providers/volcengine.js';

export { normalizeProviderName, type ProviderName } from './names.js';

export interface ProviderOptions {
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** Page size for record listings (clamped to each API's maximum). */
  pageSize?: number;
}

type Factory = (account: CloudAccount, opts: ProviderOptions) => DnsProvider;

const FACTORIES: Record<ProviderName, Factory> = {
  Ali: (account, opts) => createAliProvider(account, opts),
  DNSPod: (account, opts) => createDnspodProvider(account, opts),
  Huawei: (account, opts) => createHuaweiProvider(account, opts),
  Volcengine: (account, opts) => createVolcengineProvider(account, opts),
  Cloudflare: (account, opts) => createCloudflareProvider(account, opts),
};

/** Canonical names of the providers this build supports. */
export function knownProviders(): ProviderName[] {
  return [...PROVIDER_NAMES];
}

export class UnknownProviderError extends Error {
  constructor(readonly providerName: string) {
    const known = Object.entries(providerAliases())
      .map(([name, aliases]) => `${name} (${aliases.join(', ')})`)
      .join('; ');
    super(`unknown DNS provider "${providerName}"; known providers: ${known}`);
    this.name = 'UnknownProviderError';
  }
}

export function createProvider(account: CloudAccount, opts: ProviderOptions = {}): DnsProvider {
  const name = normalizeProviderName(account.platformProvider);
  if (!name) throw new UnknownProviderError(account.platformProvider);
  return FACTORIES[name](account, opts);
}

/**
 * A factory that hands back the same provider for the same account across reconcile runs, so SDK
 * keep-alive connections are reused. Keyed by a hash of the credentials (a changed secret makes a
 * new client) and never by the secret itself.
 */
export function cachedProviderFactory(
  create: (account: CloudAccount) => DnsProvider = (a) => createProvider(a),
): (account: CloudAccount) => DnsProvider {
  const cache = new Map<string, DnsProvider>();
  return (account) => {
    const key = createHash('sha256')
      .update(JSON.stringify([account.platformProvider, account.accessKey, account.accessSecret, account.endpoint]))
      .digest('hex');
    let p = cache.get(key);
    if (!p) {
      p = create(account);
      cache.set(key, p);
    }
    return p;
  };
}
