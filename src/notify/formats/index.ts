// One entry point for every message format: a pure function from (notifier, message, time) to the
// HTTP request to send.
import type { Notifier } from '../../model.js';
import type { NotifyMessage, OutgoingRequest } from '../message.js';
import { barkRequest } from './bark.js';
import { dingtalkRequest } from './dingtalk.js';
import { feishuRequest } from './feishu.js';
import { jsonRequest } from './json.js';
import { serverchanRequest } from './serverchan.js';
import { telegramRequest } from './telegram.js';
import { wecomRequest } from './wecom.js';

/**
 * The request that tells `notifier` about `m`, in the notifier's format. `nowMs` (ms since the
 * epoch) is the signing time for the signed formats (DingTalk, Feishu). Pure: no I/O.
 */
export function buildRequest(notifier: Pick<Notifier, 'url' | 'format' | 'secret' | 'template'>, m: NotifyMessage, nowMs: number): OutgoingRequest {
  switch (notifier.format) {
    case 'json':
      return jsonRequest(notifier.url, m, notifier.template);
    case 'dingtalk':
      return dingtalkRequest(notifier.url, m, notifier.secret, nowMs);
    case 'feishu':
      return feishuRequest(notifier.url, m, notifier.secret, nowMs);
    case 'wecom':
      return wecomRequest(notifier.url, m);
    case 'telegram':
      return telegramRequest(notifier.url, m);
    case 'bark':
      return barkRequest(notifier.url, m);
    case 'serverchan':
      return serverchanRequest(notifier.url, m);
  }
}
