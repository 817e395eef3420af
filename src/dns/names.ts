// Provider names as operators write them → one canonical name. Kept apart from the registry so
// that pure code (planner, config validation) can use it without loading any provider SDK.

export const PROVIDER_NAMES = ['Ali', 'DNSPod', 'Huawei', 'Volcengine', 'Cloudflare'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

const ALIASES: ReadonlyMap<string, ProviderName> = new Map([
  ['ali', 'Ali'],
  ['alidns', 'Ali'],
  ['aliyun', 'Ali'],
  ['dnspod', 'DNSPod'],
  ['tencent', 'DNSPod'],
  ['huawei', 'Huawei'],
  ['huaweicloud', 'Huawei'],
  ['volcengine', 'Volcengine'],
  ['volc', 'Volcengine'],
  ['cloudflare', 'Cloudflare'],
  ['cf', 'Cloudflare'],
]);

/** The canonical provider name for any accepted spelling (case-insensitive), or null. */
export function normalizeProviderName(name: string): ProviderName | null {
  return ALIASES.get(name.trim().toLowerCase()) ?? null;
}

/** The accepted spellings, for error messages and help text. */
export function providerAliases(): Record<ProviderName, string[]> {
  const out = Object.fromEntries(PROVIDER_NAMES.map((n) => [n, [] as string[]])) as Record<ProviderName, string[]>;
  for (const [alias, name] of ALIASES) out[name].push(alias);
  return out;
}
