// The emulators accept what the real services accept and reject what they reject; every request
// here goes through the real vendor SDKs (or the providers built on them).
import test from 'ava';
import { createHmac, randomBytes } from 'node:crypto';
import RPCClient from '@alicloud/pop-core';
import tencentcloud from 'tencentcloud-sdk-nodejs-dnspod';
import type { CloudAccount } from '../src/model.js';
import { ProviderError } from '../src/dns/provider.js';
import { createProvider } from '../src/dns/registry.js';
import { aliEncode, aliStringToSign, startAlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator } from './emulators/dnspod.js';

const ALI_ID = 'LTAI5tEmuKey0001';
const ALI_SECRET = 'ali-secret-never-logged-1234';
const DP_ID = 'AKIDemuKey00000001';
const DP_SECRET = 'dnspod-secret-never-logged-5678';
const Q = { domain: 'example.com', record: 'www', fqdn: 'www.example.com' };

const aliAccount = (endpoint: string, over: Partial<CloudAccount> = {}): CloudAccount => ({
  platformProvider: 'Ali',
  accessKey: ALI_ID,
  accessSecret: ALI_SECRET,
  endpoint,
  ...over,
});
const dpAccount = (endpoint: string, over: Partial<CloudAccount> = {}): CloudAccount => ({
  platformProvider: 'DNSPod',
  accessKey: DP_ID,
  accessSecret: DP_SECRET,
  endpoint,
  ...over,
});

function assertNoSecret(t: import('ava').ExecutionContext, err: unknown, ...secrets: string[]) {
  const texts = [String(err), err instanceof Error ? err.message : '', err instanceof Error ? (err.stack ?? '') : '', JSON.stringify(err)];
  for (const s of secrets) for (const text of texts) t.false(text.includes(s), 'a secret leaked into an error');
}

// ---------- Alidns ----------

test('the Alidns emulator rejects a request signed with a wrong secret (real SDK)', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI_ID]: ALI_SECRET } });
  t.teardown(emu.close);
  const wrong = 'not-the-right-secret-9999';
  const client = new RPCClient({ endpoint: emu.endpoint, apiVersion: '2015-01-09', accessKeyId: ALI_ID, accessKeySecret: wrong });
  const raw = await t.throwsAsync(client.request('DescribeSubDomainRecords', { SubDomain: 'www.example.com' }));
  t.is((raw as { code?: string }).code, 'SignatureDoesNotMatch');

  const provider = createProvider(aliAccount(emu.endpoint, { accessSecret: wrong }));
  const err = await t.throwsAsync(provider.listRecords(Q), { instanceOf: ProviderError });
  t.is(err?.code, 'SignatureDoesNotMatch');
  t.true(err?.auth);
  t.false(err?.retryable);
  assertNoSecret(t, err, wrong);
});

test('the Alidns emulator accepts a correctly signed request (real SDK, GET and POST)', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI_ID]: ALI_SECRET } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  const client = new RPCClient({ endpoint: emu.endpoint, apiVersion: '2015-01-09', accessKeyId: ALI_ID, accessKeySecret: ALI_SECRET });
  type List = { TotalCount: number; DomainRecords: { Record: { RecordId: string }[] } };
  const get = await client.request<List>('DescribeSubDomainRecords', { SubDomain: 'www.example.com' });
  const post = await client.request<List>('DescribeSubDomainRecords', { SubDomain: 'www.example.com' }, { method: 'POST' });
  t.is(get.TotalCount, 1);
  t.is(post.TotalCount, 1);
  t.is(typeof get.DomainRecords.Record[0]?.RecordId, 'string');
});

test('the Alidns emulator answers an unknown AccessKeyId with InvalidAccessKeyId.NotFound', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI_ID]: ALI_SECRET } });
  t.teardown(emu.close);
  const err = await t.throwsAsync(createProvider(aliAccount(emu.endpoint, { accessKey: 'LTAIunknown00000' })).listRecords(Q), {
    instanceOf: ProviderError,
  });
  t.is(err?.code, 'InvalidAccessKeyId.NotFound');
  t.is(err?.httpStatus, 404);
  t.true(err?.auth);
});

