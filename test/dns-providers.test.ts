// Provider adapters in isolation, with the SDK client swapped for a stub: response shapes and
// error mapping that the emulators do not produce.
import test from 'ava';
import type { CloudAccount } from '../src/model.js';
import { ProviderError } from '../src/dns/provider.js';
import { createAliProvider, toProviderError as aliError, type AliRpcClient } from '../src/dns/providers/ali.js';
import { createDnspodProvider, toProviderError as dpError, type DnspodApi } from '../src/dns/providers/dnspod.js';

const account: CloudAccount = { platformProvider: 'Ali', accessKey: 'LTAI5tStubKey0001', accessSecret: 'stub-secret-value', endpoint: null };
const Q = { domain: 'example.com', record: 'www', fqdn: 'www.example.com' };

test('Alidns records: Status compared case-insensitively, ids kept as strings, unknown lines kept but unmapped', async (t) => {
  const client: AliRpcClient = {
    request: async <T>() =>
      ({
        TotalCount: 3,
        DomainRecords: {
          Record: [
            { RecordId: '1876543210000000001', RR: 'www', DomainName: 'example.com', Type: 'A', Value: '1.1.1.1', TTL: 600, Line: 'telecom', Status: 'Enable' },
            { RecordId: '1876543210000000002', RR: 'www', DomainName: 'example.com', Type: 'A', Value: '1.1.1.1', TTL: 600, Line: 'cn_telecom_beijing', Status: 'ENABLE' },
            { RecordId: '1876543210000000003', RR: 'www', DomainName: 'example.com', Type: 'A', Value: '1.1.1.1', TTL: 600, Line: 'mobile', Status: 'Disable' },
          ],
        },
      }) as T,
  };
  const records = await createAliProvider(account, { client }).listRecords(Q);
  t.deepEqual(
    records.map((r) => [r.id, r.line, r.providerLine, r.enabled]),
    [
      ['1876543210000000001', 'CT', 'telecom', true],
      ['1876543210000000002', null, 'cn_telecom_beijing', true],
      ['1876543210000000003', 'CMCC', 'mobile', false],
    ],
  );
});

test('an unexpected response shape is a ProviderError, not a crash', async (t) => {
  const client: AliRpcClient = { request: async <T>() => ({ Nope: true }) as T };
  const err = await t.throwsAsync(createAliProvider(account, { client }).listRecords(Q), { instanceOf: ProviderError });
  t.is(err?.code, 'InvalidResponse');
});

test('DNSPod: an empty-list error (ResourceNotFound.NoDataOfRecord) means no records', async (t) => {
  const client = {
    DescribeRecordList: async () => {
      throw Object.assign(new Error('记录列表为空。'), { code: 'ResourceNotFound.NoDataOfRecord' });
    },
  } as unknown as DnspodApi;
  t.deepEqual(await createDnspodProvider({ ...account, platformProvider: 'DNSPod' }, { client }).listRecords(Q), []);
});

test('SDK errors map to retryable / auth classes, and secrets are scrubbed from messages', (t) => {
  const secrets = ['stub-secret-value'];
  const throttled = aliError('UpdateDomainRecord', { code: 'Throttling.User', data: { Code: 'Throttling.User', Message: 'slow down' } }, secrets);
  t.true(throttled.retryable);
  t.false(throttled.auth);
  const unavailable = aliError('UpdateDomainRecord', { data: { Code: 'ServiceUnavailable', Message: 'x' }, entry: { response: { statusCode: 503 } } }, secrets);
  t.true(unavailable.retryable);
  t.is(unavailable.httpStatus, 503);
  const badKey = aliError('UpdateDomainRecord', { data: { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' } }, secrets);
  t.true(badKey.auth);
  t.false(badKey.retryable);
  const socket = aliError('UpdateDomainRecord', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1GET http://127.0.0.1:1/?AccessKeyId=x&Signature=y'), { code: 'ECONNREFUSED' }), secrets);
  t.true(socket.retryable);
  t.false(socket.message.includes('Signature='));

  const dpAuth = dpError('ModifyRecord', { code: 'AuthFailure.SignatureFailure', message: 'bad stub-secret-value' }, secrets);
  t.true(dpAuth.auth);
  t.false(dpAuth.message.includes('stub-secret-value'));
  t.true(dpError('ModifyRecord', { code: 'RequestLimitExceeded', message: '' }, secrets).retryable);
  t.true(dpError('ModifyRecord', { httpCode: 502, message: 'Bad Gateway' }, secrets).retryable);
  t.false(dpError('ModifyRecord', { code: 'InvalidParameter.DomainRecordExist', message: '' }, secrets).retryable);
  t.true(dpError('ModifyRecord', new Error('network timeout at: http://dnspod.tencentcloudapi.com/'), secrets).retryable);
});
