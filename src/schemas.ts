// Input schemas for the domain vocabulary, shared by the v1 wire protocol, the admin API and the CLI.
// Each names what is wrong so a 4xx answer can point at the field.
import { z } from 'zod';
import { normalizeDomain, normalizeRecord, type NameResult } from './dns/domain-name.js';
import { PROVIDER_NAMES, normalizeProviderName, providerAliases } from './dns/names.js';
import { ISP_CODES, NETWORK_TYPES, WORK_MODES } from './model.js';

export const nodeCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');

export const nodeNameSchema = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

export const secretSchema = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** Whether `v` is an http:// or https:// URL with a host and no user:password part. */
function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && u.hostname !== '';
  } catch {
    return false;
  }
}

/** An http:// or https:// URL with a host and no credentials in it, as given (not normalised), at most `max` characters. */
export function httpUrlOf(max: number) {
  return z.string().trim().max(max, `must be at most ${max} characters`).refine(isHttpUrl, 'must be an http:// or https:// URL');
}

/** An http:// or https:// URL with a host and no credentials in it, as given (not normalised). */
export const httpUrlSchema = httpUrlOf(512);

/** How peers reach a node: an http(s) URL, trailing slashes removed. */
export const nodeAddressSchema = httpUrlSchema.transform((v) => v.replace(/\/+$/, ''));

export const ispSchema = z.enum(ISP_CODES, { error: `must be one of ${ISP_CODES.join(', ')}` });
export const ispListSchema = z
  .array(ispSchema)
  .min(1, 'must list at least one line (or None)')
  .max(ISP_CODES.length)
  .refine((l) => new Set(l).size === l.length, 'must not repeat a line')
  .refine((l) => !(l.includes('None') && l.length > 1), '"None" cannot be combined with other lines')
  .meta({ uniqueItems: true });

export const networkTypeSchema = z.enum(NETWORK_TYPES, { error: `must be one of ${NETWORK_TYPES.join(', ')}` });
export const workModeSchema = z.enum(WORK_MODES, { error: `must be one of ${WORK_MODES.join(', ')}` });

/** A zod field from a NameResult normaliser: the normal form on success, its message on failure. */
const nameField = (normalize: (v: string) => NameResult) =>
  z
    .string()
    .max(1024, 'must be at most 253 characters')
    .transform((v, ctx) => {
      const r = normalize(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    });

/**
 * A registered domain such as `example.com` or `例子.中国`, stored in normal form: lower-case ASCII,
 * punycode, no trailing dot (`xn--fsqu00a.xn--fiqs8s`; see dns/domain-name.ts).
 */
export const domainSchema = nameField(normalizeDomain);

/** A host record under a domain: `@` for the apex, or labels such as `www` or `a.b`; `*` allowed as the first label. Normal form as domainSchema. */
export const recordSchema = nameField(normalizeRecord);

export const providerNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'must be a provider name such as Ali or DNSPod');

/** A provider name in any accepted spelling (`ali`, `Tencent`, ...), parsed to the canonical name (`Ali`, `DNSPod`). */
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
  })
  .meta({
    description: `DNS provider: ${PROVIDER_NAMES.join(' or ')}; case-insensitive, aliases accepted (${Object.values(providerAliases()).flat().join(', ')}).`,
  });

export const serviceNameSchema = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

// Credentials are pasted: surrounding whitespace (a copied newline, a space) is trimmed on every one.
// Neither vendor's keys nor our secrets carry leading or trailing whitespace.
export const accessKeySchema = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
export const accessSecretSchema = z.string().trim().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');
/** A node's secret as an operator pastes it (join): surrounding whitespace trimmed. */
export const pastedSecretSchema = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

export const endpointSchema = nodeAddressSchema;

export const ttlSchema = z.number().int().min(1).max(604800);

/** Formats zod issues as `field: message` lines. */
export function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: i.path.length ? i.path.map(String).join('.') : '(body)', message: i.message }));
}
