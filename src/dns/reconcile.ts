// The DNS sync flow for one node, one pass: for each service it serves → its provider → list the
// records on the service's name → plan (pure) → apply, or stop at the plan in a dry run. Errors
// are collected per service; one service failing never stops the others.
import type { CloudAccount, ManagedService } from '../model.js';
import { serviceFqdn } from '../model.js';
import { applyChanges, describeFailure, type ApplyResult, type AuditEntry } from './apply.js';
import { providerLineMap } from './lines.js';
import { normalizeProviderName } from './names.js';
import { countChanges, planChanges, type Assignments, type Change, type ChangeKind, type NodeIps } from './plan.js';
import { ProviderError, canonicalName, type DnsProvider, type DnsRecord } from './provider.js';
import { createProvider } from './registry.js';
import { withRetry, type RetryDeps } from './retry.js';

export interface ReconcileInput {
  nodeCode: string;
  services: readonly ManagedService[];
  cloudAccounts: readonly CloudAccount[];
  /** What this node serves now, per service (services absent or empty are not touched). */
  serve: Assignments;
  ips: NodeIps;
  dryRun?: boolean;
}

export interface ReconcileDeps extends RetryDeps {
  /** Provider for an account; pass a cached factory in a long-running node (registry.ts). */
  providerFor?: (account: CloudAccount) => DnsProvider;
  audit?: (entry: AuditEntry) => void;
  now?: () => Date;
  /** Services handled at once (default 4): bounded so one node stays far under the rate limits. */
  concurrency?: number;
}

export interface ReconcileError {
  service: string;
  provider: string;
  stage: 'account' | 'list' | 'apply';
  message: string;
  code?: string;
  auth?: boolean;
}

export interface ProviderCalls {
  reads: number;
  writes: number;
}

export interface ReconcileReport {
  dryRun: boolean;
  changes: Change[];
  results: ApplyResult[];
  errors: ReconcileError[];
  /** Calls through the provider interface (attempts, retries included), per provider name. */
  calls: Record<string, ProviderCalls>;
  counts: Record<ChangeKind, number> & { written: number; failed: number };
}

interface ServiceOutcome {
  changes: Change[];
  results: ApplyResult[];
  errors: ReconcileError[];
}

/** The account a service uses: the first one whose provider name means the same provider. */
export function accountFor(service: ManagedService, accounts: readonly CloudAccount[]): CloudAccount | null {
  const want = normalizeProviderName(service.platformProvider);
  if (!want) return null;
  return accounts.find((a) => normalizeProviderName(a.platformProvider) === want) ?? null;
}

