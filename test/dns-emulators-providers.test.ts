// The Huawei, Volcengine and Cloudflare emulators accept what the real services accept and reject
// what they reject, through the providers (our signers) and through raw signed requests.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { CloudAccount } from '../src/model.js';
import { ProviderError } from '../src/dns/provider.js';
import { createProvider } from '../src/dns/registry.js';
import { huaweiAuthorization, huaweiSdkDate } from '../src/dns/providers/huawei-sign.js';
import { sha256hex, volcAuthorization, volcDate } from '../src/dns/providers/volcengine-sign.js';
import { startCloudflareEmulator } from './emulators/cloudflare.js';
import { startHuaweiEmulator } from './emulators/huawei.js';
import { startVolcengineEmulator } from './emulators/volcengine.js';

const HW_AK = 'HPUAEMUKEY000000001';
const HW_SK = 'huawei-secret-never-logged-1234';
const VOLC_AK = 'AKLTemuKey0000000001';
const VOLC_SK = 'volc-secret-never-logged-5678';
const CF_LABEL = 'cf-token-label-0001';
const CF_TOKEN = 'cfTokenNeverLogged0123456789abcdef';
const Q = { domain: 'example.com', record: 'www', fqdn: 'www.example.com' };

const account = (platformProvider: string, accessKey: string, accessSecret: string, endpoint: string, over: Partial<CloudAccount> = {}): CloudAccount => ({
  platformProvider,
  accessKey,
  accessSecret,
  endpoint,
  ...over,
});

function assertNoSecret(t: ExecutionContext, err: unknown, ...secrets: string[]) {
  const texts = [String(err), err instanceof Error ? (err.stack ?? '') : '', JSON.stringify(err)];
  for (const s of secrets) for (const text of texts) t.false(text.includes(s), 'a secret leaked into an error');
}

