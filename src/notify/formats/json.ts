// The generic JSON webhook: the event's fields as a JSON object, or the operator's template.
import type { NotifyMessage, OutgoingRequest } from '../message.js';

/**
 * Fills `{{field}}` placeholders with the message's fields (`{{event}}`, `{{time}}`, `{{cluster}}`,
 * `{{node}}`, `{{service}}`, `{{record}}`, `{{line}}`, `{{family}}`, `{{oldAddress}}`,
 * `{{newAddress}}`, `{{reason}}`; whitespace inside the braces is allowed). A field that is null and
 * an unknown name become the empty string. Values are inserted JSON-string-escaped (without the
 * quotes) when `escapeJson` is set, so a template that is JSON stays JSON whatever a value holds.
 */
export function fillTemplate(template: string, m: NotifyMessage, escapeJson: boolean): string {
  const fields = m as unknown as Record<string, string | null>;
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_all, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(fields, name) ? (fields[name] ?? '') : '';
    return escapeJson ? JSON.stringify(String(value)).slice(1, -1) : String(value);
  });
}

/**
 * POST `url` with the message as JSON (`{event, time, cluster, node, service, record, line, family,
 * oldAddress, newAddress, reason}`), or with `template` filled in (fillTemplate). A template that
 * parses as JSON once filled is sent as `application/json`, anything else as `text/plain`.
 */
export function jsonRequest(url: string, m: NotifyMessage, template: string | null): OutgoingRequest {
  if (template === null) return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(m) };
  const body = fillTemplate(template, m, looksLikeJson(template));
  return { url, headers: { 'content-type': looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8' }, body };
}

function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(fillBlank(t));
    return true;
  } catch {
    return false;
  }
}

// A template is judged with its placeholders filled by an empty string.
const fillBlank = (t: string) => t.replace(/\{\{\s*[A-Za-z]+\s*\}\}/g, '');
