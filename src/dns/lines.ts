// ISP line codes ↔ each provider's own line names (docs/lines.md). Lines a provider has
// that we do not model (province lines, 境内, search engines...) map to null so the reconciler
// leaves those records alone instead of guessing.
import { LINE_CODES, type LineCode } from '../model.js';

export interface LineMap {
  /** The provider's line name for a code. */
  toProvider(code: LineCode): string;
  /** Our code for a provider line name, or null when we do not map it. */
  fromProvider(line: string): LineCode | null;
}

function lineMap(table: Record<LineCode, string>, caseInsensitive: boolean): LineMap {
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const reverse = new Map<string, LineCode>();
  for (const code of LINE_CODES) reverse.set(fold(table[code]), code);
  return {
    toProvider: (code) => table[code],
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

/** Alidns line names are lower-case ASCII; accept any case on the way in. */
export const aliLines: LineMap = lineMap(ALI_LINE_NAMES, true);
export const dnspodLines: LineMap = lineMap(DNSPOD_LINE_NAMES, false);
