// The signed API is declared once (src/api/contract.ts): routes validate with its schemas before a
// command runs, refusals are DomainErrors answered in one place, and what is masked is masked the
// same way on every answer.
import test from 'ava';
import { api } from '../src/api/contract.js';
import { pathFor } from '../src/api/endpoint.js';
import { AdminClient, AdminError } from '../src/cli/admin-client.js';
import { EXIT, exitCodeOf } from '../src/cli/output.js';
import { DomainError, httpStatusOf, type ErrorKind } from '../src/errors.js';
import { errorAnswer } from '../src/http/middleware/errors.js';
import { knownSecrets, maskAccessKeyId, requestTarget, signRequest } from '../src/security/index.js';
import { startTestNode } from './helpers/node.js';

const SECRET = 'leader-secret-123';

async function leader(t: { teardown(fn: () => Promise<void>): void }) {
  const node = await startTestNode({ CocoaSecret: SECRET });
  t.teardown(() => node.stop());
  return { node, admin: new AdminClient({ baseUrl: node.url, secret: SECRET, timeoutMs: 10_000 }) };
}

async function refusal(p: Promise<unknown>): Promise<AdminError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AdminError) return err;
    throw err;
  }
  throw new Error('the call was not refused');
}

test('an access key id is masked one way on admin answers and on v1 answers', async (t) => {
  const { node, admin } = await leader(t);
  const accessKey = 'LTAI5tAbCdEf1234';
  t.is(maskAccessKeyId(accessKey), 'LTAI****1234');
  const added = await admin.call(api.addAccount, { body: { provider: 'ali', accessKey, accessSecret: 'an-access-secret-long-enough' } });
  t.is(added.account.provider, 'Ali', 'the provider alias is stored by its canonical name');
  t.is(added.account.accessKeyMasked, 'LTAI****1234');
  t.is((await admin.call(api.listAccounts)).accounts[0]!.accessKeyMasked, 'LTAI****1234');

  const url = `${node.url}/v1/getClusterInfo`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest({ method: 'POST', path: requestTarget(url), body: '{}', secret: SECRET, keyId: 'test' }) }, body: '{}' });
  const v1 = (await res.json()) as { cocoaBasic: { cloudPlatformInfo: { accessKey: string }[] } };
  t.is(v1.cocoaBasic.cloudPlatformInfo[0]!.accessKey, 'LTAI****1234');

  const removed = await admin.call(api.removeAccount, { params: { provider: 'Ali', accessKey } });
  t.is(removed.removed.accessKey, 'LTAI****1234');
});

test('"already exists" is one throw answered in one place: 409 conflict naming the field, CLI exit 1', async (t) => {
  const { node, admin } = await leader(t);
  const service = { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali' };
  await admin.call(api.addService, { body: service });
  const before = node.runtime.state.version;
  const err = await refusal(admin.call(api.addService, { body: service }));
  t.is(err.status, 409);
  t.is(err.kind, 'conflict');
  t.is(err.code, 'conflict');
  t.regex(err.message, /a service named "www" already exists/);
  t.deepEqual(err.details.map((d) => d.field), ['name']);
  t.is(exitCodeOf(err), EXIT.refused);
  t.is(node.runtime.state.version, before, 'nothing changed');
});

test('validate() refuses bad params and bodies before the command runs, naming every field', async (t) => {
  const { node, admin } = await leader(t);
  const before = node.runtime.state.version;
  const badCode = await refusal(admin.patch(pathFor(api.setNode, { code: 'not a code!' }), { name: 'x' }));
  t.is(badCode.status, 400);
  t.is(badCode.code, 'invalid_input');
  t.deepEqual(badCode.details.map((d) => d.field), ['code']);

  const badBody = await refusal(admin.post(api.addService.path, { name: '', domain: 'not a domain', record: 'www', provider: 'route53', ttl: 0, extra: 1 }));
  t.is(badBody.status, 400);
  t.deepEqual(badBody.details.map((d) => d.field).sort(), ['(body)', 'domain', 'name', 'provider', 'ttl'].sort());
  t.is(exitCodeOf(badBody), EXIT.usage);

  const badCheck = await refusal(admin.post(api.addService.path, { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali', check: { url: 'http://example.com/', intervalSeconds: 0, timeoutSeconds: 3 } }));
  t.is(badCheck.status, 400);
  t.deepEqual(badCheck.details.map((d) => d.field).sort(), ['check.intervalSeconds', 'check.url']);
  t.regex(badCheck.details.find((d) => d.field === 'check.url')!.message, /host must be \{ip\}/);

  const empty = await refusal(admin.patch(pathFor(api.setNode, { code: node.config.nodeCode }), {}));
  t.regex(empty.message, /give at least one of address, isps, networkType, name/);
  t.is(node.runtime.state.version, before, 'nothing changed');

  const log = await refusal(admin.get(pathFor(api.dnsLog, {}, { limit: 0 })));
  t.deepEqual(log.details.map((d) => d.field), ['limit']);
});

test('a DomainError of every kind answers its status with {error, message, details}; anything else is a bare 500', (t) => {
  const kinds: ErrorKind[] = ['invalid', 'not-found', 'conflict', 'not-leader', 'unauthorized', 'forbidden', 'peer-unreachable', 'unavailable'];
  for (const kind of kinds) {
    const { status, body } = errorAnswer(new DomainError(kind, `refused: ${kind}`, 'field'));
    t.is(status, httpStatusOf(kind), kind);
    t.is(body.message, `refused: ${kind}`);
    t.deepEqual(body.details, [{ field: 'field', message: `refused: ${kind}` }]);
  }
  t.deepEqual(errorAnswer(new DomainError('conflict', 'x', undefined, 'already_there')).body, { error: 'already_there', message: 'x' });
  t.deepEqual(errorAnswer(new Error('connect ECONNREFUSED secret-host')), { status: 500, body: { error: 'internal_error', message: 'internal error' } });
});

test('pathFor fills each path parameter URL-encoded and appends the query', (t) => {
  t.is(pathFor(api.setAccount, { provider: 'Ali', accessKey: 'a/b c' }), '/v2/admin/accounts/Ali/a%2Fb%20c');
  t.is(pathFor(api.dnsLog, {}, { limit: 5 }), '/v2/admin/dns/log?limit=5');
  t.throws(() => pathFor(api.removeNode, {}), { message: /no value for :code/ });
});

test('knownSecrets lists the config\'s and the state\'s secrets, once the runtime is there', (t) => {
  const config = { secret: 'node-secret', database: { dialect: 'mysql', password: 'db-pw' }, credentialKey: 'cred-key-0123456789' };
  t.deepEqual(knownSecrets(config), ['node-secret', 'db-pw', 'cred-key-0123456789']);
  t.deepEqual(knownSecrets({ ...config, database: { dialect: 'sqlite' }, credentialKey: null }), ['node-secret']);
  const runtime = { identity: { secret: 'stored-secret' }, state: { nodes: [{ secret: 'peer-secret' }, { secret: '' }], cloudAccounts: [{ accessSecret: 'access-secret' }] } };
  t.deepEqual(knownSecrets(config, runtime), ['node-secret', 'db-pw', 'cred-key-0123456789', 'stored-secret', 'peer-secret', 'access-secret']);
});
