// The config file's schema: the original's keys exactly (APIPort, NodeName, ... DSN) plus ours.
// Validation lists every problem at once, each naming its key.
import { z } from 'zod';
import { ISP_CODES, NETWORK_TYPES, WORK_MODES } from '../model.js';

export const NODE_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials');

const ipSourceSchema = z
  .object({
    Sources: z.array(httpUrl).optional(),
    MinAgree: z.number().int().min(1).max(10).optional(),
    Interface: z.string().min(1).max(64).optional(),
    Command: z.string().min(1).max(1024).optional(),
    Static: z.string().min(2).max(64).optional(),
    Disabled: z.boolean().optional(),
  })
  .strict();

const seconds = (min: number, max: number) => z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** Every key the file may carry; anything else is warned about as a likely typo. */
export const rawConfigSchema = z.object({
  // The original's keys.
  APIPort: z.number().int().min(0).max(65535, 'must be a port from 0 to 65535'),
  NodeName: z.string().trim().min(1).max(64),
  NodeCode: z.string().trim().regex(NODE_CODE_PATTERN, 'must be 1-64 letters, digits, "_", "." or "-"'),
  NodeAddress: httpUrl,
  ReverseProxy: z.boolean().default(false),
  WorkMode: z.enum(WORK_MODES),
  CocoaSecret: z.string().min(8, 'must be at least 8 characters').max(256),
  Timeout: z.number().positive().max(1440).optional(),
  DataBaseType: z.string().default('sqlite'),
  DSN: z.string().default(''),
  // Ours.
  BindAddress: z.string().min(1).default('0.0.0.0'),
  ISPs: z.array(z.enum(ISP_CODES)).min(1).default(['default']),
  NetworkType: z.enum(NETWORK_TYPES).default('IPV4'),
  HeartbeatSeconds: seconds(0.1, 3600).optional(),
  FailAfterSeconds: seconds(0.3, 86400).optional(),
  RecoverAfter: z.number().int().min(1).max(100).default(2),
  PushSeconds: seconds(0.5, 86400).default(30),
  DnsSyncSeconds: seconds(1, 86400).default(60),
  IpCheckSeconds: seconds(1, 86400).default(30),
  RequestTimeoutSeconds: seconds(0.1, 120).default(5),
  V1Compat: z.boolean().default(false),
  TLSCert: z.string().min(1).optional(),
  TLSKey: z.string().min(1).optional(),
  TrustCA: z.string().min(1).optional(),
  CredentialKey: z.string().min(16, 'must be at least 16 characters').optional(),
  PublicIP: z.object({ IPv4: ipSourceSchema.optional(), IPv6: ipSourceSchema.optional() }).strict().default({}),
  LogLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BodyLimitKB: z.number().int().min(1).max(10240).default(256),
  DryRun: z.boolean().default(false),
  /** DNS safety check (src/dns/safety.ts): the largest share of managed records one pass may rewrite without a failover reason; 1 disables it. */
  DnsMaxChangeShare: z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1').default(0.5),
});

export type RawConfig = z.infer<typeof rawConfigSchema>;
export const CONFIG_KEYS = Object.keys(rawConfigSchema.shape) as (keyof RawConfig)[];

type EnvKind = 'string' | 'number' | 'boolean' | 'list';
/** Environment overrides: one variable per scalar key. */
export const ENV_VARS: Record<string, { key: keyof RawConfig; kind: EnvKind }> = {
  COCOASYNCER_API_PORT: { key: 'APIPort', kind: 'number' },
  COCOASYNCER_NODE_NAME: { key: 'NodeName', kind: 'string' },
  COCOASYNCER_NODE_CODE: { key: 'NodeCode', kind: 'string' },
  COCOASYNCER_NODE_ADDRESS: { key: 'NodeAddress', kind: 'string' },
  COCOASYNCER_REVERSE_PROXY: { key: 'ReverseProxy', kind: 'boolean' },
  COCOASYNCER_WORK_MODE: { key: 'WorkMode', kind: 'string' },
  COCOASYNCER_SECRET: { key: 'CocoaSecret', kind: 'string' },
  COCOASYNCER_TIMEOUT: { key: 'Timeout', kind: 'number' },
  COCOASYNCER_DATABASE_TYPE: { key: 'DataBaseType', kind: 'string' },
  COCOASYNCER_DSN: { key: 'DSN', kind: 'string' },
  COCOASYNCER_BIND_ADDRESS: { key: 'BindAddress', kind: 'string' },
  COCOASYNCER_ISPS: { key: 'ISPs', kind: 'list' },
  COCOASYNCER_NETWORK_TYPE: { key: 'NetworkType', kind: 'string' },
  COCOASYNCER_HEARTBEAT_SECONDS: { key: 'HeartbeatSeconds', kind: 'number' },
  COCOASYNCER_FAIL_AFTER_SECONDS: { key: 'FailAfterSeconds', kind: 'number' },
  COCOASYNCER_RECOVER_AFTER: { key: 'RecoverAfter', kind: 'number' },
  COCOASYNCER_PUSH_SECONDS: { key: 'PushSeconds', kind: 'number' },
  COCOASYNCER_DNS_SYNC_SECONDS: { key: 'DnsSyncSeconds', kind: 'number' },
  COCOASYNCER_IP_CHECK_SECONDS: { key: 'IpCheckSeconds', kind: 'number' },
  COCOASYNCER_REQUEST_TIMEOUT_SECONDS: { key: 'RequestTimeoutSeconds', kind: 'number' },
  COCOASYNCER_V1_COMPAT: { key: 'V1Compat', kind: 'boolean' },
  COCOASYNCER_TLS_CERT: { key: 'TLSCert', kind: 'string' },
  COCOASYNCER_TLS_KEY: { key: 'TLSKey', kind: 'string' },
  COCOASYNCER_TRUST_CA: { key: 'TrustCA', kind: 'string' },
  COCOASYNCER_CREDENTIAL_KEY: { key: 'CredentialKey', kind: 'string' },
  COCOASYNCER_LOG_LEVEL: { key: 'LogLevel', kind: 'string' },
  COCOASYNCER_BODY_LIMIT_KB: { key: 'BodyLimitKB', kind: 'number' },
  COCOASYNCER_DRY_RUN: { key: 'DryRun', kind: 'boolean' },
  COCOASYNCER_DNS_MAX_CHANGE_SHARE: { key: 'DnsMaxChangeShare', kind: 'number' },
};

/** Converts an environment string to the key's type; a value that does not convert is passed on as text so the schema reports it. */
export function convertEnv(kind: EnvKind, value: string): unknown {
  const v = value.trim();
  switch (kind) {
    case 'number':
      return v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    case 'boolean':
      return /^(true|1|yes|on)$/i.test(v) ? true : /^(false|0|no|off)$/i.test(v) ? false : v;
    case 'list':
      return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    default:
      return value;
  }
}
