// Bark (iOS push) server.
//
// Source: bark-server API v2 (API_V2.md in the documentation of https://github.com/Finb/bark-server):
// `POST /push` with JSON `{"device_key", "title", "body", "group", ...}`. The notifier's URL is the
// one the Bark app shows, `https://api.day.app/<device_key>` (a self-hosted server may sit under a
// path prefix): the last path segment is the device key and `<prefix>/push` the endpoint.
import { plainText, titleOf, type NotifyMessage, type OutgoingRequest } from '../message.js';

/** The push request for `m`, grouped under "CocoaSyncer" on the phone. */
export function barkRequest(url: string, m: NotifyMessage): OutgoingRequest {
  const u = new URL(url);
  const parts = u.pathname.split('/').filter(Boolean);
  const deviceKey = decodeURIComponent(parts.pop() ?? '');
  u.pathname = `/${[...parts, 'push'].join('/')}`;
  u.search = '';
  const body = plainText(m).split('\n').slice(1).join('\n');
  return { url: u.toString(), headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ device_key: deviceKey, title: titleOf(m), body, group: 'CocoaSyncer' }) };
}
