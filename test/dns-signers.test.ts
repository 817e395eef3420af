// Known answers: our Huawei and Volcengine signers produce exactly what the vendors' own signers
// produce for the same request. The expected Authorization headers below were computed once with
// AKSKSigner from @huaweicloud/huaweicloud-sdk-core 3.1.211 and Signer from @volcengine/openapi
// 1.36.2 (neither is a dependency of this project; see the README's providers section).
import test from 'ava';
import { huaweiAuthorization, huaweiCanonicalUri, huaweiSdkDate, rfc3986 } from '../src/dns/providers/huawei-sign.js';
import { sha256hex, volcAuthorization, volcDate } from '../src/dns/providers/volcengine-sign.js';

const HW_AK = 'HPUAEXAMPLEAK0001';
const HW_SK = 'huawei-example-secret-key-0001';
const VOLC_AK = 'AKLTexampleVolcKey0001';
const VOLC_SK = 'volc-example-secret-key-0001';

test('Huawei SDK-HMAC-SHA256: a GET with a query signs as the vendor SDK signs it', (t) => {
  const url = new URL('https://dns.myhuaweicloud.com/v2.1/zones/ff8080825b8fc86c015b94bc6f8712c3/recordsets?name=www.example.com.&search_mode=equal&type=A&limit=500&offset=0');
  t.is(
    huaweiAuthorization({ method: 'GET', url, signedHeaders: { host: 'dns.myhuaweicloud.com', 'X-Sdk-Date': '20261130T120304Z' }, body: '' }, HW_AK, HW_SK),
    'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0001, SignedHeaders=host;x-sdk-date, Signature=edb010fee39ffbf0b7dd0d3b249bf772439c7d05b7f89bb421d142b036cd26cf',
  );
});

test('Huawei SDK-HMAC-SHA256: a PUT with a JSON body and content-type signs as the vendor SDK signs it', (t) => {
  const url = new URL('https://dns.myhuaweicloud.com/v2.1/zones/ff8080825b8fc86c015b94bc6f8712c3/recordsets/ff8080825b8fc86c015b94bc6f8712c4');
  const body = JSON.stringify({ name: 'www.example.com.', type: 'A', records: ['198.51.100.7'], ttl: 300 });
  const headers = { host: 'dns.myhuaweicloud.com', 'X-Sdk-Date': '20261130T120304Z', 'content-type': 'application/json;charset=UTF-8' };
  t.is(
    huaweiAuthorization({ method: 'PUT', url, signedHeaders: headers, body }, HW_AK, HW_SK),
    'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0001, SignedHeaders=content-type;host;x-sdk-date, Signature=552c25cb184f086706224e6f549711d37706fd66a912ab52ccce1a35d07889f6',
  );
});

test('Huawei canonical pieces: RFC 3986 encoding, a trailing slash on the path, the X-Sdk-Date format', (t) => {
  t.is(rfc3986("a b!'()*~-_.é"), "a%20b%21%27%28%29%2A~-_.%C3%A9");
  t.is(huaweiCanonicalUri('/v2/zones'), '/v2/zones/');
  t.is(huaweiCanonicalUri('/v2.1/zones/a%20b/recordsets/'), '/v2.1/zones/a%20b/recordsets/');
  t.is(huaweiSdkDate(new Date('2026-01-02T03:04:05.678Z')), '20260102T030405Z');
});

test('Volcengine HMAC-SHA256: a GET signs as @volcengine/openapi signs it', (t) => {
  const url = new URL('https://dns.volcengineapi.com/?Action=ListRecords&Version=2018-08-01&ZID=304092&Host=www&SearchMode=exact&PageNumber=1&PageSize=500');
  t.is(
    volcAuthorization({ method: 'GET', url, signedHeaders: { host: 'dns.volcengineapi.com', 'x-date': '20261130T120304Z' }, body: '', region: 'cn-north-1', service: 'DNS' }, VOLC_AK, VOLC_SK),
    'HMAC-SHA256 Credential=AKLTexampleVolcKey0001/20261130/cn-north-1/DNS/request, SignedHeaders=host;x-date, Signature=def817ec1345752c17bcf0fbfe18f35558a6ff6e7a83664a59d5a0d8dadf1cec',
  );
});

test('Volcengine HMAC-SHA256: a POST with a JSON body signs as @volcengine/openapi signs it', (t) => {
  const url = new URL('https://dns.volcengineapi.com/?Action=UpdateRecord&Version=2018-08-01');
  const body = JSON.stringify({ RecordID: '9079256848785341361', Host: 'www', Line: 'telecom', Type: 'A', Value: '198.51.100.7', TTL: 600 });
  const headers = { host: 'dns.volcengineapi.com', 'x-date': '20261130T120304Z', 'x-content-sha256': sha256hex(body) };
  t.is(
    volcAuthorization({ method: 'POST', url, signedHeaders: headers, body, region: 'cn-north-1', service: 'DNS' }, VOLC_AK, VOLC_SK),
    'HMAC-SHA256 Credential=AKLTexampleVolcKey0001/20261130/cn-north-1/DNS/request, SignedHeaders=host;x-content-sha256;x-date, Signature=9544b470d6482c77fd3934d94fe0015f2e2d6dd4b18fed89dee2d6fde057e8e2',
  );
  t.is(volcDate(new Date('2026-11-30T12:03:04.999Z')), '20261130T120304Z');
});
