// The addresses a node publishes: per (line, family), the value its records on that line get. Carried
// in v2 heartbeat answers (`addresses`), so every node knows every other node's published addresses
// (service probes aim at them). Minimal version: a node publishes its one public address per family
// on every line (per-line addresses, LineIP, come with the lineip branch in this same shape).
import { z } from 'zod';
import { FAMILIES, LINE_CODES, type Family, type LineCode } from '../model.js';

/** Per line, per family: the address a node's records on that line get (absent: none known). */
export type PublishedAddresses = Partial<Record<LineCode, Partial<Record<Family, string>>>>;

const familyMap = z.object({ ipv4: z.string().max(64).optional(), ipv6: z.string().max(64).optional() });
/** The `addresses` field of a v2 heartbeat answer. */
export const publishedAddressesSchema = z.partialRecord(z.enum(LINE_CODES as [LineCode, ...LineCode[]]), familyMap);

/** The address `p` publishes for a (line, family), or null. */
export function publishedAddress(p: PublishedAddresses | null | undefined, line: LineCode, family: Family): string | null {
  return p?.[line]?.[family] ?? null;
}

/** A node's one address per family, published on every line. */
export function sameOnEveryLine(ips: Partial<Record<Family, string | null>>): PublishedAddresses {
  const out: PublishedAddresses = {};
  for (const line of LINE_CODES) {
    const entry: Partial<Record<Family, string>> = {};
    for (const family of FAMILIES) {
      const ip = ips[family];
      if (ip) entry[family] = ip;
    }
    if (Object.keys(entry).length) out[line] = entry;
  }
  return out;
}
