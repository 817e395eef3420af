// ISP line codes ↔ each provider's own line names (docs/lines.md). Lines a provider has
// that we do not model (province lines, 境内, search engines...) map to null so the reconciler
// leaves those records alone instead of guessing. A provider may also lack one of our lines
// (Cloudflare has no ISP lines at all; Volcengine's CERNET line is unconfirmed): such a line is
// not served through that provider, and the planner reports it (providerLineCodes below).
import { LINE_CODES, type LineCode } from '../model.js';
import { normalizeProviderName, type ProviderName } from './names.js';

export interface LineMap {
  /** Our line codes this provider has, in LINE_CODES order. */
  readonly codes: readonly LineCode[];
  /** Whether the provider has a line for `code`. */
  supports(code: LineCode): boolean;
  /** The provider's line name for a code. Throws for a code the provider lacks (check `supports`). */
  toProvider(code: LineCode): string;
  /** Our code for a provider line name, or null when we do not map it. */
  fromProvider(line: string): LineCode | null;
}

function lineMap(table: Readonly<Partial<Record<LineCode, string>>>, caseInsensitive: boolean): LineMap {
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const reverse = new Map<string, LineCode>();
  const codes = LINE_CODES.filter((c) => table[c] !== undefined);
  for (const code of codes) reverse.set(fold(table[code]!), code);
  return {
    codes,
    supports: (code) => table[code] !== undefined,
    toProvider: (code) => {
      const name = table[code];
      if (name === undefined) throw new Error(`this provider has no ${code} line`);
      return name;
    },
    fromProvider: (line) => reverse.get(fold(line.trim())) ?? null,
  };
}

export const ALI_LINE_NAMES: Readonly<Record<LineCode, string>> = Object.freeze({
  default: 'default',
  CT: 'telecom',
  CU: 'unicom',
  CMCC: 'mobile',
  CNEdu: 'edu',
  OverSea: 'oversea',
});

export const DNSPOD_LINE_NAMES: Readonly<Record<LineCode, string>> = Object.freeze({
  default: '默认',
  CT: '电信',
  CU: '联通',
  CMCC: '移动',
  CNEdu: '教育网',
  OverSea: '境外',
});

/**
 * Huawei Cloud DNS line ids (the `line` field of a v2.1 record set). Source: Huawei's "解析线路类型"
 * list (运营商线路 Dianxin / Liantong / Yidong / Jiaoyuwang, 地域线路 Abroad, 全网默认 default_view).
 * Huawei also has Tietong, Pengboshi, province lines (`Dianxin_Beijing`...) and custom lines: unmapped.
 */
export const HUAWEI_LINE_NAMES: Readonly<Record<LineCode, string>> = Object.freeze({
  default: 'default_view',
  CT: 'Dianxin',
  CU: 'Liantong',
  CMCC: 'Yidong',
  CNEdu: 'Jiaoyuwang',
  OverSea: 'Abroad',
});

/**
 * Volcengine TrafficRoute DNS line values (`Line` of ListRecords / CreateRecord). `default`,
 * `telecom`, `unicom`, `mobile` and `oversea` are confirmed by other tools (lego, external-dns
 * webhook). The CERNET line's value could not be confirmed from the vendor's ListLines
 * documentation, so CNEdu is left unmapped: a Volcengine service does not serve it (a plan note).
 */
export const VOLCENGINE_LINE_NAMES: Readonly<Partial<Record<LineCode, string>>> = Object.freeze({
  default: 'default',
  CT: 'telecom',
  CU: 'unicom',
  CMCC: 'mobile',
  OverSea: 'oversea',
});

/** Cloudflare has no ISP lines: every record is on the one "default" line. */
export const CLOUDFLARE_LINE_NAMES: Readonly<Partial<Record<LineCode, string>>> = Object.freeze({ default: 'default' });

/** Alidns line names are lower-case ASCII; accept any case on the way in. */
export const aliLines: LineMap = lineMap(ALI_LINE_NAMES, true);
export const dnspodLines: LineMap = lineMap(DNSPOD_LINE_NAMES, false);
/** Huawei line ids are case-sensitive on the API; we match case-insensitively on the way in. */
export const huaweiLines: LineMap = lineMap(HUAWEI_LINE_NAMES, true);
export const volcengineLines: LineMap = lineMap(VOLCENGINE_LINE_NAMES, true);
export const cloudflareLines: LineMap = lineMap(CLOUDFLARE_LINE_NAMES, true);

const BY_PROVIDER: Readonly<Record<ProviderName, LineMap>> = {
  Ali: aliLines,
  DNSPod: dnspodLines,
  Huawei: huaweiLines,
  Volcengine: volcengineLines,
  Cloudflare: cloudflareLines,
};

/** The line map of a provider by any accepted spelling of its name, or null for an unknown name. */
export function providerLineMap(provider: string): LineMap | null {
  const name = normalizeProviderName(provider);
  return name ? BY_PROVIDER[name] : null;
}

/**
 * Which of `lines` a provider cannot serve (pure; used by the planner to leave them out with a
 * note). An unknown provider name lacks nothing here: the reconciler reports it on its own.
 */
export function unsupportedLines(provider: string, lines: readonly LineCode[]): LineCode[] {
  const map = providerLineMap(provider);
  return map ? lines.filter((l) => !map.supports(l)) : [];
}