export async function reconcile(input: ReconcileInput, deps: ReconcileDeps = {}): Promise<ReconcileReport> {
  const providerFor = deps.providerFor ?? ((a: CloudAccount) => createProvider(a));
  const dryRun = input.dryRun ?? false;
  const calls: Record<string, ProviderCalls> = {};
  const tally = (name: string) => (calls[name] ??= { reads: 0, writes: 0 });
  // An account whose credentials were rejected is not called again in this pass.
  const rejected = new Map<DnsProvider, string>();
  const served = input.services.filter((s) => (input.serve.get(s.serviceName)?.length ?? 0) > 0);

  async function one(service: ManagedService): Promise<ServiceOutcome> {
    const out: ServiceOutcome = { changes: [], results: [], errors: [] };
    const label = normalizeProviderName(service.platformProvider) ?? service.platformProvider;
    const fail = (stage: ReconcileError['stage'], message: string, err?: unknown) => {
      const pe = err instanceof ProviderError ? err : null;
      out.errors.push({
        service: service.serviceName,
        provider: label,
        stage,
        message,
        ...(pe ? { code: pe.code, auth: pe.auth } : {}),
      });
      return out;
    };

    const account = accountFor(service, input.cloudAccounts);
    if (!normalizeProviderName(service.platformProvider)) {
      return fail('account', `service ${service.serviceName}: unknown DNS provider "${service.platformProvider}"`);
    }
    if (!account) return fail('account', `service ${service.serviceName}: no cloud account for provider ${label}`);
    let provider: DnsProvider;
    try {
      provider = providerFor(account);
    } catch (err) {
      return fail('account', `service ${service.serviceName}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const already = rejected.get(provider);
    if (already) return fail('list', `not attempted: ${already}`);

    const fqdn = canonicalName(serviceFqdn(service));
    const listed = await withRetry(
      () => provider.listRecords({ domain: service.domain, record: service.record, fqdn }),
      deps,
    );
    tally(provider.name).reads += listed.attempts;
    if (!listed.ok) {
      const message = describeFailure(provider, listed.error);
      if (listed.error instanceof ProviderError && listed.error.auth) rejected.set(provider, message);
      return fail('list', message, listed.error);
    }

    const records = new Map<string, readonly DnsRecord[]>([[service.serviceName, listed.value ?? []]]);
    out.changes = planChanges({ services: [service], serve: input.serve, ips: input.ips, records });
    if (dryRun) return out;

    out.results = await applyChanges(provider, out.changes, {
      ...deps,
      nodeCode: input.nodeCode,
      ...(deps.audit ? { audit: deps.audit } : {}),
    });
    for (const r of out.results) {
      tally(provider.name).writes += r.attempts;
      if (r.outcome === 'failed') {
        out.errors.push({
          service: service.serviceName,
          provider: provider.name,
          stage: 'apply',
          message: `${r.change.fqdn} ${r.change.type} ${r.change.line}: ${r.error ?? 'failed'}`,
          ...(r.code ? { code: r.code } : {}),
          ...(r.auth ? { auth: true } : {}),
        });
        if (r.auth && r.error && !rejected.has(provider)) rejected.set(provider, r.error);
      }
    }
    return out;
  }

  const outcomes = await mapLimit(served, Math.max(1, deps.concurrency ?? 4), one);
  const changes = outcomes.flatMap((o) => o.changes);
  const results = outcomes.flatMap((o) => o.results);
  return {
    dryRun,
    changes,
    results,
    errors: outcomes.flatMap((o) => o.errors),
    calls,
    counts: {
      ...countChanges(changes),
      written: results.filter((r) => r.outcome === 'ok').length,
      failed: results.filter((r) => r.outcome === 'failed').length,
    },
  };
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const BAR = '*'.repeat(80);

/** A human-readable plan, grouped per provider then per name, in the spirit of `octodns-sync`. */
export function formatPlan(changes: readonly Change[]): string {
  if (changes.length === 0) return 'No changes: every served record already holds this node\'s address.\n';
  const byProvider = new Map<string, Change[]>();
  for (const c of changes) {
    const list = byProvider.get(c.provider) ?? [];
    list.push(c);
    byProvider.set(c.provider, list);
  }
  const lines: string[] = [];
  for (const [provider, list] of byProvider) {
    lines.push(BAR, `* ${provider}`, BAR);
    const byName = new Map<string, Change[]>();
    for (const c of list) byName.set(c.fqdn, [...(byName.get(c.fqdn) ?? []), c]);
    for (const [fqdn, group] of byName) {
      lines.push(`* ${fqdn} (service ${group[0]!.service})`);
      for (const c of group) lines.push(`*   ${describeChange(c)}`);
    }
    const n = countChanges(list);
    lines.push(
      `* Summary: Updates=${n.update}, Creates=${n.create}, Missing=${n.missing}, Duplicates=${n.duplicate}, ` +
        `Skipped=${n.skip}, NoAddress=${n['no-ip']}${n.unsupported ? `, NoSuchLine=${n.unsupported}` : ''}`,
      BAR,
    );
  }
  return `${lines.join('\n')}\n`;
}

function describeChange(c: Change): string {
  switch (c.kind) {
    case 'update':
      return `Update    ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.oldValue} -> ${c.newValue} (record ${c.target.id}, ttl ${c.target.ttl})`;
    case 'create':
      return `Create    ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.newValue} (ttl ${c.ttl})`;
    case 'missing':
      return `Missing   ${c.type.padEnd(4)} ${c.line.padEnd(7)} no record; would be ${c.newValue} — create it or set allowCreate`;
    case 'duplicate':
      return `Duplicate ${c.type.padEnd(4)} ${c.line.padEnd(7)} kept record ${c.kept.id}; left alone: ${c.extras
        .map((r) => `${r.id}=${r.value}`)
        .join(', ')}`;
    case 'skip':
      return c.reason === 'unmanaged'
        ? `Skip      ${c.type.padEnd(4)} ${c.line.padEnd(7)} left alone: ${c.target.unmanaged ?? `record ${c.target.id} is not managed here`}`
        : `Skip      ${c.type.padEnd(4)} ${c.line.padEnd(7)} record ${c.target.id} is disabled (${c.target.value})`;
    case 'unsupported':
      return `Note      ${c.type.padEnd(4)} ${c.line.padEnd(7)} ${c.provider} has no ${c.line} line; not planned (only ${
        providerLineMap(c.provider)?.codes.join(', ') ?? 'its own lines'
      } served through this provider)`;
    case 'no-ip':
      return `NoAddress ${c.type.padEnd(4)} ${c.lines.join(',')}: ${
        c.reason === 'invalid' ? 'detected address is not a valid' : 'no known'
      } ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} address; nothing written`;
  }
}
