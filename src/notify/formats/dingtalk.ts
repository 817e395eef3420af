// DingTalk custom robot ("自定义机器人") webhook.
//
// Source: DingTalk open platform, "自定义机器人安全设置 / 加签"
// (https://open.dingtalk.com/document/orgapp/customize-robot-security-settings, mirrored at
// https://apifox.com/apidoc/docs-site/467052/doc-3550006): string_to_sign = timestamp + "\n" +
// secret, where timestamp is the current time in milliseconds; sign = urlEncode(base64(HmacSHA256(
// key = secret, message = string_to_sign))) in UTF-8; both are appended to the webhook URL as
// `&timestamp=<ms>&sign=<sign>`. The message body is `{"msgtype":"markdown","markdown":{"title",
// "text"}}` (or `{"msgtype":"text","text":{"content"}}`), POSTed as JSON.
import { createHmac } from 'node:crypto';
import { markdownText, titleOf, type NotifyMessage, type OutgoingRequest } from '../message.js';

/** DingTalk's `sign` for `timestampMs` and `secret`: base64 HMAC-SHA256, URL-encoded. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(mac);
}

/**
 * The robot request for `m`: a markdown message; signed when `secret` is given (the timestamp is
 * `nowMs`, which DingTalk accepts within one hour of its own clock).
 */
export function dingtalkRequest(url: string, m: NotifyMessage, secret: string | null, nowMs: number): OutgoingRequest {
  const signed = secret ? `${url}${url.includes('?') ? '&' : '?'}timestamp=${nowMs}&sign=${dingtalkSign(nowMs, secret)}` : url;
  return {
    url: signed,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ msgtype: 'markdown', markdown: { title: titleOf(m), text: markdownText(m) } }),
  };
}
