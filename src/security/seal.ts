// Confidentiality for secrets that leave a node or sit in its database.
//
// In transit (protocol v2): the leader seals each secret field of a push (cloud AccessKey secrets,
// peer node secrets) with a key derived from the *receiving* node's secret, so a passive observer of
// plain-HTTP cluster traffic learns nothing, and a value sealed for one node or one field cannot be
// replayed into another: the context (field + receiver) is bound both into the HKDF info and as
// AES-GCM additional authenticated data.
//
// At rest: values in the store are sealed with an operator-provided CredentialKey and prefixed
// `enc:v1:`, so legacy plaintext rows stay readable and get sealed on their next write.
//
// Wire layout for both: base64url(salt[16] | iv[12] | tag[16] | ciphertext). Salt and IV are fresh
// per value; deliberately not injectable, because a repeated IV under one GCM key is catastrophic.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

const SALT_LEN = 16;
const IV_LEN = 12;
const TAG_LEN = 16;
const KEY_LEN = 32;
const HEADER_LEN = SALT_LEN + IV_LEN + TAG_LEN;
// Node's hkdf rejects info longer than 1024 bytes; contexts are short labels, so cap well below.
const MAX_CONTEXT_BYTES = 512;

export const PUSH_SEAL_PREFIX = 'v2:';
export const PUSH_SEAL_INFO = 'cocoasyncer push v2';
export const AT_REST_PREFIX = 'enc:v1:';
const AT_REST_INFO = 'cocoasyncer at-rest v1';
const PASSPHRASE_SALT = 'cocoasyncer credential key v1';
export const MIN_PASSPHRASE_LENGTH = 16;

export type SealErrorCode = 'malformed' | 'auth-failed';

/**
 * Opening failed. The message names only the failure kind and the (non-secret) context, never the
 * plaintext, the key, or the sealed input, so it is safe to log.
 */
export class SealError extends Error {
  override readonly name = 'SealError';
  readonly code: SealErrorCode;
  constructor(code: SealErrorCode, context: string) {
    super(
      code === 'malformed'
        ? `sealed value is malformed (context ${JSON.stringify(context)})`
        : `sealed value failed authentication: tampered, wrong key or wrong context (context ${JSON.stringify(context)})`,
    );
    this.code = code;
  }
}

/**
 * A canonical context string from parts, e.g. `sealContext('cloudAccounts.accessSecret', 'Ali', 'B')`.
 * JSON encoding keeps it unambiguous: ('a.b','c') and ('a','b.c') give different contexts.
 */
export function sealContext(...parts: string[]): string {
  return JSON.stringify(parts);
}

function assertWellFormed(plaintext: string): void {
  // Lone UTF-16 surrogates would be silently replaced by U+FFFD in UTF-8; refuse instead of
  // returning something other than what was sealed.
  if (Buffer.from(plaintext, 'utf8').toString('utf8') !== plaintext) {
    throw new TypeError('seal: plaintext is not well-formed Unicode');
  }
}

function assertContext(context: string, allowEmpty: boolean): void {
  if (!allowEmpty && context.length === 0) throw new TypeError('seal: context must not be empty');
  if (Buffer.byteLength(context, 'utf8') > MAX_CONTEXT_BYTES) throw new TypeError('seal: context too long');
}

function deriveKey(ikm: Uint8Array | string, salt: Uint8Array, info: string, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, `${info}\u0000${context}`, KEY_LEN));
}

function aad(info: string, context: string): Buffer {
  return Buffer.from(`${info}\u0000${context}`, 'utf8');
}

