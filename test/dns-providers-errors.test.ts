// Error mapping of the Huawei, Volcengine and Cloudflare clients in isolation: shapes the emulators
// do not produce (a proxy's HTML page, a missing envelope), socket failures, and secret scrubbing.
import test from 'ava';
import type { CloudAccount } from '../src/model.js';
import { ProviderError } from '../src/dns/provider.js';
import { createProvider } from '../src/dns/registry.js';
import { cloudflareError, createCloudflareProvider } from '../src/dns/providers/cloudflare.js';
import { createHuaweiProvider, huaweiError } from '../src/dns/providers/huawei.js';
import type { HttpClient } from '../src/dns/providers/http.js';
import { createVolcengineProvider, volcengineError } from '../src/dns/providers/volcengine.js';
import { freePort } from './helpers/node.js';

const SECRET = 'stub-secret-value-123';
const Q = { domain: 'example.com', record: 'www', fqdn: 'www.example.com' };
const account = (platformProvider: string, endpoint: string | null = null): CloudAccount => ({ platformProvider, accessKey: 'AKSTUB000000001', accessSecret: SECRET, endpoint });

test('Huawei errors: DNS.xxxx and APIGW.xxxx bodies, auth on 401/403, retry on 429/5xx, secrets scrubbed', (t) => {
  t.like(huaweiError('ListRecordSetsByZone', 400, { code: 'DNS.0312', message: 'exists' }, [SECRET]), { code: 'DNS.0312', retryable: false, auth: false, httpStatus: 400 });
  t.like(huaweiError('x', 401, { error_code: 'APIGW.0301', error_msg: `bad ${SECRET}` }, [SECRET]), { code: 'APIGW.0301', auth: true, retryable: false, detail: 'bad ***' });
  t.like(huaweiError('x', 403, { code: 'DNS.0030', message: 'no permission' }, []), { auth: true });
  t.like(huaweiError('x', 429, { error_code: 'APIGW.0308', error_msg: 'throttled' }, []), { retryable: true, auth: false });
  t.like(huaweiError('x', 503, undefined, []), { code: 'HTTP503', retryable: true, detail: 'answer is not JSON' });
});

test('Volcengine errors: ResponseMetadata.Error codes, auth and retry classes', (t) => {
  const body = (Code: string, CodeN: number) => ({ ResponseMetadata: { RequestId: 'r', Error: { Code, CodeN, Message: `m ${SECRET}` } } });
  t.like(volcengineError('ListRecords', 401, body('SignatureDoesNotMatch', 100010), [SECRET]), { auth: true, retryable: false, detail: 'm ***' });
  t.like(volcengineError('ListRecords', 400, body('InvalidTimestamp', 100006), []), { auth: true });
  t.like(volcengineError('ListRecords', 429, body('FlowLimitExceeded', 100018), []), { retryable: true, auth: false });
  t.like(volcengineError('ListRecords', 400, body('AccountFlowLimitExceeded', 100019), []), { retryable: true });
  t.like(volcengineError('ListRecords', 400, body('ErrDBDuplicated', 300002), []), { retryable: false, auth: false });
  t.like(volcengineError('ListRecords', 502, undefined, []), { code: 'HTTP502', retryable: true });
});

test('Cloudflare errors: numeric codes as text, error chains kept, auth and retry classes', (t) => {
  const env = (status: number, code: number, message: string, chain?: { code: number; message: string }[]) =>
    cloudflareError('ListDnsRecords', status, { success: false, errors: [{ code, message, ...(chain ? { error_chain: chain } : {}) }], result: null }, [SECRET]);
  t.like(env(403, 10000, 'Authentication error'), { code: '10000', auth: true, retryable: false });
  t.like(env(400, 6003, 'Invalid request headers', [{ code: 6111, message: 'Invalid format for Authorization header' }]), { code: '6003', auth: true, detail: 'Invalid request headers: 6111 Invalid format for Authorization header' });
  t.like(env(429, 971, 'Please wait'), { retryable: true, auth: false });
  t.like(env(400, 81058, 'An identical record already exists.'), { retryable: false, auth: false });
  t.like(cloudflareError('x', 520, undefined, []), { code: 'HTTP520', retryable: true, auth: false });
});

test('a 2xx answer that is not JSON (a proxy in between) is retryable; a JSON one of the wrong shape is not', async (t) => {
  const page: HttpClient = { send: async () => ({ status: 200, text: '<html>captive portal</html>', json: undefined }) };
  t.like(await t.throwsAsync(createHuaweiProvider(account('Huawei'), { http: page }).listRecords(Q), { instanceOf: ProviderError }), { code: 'InvalidResponse', retryable: true });
  t.like(await t.throwsAsync(createVolcengineProvider(account('volc'), { http: page }).listRecords(Q), { instanceOf: ProviderError }), { code: 'InvalidResponse', retryable: true });
  const odd: HttpClient = { send: async () => ({ status: 200, text: '{}', json: { zones: 'nope', Result: { Zones: 'nope' } } }) };
  t.like(await t.throwsAsync(createHuaweiProvider(account('Huawei'), { http: odd }).listRecords(Q), { instanceOf: ProviderError }), { code: 'InvalidResponse', retryable: false });
  t.like(await t.throwsAsync(createVolcengineProvider(account('volc'), { http: odd }).listRecords(Q), { instanceOf: ProviderError }), { code: 'InvalidResponse', retryable: false });
  const cfPage: HttpClient = { send: async () => ({ status: 200, text: '<html/>', json: undefined }) };
  t.like(await t.throwsAsync(createCloudflareProvider(account('cf'), { http: cfPage }).listRecords(Q), { instanceOf: ProviderError }), { code: 'InvalidResponse', retryable: true });
});

test('a refused connection is a retryable network error naming no secret, for each new provider', async (t) => {
  const port = await freePort();
  for (const name of ['Huawei', 'Volcengine', 'Cloudflare']) {
    const err = await t.throwsAsync(createProvider(account(name, `http://127.0.0.1:${port}`), { timeoutMs: 2000 }).listRecords(Q), { instanceOf: ProviderError });
    t.like(err, { code: 'ECONNREFUSED', retryable: true, auth: false }, name);
    t.false(JSON.stringify(err).includes(SECRET) || String(err).includes(SECRET));
  }
});
