// Reading this host's own address off a network interface. IPv4: the first global address in the
// kernel's order (the primary one). IPv6: hosts with privacy extensions (RFC 8981, `use_tempaddr=2`)
// hold a stable address and a temporary one that rotates every few hours, and the kernel lists the
// newest temporary address first; publishing it would rewrite the AAAA record on every rotation.
// So IPv6 reads the address flags and takes a stable global address.
//
// The flags come from /proc/net/if_inet6 rather than `ip -j -6 addr`: it is the kernel's own table of
// the calling process's network namespace, present on every Linux (the slim container image has no
// iproute2), needs no child process, and its format has not changed since Linux 2.6. It carries the
// low 8 address flags (`(u8) ifp->flags` in net/ipv6/addrconf.c), which hold everything needed:
// temporary, deprecated, tentative, DAD failed and permanent. (mngtmpaddr and stable-privacy are
// above bit 8, but neither is needed: a stable address is simply one that is not temporary.)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Family } from '../model.js';
import { normalizeAddress } from './address.js';
import { classifyAddress } from './classify.js';

export type InterfaceTable = ReturnType<typeof os.networkInterfaces>;

/** IPv6 address flags (IFA_F_*, include/uapi/linux/if_addr.h), the low 8 bits shown in /proc/net/if_inet6. */
export const IFA_F = Object.freeze({
  TEMPORARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
});

/** One line of /proc/net/if_inet6. */
export interface Inet6Entry {
  /** RFC 5952 text, e.g. `240e:1:2:3::5`. */
  address: string;
  device: string;
  prefixLength: number;
  /** IFA_F_* bits (low 8 only). */
  flags: number;
}

/**
 * Parses /proc/net/if_inet6: per line `address(32 hex) ifindex prefixlen scope flags device`, all
 * numbers in hex. Lines that do not have that shape are skipped, never guessed at.
 */
export function parseIfInet6(text: string): Inet6Entry[] {
  const out: Inet6Entry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{32})\s+[0-9a-f]+\s+([0-9a-f]{2})\s+[0-9a-f]+\s+([0-9a-f]+)\s+(\S+)\s*$/i.exec(line.trim());
    if (!m) continue;
    const hex = m[1]!;
    const groups = hex.match(/.{4}/g)!.join(':');
    const address = normalizeAddress('ipv6', groups);
    if (!address) continue;
    out.push({ address, device: m[4]!, prefixLength: parseInt(m[2]!, 16), flags: parseInt(m[3]!, 16) });
  }
  return out;
}

/** Why an IPv6 interface address is not this host's stable public address, or null when it is. */
function ipv6Unusable(e: Inet6Entry): string | null {
  if (e.flags & IFA_F.TEMPORARY) return `${e.address} is temporary (privacy extensions)`;
  if (e.flags & IFA_F.DEPRECATED) return `${e.address} is deprecated (preferred lifetime over)`;
  if (e.flags & IFA_F.DADFAILED) return `${e.address} failed duplicate address detection`;
  if (e.flags & IFA_F.TENTATIVE) return `${e.address} is tentative (duplicate address detection not done)`;
  const c = classifyAddress('ipv6', e.address);
  return c.global ? null : c.reason;
}