function sealBytes(plaintext: string, ikm: Uint8Array | string, info: string, context: string): string {
  assertWellFormed(plaintext);
  const salt = randomBytes(SALT_LEN);
  const iv = randomBytes(IV_LEN);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(ikm, salt, info, context), iv, { authTagLength: TAG_LEN });
  cipher.setAAD(aad(info, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([salt, iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

function openBytes(encoded: string, ikm: Uint8Array | string, info: string, context: string): string {
  // Buffer's base64url decoder skips junk characters and ignores trailing bits; require the
  // canonical encoding so that every change to the sealed text is detected, not just most.
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new SealError('malformed', context);
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length < HEADER_LEN || raw.toString('base64url') !== encoded) throw new SealError('malformed', context);
  const salt = raw.subarray(0, SALT_LEN);
  const iv = raw.subarray(SALT_LEN, SALT_LEN + IV_LEN);
  const tag = raw.subarray(SALT_LEN + IV_LEN, HEADER_LEN);
  const ciphertext = raw.subarray(HEADER_LEN);
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(ikm, salt, info, context), iv, { authTagLength: TAG_LEN });
    decipher.setAAD(aad(info, context));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return plain.toString('utf8');
  } catch {
    // Node's own error text is generic, but replace it so no crypto internals reach logs.
    throw new SealError('auth-failed', context);
  }
}

/**
 * Seals `plaintext` for one receiving node. `secret` is the receiver's node secret; `context` names
 * the field and the receiver (see `sealContext`) and must be given identically to `open`.
 * Returns `v2:` + base64url(salt|iv|tag|ciphertext); two calls never give the same output.
 */
export function seal(plaintext: string, secret: string, context: string): string {
  if (secret.length === 0) throw new TypeError('seal: empty secret');
  assertContext(context, false);
  return PUSH_SEAL_PREFIX + sealBytes(plaintext, secret, PUSH_SEAL_INFO, context);
}

/** Opens a value from `seal`. Throws `SealError` if it was altered, or sealed for another key/context. */
export function open(sealed: string, secret: string, context: string): string {
  if (secret.length === 0) throw new TypeError('open: empty secret');
  assertContext(context, false);
  if (!sealed.startsWith(PUSH_SEAL_PREFIX)) throw new SealError('malformed', context);
  return openBytes(sealed.slice(PUSH_SEAL_PREFIX.length), secret, PUSH_SEAL_INFO, context);
}

/** `open` under a name that does not read like a file operation at the call site. */
export const openSealed = open;

/** Whether a value looks like the output of `seal` (format only; says nothing about validity). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PUSH_SEAL_PREFIX);
}

// Key bytes live here rather than on the instance, so no property, inspection or serialisation of a
// CredentialKey can reveal them.
const keyBytes = new WeakMap<CredentialKey, Buffer>();

function getKeyBytes(key: CredentialKey): Buffer {
  const bytes = keyBytes.get(key);
  if (bytes === undefined) throw new TypeError('not a CredentialKey');
  return bytes;
}

/** The at-rest master key, from config `CredentialKey`. Opaque: prints as `[CredentialKey]`. */
export class CredentialKey {
  private constructor(bytes: Buffer) {
    keyBytes.set(this, bytes);
  }

  /**
   * Accepts 32 random bytes as base64 / base64url (what `generate()` produces), or else a passphrase
   * of at least 16 characters stretched with HKDF-SHA256. A raw key is preferable: HKDF does not
   * slow down guessing, so a passphrase is only as strong as its own entropy.
   */
  static fromConfig(value: string): CredentialKey {
    const trimmed = value.trim();
    const raw = decodeRawKey(trimmed);
    if (raw !== undefined) return new CredentialKey(raw);
    if ([...trimmed].length < MIN_PASSPHRASE_LENGTH) {
      throw new TypeError(
        `CredentialKey must be 32 bytes in base64 or a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters`,
      );
    }
    return new CredentialKey(Buffer.from(hkdfSync('sha256', trimmed, PASSPHRASE_SALT, 'passphrase', KEY_LEN)));
  }

  static fromBytes(bytes: Uint8Array): CredentialKey {
    if (bytes.length !== KEY_LEN) throw new TypeError(`CredentialKey must be exactly ${KEY_LEN} bytes`);
    return new CredentialKey(Buffer.from(bytes));
  }

  /** A fresh random key in the base64 form `fromConfig` accepts, for operators' config files. */
  static generate(): string {
    return randomBytes(KEY_LEN).toString('base64');
  }

  toString(): string {
    return '[CredentialKey]';
  }

  toJSON(): string {
    return '[CredentialKey]';
  }

  [inspect.custom](): string {
    return '[CredentialKey]';
  }
}

function decodeRawKey(value: string): Buffer | undefined {
  let bytes: Buffer | undefined;
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) bytes = Buffer.from(value, 'base64');
  else if (/^[A-Za-z0-9_-]{43}$/.test(value)) bytes = Buffer.from(value, 'base64url');
  return bytes !== undefined && bytes.length === KEY_LEN ? bytes : undefined;
}

/**
 * Seals a value for the database: `enc:v1:` + base64url(salt|iv|tag|ciphertext). `context` (for
 * example the table and column) is optional and, when given, must be passed again to open it.
 */
export function sealAtRest(plaintext: string, key: CredentialKey, context = ''): string {
  assertContext(context, true);
  return AT_REST_PREFIX + sealBytes(plaintext, getKeyBytes(key), AT_REST_INFO, context);
}

/** Whether a stored value is sealed (as opposed to a legacy plaintext value). */
export function isSealedAtRest(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(AT_REST_PREFIX);
}

/**
 * Opens a stored value. Values without the `enc:v1:` prefix are legacy plaintext and are returned
 * unchanged; sealed values that fail authentication throw `SealError`.
 */
export function openAtRest(value: string, key: CredentialKey, context = ''): string {
  if (!isSealedAtRest(value)) return value;
  assertContext(context, true);
  return openBytes(value.slice(AT_REST_PREFIX.length), getKeyBytes(key), AT_REST_INFO, context);
}
