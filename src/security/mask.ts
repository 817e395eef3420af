// Masked forms for display, one function per kind of value, used by every surface (admin answers,
// v1 answers, provider handles in logs and metrics). Secrets and key ids are masked differently on
// purpose: a key id is not a secret, and operators need enough of it to tell accounts apart.

/**
 * A secret for display: first 2 + `****` + last 2 characters for secrets of 16+ characters, else
 * `****`. The threshold is higher than "8" on purpose: showing 4 of 8 characters would hand out
 * half the secret. Counts code points, so a surrogate pair is never cut in half.
 */
export function maskSecret(secret: string): string {
  const chars = Array.from(secret);
  if (chars.length < 16) return '****';
  return `${chars.slice(0, 2).join('')}****${chars.slice(-2).join('')}`;
}

/**
 * An access key id (Alibaba Cloud AccessKey ID, Tencent Cloud SecretId) for display:
 * `LTAI5tAbCdEf1234` → `LTAI****1234`, an id of 8 characters or fewer → its first 2 + `****`.
 * Enough to tell accounts apart (the vendor prefix `LTAI` / `AKID` and the last 4), not enough to
 * use one. The one format for admin answers, v1 answers, logs and metrics labels.
 */
export function maskAccessKeyId(keyId: string): string {
  if (keyId.length <= 8) return `${keyId.slice(0, 2)}****`;
  return `${keyId.slice(0, 4)}****${keyId.slice(-4)}`;
}

/**
 * A webhook URL for display and logs: its scheme, host and port only, the rest (path and query,
 * where webhook tokens live: DingTalk's `access_token`, WeCom's `key`, Telegram's `bot<token>`,
 * Bark's device key, ServerChan's SendKey) replaced by `****`:
 * `https://oapi.dingtalk.com/robot/send?access_token=abc` → `https://oapi.dingtalk.com/****`.
 * Text that is not a URL becomes `****`.
 */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/****`;
  } catch {
    return '****';
  }
}
