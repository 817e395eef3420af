// Address validation and normalisation per family. IPv6 has many spellings of one address
// (`2001:db8::1`, `2001:0db8:0:0::1`); comparing normalised forms keeps us from "changing" a
// record to the same address.
import { isIPv4, isIPv6 } from 'node:net';
import type { Family } from '../model.js';

/** Whether `s` is an address of `family` (no brackets, no zone id, no surrounding space). */
export function isAddressOf(family: Family, s: string): boolean {
  return family === 'ipv4' ? isIPv4(s) : isIPv6(s) && !s.includes('%');
}

/** The canonical text of an address of `family`, or null when `s` is not one. */
export function normalizeAddress(family: Family, s: string): string | null {
  const t = s.trim();
  if (!isAddressOf(family, t)) return null;
  if (family === 'ipv4') return t;
  // WHATWG URL serialises IPv6 hosts in RFC 5952 form (lower case, longest zero run compressed).
  return new URL(`http://[${t}]/`).hostname.slice(1, -1);
}

/** The family of an address, or null. */
export function familyOf(s: string): Family | null {
  return isIPv4(s) ? 'ipv4' : isIPv6(s) ? 'ipv6' : null;
}
