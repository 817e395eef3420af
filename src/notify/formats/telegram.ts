// Telegram Bot API `sendMessage`.
//
// Source: Telegram Bot API (https://core.telegram.org/bots/api#making-requests and #sendmessage):
// requests go to `https://api.telegram.org/bot<token>/METHOD_NAME`; `sendMessage` takes `chat_id`
// (integer or `@channelusername`) and `text` (1-4096 characters after entity parsing), as JSON
// with `Content-Type: application/json`. The notifier's URL is the method URL with the chat as a
// query parameter: `https://api.telegram.org/bot<token>/sendMessage?chat_id=<id>`.
import { plainText, type NotifyMessage, type OutgoingRequest } from '../message.js';

const MAX_TEXT = 4096;

/** The `sendMessage` request for `m`: `chat_id` moved from the URL's query into the JSON body. */
export function telegramRequest(url: string, m: NotifyMessage): OutgoingRequest {
  const u = new URL(url);
  const chatId = u.searchParams.get('chat_id') ?? '';
  u.searchParams.delete('chat_id');
  const text = Array.from(plainText(m)).slice(0, MAX_TEXT).join('');
  return { url: u.toString(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: chatId, text }) };
}
