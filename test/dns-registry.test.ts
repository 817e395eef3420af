import test from 'ava';
import { LINE_CODES } from '../src/model.js';
import {
  ALI_LINE_NAMES,
  DNSPOD_LINE_NAMES,
  HUAWEI_LINE_NAMES,
  aliLines,
  cloudflareLines,
  dnspodLines,
  huaweiLines,
  unsupportedLines,
  volcengineLines,
} from '../src/dns/lines.js';
import { createProvider, knownProviders, normalizeProviderName, cachedProviderFactory } from '../src/dns/registry.js';
import { maskKeyId } from '../src/dns/provider.js';
import { aliEndpoint } from '../src/dns/providers/ali.js';
import { dnspodEndpoint } from '../src/dns/providers/dnspod.js';
import { cloudflareBase } from '../src/dns/providers/cloudflare.js';
import { huaweiEndpoint } from '../src/dns/providers/huawei.js';

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
  for (const n of ['Huawei', 'huawei', 'HuaweiCloud', 'huaweicloud']) t.is(normalizeProviderName(n), 'Huawei');
  for (const n of ['Volcengine', 'volcengine', 'volc', 'VOLC']) t.is(normalizeProviderName(n), 'Volcengine');
  for (const n of ['Cloudflare', 'cloudflare', 'cf', 'CF']) t.is(normalizeProviderName(n), 'Cloudflare');
  t.is(normalizeProviderName('route53'), null);
  t.deepEqual(knownProviders(), ['Ali', 'DNSPod', 'Huawei', 'Volcengine', 'Cloudflare']);
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

test('Huawei, Volcengine and Cloudflare line maps: what each has, what it lacks, and back again', (t) => {
  for (const code of LINE_CODES) t.is(huaweiLines.fromProvider(huaweiLines.toProvider(code)), code);
  t.deepEqual(Object.values(HUAWEI_LINE_NAMES), ['default_view', 'Dianxin', 'Liantong', 'Yidong', 'Jiaoyuwang', 'Abroad']);
  t.is(huaweiLines.fromProvider('Dianxin_Beijing'), null);
  t.is(huaweiLines.fromProvider('Tietong'), null);
  t.deepEqual(volcengineLines.codes, ['default', 'CT', 'CU', 'CMCC', 'OverSea']);
  t.false(volcengineLines.supports('CNEdu'), 'the CERNET value is unconfirmed: left unmapped');
  t.throws(() => volcengineLines.toProvider('CNEdu'), { message: /no CNEdu line/ });
  t.is(volcengineLines.fromProvider('telecom'), 'CT');
  t.deepEqual(cloudflareLines.codes, ['default']);
  t.deepEqual(unsupportedLines('cf', ['default', 'CT', 'CU']), ['CT', 'CU']);
  t.deepEqual(unsupportedLines('volc', ['CNEdu', 'CT']), ['CNEdu']);
  t.deepEqual(unsupportedLines('huaweicloud', [...LINE_CODES]), []);
  t.deepEqual(unsupportedLines('Route53', ['CT']), [], 'an unknown provider is reported elsewhere');
});

test('the new providers carry their canonical name, masked key and line capability', (t) => {
  const make = (platformProvider: string) => createProvider({ platformProvider, accessKey: 'AKEXAMPLE00001234', accessSecret: 's', endpoint: null });
  t.like(make('huaweicloud'), { name: 'Huawei', keyId: 'AKEX****1234', capabilities: { recordTypes: ['A', 'AAAA'], lines: true } });
  t.like(make('volc'), { name: 'Volcengine', keyId: 'AKEX****1234', capabilities: { recordTypes: ['A', 'AAAA'], lines: true } });
  t.like(make('cf'), { name: 'Cloudflare', keyId: 'AKEX****1234', capabilities: { recordTypes: ['A', 'AAAA'], lines: false } });
});

test('endpoints of the new providers: defaults, regional hosts, a project id, a custom API base', (t) => {
  const hw = huaweiEndpoint(null);
  t.is(hw.base.href, 'https://dns.myhuaweicloud.com/');
  t.is(hw.projectId, null);
  const regional = huaweiEndpoint('dns.cn-north-4.myhuaweicloud.com?project_id=0123456789abcdef');
  t.is(regional.base.href, 'https://dns.cn-north-4.myhuaweicloud.com/');
  t.is(regional.projectId, '0123456789abcdef');
  t.is(huaweiEndpoint('http://127.0.0.1:9000').base.href, 'http://127.0.0.1:9000/');
  t.is(cloudflareBase(null), 'https://api.cloudflare.com/client/v4');
  t.is(cloudflareBase('http://127.0.0.1:9000/client/v4/'), 'http://127.0.0.1:9000/client/v4');
});
