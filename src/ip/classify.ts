// Which addresses can be this host's public address. The ranges come from ipaddr.js (`range()`,
// kept up to date with IANA's special-purpose registries, RFC 6890), not from a prefix list of our
// own: a detected address is usable only when it is global unicast for its family.
import ipaddr from 'ipaddr.js';
import type { Family } from '../model.js';

/**
 * ipaddr.js range names accepted as global unicast. `unicast` is everything outside the special
 * registries; 6to4 (2002::/16) and Teredo (2001::/32) are globally routed addresses a host really
 * holds on those tunnels, so a record pointing at one reaches the host.
 */
const GLOBAL_RANGES: Readonly<Record<Family, ReadonlySet<string>>> = {
  ipv4: new Set(['unicast']),
  ipv6: new Set(['unicast', '6to4', 'teredo']),
};

/** What each refused range means, for the operator (ipaddr.js range name → phrase). */
const RANGE_TEXT: Readonly<Record<string, string>> = {
  unspecified: 'is the unspecified address',
  broadcast: 'is the broadcast address',
  multicast: 'is a multicast address',
  linkLocal: 'is link-local',
  loopback: 'is a loopback address',
  carrierGradeNat: 'is in the shared (CGNAT) range 100.64.0.0/10',
  private: 'is a private (RFC 1918) address',
  reserved: 'is in a reserved or documentation range',
  benchmarking: 'is in a benchmarking range',
  as112: 'is in an AS112 anycast range',
  as112v6: 'is in an AS112 anycast range',
  amt: 'is in an AMT anycast range',
  uniqueLocal: 'is a unique-local address (fc00::/7)',
  ipv4Mapped: 'is an IPv4-mapped IPv6 address',
  rfc6145: 'is an IPv4-translated address (RFC 6145)',
  rfc6052: 'is a NAT64 address (64:ff9b::/96)',
  deprecatedSiteLocal: 'is a site-local address (deprecated, fec0::/10)',
  discard: 'is in the discard-only range 100::/64',
  deprecatedOrchid: 'is an ORCHID address',
  orchid2: 'is an ORCHID address',
  droneRemoteIdProtocolEntityTags: 'is a drone remote ID tag (RFC 9374)',
  segmentRouting: 'is a segment-routing SID (5f00::/16)',
};

/** The verdict on one address: usable as a public address, or why not. */
export type Classification = { global: true; range: string } | { global: false; range: string; reason: string };

/**
 * Classifies an address of `family` (any spelling; normalise it first with normalizeAddress to get
 * the stored form). Never throws: text that is not an address of the family is refused with a reason.
 *
 * @example classifyAddress('ipv4', '100.64.12.34') → { global: false, range: 'carrierGradeNat',
 *   reason: '100.64.12.34 is in the shared (CGNAT) range 100.64.0.0/10' }
 */
export function classifyAddress(family: Family, address: string): Classification {
  const want = family === 'ipv4' ? 'ipv4' : 'ipv6';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // Strict parsers: `parse` alone would also take IPv4 shorthands such as `127.1` or `0x7f.1`.
    parsed = want === 'ipv4' ? ipaddr.IPv4.parse(ipaddr.IPv4.isValidFourPartDecimal(address) ? address : '') : ipaddr.IPv6.parse(address);
  } catch {
    return { global: false, range: 'invalid', reason: `${address} is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address` };
  }
  const range: string = parsed.range();
  if (GLOBAL_RANGES[family].has(range)) return { global: true, range };
  return { global: false, range, reason: `${address} ${RANGE_TEXT[range] ?? `is in the special-purpose range "${range}"`}` };
}

/** Whether `address` is a global unicast address of `family` (see classifyAddress). */
export function isGlobalAddress(family: Family, address: string): boolean {
  return classifyAddress(family, address).global;
}