test('the Alidns emulator refuses a reused nonce and a stale timestamp', async (t) => {
  let skew = 0;
  const emu = await startAlidnsEmulator({ credentials: { [ALI_ID]: ALI_SECRET }, domains: ['example.com'], now: () => Date.now() + skew });
  t.teardown(emu.close);
  const params = new Map<string, string>([
    ['Action', 'DescribeSubDomainRecords'],
    ['SubDomain', 'www.example.com'],
    ['Format', 'JSON'],
    ['Version', '2015-01-09'],
    ['AccessKeyId', ALI_ID],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', randomBytes(16).toString('hex')],
    ['Timestamp', new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')],
  ]);
  params.set('Signature', createHmac('sha1', `${ALI_SECRET}&`).update(aliStringToSign('GET', params)).digest('base64'));
  const url = `${emu.endpoint}/?${[...params].map(([k, v]) => `${aliEncode(k)}=${aliEncode(v)}`).join('&')}`;
  const first = await fetch(url);
  t.is(first.status, 200);
  const again = (await (await fetch(url)).json()) as { Code: string };
  t.is(again.Code, 'SignatureNonceUsed');

  skew = 16 * 60 * 1000;
  const err = await t.throwsAsync(createProvider(aliAccount(emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.is(err?.code, 'InvalidTimeStamp.Expired');
});

test('the Alidns provider pages through DescribeSubDomainRecords 100 at a time', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI_ID]: ALI_SECRET } });
  t.teardown(emu.close);
  for (let i = 0; i < 250; i++) emu.seed({ domain: 'example.com', rr: 'www', value: `10.0.${i >> 8}.${i & 255}`, line: 'telecom' });
  emu.seed({ domain: 'example.com', rr: 'b.www', value: '10.9.9.9' });
  const records = await createProvider(aliAccount(emu.endpoint)).listRecords(Q);
  t.is(records.length, 250);
  t.true(records.every((r) => r.name === 'www.example.com' && r.line === 'CT'));
  t.is(emu.calls.get('DescribeSubDomainRecords'), 3);

  const client = new RPCClient({ endpoint: emu.endpoint, apiVersion: '2015-01-09', accessKeyId: ALI_ID, accessKeySecret: ALI_SECRET });
  const tooBig = await t.throwsAsync(client.request('DescribeSubDomainRecords', { SubDomain: 'www.example.com', PageSize: 101 }));
  t.is((tooBig as { code?: string }).code, 'InvalidParameter');
});

test('Alidns rejects an update that changes nothing and an identical new record as DomainRecordDuplicate', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI_ID]: ALI_SECRET } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  const p = createProvider(aliAccount(emu.endpoint));
  const [r] = await p.listRecords(Q);
  const noop = await t.throwsAsync(p.updateRecord(r!, '1.1.1.1', Q), { instanceOf: ProviderError });
  t.is(noop?.code, 'DomainRecordDuplicate');
  t.false(noop?.retryable);
  const dup = await t.throwsAsync(p.createRecord({ ...Q, type: 'A', line: 'CT', value: '1.1.1.1', ttl: 600 }), { instanceOf: ProviderError });
  t.is(dup?.code, 'DomainRecordDuplicate');
  await p.updateRecord(r!, '2.2.2.2', Q);
  t.is(emu.records({ rr: 'www' })[0]?.value, '2.2.2.2');
});

// ---------- DNSPod ----------

test('the DNSPod emulator rejects a request signed with a wrong secret (real SDK)', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: '电信' });
  const wrong = 'not-the-right-secret-8888';
  const err = await t.throwsAsync(createProvider(dpAccount(emu.endpoint, { accessSecret: wrong })).listRecords(Q), {
    instanceOf: ProviderError,
  });
  t.is(err?.code, 'AuthFailure.SignatureFailure');
  t.true(err?.auth);
  t.false(err?.retryable);
  assertNoSecret(t, err, wrong);
  t.is(emu.calls.get('DescribeRecordList'), 1);
});

