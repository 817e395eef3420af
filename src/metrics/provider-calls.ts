// Counts every DNS provider API call where it happens: one wrapped provider per account, so each
// attempt (retries included) is counted with its own outcome and duration. The reconcile report
// only totals attempts per provider, which cannot tell a retried-then-successful listing from a
// failed one; this can.
import type { CloudAccount } from '../model.js';
import type { DnsProvider } from '../dns/provider.js';

export type ProviderAction = 'list' | 'update' | 'create';

export interface ProviderCall {
  provider: string;
  action: ProviderAction;
  outcome: 'ok' | 'failed';
  seconds: number;
}

export function instrumentProvider(inner: DnsProvider, record: (call: ProviderCall) => void): DnsProvider {
  const timed = async <T>(action: ProviderAction, fn: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    const done = (outcome: ProviderCall['outcome']) =>
      record({ provider: inner.name, action, outcome, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    try {
      const value = await fn();
      done('ok');
      return value;
    } catch (err) {
      done('failed');
      throw err;
    }
  };
  return {
    get name() {
      return inner.name;
    },
    get keyId() {
      return inner.keyId;
    },
    get capabilities() {
      return inner.capabilities;
    },
    listRecords: (q) => timed('list', () => inner.listRecords(q)),
    updateRecord: (r, value, ctx) => timed('update', () => inner.updateRecord(r, value, ctx)),
    createRecord: (c) => timed('create', () => inner.createRecord(c)),
    // Optional on the interface: passed through (and counted as a listing) only when the provider has it.
    ...(inner.listZoneRecords ? { listZoneRecords: (domain: string) => timed('list', () => inner.listZoneRecords!(domain)) } : {}),
    ...(inner.listZones ? { listZones: () => timed('list', () => inner.listZones!()) } : {}),
  };
}

/** Wraps a provider factory; the same inner provider always yields the same wrapper, so the
 *  reconciler's per-pass bookkeeping (keyed by provider object) and SDK connection reuse hold. */
export function instrumentProviderFactory(
  factory: (account: CloudAccount) => DnsProvider,
  record: (call: ProviderCall) => void,
): (account: CloudAccount) => DnsProvider {
  const wrapped = new WeakMap<DnsProvider, DnsProvider>();
  return (account) => {
    const inner = factory(account);
    let p = wrapped.get(inner);
    if (!p) {
      p = instrumentProvider(inner, record);
      wrapped.set(inner, p);
    }
    return p;
  };
}
