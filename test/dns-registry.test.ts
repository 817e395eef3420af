import test from 'ava';
import { LINE_CODES } from '../src/model.js';
import { ALI_LINE_NAMES, DNSPOD_LINE_NAMES, aliLines, dnspodLines } from '../src/dns/lines.js';
import { createProvider, knownProviders, normalizeProviderName, cachedProviderFactory } from '../src/dns/registry.js';
import { maskKeyId } from '../src/dns/provider.js';
import { aliEndpoint } from '../src/dns/providers/ali.js';
import { dnspodEndpoint } from '../src/dns/providers/dnspod.js';

test('every line code maps to each provider line and back', (t) => {
  for (const code of LINE_CODES) {
    t.is(aliLines.fromProvider(aliLines.toProvider(code)), code);
    t.is(dnspodLines.fromProvider(dnspodLines.toProvider(code)), code);
  }
  t.deepEqual(Object.values(ALI_LINE_NAMES), ['default', 'telecom', 'unicom', 'mobile', 'edu', 'oversea']);
  t.deepEqual(Object.values(DNSPOD_LINE_NAMES), ['默认', '电信', '联通', '移动', '教育网', '境外']);
});

test('provider lines we do not model map to null', (t) => {
  t.is(aliLines.fromProvider('cn_telecom_beijing'), null);
  t.is(aliLines.fromProvider('search'), null);
  t.is(dnspodLines.fromProvider('境内'), null);
  t.is(dnspodLines.fromProvider('北京电信'), null);
  t.is(aliLines.fromProvider('Telecom'), 'CT');
});

test('provider names are accepted in every documented spelling, case-insensitively', (t) => {
  for (const n of ['Ali', 'ali', 'ALIDNS', 'Alidns', 'aliyun', ' AliYun ']) t.is(normalizeProviderName(n), 'Ali');
  for (const n of ['DNSPod', 'dnspod', 'Tencent', 'TENCENT']) t.is(normalizeProviderName(n), 'DNSPod');
  t.is(normalizeProviderName('cloudflare'), null);
  t.deepEqual(knownProviders(), ['Ali', 'DNSPod']);
});

test('an unknown provider name fails with the list of known ones', (t) => {
  const err = t.throws(() =>
    createProvider({ platformProvider: 'Route53', accessKey: 'AKIA0000', accessSecret: 'topsecret', endpoint: null }),
  );
  t.regex(err!.message, /Route53/);
  t.regex(err!.message, /Ali/);
  t.regex(err!.message, /DNSPod/);
  t.false(err!.message.includes('topsecret'));
});

test('providers carry their canonical name and a masked key id', (t) => {
  const p = createProvider({ platformProvider: 'aliyun', accessKey: 'LTAI5tAbCdEf1234', accessSecret: 's', endpoint: null });
  t.is(p.name, 'Ali');
  t.is(p.keyId, 'LTAI****1234');
  t.is(maskKeyId('short'), 'sh****');
  const d = createProvider({ platformProvider: 'tencent', accessKey: 'AKIDxyzxyzxyz9876', accessSecret: 's', endpoint: null });
  t.is(d.name, 'DNSPod');
});

test('endpoints: null is the public default; a loopback DNSPod endpoint keeps signing for dnspod', (t) => {
  t.is(aliEndpoint(null), 'https://alidns.aliyuncs.com');
  t.is(aliEndpoint('alidns.cn-hangzhou.aliyuncs.com'), 'https://alidns.cn-hangzhou.aliyuncs.com');
  t.is(aliEndpoint('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  t.deepEqual(dnspodEndpoint(null), { host: 'dnspod.tencentcloudapi.com', protocol: 'https://', connectTo: null });
  t.deepEqual(dnspodEndpoint('http://127.0.0.1:9000'), { host: 'dnspod.tencentcloudapi.com:9000', protocol: 'http://', connectTo: '127.0.0.1' });
  t.deepEqual(dnspodEndpoint('http://[::1]:9000'), { host: 'dnspod.tencentcloudapi.com:9000', protocol: 'http://', connectTo: '::1' });
  t.deepEqual(dnspodEndpoint('dnspod.internal.tencentcloudapi.com'), {
    host: 'dnspod.internal.tencentcloudapi.com',
    protocol: 'https://',
    connectTo: null,
  });
});

test('the cached factory reuses a provider until the credentials change', (t) => {
  let made = 0;
  const factory = cachedProviderFactory((a) => {
    made++;
    return createProvider(a);
  });
  const account = { platformProvider: 'Ali', accessKey: 'LTAI5tAbCdEf1234', accessSecret: 'one', endpoint: null };
  t.is(factory(account), factory({ ...account }));
  t.not(factory(account), factory({ ...account, accessSecret: 'two' }));
  t.is(made, 2);
});
