// Service health checks, the pure part: reading a check URL template, filling in a node's published
// address for one (line, family), and classifying what a probe saw. No I/O here (prober.ts does it).
import { z } from 'zod';
import type { Family, ServiceCheck } from '../model.js';

/** Defaults of `--check-interval` / `--check-timeout` (seconds). */
export const DEFAULT_CHECK_INTERVAL_SECONDS = 10;
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 3;

/** A check URL taken apart: what to connect to besides the address, and how. */
export interface CheckTarget {
  scheme: 'http' | 'https' | 'tcp';
  port: number;
  /** Path and query for http(s) (`/` at least); empty for tcp. */
  path: string;
}

export type ParsedCheck = { ok: true; target: CheckTarget } | { ok: false; message: string };

const TEMPLATE = /^(https?|tcp):\/\/\{ip\}(?::(\d{1,5}))?(\/[^\s#]*)?$/;

/**
 * Reads a check URL template: `http://{ip}:PORT/path`, `https://{ip}:PORT/path` or `tcp://{ip}:PORT`.
 * The host must be exactly `{ip}` (every node is probed at its own address); http(s) ports default
 * to 80/443, tcp needs one; tcp takes no path. Never throws: `message` says what is wrong.
 */
export function parseCheckUrl(url: string): ParsedCheck {
  const m = TEMPLATE.exec(url.trim());
  if (!m) {
    if (!/^(https?|tcp):\/\//.test(url.trim())) return { ok: false, message: 'must start with http://, https:// or tcp://' };
    if (!url.includes('{ip}')) return { ok: false, message: 'the host must be {ip} (each node is probed at the address it publishes)' };
    return { ok: false, message: 'must look like http://{ip}:PORT/path, https://{ip}:PORT/path or tcp://{ip}:PORT' };
  }
  const scheme = m[1] as CheckTarget['scheme'];
  const port = m[2] !== undefined ? Number(m[2]) : scheme === 'http' ? 80 : scheme === 'https' ? 443 : NaN;
  if (scheme === 'tcp' && m[2] === undefined) return { ok: false, message: 'a tcp:// check needs a port: tcp://{ip}:PORT' };
  if (!(port >= 1 && port <= 65535)) return { ok: false, message: 'the port must be 1-65535' };
  if (scheme === 'tcp' && m[3] !== undefined && m[3] !== '/') return { ok: false, message: 'a tcp:// check takes no path' };
  return { ok: true, target: { scheme, port, path: scheme === 'tcp' ? '' : (m[3] ?? '/') } };
}

/** Zod schema of a check URL template (see parseCheckUrl); the message names what is wrong. */
export const checkUrlSchema = z
  .string()
  .trim()
  .max(512, 'must be at most 512 characters')
  .superRefine((v, ctx) => {
    const r = parseCheckUrl(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
  });

/** Zod schema of a stored/pushed ServiceCheck; the timeout may not exceed the interval. */
export const serviceCheckSchema = z
  .object({
    url: checkUrlSchema,
    intervalSeconds: z.number().int().min(1).max(3600).default(DEFAULT_CHECK_INTERVAL_SECONDS),
    timeoutSeconds: z.number().int().min(1).max(60).default(DEFAULT_CHECK_TIMEOUT_SECONDS),
    expectStatus: z.number().int().min(100).max(599).nullable().default(null),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Only between two valid values (zod runs this refinement even when a field failed).
    if (c.intervalSeconds >= 1 && c.timeoutSeconds > c.intervalSeconds) ctx.addIssue({ code: 'custom', path: ['timeoutSeconds'], message: `must be at most the interval (${c.intervalSeconds}s)` });
  });

/** A change to a service's check (`service set`): absent fields keep their value. */
export const serviceCheckPatchSchema = z
  .object({
    url: checkUrlSchema.optional(),
    intervalSeconds: z.number().int().min(1).max(3600).optional(),
    timeoutSeconds: z.number().int().min(1).max(60).optional(),
    expectStatus: z.number().int().min(100).max(599).nullable().optional(),
  })
  .strict();

export type ServiceCheckPatch = z.infer<typeof serviceCheckPatchSchema>;

/**
 * A service's check after a patch: `null` removes it; a patch on a service without a check needs a
 * url. Returns a message naming the field when the result is not a valid check.
 */
export function patchCheck(current: ServiceCheck | undefined, patch: ServiceCheckPatch | null): { ok: true; check: ServiceCheck | undefined } | { ok: false; field: string; message: string } {
  if (patch === null) return { ok: true, check: undefined };
  const url = patch.url ?? current?.url;
  if (url === undefined) return { ok: false, field: 'check.url', message: 'the service has no check yet: give its URL (--check)' };
  const merged = {
    url,
    intervalSeconds: patch.intervalSeconds ?? current?.intervalSeconds ?? DEFAULT_CHECK_INTERVAL_SECONDS,
    timeoutSeconds: patch.timeoutSeconds ?? current?.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS,
    expectStatus: patch.expectStatus !== undefined ? patch.expectStatus : (current?.expectStatus ?? null),
  };
  const r = serviceCheckSchema.safeParse(merged);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, field: ['check', ...issue.path.map(String)].join('.'), message: issue.message };
  }
  return { ok: true, check: r.data };
}

/** The concrete endpoint of one probe: where to connect and, for https, which name to verify. */
export interface ProbeEndpoint {
  scheme: CheckTarget['scheme'];
  /** The literal address, without brackets. */
  host: string;
  port: number;
  path: string;
  /** The URL as shown on pages and in logs, `{ip}` filled in (IPv6 in brackets). */
  url: string;
  /** For https: the name the certificate must carry and the SNI sent (the record's FQDN). */
  servername: string | null;
  /** The HTTP Host header (the record's FQDN, with the port when not the scheme's default), so
   *  name-based virtual hosts answer as they do for users. */
  hostHeader: string;
}

/**
 * Fills a check's `{ip}` with the address a node publishes for one (line, family): IPv6 in brackets.
 * `fqdn` is the service's record name (SNI and certificate name for https). Returns null for a
 * template parseCheckUrl refuses, or an address of the other family.
 */
export function probeEndpoint(check: Pick<ServiceCheck, 'url'>, address: string, family: Family, fqdn: string): ProbeEndpoint | null {
  const parsed = parseCheckUrl(check.url);
  if (!parsed.ok) return null;
  const v6 = address.includes(':');
  if (v6 !== (family === 'ipv6')) return null;
  const { scheme, port, path } = parsed.target;
  const host = v6 ? `[${address}]` : address;
  const defaultPort = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return { scheme, host: address, port, path, url: `${scheme}://${host}:${port}${path}`, servername: scheme === 'https' ? fqdn : null, hostHeader: defaultPort ? fqdn : `${fqdn}:${port}` };
}

/** What one probe saw, as the prober reports it. */
export type ProbeOutcome =
  | { kind: 'http'; status: number }
  | { kind: 'connected' }
  | { kind: 'timeout' }
  | { kind: 'error'; code: string | null; message: string };

/** A probe's meaning: reached (healthy) or not, and a short reason for pages and logs. */
export interface ProbeClass {
  ok: boolean;
  detail: string;
}

/**
 * Classifies one probe: an http(s) answer is healthy when its status is `expectStatus`, or any
 * 2xx/3xx when that is null; a tcp connect is healthy; a timeout, a refused connection, a TLS
 * failure (wrong name, unknown CA) or any other error is not.
 */
export function classifyProbe(outcome: ProbeOutcome, expectStatus: number | null): ProbeClass {
  switch (outcome.kind) {
    case 'http': {
      const ok = expectStatus === null ? outcome.status >= 200 && outcome.status < 400 : outcome.status === expectStatus;
      return { ok, detail: ok ? `HTTP ${outcome.status}` : `HTTP ${outcome.status} (expected ${expectStatus ?? '2xx/3xx'})` };
    }
    case 'connected':
      return { ok: true, detail: 'connected' };
    case 'timeout':
      return { ok: false, detail: 'timed out' };
    case 'error':
      return { ok: false, detail: outcome.code ? `${outcome.code}: ${outcome.message}` : outcome.message };
  }
}
