// Which cloud account a service writes through (issue 11, case 7: several accounts of one provider).
// The rule is a pure function (chooseAccount); the zone lists it reads are fetched and cached per
// account by AccountZones (I/O), once per account, and fetched again when the set of accounts changes.
import { createHash } from 'node:crypto';
import type { CloudAccount, ManagedService } from '../model.js';
import { canonicalName } from './domain-name.js';
import { normalizeProviderName } from './names.js';
import { ProviderError, maskKeyId, type DnsProvider } from './provider.js';

/** How a service's account was chosen: named by the operator, the provider's only account, or the one holding the zone. */
export type AccountChoice =
  | { ok: true; account: CloudAccount; how: 'named' | 'only' | 'zone' }
  | {
      ok: false;
      /**
       * `no-account`: the provider has no account; `named-missing`: the named access key is not an
       * account of the provider; `ambiguous`: several accounts hold the zone; `no-holder`: none
       * does; `unknown`: some account's zones could not be listed (or its provider cannot list them).
       */
      reason: 'no-account' | 'named-missing' | 'ambiguous' | 'no-holder' | 'unknown';
      message: string;
    };

/** An account's zones (canonical names), or why they are not known: `unsupported` (no listZones) or the failure. */
export type ZoneKnowledge = { known: true; zones: ReadonlySet<string> } | { known: false; why: string };

/** The accounts of the service's provider, in the order they were added. */
export function accountsOfProvider(provider: string, accounts: readonly CloudAccount[]): CloudAccount[] {
  const want = normalizeProviderName(provider);
  if (!want) return [];
  return accounts.filter((a) => normalizeProviderName(a.platformProvider) === want);
}

/** Whether a service's account depends on zone listings: no account named, and several of its provider. */
export function needsZones(service: Pick<ManagedService, 'platformProvider' | 'account'>, accounts: readonly CloudAccount[]): boolean {
  return !service.account && accountsOfProvider(service.platformProvider, accounts).length > 1;
}

/**
 * The account a service uses (pure). A named account (ManagedService.account) wins; else the
 * provider's only account; else the one account of the provider whose zones include the service's
 * zone. Two holders, none, or a holder that cannot be told (zones unknown) are refusals whose
 * message says what to do: name the account (`service set NAME --account KEY`).
 * `zonesOf(account)` answers what is known of an account's zones (only asked for several accounts).
 */
export function chooseAccount(
  service: Pick<ManagedService, 'serviceName' | 'platformProvider' | 'domain' | 'account'>,
  accounts: readonly CloudAccount[],
  zonesOf: (account: CloudAccount) => ZoneKnowledge,
): AccountChoice {
  const label = normalizeProviderName(service.platformProvider) ?? service.platformProvider;
  const candidates = accountsOfProvider(service.platformProvider, accounts);
  if (candidates.length === 0) return { ok: false, reason: 'no-account', message: `service ${service.serviceName}: no cloud account for provider ${label}` };
  if (service.account) {
    const named = candidates.find((a) => a.accessKey === service.account);
    if (named) return { ok: true, account: named, how: 'named' };
    return { ok: false, reason: 'named-missing', message: `service ${service.serviceName}: it names ${label} account ${maskKeyId(service.account)}, which is not in the cluster; add it ("cocoasyncer dns add") or name another ("cocoasyncer service set ${service.serviceName} --account KEY")` };
  }
  if (candidates.length === 1) return { ok: true, account: candidates[0]!, how: 'only' };
  const zone = canonicalName(service.domain);
  const holders: CloudAccount[] = [];
  const unknown: string[] = [];
  for (const a of candidates) {
    const z = zonesOf(a);
    if (!z.known) unknown.push(`${maskKeyId(a.accessKey)} (${z.why})`);
    else if (z.zones.has(zone)) holders.push(a);
  }
  const hint = `name the account with "cocoasyncer service set ${service.serviceName} --account KEY"`;
  if (holders.length > 1) {
    return { ok: false, reason: 'ambiguous', message: `service ${service.serviceName}: ${holders.length} ${label} accounts hold zone ${zone} (${holders.map((a) => maskKeyId(a.accessKey)).join(', ')}); nothing written — ${hint}` };
  }
  if (unknown.length > 0) {
    return { ok: false, reason: 'unknown', message: `service ${service.serviceName}: cannot tell which of ${candidates.length} ${label} accounts holds zone ${zone}: the zones of ${unknown.join(', ')} are not known; ${hint}` };
  }
  if (holders.length === 0) {
    return { ok: false, reason: 'no-holder', message: `service ${service.serviceName}: none of the ${candidates.length} ${label} accounts holds zone ${zone}; add the account that does ("cocoasyncer dns add") or ${hint}` };
  }
  return { ok: true, account: holders[0]!, how: 'zone' };
}

/** Identifies an account for caching: canonical provider, access key and endpoint (never the secret itself). */
function cacheKey(a: CloudAccount): string {
  return JSON.stringify([normalizeProviderName(a.platformProvider) ?? a.platformProvider, a.accessKey, a.endpoint ?? '']);
}