/** A raw request signed the Huawei way (for what the provider never sends). */
async function huaweiRaw(endpoint: string, method: string, path: string, opts: { sk?: string; date?: Date; body?: string; tamper?: (u: URL) => void } = {}) {
  const url = new URL(path, endpoint);
  const body = opts.body ?? '';
  const headers: Record<string, string> = { host: url.host, 'x-sdk-date': huaweiSdkDate(opts.date ?? new Date()) };
  if (body) headers['content-type'] = 'application/json';
  const authorization = huaweiAuthorization({ method, url, signedHeaders: headers, body }, HW_AK, opts.sk ?? HW_SK);
  opts.tamper?.(url);
  const res = await fetch(url, { method, headers: { ...headers, authorization }, ...(body ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A raw request signed the Volcengine way. */
async function volcRaw(endpoint: string, query: Record<string, string>, opts: { body?: string; tamperBody?: string } = {}) {
  const url = new URL('/', endpoint);
  for (const [k, v] of Object.entries({ Version: '2018-08-01', ...query })) url.searchParams.set(k, v);
  const body = opts.body ?? '';
  const method = body ? 'POST' : 'GET';
  const headers: Record<string, string> = { host: url.host, 'x-date': volcDate(new Date()) };
  if (body) headers['x-content-sha256'] = sha256hex(body);
  const authorization = volcAuthorization({ method, url, signedHeaders: headers, body, region: 'cn-north-1', service: 'DNS' }, VOLC_AK, VOLC_SK);
  const sent = opts.tamperBody ?? body;
  const res = await fetch(url, { method, headers: { ...headers, authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(sent ? { body: sent } : {}) });
  return { status: res.status, body: (await res.json()) as { ResponseMetadata: { Error?: { Code: string; CodeN: number } }; Result?: Record<string, unknown> } };
}

// ---------- Huawei Cloud DNS ----------

test('the Huawei emulator rejects a wrong secret with 401 APIGW.0301; the provider says auth, not retryable, no secret', async (t) => {
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  const wrong = 'not-the-right-huawei-secret-9999';
  const err = await t.throwsAsync(createProvider(account('Huawei', HW_AK, wrong, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(err, { code: 'APIGW.0301', httpStatus: 401, auth: true, retryable: false });
  t.regex(err!.message, /verify aksk signature fail/);
  assertNoSecret(t, err, wrong, HW_SK);
});

test('the Huawei emulator rejects a stale X-Sdk-Date, a tampered request and an unknown AK', async (t) => {
  let skew = 0;
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'], now: () => Date.now() + skew });
  t.teardown(emu.close);
  t.is((await huaweiRaw(emu.endpoint, 'GET', '/v2/zones?name=example.com.')).status, 200, 'a correctly signed request passes');

  const tampered = await huaweiRaw(emu.endpoint, 'GET', '/v2/zones?name=example.com.', { tamper: (u) => u.searchParams.set('name', 'example.org.') });
  t.is(tampered.status, 401);
  t.like(tampered.body, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' });

  const unknown = await t.throwsAsync(createProvider(account('huaweicloud', 'HPUAUNKNOWN0000001', HW_SK, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(unknown, { code: 'APIGW.0301', auth: true });
  t.regex(unknown!.message, /not exist/);

  skew = 16 * 60_000;
  const stale = await t.throwsAsync(createProvider(account('Huawei', HW_AK, HW_SK, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(stale, { code: 'APIGW.0301', auth: true, retryable: false });
  t.regex(stale!.message, /expired/);
});

test('Huawei: no GET on /v2.1/zones; the name filter is a substring unless search_mode=equal; the provider lists exactly', async (t) => {
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '192.0.2.1', line: 'Dianxin' });
  emu.seed({ domain: 'example.com', rr: 'b.www', value: '192.0.2.9', line: 'Dianxin' });
  const noV21 = await huaweiRaw(emu.endpoint, 'GET', '/v2.1/zones');
  t.is(noV21.status, 404);
  t.is(noV21.body.error_code, 'APIGW.0101');

  const zones = (await huaweiRaw(emu.endpoint, 'GET', '/v2/zones?name=example.com.')).body as { zones: { id: string }[] };
  const zid = zones.zones[0]!.id;
  const fuzzy = (await huaweiRaw(emu.endpoint, 'GET', `/v2.1/zones/${zid}/recordsets?name=www.example.com.`)).body as { recordsets: unknown[] };
  t.is(fuzzy.recordsets.length, 2, 'without search_mode=equal the name matches b.www too');

  const p = createProvider(account('Huawei', HW_AK, HW_SK, emu.endpoint));
  const records = await p.listRecords(Q);
  t.deepEqual(records.map((r) => [r.name, r.line, r.providerLine, r.value, r.enabled]), [['www.example.com', 'CT', 'Dianxin', '192.0.2.1', true]]);
  t.is(emu.calls.get('ListPublicZones'), 2, 'one zone lookup by the provider (then cached) plus the raw one');
  await p.listRecords(Q);
  t.is(emu.calls.get('ListPublicZones'), 2, 'the zone id is cached across listings');
});

test('Huawei: create answers 202 PENDING_CREATE, update keeps the line, a multi-value set is unmanaged and never written', async (t) => {
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '192.0.2.1,192.0.2.2', line: 'Liantong' });
  const p = createProvider(account('Huawei', HW_AK, HW_SK, emu.endpoint));

  const created = await p.createRecord({ ...Q, type: 'AAAA', line: 'OverSea', value: '2001:db8::7', ttl: 300 });
  t.is(created.providerLine, 'Abroad');
  t.regex(created.id, /^[0-9a-f]{32}$/);
  const dup = await t.throwsAsync(p.createRecord({ ...Q, type: 'AAAA', line: 'OverSea', value: '2001:db8::8', ttl: 300 }), { instanceOf: ProviderError });
  t.like(dup, { code: 'DNS.0312', httpStatus: 400, retryable: false, auth: false });

  const [v6] = await p.listRecords({ ...Q, type: 'AAAA' });
  await p.updateRecord(v6!, '2001:db8::9', Q);
  t.like(emu.records({ type: 'AAAA' })[0], { value: '2001:db8::9', line: 'Abroad' });

  const [multi] = await p.listRecords({ ...Q, type: 'A' });
  t.is(multi?.line, 'CU');
  t.regex(multi?.unmanaged ?? '', /holds 2 values \(192\.0\.2\.1, 192\.0\.2\.2\)/);
  const refused = await t.throwsAsync(p.updateRecord(multi!, '198.51.100.1', Q), { instanceOf: ProviderError });
  t.is(refused?.code, 'Unmanaged');
  t.is(emu.records({ type: 'A' })[0]?.value, '192.0.2.1,192.0.2.2', 'the multi-value set is untouched');
});

test('Huawei raw API: create and update answer 202 PENDING_*; an update needs name, type and records and cannot move the line', async (t) => {
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  const zid = ((await huaweiRaw(emu.endpoint, 'GET', '/v2/zones?name=example.com.')).body as { zones: { id: string }[] }).zones[0]!.id;
  const base = `/v2.1/zones/${zid}/recordsets`;
  const created = await huaweiRaw(emu.endpoint, 'POST', base, { body: JSON.stringify({ name: 'www.example.com.', type: 'A', records: ['192.0.2.1'], ttl: 300, line: 'Yidong' }) });
  t.is(created.status, 202);
  t.like(created.body, { status: 'PENDING_CREATE', line: 'Yidong', records: ['192.0.2.1'] });
  const id = created.body.id as string;
  const noRecords = await huaweiRaw(emu.endpoint, 'PUT', `${base}/${id}`, { body: JSON.stringify({ name: 'www.example.com.', type: 'A', records: [] }) });
  t.is(noRecords.status, 400);
  const noName = await huaweiRaw(emu.endpoint, 'PUT', `${base}/${id}`, { body: JSON.stringify({ type: 'A', records: ['192.0.2.2'] }) });
  t.is(noName.status, 400);
  const moveLine = await huaweiRaw(emu.endpoint, 'PUT', `${base}/${id}`, { body: JSON.stringify({ name: 'www.example.com.', type: 'A', records: ['192.0.2.2'], line: 'Dianxin' }) });
  t.is(moveLine.status, 400);
  const ok = await huaweiRaw(emu.endpoint, 'PUT', `${base}/${id}`, { body: JSON.stringify({ name: 'www.example.com.', type: 'A', records: ['192.0.2.2'] }) });
  t.is(ok.status, 202);
  t.like(ok.body, { status: 'PENDING_UPDATE', line: 'Yidong', records: ['192.0.2.2'] });
  t.is(emu.zone.writesTo(emu.records({ rr: 'www' })[0]!.id), 2, 'two accepted writes to the record; refused ones do not count');
});

test('Huawei: a zone that got a new id (deleted and added again) is looked up afresh after one 404', async (t) => {
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '192.0.2.1', line: 'Dianxin' });
  const p = createProvider(account('Huawei', HW_AK, HW_SK, emu.endpoint));
  t.is((await p.listRecords(Q)).length, 1);
  emu.renumberZone('example.com');
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: 'DNS.0302', httpStatus: 404, retryable: false });
  t.is((await p.listRecords(Q)).length, 1);
  t.is(emu.calls.get('ListPublicZones'), 2);
});

test('Huawei: throttling (429 APIGW.0308) and 5xx pages are retryable, not auth', async (t) => {
  const emu = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  const p = createProvider(account('Huawei', HW_AK, HW_SK, emu.endpoint));
  emu.faults.throttleNext(1);
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: 'APIGW.0308', httpStatus: 429, retryable: true, auth: false });
  emu.faults.failNext(1, 502);
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: 'HTTP502', retryable: true, auth: false });
  t.deepEqual(await p.listRecords(Q), []);
});

// ---------- Volcengine ----------

test('the Volcengine emulator rejects a wrong secret with SignatureDoesNotMatch; the provider says auth, no secret', async (t) => {
  const emu = await startVolcengineEmulator({ credentials: { [VOLC_AK]: VOLC_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  const wrong = 'not-the-right-volc-secret-9999';
  const err = await t.throwsAsync(createProvider(account('Volcengine', VOLC_AK, wrong, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(err, { code: 'SignatureDoesNotMatch', auth: true, retryable: false });
  assertNoSecret(t, err, wrong, VOLC_SK);
});

test('the Volcengine emulator rejects a stale X-Date, a body that does not match its signed hash and an unknown key', async (t) => {
  let skew = 0;
  const emu = await startVolcengineEmulator({ credentials: { [VOLC_AK]: VOLC_SK }, domains: ['example.com'], now: () => Date.now() + skew });
  t.teardown(emu.close);
  const zones = await volcRaw(emu.endpoint, { Action: 'ListZones' });
  t.is(zones.status, 200);
  const zid = String((zones.body.Result!.Zones as { ZID: number }[])[0]!.ZID);

  const body = JSON.stringify({ ZID: Number(zid), Host: 'www', Type: 'A', Value: '192.0.2.1', Line: 'telecom' });
  const tampered = await volcRaw(emu.endpoint, { Action: 'CreateRecord' }, { body, tamperBody: body.replace('192.0.2.1', '192.0.2.66') });
  t.is(tampered.status, 401);
  t.like(tampered.body.ResponseMetadata.Error, { Code: 'SignatureDoesNotMatch', CodeN: 100010 });
  t.is(emu.records({ rr: 'www' }).length, 0, 'nothing was created');

  const unknown = await t.throwsAsync(createProvider(account('volc', 'AKLTunknown000000001', VOLC_SK, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(unknown, { code: 'InvalidAccessKey', auth: true });

  skew = -16 * 60_000;
  const stale = await t.throwsAsync(createProvider(account('Volcengine', VOLC_AK, VOLC_SK, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(stale, { code: 'InvalidTimestamp', auth: true, retryable: false });
});

test('Volcengine: ListRecords is fuzzy and pages 10 by default; the provider asks for exact matches and pages through', async (t) => {
  const emu = await startVolcengineEmulator({ credentials: { [VOLC_AK]: VOLC_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  for (let i = 0; i < 12; i++) emu.seed({ domain: 'example.com', rr: 'www', value: `10.0.0.${i + 1}`, line: 'telecom' });
  emu.seed({ domain: 'example.com', rr: 'b.www', value: '10.9.9.9', line: 'telecom' });
  emu.seed({ domain: 'example.com', rr: 'www', value: '10.8.8.8', line: 'telecom_beijing' });
  const zid = String(((await volcRaw(emu.endpoint, { Action: 'ListZones' })).body.Result!.Zones as { ZID: number }[])[0]!.ZID);
  const raw = (await volcRaw(emu.endpoint, { Action: 'ListRecords', ZID: zid, Host: 'www' })).body.Result as { TotalCount: number; Records: unknown[] };
  t.is(raw.TotalCount, 14, 'fuzzy by default: b.www matches too');
  t.is(raw.Records.length, 10, '10 per page by default');

  const p = createProvider(account('Volcengine', VOLC_AK, VOLC_SK, emu.endpoint), { pageSize: 5 });
  const records = await p.listRecords(Q);
  t.is(records.length, 13);
  t.true(records.every((r) => r.name === 'www.example.com'));
  t.is(records.filter((r) => r.line === null).length, 1, 'a province line is kept but unmapped');
  t.is(emu.calls.get('ListRecords'), 1 + 3, 'the raw listing plus three pages of five');
});

test('Volcengine: create and update keep the line; throttling (FlowLimitExceeded) and 5xx are retryable', async (t) => {
  const emu = await startVolcengineEmulator({ credentials: { [VOLC_AK]: VOLC_SK }, domains: ['example.com'] });
  t.teardown(emu.close);
  const p = createProvider(account('Volcengine', VOLC_AK, VOLC_SK, emu.endpoint));
  const created = await p.createRecord({ ...Q, type: 'A', line: 'CMCC', value: '192.0.2.1', ttl: 600 });
  t.is(created.providerLine, 'mobile');
  const dup = await t.throwsAsync(p.createRecord({ ...Q, type: 'A', line: 'CMCC', value: '192.0.2.1', ttl: 600 }), { instanceOf: ProviderError });
  t.like(dup, { code: 'ErrDBDuplicated', retryable: false, auth: false });
  const [rec] = await p.listRecords(Q);
  await p.updateRecord(rec!, '192.0.2.2', Q);
  t.like(emu.records({ rr: 'www' })[0], { value: '192.0.2.2', line: 'mobile', ttl: 600 });
  t.is(emu.zone.writesTo(rec!.id), 2);
  emu.faults.throttleNext(1);
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: 'FlowLimitExceeded', httpStatus: 429, retryable: true });
  emu.faults.failNext(1, 503);
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: 'HTTP503', retryable: true, auth: false });
});

// ---------- Cloudflare ----------
// API tokens carry no signature or timestamp: the checks are an unknown token and a malformed header.

test('the Cloudflare emulator rejects an unknown token (403 10000) and a malformed Authorization header (400 6003/6111)', async (t) => {
  const emu = await startCloudflareEmulator({ tokens: [CF_TOKEN], domains: ['example.com'] });
  t.teardown(emu.close);
  const wrong = 'cfWrongToken0000000000000000000000';
  const err = await t.throwsAsync(createProvider(account('Cloudflare', CF_LABEL, wrong, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(err, { code: '10000', httpStatus: 403, auth: true, retryable: false });
  assertNoSecret(t, err, wrong, CF_TOKEN);

  const pasted = await t.throwsAsync(createProvider(account('cf', CF_LABEL, `${CF_TOKEN} trailing`, emu.endpoint)).listRecords(Q), { instanceOf: ProviderError });
  t.like(pasted, { code: '6003', httpStatus: 400, auth: true });
  t.regex(pasted!.message, /6111 Invalid format for Authorization header/);
  assertNoSecret(t, pasted, CF_TOKEN);
});

test('Cloudflare: listings filter with name.exact and page; PATCH keeps proxied, TTL and comment (PUT would reset them)', async (t) => {
  const emu = await startCloudflareEmulator({ tokens: [CF_TOKEN], domains: ['example.com'] });
  t.teardown(emu.close);
  const id = emu.seed({ domain: 'example.com', rr: 'www', value: '192.0.2.1', ttl: 120, proxied: true, comment: 'home router' });
  for (let i = 0; i < 11; i++) emu.seed({ domain: 'example.com', rr: 'www', type: 'AAAA', value: `2001:db8::${i + 1}` });
  emu.seed({ domain: 'example.com', rr: 'b.www', value: '192.0.2.9' });
  const p = createProvider(account('Cloudflare', CF_LABEL, CF_TOKEN, emu.endpoint), { pageSize: 5 });
  const all = await p.listRecords(Q);
  t.is(all.length, 12);
  t.true(all.every((r) => r.name === 'www.example.com' && r.line === 'default' && r.enabled));
  t.is(emu.calls.get('ListDnsRecords'), 3, 'three pages of five');

  const [a] = await p.listRecords({ ...Q, type: 'A' });
  await p.updateRecord(a!, '198.51.100.1', Q);
  t.like(emu.records({ type: 'A', rr: 'www' })[0], { value: '198.51.100.1', ttl: 120 });
  t.deepEqual(emu.extra(id), { proxied: true, comment: 'home router' });
  t.is(emu.calls.get('PatchDnsRecord'), 1);
  t.is(emu.calls.get('PutDnsRecord'), 0);

  const put = await fetch(`${emu.endpoint}/zones/${(await (await fetch(`${emu.endpoint}/zones?name=example.com`, { headers: { authorization: `Bearer ${CF_TOKEN}` } })).json() as { result: { id: string }[] }).result[0]!.id}/dns_records/${emu.wireId(id)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${CF_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'A', name: 'www.example.com', content: '198.51.100.2' }),
  });
  t.is(put.status, 200);
  t.deepEqual(emu.extra(id), { proxied: false, comment: null }, 'PUT resets what it omits');
});

test('Cloudflare: no lines but default; throttling (429 971) and 5xx are retryable', async (t) => {
  const emu = await startCloudflareEmulator({ tokens: [CF_TOKEN], domains: ['example.com'] });
  t.teardown(emu.close);
  const p = createProvider(account('Cloudflare', CF_LABEL, CF_TOKEN, emu.endpoint));
  const refused = await t.throwsAsync(p.createRecord({ ...Q, type: 'A', line: 'CT', value: '192.0.2.1', ttl: 600 }), { instanceOf: ProviderError });
  t.like(refused, { code: 'NoSuchLine', retryable: false });
  t.is(emu.writes(), 0);
  const created = await p.createRecord({ ...Q, type: 'A', line: 'default', value: '192.0.2.1', ttl: 600 });
  t.like(emu.records({ rr: 'www' })[0], { value: '192.0.2.1', ttl: 600 });
  t.deepEqual(emu.extra(emu.records({ rr: 'www' })[0]!.id), { proxied: false, comment: null });
  t.regex(created.id, /^[0-9a-f]{32}$/);
  emu.faults.throttleNext(1);
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: '971', httpStatus: 429, retryable: true, auth: false });
  emu.faults.failNext(1, 502);
  t.like(await t.throwsAsync(p.listRecords(Q), { instanceOf: ProviderError }), { code: 'HTTP502', retryable: true });
});

// ---------- one listing per zone (optional listZoneRecords) ----------

test('listZoneRecords: every A/AAAA record of a zone in a few paged calls, on all three providers', async (t) => {
  const hw = await startHuaweiEmulator({ credentials: { [HW_AK]: HW_SK }, domains: ['example.com'] });
  const volc = await startVolcengineEmulator({ credentials: { [VOLC_AK]: VOLC_SK }, domains: ['example.com'] });
  const cf = await startCloudflareEmulator({ tokens: [CF_TOKEN], domains: ['example.com'] });
  t.teardown(hw.close);
  t.teardown(volc.close);
  t.teardown(cf.close);
  const names = ['@', 'www', 'api', 'b.www', 'mail'];
  for (const rr of names) {
    hw.seed({ domain: 'example.com', rr, value: '192.0.2.1', line: 'Dianxin' });
    hw.seed({ domain: 'example.com', rr, type: 'AAAA', value: '2001:db8::1', line: 'Dianxin' });
    volc.seed({ domain: 'example.com', rr, value: '192.0.2.1', line: 'telecom' });
    volc.seed({ domain: 'example.com', rr, type: 'AAAA', value: '2001:db8::1', line: 'telecom' });
    cf.seed({ domain: 'example.com', rr, value: '192.0.2.1' });
    cf.seed({ domain: 'example.com', rr, type: 'AAAA', value: '2001:db8::1' });
  }
  const expected = ['api.example.com', 'b.www.example.com', 'example.com', 'mail.example.com', 'www.example.com'];
  const providers = [
    { p: createProvider(account('Huawei', HW_AK, HW_SK, hw.endpoint), { pageSize: 4 }), calls: () => hw.calls.get('ListRecordSetsByZone') },
    { p: createProvider(account('Volcengine', VOLC_AK, VOLC_SK, volc.endpoint), { pageSize: 4 }), calls: () => volc.calls.get('ListRecords') },
    { p: createProvider(account('Cloudflare', CF_LABEL, CF_TOKEN, cf.endpoint), { pageSize: 5 }), calls: () => cf.calls.get('ListDnsRecords') },
  ];
  for (const { p, calls } of providers) {
    const all = await p.listZoneRecords!('example.com');
    t.is(all.length, 10, `${p.name}: A and AAAA of five names (the apex NS set left out)`);
    t.deepEqual([...new Set(all.map((r) => r.name))].sort(), expected, p.name);
    t.true(calls() <= 3, `${p.name}: paged, ${calls()} calls`);
  }
});
