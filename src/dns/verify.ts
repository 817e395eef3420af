// Checks a cloud account's credentials with one read call before they are stored (`dns add`,
// `dns set`), so a wrong or pasted-wrong secret is said at once instead of at the next sync.
import type { CloudAccount } from '../model.js';
import { describeFailure } from './apply.js';
import { ProviderError, type DnsProvider } from './provider.js';
import { createProvider } from './registry.js';

/** The outcome of a credential check; `message` is secret-free (the key id is masked). */
export type VerifyResult = { ok: true; message: string } | { ok: false; reason: 'auth' | 'unreachable' | 'other'; message: string };

/** A zone that cannot exist (RFC 2606 `.invalid`): the read is answered without touching a real zone. */
export const VERIFY_PROBE_ZONE = 'cocoasyncer-credential-check.invalid';

/**
 * One read call with the account's credentials: a listing of a zone that cannot exist. The
 * provider answering at all (an empty list, or "no such domain") means it accepted the signature
 * and the key; an auth error (ProviderError.auth: a wrong key or secret, a disabled key, a skewed
 * clock) means the credentials do not work; a network or 5xx failure means the check could not be
 * made. No retry, nothing written, nothing stored.
 */
export async function verifyCredentials(account: CloudAccount, providerFor: (a: CloudAccount) => DnsProvider = createProvider): Promise<VerifyResult> {
  let provider: DnsProvider;
  try {
    provider = providerFor(account);
  } catch (err) {
    return { ok: false, reason: 'other', message: err instanceof Error ? err.message : String(err) };
  }
  try {
    await provider.listRecords({ domain: VERIFY_PROBE_ZONE, record: '@', fqdn: VERIFY_PROBE_ZONE });
    return { ok: true, message: `${provider.name} accepted access key ${provider.keyId}` };
  } catch (err) {
    if (err instanceof ProviderError && err.auth) return { ok: false, reason: 'auth', message: describeFailure(provider, err) };
    if (!(err instanceof ProviderError) || err.retryable) return { ok: false, reason: 'unreachable', message: `could not check the credentials: ${describeFailure(provider, err)}` };
    // Any other refusal (the probe zone does not exist) came after the signature was checked.
    return { ok: true, message: `${provider.name} accepted access key ${provider.keyId}` };
  }
}
