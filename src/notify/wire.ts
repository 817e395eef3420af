// Notifiers on the push wire: a CocoaSyncer 2 extension of `cocoaBasic` (`notifiers`), sent on
// protocol v2 only, with the URL and signing secret sealed for the receiving follower
// (cluster/push-secrets.ts). A v1 (Go) peer is never sent them and never sends them: a v1 push
// leaves a follower with none.
import { z } from 'zod';
import type { Notifier } from '../model.js';
import { notifierNameSchema, notifyEventsSchema, notifyFormatSchema, templateSchema } from './schemas.js';

/** One notifier as a v2 push carries it: `url` and `secret` sealed (opaque text here). */
export const notifierWireSchema = z
  .object({
    name: notifierNameSchema,
    url: z.string().min(1).max(8192),
    format: notifyFormatSchema,
    secret: z.string().min(1).max(8192).nullable(),
    template: templateSchema.nullable(),
    events: notifyEventsSchema,
  })
  .strict();

export type WireNotifier = z.infer<typeof notifierWireSchema>;

/** Writes a notifier's secret field for the wire (seals it for the receiver). */
export type NotifierSecretWriter = (value: string, field: 'url' | 'secret', owner: string) => string;

/** The notifiers as a v2 push carries them, each secret field through `writer`. */
export function toWireNotifiers(notifiers: readonly Notifier[], writer: NotifierSecretWriter): WireNotifier[] {
  return notifiers.map((n) => ({
    name: n.name,
    url: writer(n.url, 'url', n.name),
    format: n.format,
    secret: n.secret === null ? null : writer(n.secret, 'secret', n.name),
    template: n.template,
    events: [...n.events],
  }));
}
