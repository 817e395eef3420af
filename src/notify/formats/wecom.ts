// WeCom (企业微信) group robot webhook.
//
// Source: WeCom developer docs, "群机器人配置说明" (https://developer.work.weixin.qq.com/document/path/91770):
// POST JSON to `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>` with
// `{"msgtype":"markdown","markdown":{"content": ...}}` (markdown content at most 4096 bytes, UTF-8)
// or `{"msgtype":"text","text":{"content": ...}}` (at most 2048 bytes). No signature: the key in the
// URL is the credential.
import { markdownText, type NotifyMessage, type OutgoingRequest } from '../message.js';

const MAX_MARKDOWN_BYTES = 4096;

/** The robot request for `m`: a markdown message, cut to WeCom's 4096-byte limit. */
export function wecomRequest(url: string, m: NotifyMessage): OutgoingRequest {
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: cutBytes(markdownText(m), MAX_MARKDOWN_BYTES) } }) };
}

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
export function cutBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let size = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (size + n > max) break;
    out += ch;
    size += n;
  }
  return out;
}
