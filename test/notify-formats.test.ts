// Each message format against its vendor's documented shape; the signed ones (DingTalk, Feishu)
// against their documented signature rules, computed here independently with node:crypto.
import { createHmac } from 'node:crypto';
import test from 'ava';
import type { Notifier } from '../src/model.js';
import { buildRequest } from '../src/notify/formats/index.js';
import { fillTemplate } from '../src/notify/formats/json.js';
import { cutBytes } from '../src/notify/formats/wecom.js';
import type { NotifyMessage } from '../src/notify/message.js';

const NOW = Date.UTC(2026, 11, 1, 8, 30, 15, 123);
const message: NotifyMessage = {
  event: 'failover',
  time: new Date(NOW).toISOString(),
  cluster: 'Node A',
  node: 'C',
  service: 'www',
  record: 'www.example.com',
  line: 'CU',
  family: 'ipv4',
  oldAddress: '198.51.100.20',
  newAddress: '198.51.100.30',
  reason: 'the line\'s owner is down; this node stands in for it',
};
const notifier = (over: Partial<Notifier>): Notifier => ({ name: 'n', url: 'https://hooks.example/x', format: 'json', secret: null, template: null, events: [], ...over });
const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

test('generic JSON: every field of the event, as JSON', (t) => {
  const req = buildRequest(notifier({}), message, NOW);
  t.is(req.url, 'https://hooks.example/x');
  t.is(req.headers['content-type'], 'application/json');
  t.deepEqual(json(req.body), { ...message });
  t.is(json(req.body).time, '2026-12-01T08:30:15.123Z');
});

test('generic JSON with a template: {{field}} filled in, JSON-escaped inside a JSON template, empty for null and unknown names', (t) => {
  const template = '{"text": "{{ event }} on {{record}} {{line}}: {{oldAddress}} -> {{newAddress}} ({{reason}}) {{nope}}"}';
  const req = buildRequest(notifier({ template }), message, NOW);
  t.is(req.headers['content-type'], 'application/json');
  t.deepEqual(json(req.body), { text: 'failover on www.example.com CU: 198.51.100.20 -> 198.51.100.30 (the line\'s owner is down; this node stands in for it) ' });
  const quoting = fillTemplate('{"r":"{{reason}}"}', { ...message, reason: 'a "quoted"\nline' }, true);
  t.deepEqual(JSON.parse(quoting), { r: 'a "quoted"\nline' });
  const plain = buildRequest(notifier({ template: '{{event}} {{service}} {{family}}' }), { ...message, service: null }, NOW);
  t.is(plain.body, 'failover  ipv4');
  t.regex(plain.headers['content-type']!, /^text\/plain/);
});

test('DingTalk: markdown message; signed as timestamp(ms) + "\\n" + secret, HMAC-SHA256 keyed by the secret, base64, URL-encoded, appended as &timestamp=&sign=', (t) => {
  const secret = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';
  const url = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';
  const req = buildRequest(notifier({ format: 'dingtalk', url, secret }), message, NOW);
  const expected = encodeURIComponent(createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${NOW}\n${secret}`, 'utf8')).digest('base64'));
  t.is(req.url, `${url}&timestamp=${NOW}&sign=${expected}`);
  // URL-encoded: base64's "+", "/" and "=" never appear raw in the query.
  const sign = new URL(req.url).search.split('&sign=')[1]!;
  t.notRegex(sign, /[+/=]/);
  const body = json(req.body) as { msgtype: string; markdown: { title: string; text: string } };
  t.is(body.msgtype, 'markdown');
  t.is(body.markdown.title, '[CocoaSyncer] Failover: www.example.com CU A');
  t.regex(body.markdown.text, /new address: 198\.51\.100\.30/);
  // Unsigned: the URL as given.
  t.is(buildRequest(notifier({ format: 'dingtalk', url }), message, NOW).url, url);
});

test('Feishu: signed as base64(HMAC-SHA256(key = timestamp(s) + "\\n" + secret, message = "")), timestamp and sign in the body next to msg_type text', (t) => {
  const secret = 'feishu-signing-key';
  const url = 'https://open.feishu.cn/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000';
  const req = buildRequest(notifier({ format: 'feishu', url, secret }), message, NOW);
  const ts = Math.floor(NOW / 1000);
  const body = json(req.body) as { timestamp: string; sign: string; msg_type: string; content: { text: string } };
  t.is(req.url, url);
  t.is(body.timestamp, String(ts));
  t.is(body.sign, createHmac('sha256', Buffer.from(`${ts}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64'));
  // Not DingTalk's rule (the secret as key over the string): the two differ.
  t.not(body.sign, createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));
  t.is(body.msg_type, 'text');
  t.regex(body.content.text, /^\[CocoaSyncer\] Failover: www\.example\.com CU A\nevent: failover\n/);
  const unsigned = json(buildRequest(notifier({ format: 'feishu', url }), message, NOW).body);
  t.false('sign' in unsigned);
  t.false('timestamp' in unsigned);
});

test('WeCom: {"msgtype":"markdown","markdown":{"content"}} to the webhook URL as given, cut to 4096 bytes without splitting a character', (t) => {
  const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx';
  const req = buildRequest(notifier({ format: 'wecom', url }), message, NOW);
  t.is(req.url, url);
  const body = json(req.body) as { msgtype: string; markdown: { content: string } };
  t.is(body.msgtype, 'markdown');
  t.regex(body.markdown.content, /^### \[CocoaSyncer\] Failover/);
  const long = json(buildRequest(notifier({ format: 'wecom', url }), { ...message, reason: '故障'.repeat(2000) }, NOW).body) as typeof body;
  t.true(Buffer.byteLength(long.markdown.content) <= 4096);
  t.is(cutBytes('ab故', 4), 'ab');
});

test('Telegram: POST /bot<token>/sendMessage with chat_id (taken from the URL) and text', (t) => {
  const req = buildRequest(notifier({ format: 'telegram', url: 'https://api.telegram.org/bot123456:ABC-def/sendMessage?chat_id=-100987' }), message, NOW);
  t.is(req.url, 'https://api.telegram.org/bot123456:ABC-def/sendMessage');
  const body = json(req.body) as { chat_id: string; text: string };
  t.is(body.chat_id, '-100987');
  t.regex(body.text, /^\[CocoaSyncer\] Failover: www\.example\.com CU A\n/);
});

test('Bark: POST <server>/push with device_key (the URL\'s last segment), title and body', (t) => {
  const req = buildRequest(notifier({ format: 'bark', url: 'https://api.day.app/ynJ5Ft4atkMkWeo2PAvFhF' }), message, NOW);
  t.is(req.url, 'https://api.day.app/push');
  const body = json(req.body) as Record<string, string>;
  t.is(body.device_key, 'ynJ5Ft4atkMkWeo2PAvFhF');
  t.is(body.title, '[CocoaSyncer] Failover: www.example.com CU A');
  t.regex(body.body!, /^event: failover\n/);
  t.is(buildRequest(notifier({ format: 'bark', url: 'https://bark.example/prefix/KEY' }), message, NOW).url, 'https://bark.example/prefix/push');
});

test('ServerChan: POST to the SendKey URL with title and a markdown desp', (t) => {
  const url = 'https://sctapi.ftqq.com/SCT123456TabcDEF.send';
  const req = buildRequest(notifier({ format: 'serverchan', url }), message, NOW);
  t.is(req.url, url);
  const body = json(req.body) as Record<string, string>;
  t.true(body.title!.length <= 32);
  t.regex(body.title!, /^\[CocoaSyncer\] Failover/);
  t.regex(body.desp!, /- record: www\.example\.com/);
});
