// ServerChan (Server酱) push.
//
// Source: ServerChan API (https://doc2.ft07.com/serverchan3/server/api; Turbo: https://sct.ftqq.com):
// `POST https://sctapi.ftqq.com/<SENDKEY>.send` (or `https://<uid>.push.ft07.com/send/<sendkey>.send`)
// with `title` (required; Turbo keeps at most 32 characters) and `desp` (Markdown body), as
// `application/json` among others. The
// notifier's URL is that send URL as the SendKey page shows it.
import { markdownText, titleOf, type NotifyMessage, type OutgoingRequest } from '../message.js';

/** The push request for `m`: `title` and a Markdown `desp`. */
export function serverchanRequest(url: string, m: NotifyMessage): OutgoingRequest {
  return { url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ title: titleOf(m).slice(0, 32), desp: markdownText(m) }) };
}
