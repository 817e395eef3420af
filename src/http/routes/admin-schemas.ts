// Input schemas of the admin API: one per command, each field checked and named on error.
import { z } from 'zod';
import { checkHostPart } from '../../dns/domain-name.js';
import { PROVIDER_NAMES, normalizeProviderName } from '../../dns/names.js';
import {
  accessKeySchema,
  accessSecretSchema,
  domainSchema,
  endpointSchema,
  ispListSchema,
  networkTypeSchema,
  nodeAddressSchema,
  nodeCodeSchema,
  nodeNameSchema,
  recordSchema,
  pastedSecretSchema,
  serviceNameSchema,
  ttlSchema,
} from '../../schemas.js';

/** A provider name in any accepted spelling, stored as the canonical name (`Ali`, `DNSPod`). */
export const knownProviderSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const name = normalizeProviderName(v);
    if (!name) {
      ctx.addIssue({ code: 'custom', message: `unknown DNS provider "${v.slice(0, 40)}"; known: ${PROVIDER_NAMES.join(', ')}` });
      return z.NEVER;
    }
    return name;
  });

export const joinSchema = z
  .object({
    address: nodeAddressSchema,
    secret: pastedSecretSchema,
    isps: ispListSchema.optional(),
    networkType: networkTypeSchema.optional(),
  })
  .strict();

export const nodePatchSchema = z
  .object({
    address: nodeAddressSchema.optional(),
    isps: ispListSchema.optional(),
    networkType: networkTypeSchema.optional(),
    name: nodeNameSchema.optional(),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'give at least one of address, isps, networkType, name');

export const serviceSchema = z
  .object({
    name: serviceNameSchema,
    domain: domainSchema,
    record: recordSchema,
    provider: knownProviderSchema,
    nodes: z.array(nodeCodeSchema).max(1000).default([]),
    allowCreate: z.boolean().default(false),
    ttl: ttlSchema.default(600),
  })
  .strict();

/**
 * `service add`: serviceSchema, and a record given as the full name is refused with the host part as
 * a hint (`--domain example.com --record www.example.com` would manage www.example.com.example.com).
 * Kept apart from serviceSchema so that one stays a plain object (`.partial()`/`.pick()` refuse
 * objects with refinements).
 */
export const serviceAddSchema = serviceSchema.superRefine((s, ctx) => {
  const r = checkHostPart(s.record, s.domain);
  if (!r.ok) ctx.addIssue({ code: 'custom', path: ['record'], message: r.message });
});

export const accountSchema = z
  .object({
    provider: knownProviderSchema,
    accessKey: accessKeySchema,
    accessSecret: accessSecretSchema,
    endpoint: endpointSchema.nullish(),
  })
  .strict();

export const accountPatchSchema = z
  .object({
    accessSecret: accessSecretSchema.optional(),
    endpoint: endpointSchema.nullable().optional(),
  })
  .strict()
  .refine((p) => p.accessSecret !== undefined || p.endpoint !== undefined, 'give accessSecret or endpoint');

export const quitSchema = z.object({ force: z.boolean().default(false) }).strict();
export const leaveSchema = z.object({ nodeCode: nodeCodeSchema }).strict();
export const demoteSchema = z.object({ newLeader: nodeCodeSchema }).strict();
export const logQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });
export const codeParamSchema = nodeCodeSchema;
export const serviceParamSchema = serviceNameSchema;
