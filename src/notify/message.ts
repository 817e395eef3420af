// One event as every format receives it, and its wording for the chat formats. Plain data and pure
// functions only.
import type { Family, NotifyEvent } from '../model.js';

/**
 * One event, as the generic JSON format sends it (field names are the JSON body's). `time` is
 * ISO-8601 (UTC); `cluster` the leader's node name; `node` the node the event is about (the node
 * that wrote the record for failover/recovery/dns-error). Fields that do not apply are null.
 */
export interface NotifyMessage {
  event: NotifyEvent | 'test';
  time: string;
  cluster: string;
  node: string;
  service: string | null;
  /** The record's full name, e.g. `www.example.com`. */
  record: string | null;
  line: string | null;
  family: Family | null;
  oldAddress: string | null;
  newAddress: string | null;
  /** Why, in words (never a secret). */
  reason: string;
}

/** An HTTP request a format builds: always a POST with a body. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const TITLES: Record<NotifyMessage['event'], string> = {
  failover: 'Failover',
  recovery: 'Recovery',
  'dns-error': 'DNS error',
  'node-down': 'Node down',
  'node-up': 'Node up',
  'leader-change': 'Leader change',
  'clock-skew': 'Clock skew',
  test: 'Test message',
};

/** The one-line title of a message: `[CocoaSyncer] Failover: www.example.com CU A`. */
export function titleOf(m: NotifyMessage): string {
  const what = m.record ? `${m.record}${m.line ? ` ${m.line}` : ''}${m.family ? ` ${m.family === 'ipv4' ? 'A' : 'AAAA'}` : ''}` : m.node;
  return `[CocoaSyncer] ${TITLES[m.event]}: ${what}`;
}

/** The lines of a message's text body, `label: value`, only the fields that apply. */
export function linesOf(m: NotifyMessage): string[] {
  const rows: [string, string | null][] = [
    ['event', m.event],
    ['time', m.time],
    ['cluster', m.cluster],
    ['node', m.node],
    ['service', m.service],
    ['record', m.record],
    ['line', m.line],
    ['family', m.family],
    ['old address', m.oldAddress],
    ['new address', m.newAddress],
    ['reason', m.reason],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== null && r[1] !== '').map(([k, v]) => `${k}: ${v}`);
}

/** Title and body as plain text (DingTalk/WeCom/Telegram text). */
export function plainText(m: NotifyMessage): string {
  return [titleOf(m), ...linesOf(m)].join('\n');
}

/** Title and body as Markdown (DingTalk, WeCom markdown; ServerChan `desp`). */
export function markdownText(m: NotifyMessage): string {
  return [`### ${titleOf(m)}`, ...linesOf(m).map((l) => `- ${l}`)].join('\n');
}
