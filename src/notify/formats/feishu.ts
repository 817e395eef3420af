// Feishu / Lark custom bot ("自定义机器人") webhook.
//
// Source: Feishu open platform, "自定义机器人使用指南" / custom bot guide
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot; the signature rule as Gitea
// implements it, go-gitea/gitea#34788): string_to_sign = timestamp + "\n" + secret, where
// timestamp is the current time in SECONDS; sign = base64(HmacSHA256(key = string_to_sign,
// message = "" (empty))). `timestamp` (a string) and `sign` go in the JSON body next to
// `msg_type: "text"` and `content: {"text": ...}`; Feishu accepts a timestamp within one hour.
import { createHmac } from 'node:crypto';
import { plainText, type NotifyMessage, type OutgoingRequest } from '../message.js';

/** Feishu's `sign` for `timestampS` (seconds) and `secret`: base64 HMAC-SHA256 of "" keyed by `timestamp\nsecret`. */
export function feishuSign(timestampS: number, secret: string): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** The bot request for `m`: a text message, signed when `secret` is given (timestamp from `nowMs`). */
export function feishuRequest(url: string, m: NotifyMessage, secret: string | null, nowMs: number): OutgoingRequest {
  const ts = Math.floor(nowMs / 1000);
  const signature = secret ? { timestamp: String(ts), sign: feishuSign(ts, secret) } : {};
  return {
    url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...signature, msg_type: 'text', content: { text: plainText(m) } }),
  };
}