/** How long an account's zone list is kept when nothing changes, ms (a zone moved between accounts by hand is seen within it). */
export const ZONE_LIST_MAX_AGE_MS = 3_600_000;

/**
 * The zones of each account, listed once per account (`listZones`, paged) and kept; every entry is
 * dropped when the set of accounts changes (an account added, removed, or its endpoint or secret
 * changed), and an entry older than `maxAgeMs` is listed again, so a zone moved between accounts is
 * seen after the operator's next account edit or within the hour; a failed listing is tried again
 * at the next call. Reads are counted per provider name (`reads`).
 */
export class AccountZones {
  private readonly cache = new Map<string, { at: number; known: Promise<ZoneKnowledge> }>();
  private fingerprint = '';
  /** Zone listings made, per provider name (attempts, failed ones included). */
  readonly reads: Record<string, number> = {};

  constructor(
    private readonly providerFor: (account: CloudAccount) => DnsProvider,
    private readonly opts: { maxAgeMs?: number; now?: () => number } = {},
  ) {}

  /** What is known of every given account's zones; lists the ones not cached yet (concurrently). */
  async knowledge(accounts: readonly CloudAccount[], all: readonly CloudAccount[] = accounts): Promise<Map<string, ZoneKnowledge>> {
    const fp = JSON.stringify(all.map((a) => [cacheKey(a), hashOf(a.accessSecret)]));
    if (fp !== this.fingerprint) {
      this.cache.clear();
      this.fingerprint = fp;
    }
    const out = new Map<string, ZoneKnowledge>();
    await Promise.all(
      accounts.map(async (a) => {
        const key = cacheKey(a);
        const now = (this.opts.now ?? Date.now)();
        let entry = this.cache.get(key);
        if (!entry || now - entry.at > (this.opts.maxAgeMs ?? ZONE_LIST_MAX_AGE_MS)) {
          entry = { at: now, known: this.list(a) };
          this.cache.set(key, entry);
        }
        const mine = entry;
        const known = await mine.known;
        // A failed listing is not kept (tried again next time), unless a newer one replaced it meanwhile.
        if (!known.known && this.cache.get(key) === mine) this.cache.delete(key);
        out.set(key, known);
      }),
    );
    return out;
  }

  /** The knowledge of one account from a map `knowledge` returned. */
  static of(map: ReadonlyMap<string, ZoneKnowledge>, account: CloudAccount): ZoneKnowledge {
    return map.get(cacheKey(account)) ?? { known: false, why: 'not listed' };
  }

  /** Forgets every listing (the next call lists again). */
  clear(): void {
    this.cache.clear();
  }

  private async list(account: CloudAccount): Promise<ZoneKnowledge> {
    let provider: DnsProvider;
    try {
      provider = this.providerFor(account);
    } catch (err) {
      return { known: false, why: err instanceof Error ? err.message : String(err) };
    }
    if (!provider.listZones) return { known: false, why: `${provider.name} zones cannot be listed here` };
    this.reads[provider.name] = (this.reads[provider.name] ?? 0) + 1;
    try {
      return { known: true, zones: new Set((await provider.listZones()).map((z) => canonicalName(z))) };
    } catch (err) {
      const why = err instanceof ProviderError ? `${err.code}: ${err.detail}`.slice(0, 200) : 'the zone listing failed';
      return { known: false, why: `listing its zones failed: ${why}` };
    }
  }
}

/** A digest of a secret, so a changed secret changes the fingerprint without the secret being kept in it. */
function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64').slice(0, 16);
}

/** The verdict on a service's account when it is added or changed (`service add/set`). */
export type AccountAdmission = { ok: true; warnings: string[] } | { ok: false; message: string };

/**
 * Checks, at `service add/set` time, that the service's account can be told (issue 11, case 7):
 * refused when several accounts of its provider hold its zone or none does (listings made through
 * `zones`, cached); accepted with a warning when its provider has no account yet or an account's
 * zones cannot be listed now (the DNS plan and status then report it). A named account is checked
 * by the edit itself (cluster/edits.ts).
 */
export async function admitServiceAccount(
  service: Pick<ManagedService, 'serviceName' | 'platformProvider' | 'domain' | 'account'>,
  accounts: readonly CloudAccount[],
  zones: AccountZones,
): Promise<AccountAdmission> {
  const label = normalizeProviderName(service.platformProvider) ?? service.platformProvider;
  const candidates = accountsOfProvider(service.platformProvider, accounts);
  if (candidates.length === 0) return { ok: true, warnings: [`no ${label} cloud account yet: add one with "cocoasyncer dns add"`] };
  if (!needsZones(service, accounts)) return { ok: true, warnings: [] };
  const known = await zones.knowledge(candidates, accounts);
  const choice = chooseAccount(service, accounts, (a) => AccountZones.of(known, a));
  if (choice.ok) return { ok: true, warnings: [] };
  if (choice.reason === 'ambiguous' || choice.reason === 'no-holder') return { ok: false, message: choice.message };
  return { ok: true, warnings: [choice.message] };
}
