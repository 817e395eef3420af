// The addresses a node publishes to its peers (in v2 heartbeat answers), and the slots a node
// cannot serve because its address for that (line, family) cannot be determined. Pure: the
// heartbeat (heartbeat.ts) keeps what each peer published, the reactor feeds addressSlotDown's
// verdicts into the serving plan (serving.ts SlotDown), exactly as a dead node's lines fail over
// but for one (node, line, family) slot alone.
import { z } from 'zod';
import { FAMILIES, LINE_CODES, type Family, type LineCode } from '../model.js';
import { normalizeAddress } from '../ip/address.js';
import { canTakeOver, ownedPairs, type PlanNode } from './failover.js';
import type { SlotDown } from './serving.js';

/** One family's published address: a global unicast address, or null when detection failed (the slot is down). Absent: the node does not serve that family. */
export interface FamilyAddresses {
  ipv4?: string | null;
  ipv6?: string | null;
}

/** What a node publishes: its default address per family (PublicIP) and per-line overrides (LineIP). */
export interface PublishedAddresses {
  default: FamilyAddresses;
  lines: Partial<Record<LineCode, FamilyAddresses>>;
}

/**
 * The address a node publishes for (line, family): the line's own entry when it has one, else the
 * default. null: detection failed; undefined: unknown/not published (an original Go peer, a node
 * that has not read its address yet, a family whose detection is `Disabled`).
 */
export function publishedAddress(p: PublishedAddresses | undefined, line: LineCode, family: Family): string | null | undefined {
  if (!p) return undefined;
  const own = p.lines[line];
  if (own && family in own) return own[family];
  return p.default[family];
}

/** The input of addressSlotDown: the cluster's nodes in cluster order and what each published. */
export interface AddressSlotInput {
  readonly nodes: readonly PlanNode[];
  /** What a node published (this node's own from its detection); undefined: unknown, never down. */
  readonly addressesOf: (nodeCode: string) => PublishedAddresses | undefined;
}

/**
 * SlotDown verdicts (no service: every service) for every (node, line, family) the node owns or
 * could stand in for whose published address is null, in cluster order then canonical slot order
 * (LINE_CODES × FAMILIES). Only slots some node owns are considered (ownedPairs); a node that
 * published nothing (undefined) gets no verdict: unknown is never down.
 */
export function addressSlotDown(input: AddressSlotInput): SlotDown[] {
  const pairs = ownedPairs(input.nodes);
  const out: SlotDown[] = [];
  for (const node of input.nodes) {
    const published = input.addressesOf(node.nodeCode);
    if (!published) continue;
    for (const { line, family } of pairs) {
      if (!canTakeOver(node, family)) continue;
      if (publishedAddress(published, line, family) !== null) continue;
      const which = published.lines[line] && family in published.lines[line] ? `line ${line}` : `line ${line} (its default address)`;
      out.push({ node: node.nodeCode, line, family, reason: `no ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address for ${which}` });
    }
  }
  return out;
}

const familyAddressesSchema = z
  .object({ ipv4: z.string().max(64).nullable().optional(), ipv6: z.string().max(64).nullable().optional() })
  .strip();

/** The wire shape of `addresses` in a v2 getClusterInfo answer (unknown members are ignored). */
export const publishedAddressesSchema = z.object({
  default: familyAddressesSchema,
  lines: z.record(z.string(), familyAddressesSchema).default({}),
});

/** Keeps only well-formed entries: a known line, an address of its family (normalised) or null. */
function cleanFamilies(raw: z.infer<typeof familyAddressesSchema>): FamilyAddresses {
  const out: FamilyAddresses = {};
  for (const family of FAMILIES) {
    const v = raw[family];
    if (v === null) out[family] = null;
    else if (typeof v === 'string') {
      const ip = normalizeAddress(family, v);
      if (ip) out[family] = ip;
    }
  }
  return out;
}

/**
 * Reads the `addresses` member of a peer's answer. Anything malformed (or absent: the original Go
 * program publishes nothing) is undefined, i.e. unknown, never down; an entry for an unknown line
 * code or an address of the wrong family is dropped.
 */
export function readPublishedAddresses(raw: unknown): PublishedAddresses | undefined {
  const parsed = publishedAddressesSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const lines: Partial<Record<LineCode, FamilyAddresses>> = {};
  for (const [line, fams] of Object.entries(parsed.data.lines)) {
    if ((LINE_CODES as readonly string[]).includes(line)) lines[line as LineCode] = cleanFamilies(fams);
  }
  return { default: cleanFamilies(parsed.data.default), lines };
}

/** One (line, family) of a node as status surfaces show it. */
export interface LineAddress {
  line: LineCode;
  family: Family;
  /** The address the node publishes for the slot; null: down (detection failed) or unknown. */
  address: string | null;
  /** `up`: an address; `down`: detection failed twice in a row (the slot fails over); `unknown`: nothing published (a Go peer, not read yet). */
  state: 'up' | 'down' | 'unknown';
  /** True when the line has its own address (LineIP), false when it uses the default (PublicIP). */
  ownEntry: boolean;
}

/**
 * The address rows of one node, for status pages, `status` and metrics: every line it owns, every
 * line it has a LineIP entry for and every line it serves now (`serving`), in LINE_CODES order,
 * per family its network type covers (`families`, in FAMILIES order).
 */
export function lineAddressRows(p: PublishedAddresses | undefined, owns: readonly string[], serving: readonly LineCode[], families: readonly Family[]): LineAddress[] {
  const lines = LINE_CODES.filter((l) => owns.includes(l) || serving.includes(l) || (p?.lines[l] !== undefined));
  const out: LineAddress[] = [];
  for (const family of FAMILIES) {
    if (!families.includes(family)) continue;
    for (const line of lines) {
      const value = publishedAddress(p, line, family);
      const own = p?.lines[line];
      out.push({ line, family, address: value ?? null, state: value === null ? 'down' : value === undefined ? 'unknown' : 'up', ownEntry: own !== undefined && family in own });
    }
  }
  return out;
}
