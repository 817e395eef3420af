// The applier: carries out planned writes through a provider, one record at a time. Transient
// failures are retried (retry.ts); a credential failure is reported once, clearly, and the rest of
// that account's writes are not attempted (they would fail the same way and could get the key
// locked); any other failure stops only its own record. Every write, done or failed, is audited.
import type { DnsAuditEntry, LineCode } from '../model.js';
import { isWrite, type Change, type WriteChange } from './plan.js';
import { ProviderError, permanentReason, type DnsProvider, type PermanentReason } from './provider.js';
import { withRetry, type RetryDeps } from './retry.js';

/** Every change made or failed is audited in the domain's shape (model.ts). */
export type AuditEntry = DnsAuditEntry;

export interface ApplyOptions extends RetryDeps {
  nodeCode: string;
  audit?: (entry: AuditEntry) => void;
  now?: () => Date;
}

export interface ApplyResult {
  change: WriteChange;
  outcome: 'ok' | 'failed';
  /** Provider calls made for this change (0 when skipped after an auth failure). */
  attempts: number;
  /** Human-readable, secret-free. */
  error?: string;
  code?: string;
  auth?: boolean;
  /** Set when the provider refused for good (provider.ts PermanentReason): not re-sent until the plan changes. */
  permanent?: PermanentReason;
  /** Secret-free note for the log, e.g. that the TTL was raised to the plan's minimum. */
  note?: string;
}

/**
 * The lowest TTL every Alidns and DNSPod plan accepts, s (their free editions' minimum; issue 11,
 * docs/dns-providers.md). A write refused `ttl-below-minimum` is sent once more at this TTL.
 */
export const PLAN_MIN_TTL = 600;

/** A secret-free, operator-facing description of a failed provider call. */
export function describeFailure(provider: Pick<DnsProvider, 'name' | 'keyId'>, err: unknown): string {
  if (err instanceof ProviderError) {
    if (err.auth) {
      return `${provider.name} rejected access key ${provider.keyId} (${err.code}): ${err.detail} — check the key id and secret, the key's permissions and this machine's clock`;
    }
    return `${provider.name} ${err.action} failed (${err.code}): ${err.detail}`;
  }
  return `${provider.name} call failed: ${err instanceof Error ? err.message : String(err)}`;
}

export async function applyChanges(
  provider: DnsProvider,
  changes: readonly Change[],
  opts: ApplyOptions,
): Promise<ApplyResult[]> {
  const now = opts.now ?? (() => new Date());
  const results: ApplyResult[] = [];
  let authFailure: string | null = null;

  for (const change of changes.filter(isWrite)) {
    let result: ApplyResult;
    if (authFailure) {
      result = { change, outcome: 'failed', attempts: 0, error: `not attempted: ${authFailure}`, auth: true };
    } else {
      let run = await withRetry(() => write(provider, change), opts);
      let note: string | undefined;
      let attempts = run.attempts;
      if (!run.ok && run.error instanceof ProviderError && permanentReason(run.error.code) === 'ttl-below-minimum') {
        // The plan adapts: the same write once more at the plan's minimum TTL (never lower than asked),
        // unless that would change nothing (a TTL-only update of a record already at the minimum:
        // then the refusal stands, is remembered, and is not sent again until the plan changes).
        const sent = sentTtl(change);
        const ttl = Math.max(PLAN_MIN_TTL, sent);
        const nothing = change.kind === 'update' && change.oldValue === change.newValue && change.target.ttl === ttl;
        if (nothing) {
          note = `${provider.name} refused TTL ${sent} for ${change.fqdn} ${change.type} ${change.line} (${run.error.code}): the plan's minimum is above it; the record keeps TTL ${change.target.ttl}`;
        } else {
          note = `${provider.name} refused TTL ${sent} for ${change.fqdn} ${change.type} ${change.line} (${run.error.code}); sent again with TTL ${ttl}`;
          run = await withRetry(() => write(provider, change, ttl), opts);
          attempts += run.attempts;
        }
      }
      if (run.ok) {
        result = { change, outcome: 'ok', attempts, ...(note ? { note } : {}) };
      } else {
        const error = describeFailure(provider, run.error);
        const pe = run.error instanceof ProviderError ? run.error : null;
        const permanent = pe ? permanentReason(pe.code) : null;
        result = { change, outcome: 'failed', attempts, error, code: pe?.code, auth: pe?.auth ?? false, ...(permanent ? { permanent } : {}), ...(note ? { note } : {}) };
        if (pe?.auth) authFailure = error;
      }
    }
    results.push(result);
    audit(opts, {
      at: now(),
      nodeCode: opts.nodeCode,
      provider: provider.name,
      fqdn: change.fqdn,
      type: change.type,
      line: change.line,
      oldValue: change.kind === 'update' ? change.oldValue : null,
      newValue: change.newValue,
      outcome: result.outcome,
      ...(result.error ? { error: result.error } : {}),
    });
  }
  return results;
}

/** The TTL a write sends: a create's, an update's override (Change.ttl), else the record's own. */
function sentTtl(change: WriteChange): number {
  return change.kind === 'update' ? (change.ttl ?? change.target.ttl) : change.ttl;
}

async function write(provider: DnsProvider, change: WriteChange, ttl?: number): Promise<void> {
  if (change.kind === 'update') {
    const send = ttl ?? change.ttl;
    await provider.updateRecord(change.target, change.newValue, { domain: change.domain, record: change.record, ...(send !== undefined ? { ttl: send } : {}) });
  } else {
    await provider.createRecord({
      domain: change.domain,
      record: change.record,
      type: change.type,
      line: change.line,
      value: change.newValue,
      ttl: ttl ?? change.ttl,
    });
  }
}

function audit(opts: ApplyOptions, entry: AuditEntry): void {
  // The audit sink (a DB write, a log line) failing must not turn a done write into a failure.
  try {
    opts.audit?.(entry);
  } catch {
    /* ignored on purpose */
  }
}