const bytesOf = (address: string) => ipaddr.parse(address).toByteArray();
function compareAddresses(a: string, b: string): number {
  const x = bytesOf(a);
  const y = bytesOf(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

const skippedText = (skipped: readonly string[]) => {
  const shown = skipped.slice(0, 6).join('; ');
  return skipped.length > 6 ? `${shown}; and ${skipped.length - 6} more` : shown;
};

/**
 * The stable global IPv6 address among one interface's entries: not temporary, deprecated,
 * tentative or DAD-failed, and global unicast. Deterministic whatever the kernel's order: a
 * manually configured (permanent) address first, then the numerically lowest. Throws an Error
 * listing every address skipped and why, when none qualifies.
 */
export function chooseIpv6(name: string, entries: readonly Inet6Entry[]): string {
  const usable: Inet6Entry[] = [];
  const skipped: string[] = [];
  for (const e of entries) {
    const why = ipv6Unusable(e);
    if (why) skipped.push(why);
    else usable.push(e);
  }
  usable.sort((a, b) => (b.flags & IFA_F.PERMANENT) - (a.flags & IFA_F.PERMANENT) || compareAddresses(a.address, b.address));
  const best = usable[0];
  if (best) return best.address;
  throw new Error(`interface ${name} has no stable global IPv6 address${skipped.length ? `: ${skippedText(skipped)}` : ''}`);
}

/** Where interface addresses are read from; injectable for tests. */
export interface InterfaceSource {
  /** os.networkInterfaces(): addresses in the kernel's order, no flags. */
  table: InterfaceTable;
  /** The text of /proc/net/if_inet6, or null where there is none (not Linux, IPv6 off). */
  ifInet6: string | null;
}

/** The system's interfaces: os.networkInterfaces() and, on Linux, /proc/net/if_inet6. */
export function systemInterfaces(): InterfaceSource {
  let ifInet6: string | null = null;
  try {
    ifInet6 = readFileSync('/proc/net/if_inet6', 'utf8');
  } catch {
    ifInet6 = null;
  }
  return { table: os.networkInterfaces(), ifInet6 };
}

const isFamily = (family: Family, fam: string | number) =>
  family === 'ipv4' ? fam === 'IPv4' || fam === 4 || fam === '4' : fam === 'IPv6' || fam === 6 || fam === '6';

/**
 * The interface's public address of `family` (normalised). IPv4: the first global unicast address
 * in the kernel's order. IPv6: see chooseIpv6; where /proc/net/if_inet6 is missing, the
 * numerically lowest global address from os.networkInterfaces() (no flags to tell temporaries by).
 * Throws an Error naming the interface and every address skipped, with the reason.
 */
export function readInterface(name: string, family: Family, source: InterfaceSource = systemInterfaces()): string {
  const addrs = source.table[name];
  if (family === 'ipv6' && source.ifInet6 !== null) {
    const entries = parseIfInet6(source.ifInet6).filter((e) => e.device === name);
    if (entries.length === 0 && !addrs) throw new Error(`no network interface named ${name}`);
    return chooseIpv6(name, entries);
  }
  if (!addrs) throw new Error(`no network interface named ${name}`);
  const skipped: string[] = [];
  const usable: string[] = [];
  for (const a of addrs) {
    if (!isFamily(family, a.family as string | number)) continue;
    const ip = normalizeAddress(family, a.address);
    if (!ip) continue;
    const c = classifyAddress(family, ip);
    if (c.global) usable.push(ip);
    else skipped.push(c.reason);
  }
  if (family === 'ipv6') usable.sort(compareAddresses);
  const first = usable[0];
  if (first) return first;
  const what = family === 'ipv4' ? 'global IPv4' : 'global IPv6';
  throw new Error(`interface ${name} has no ${what} address${skipped.length ? `: ${skippedText(skipped)}` : ''}`);
}

/**
 * The address to bind outgoing requests to so they leave through interface `name` (LineIP echo
 * sources): its first address of `family` in the kernel's order, whatever its scope (an uplink
 * behind a modem often holds a private or CGNAT address); IPv6 link-local addresses are skipped
 * (they need a zone). Throws an Error naming the interface when it has none.
 */
export function interfaceBindAddress(name: string, family: Family, source: InterfaceSource = systemInterfaces()): string {
  const addrs = source.table[name];
  if (!addrs) throw new Error(`no network interface named ${name}`);
  for (const a of addrs) {
    if (!isFamily(family, a.family as string | number)) continue;
    const ip = normalizeAddress(family, a.address);
    if (ip && !(family === 'ipv6' && ip.startsWith('fe80:'))) return ip;
  }
  throw new Error(`interface ${name} has no ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address to send from`);
}
