// The DNS side of a node: provider interface and registry, planner (plan table, safety hook), applier, reconciler.
export { ALI_LINE_NAMES, DNSPOD_LINE_NAMES, aliLines, dnspodLines, type LineMap } from './lines.js';
export { normalizeProviderName, providerAliases, PROVIDER_NAMES, type ProviderName } from './names.js';
export {
  ProviderError,
  maskKeyId,
  type DnsProvider,
  type DnsRecord,
  type RecordQuery,
  type RecordContext,
  type CreateRequest,
  type ProviderCapabilities,
} from './provider.js';
export { createProvider, knownProviders, cachedProviderFactory, UnknownProviderError, type ProviderOptions } from './registry.js';
export { planChanges, planService, ipFor, dnsPolicy, isWrite, countChanges, type Change, type ChangeKind, type AssignedSlot, type Assignments, type DnsPolicy, type NodeIps, type PlanInput } from './plan.js';
export { serviceRows, type DnsPlanRow, type DnsAction, type DnsRowReason, type DnsRowResult } from './plan-rows.js';
export { checkSafety, DEFAULT_SAFETY, type SafetyPolicy, type SafetyVerdict } from './safety.js';
export { applyChanges, describeFailure, type AuditEntry, type ApplyOptions, type ApplyResult } from './apply.js';
export { withRetry, backoffDelay, DEFAULT_RETRY, type RetryPolicy, type RetryDeps } from './retry.js';
export { AccountZones, admitServiceAccount, chooseAccount, accountsOfProvider, type AccountChoice, type AccountAdmission, type ZoneKnowledge } from './accounts.js';
export {
  reconcile,
  planDns,
  applyDnsPlan,
  formatPlan,
  accountFor,
  accountKey,
  type DnsPlan,
  type PlannedService,
  type ReconcileInput,
  type ReconcileDeps,
  type ReconcileReport,
  type ReconcileError,
} from './reconcile.js';
