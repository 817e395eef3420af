// Checks flag values before anything is sent, with the schemas the node itself applies, so a typo
// is a usage error (exit 2) naming the flag rather than a round trip to the node.
import type { z } from 'zod';
import { PROVIDER_NAMES, normalizeProviderName, type ProviderName } from '../dns/names.js';
import { ISP_CODES, NETWORK_TYPES, type IspCode, type NetworkType } from '../model.js';
import {
  accessKeySchema,
  domainSchema,
  endpointSchema,
  ispListSchema,
  nodeAddressSchema,
  nodeCodeSchema,
  nodeNameSchema,
  recordSchema,
  serviceNameSchema,
} from '../schemas.js';
import { usageError } from './output.js';

export function check<S extends z.ZodType>(schema: S, value: unknown, flag: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw usageError(`${flag}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  return r.data;
}

/** A comma list; blanks dropped, so "CT, CU" and "CT,CU," both work. */
export function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** ISP codes, case-insensitive on input (`ct` → `CT`), canonical on output. */
export function isps(value: string, flag = '--isps'): IspCode[] {
  const codes = list(value).map((v) => ISP_CODES.find((c) => c.toLowerCase() === v.toLowerCase()) ?? v);
  if (codes.length === 0) throw usageError(`${flag}: must list at least one line (or None); known: ${ISP_CODES.join(', ')}`);
  const bad = codes.find((c) => !(ISP_CODES as readonly string[]).includes(c));
  if (bad !== undefined) throw usageError(`${flag}: unknown line "${bad.slice(0, 40)}"; known: ${ISP_CODES.join(', ')}`);
  return check(ispListSchema, codes, flag);
}

export function networkType(value: string, flag = '--network'): NetworkType {
  const t = NETWORK_TYPES.find((n) => n.toLowerCase() === value.trim().toLowerCase());
  if (!t) throw usageError(`${flag}: must be one of ${NETWORK_TYPES.join(', ')}`);
  return t;
}

export function provider(value: string, flag = '--provider'): ProviderName {
  const p = normalizeProviderName(value);
  if (!p) throw usageError(`${flag}: unknown DNS provider "${value.slice(0, 40)}"; known: ${PROVIDER_NAMES.join(', ')}`);
  return p;
}

export function integer(value: string, flag: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw usageError(`${flag}: must be a whole number from ${min} to ${max}`);
  return n;
}

export const nodeAddress = (v: string, flag: string): string => check(nodeAddressSchema, v, flag);
export const nodeCode = (v: string, flag: string): string => check(nodeCodeSchema, v, flag);
export const nodeCodes = (v: string, flag: string): string[] => list(v).map((c) => nodeCode(c, flag));
export const nodeName = (v: string, flag: string): string => check(nodeNameSchema, v, flag);
export const domain = (v: string, flag: string): string => check(domainSchema, v, flag);
export const record = (v: string, flag: string): string => check(recordSchema, v, flag);
export const serviceName = (v: string, flag: string): string => check(serviceNameSchema, v, flag);
export const accessKey = (v: string, flag: string): string => check(accessKeySchema, v, flag);
export const endpoint = (v: string, flag: string): string => check(endpointSchema, v, flag);
