// Input rules for notifiers, shared by the admin API (src/api/contract.ts), the v2 push wire
// (src/cluster/wire-v1.ts) and the CLI. Each names what is wrong so a 4xx answer points at the field.
import { z } from 'zod';
import { NOTIFY_EVENTS, NOTIFY_FORMATS, type NotifyFormat } from '../model.js';
import { httpUrlOf } from '../schemas.js';

/** A notifier's name: 1-64 of `A-Za-z0-9_.-`, starting with a letter or digit. */
export const notifierNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');

/** A webhook URL: http:// or https://, with a host, no user:password part, at most 2048 characters. */
export const webhookUrlSchema = httpUrlOf(2048);

export const notifyFormatSchema = z.enum(NOTIFY_FORMATS, { error: `must be one of ${NOTIFY_FORMATS.join(', ')}` });
export const notifyEventSchema = z.enum(NOTIFY_EVENTS, { error: `must be one of ${NOTIFY_EVENTS.join(', ')}` });
/** Events a notifier is told about; empty: every event. Repeats are dropped. */
export const notifyEventsSchema = z
  .array(notifyEventSchema)
  .max(NOTIFY_EVENTS.length * 4)
  .transform((events) => [...new Set(events)]);
export const signingSecretSchema = z.string().trim().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');
export const templateSchema = z.string().min(1, 'must not be empty').max(4000, 'must be at most 4000 characters');

/**
 * What a format needs from the URL, checked when a notifier is added (so a bad one is refused then,
 * not at the first event): Telegram needs `/bot<token>/sendMessage` and a `chat_id` query parameter;
 * Bark needs the device key as the URL's last path segment. Returns the problem, or null.
 */
export function urlProblem(format: NotifyFormat, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an http:// or https:// URL';
  }
  if (format === 'telegram') {
    if (!/\/bot[^/]+\/sendMessage$/.test(u.pathname)) return 'a Telegram URL must end in /bot<token>/sendMessage';
    if (!u.searchParams.get('chat_id')) return 'a Telegram URL must carry the chat as ?chat_id=<id>';
  }
  if (format === 'bark' && u.pathname.split('/').filter(Boolean).length === 0) return 'a Bark URL must end in the device key, e.g. https://api.day.app/<key>';
  return null;
}