test('the DNSPod emulator answers an unknown SecretId with AuthFailure.SecretIdNotFound', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET } });
  t.teardown(emu.close);
  const err = await t.throwsAsync(createProvider(dpAccount(emu.endpoint, { accessKey: 'AKIDunknown' })).listRecords(Q), {
    instanceOf: ProviderError,
  });
  t.is(err?.code, 'AuthFailure.SecretIdNotFound');
  t.true(err?.auth);
});

test('a DNSPod client pointed naively at 127.0.0.1 signs for service "127" and is rejected; the provider is not', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET }, domains: ['example.com'] });
  t.teardown(emu.close);
  const naive = new tencentcloud.dnspod.v20210323.Client({
    credential: { secretId: DP_ID, secretKey: DP_SECRET },
    profile: { httpProfile: { endpoint: emu.endpoint.replace('http://', ''), protocol: 'http://' } },
  });
  const err = await t.throwsAsync(naive.DescribeRecordList({ Domain: 'example.com', ErrorOnEmpty: 'no' }));
  t.is((err as { code?: string }).code, 'AuthFailure.SignatureFailure');
  t.regex(String((err as Error).message), /127/);
  t.deepEqual(await createProvider(dpAccount(emu.endpoint)).listRecords(Q), []);
});

test('the DNSPod emulator refuses a timestamp outside the 5-minute window', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET }, domains: ['example.com'], now: () => Date.now() - 6 * 60_000 });
  t.teardown(emu.close);
  const err = await t.throwsAsync(createProvider(dpAccount(emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.is(err?.code, 'AuthFailure.SignatureExpire');
});

test('an empty DNSPod listing is an error unless ErrorOnEmpty is no; the provider sees no records either way', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET }, domains: ['example.com'] });
  t.teardown(emu.close);
  // A plain SDK client on loopback signs for service `127`; this emulator accepts it so the raw
  // API behaviour can be shown.
  const lax = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET }, domains: ['example.com'], services: ['dnspod', '127'] });
  t.teardown(lax.close);
  const laxClient = new tencentcloud.dnspod.v20210323.Client({
    credential: { secretId: DP_ID, secretKey: DP_SECRET },
    profile: { httpProfile: { endpoint: lax.endpoint.replace('http://', ''), protocol: 'http://' } },
  });
  const err = await t.throwsAsync(laxClient.DescribeRecordList({ Domain: 'example.com', Subdomain: 'www' }));
  t.is((err as { code?: string }).code, 'ResourceNotFound.NoDataOfRecord');
  const ok = await laxClient.DescribeRecordList({ Domain: 'example.com', Subdomain: 'www', ErrorOnEmpty: 'no' });
  t.deepEqual(ok.RecordList, []);
  t.deepEqual(await createProvider(dpAccount(emu.endpoint)).listRecords(Q), []);
});

test('the DNSPod provider pages with Offset/Limit and never returns the apex NS records', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET } });
  t.teardown(emu.close);
  for (let i = 0; i < 250; i++) emu.seed({ domain: 'example.com', rr: '@', value: `10.0.${i >> 8}.${i & 255}`, line: '移动' });
  const p = createProvider(dpAccount(emu.endpoint), { pageSize: 100 });
  const apex = await p.listRecords({ domain: 'example.com', record: '@', fqdn: 'example.com', type: 'A' });
  t.is(apex.length, 250);
  t.true(apex.every((r) => r.type === 'A' && r.line === 'CMCC' && r.providerLine === '移动'));
  t.is(emu.calls.get('DescribeRecordList'), 3);
});

test('DNSPod rejects an identical new record with InvalidParameter.DomainRecordExist', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP_ID]: DP_SECRET } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: '电信' });
  const p = createProvider(dpAccount(emu.endpoint));
  const err = await t.throwsAsync(p.createRecord({ ...Q, type: 'A', line: 'CT', value: '1.1.1.1', ttl: 600 }), { instanceOf: ProviderError });
  t.is(err?.code, 'InvalidParameter.DomainRecordExist');
  const created = await p.createRecord({ ...Q, type: 'AAAA', line: 'OverSea', value: '2001:db8::7', ttl: 600 });
  t.is(emu.records({ type: 'AAAA' })[0]?.line, '境外');
  t.is(emu.records({ type: 'AAAA' })[0]?.id, created.id);
});
