import test from 'ava';
import { request } from 'node:http';
import { getJson, postJson } from './helpers/http.js';
import { startTestNode } from './helpers/node.js';

const SECRET = 'follower-secret-456';

async function follower(t: { teardown(fn: () => Promise<void>): void }) {
  const node = await startTestNode({ V1Compat: true, NodeCode: 'GZ', WorkMode: 'follower', CocoaSecret: SECRET });
  t.teardown(() => node.stop());
  return node;
}

test('malformed JSON gets a 400 JSON error, never a 500, and changes nothing', async (t) => {
  const f = await follower(t);
  const before = JSON.stringify(f.runtime.state);
  for (const path of ['/v1/getClusterInfo', '/v1/updateClusterInfo', '/v1/cocoaSyncer/quit']) {
    const res = await postJson(`${f.url}${path}`, '{"cocoaSecret": "follower-secret-456", ');
    t.is(res.status, 400, path);
    t.is(res.body.error, 'invalid_json');
    t.false(res.text.includes(SECRET), 'the secret is not echoed back');
  }
  t.is(JSON.stringify(f.runtime.state), before);
});

test('a body that is not a JSON object is refused with 400', async (t) => {
  const f = await follower(t);
  for (const body of ['"just a string"', '42', '[1,2]', 'null']) {
    const res = await postJson(`${f.url}/v1/getClusterInfo`, body);
    t.is(res.status, 400, body);
  }
});

test('a push that would corrupt the state is refused with business code 400 naming the field (HTTP 200, as every v1 answer) and changes nothing', async (t) => {
  const f = await follower(t);
  const before = JSON.stringify(f.runtime.state);
  const node = { nodeName: 'A', nodeCode: 'GZ', nodeAddress: 'http://127.0.0.1:9', workMode: 'follower', cocoaSecret: 'x'.repeat(10), ISPs: ['CT'], networkType: 'IPV4' };
  const cases: [unknown, string][] = [
    [{ otherCocoaSyncer: 'nope' }, 'cocoaBasic.otherCocoaSyncer'],
    [{ otherCocoaSyncer: [] }, 'cocoaBasic.otherCocoaSyncer'],
    [{ otherCocoaSyncer: [{ ...node, nodeAddress: 'ftp://x' }] }, 'cocoaBasic.otherCocoaSyncer.0.nodeAddress'],
    [{ otherCocoaSyncer: [{ ...node, nodeCode: undefined }] }, 'cocoaBasic.otherCocoaSyncer.0.nodeCode'],
    [{ otherCocoaSyncer: [{ ...node, cocoaSecret: 7 }] }, 'cocoaBasic.otherCocoaSyncer.0.cocoaSecret'],
    [{ otherCocoaSyncer: [{ ...node, workMode: 'boss' }] }, 'cocoaBasic.otherCocoaSyncer.0.workMode'],
    [{ otherCocoaSyncer: [node, { ...node, nodeAddress: 'http://127.0.0.1:8' }] }, 'cocoaBasic.otherCocoaSyncer.1.nodeCode'],
  ];
  for (const [basic, field] of cases) {
    const res = await postJson<{ statusCode: number; statusString: string; details: { field: string }[] }>(`${f.url}/v1/updateClusterInfo`, { cocoaSecret: SECRET, cocoaBasic: basic });
    t.is(res.status, 200, field);
    t.is(res.body.statusCode, 400, field);
    t.true(res.body.details.some((d) => d.field === field), `${field} named in ${res.text}`);
    t.true(res.body.statusString.includes(field), 'the Go leader logs statusString: it names the field');
    t.false(res.text.includes(SECRET));
  }
  t.is(JSON.stringify(f.runtime.state), before);
});

test('an oversized body is refused with 413', async (t) => {
  const f = await follower(t);
  const res = await postJson(`${f.url}/v1/getClusterInfo`, { cocoaSecret: SECRET, pad: 'x'.repeat(2 * 1024 * 1024) });
  t.is(res.status, 413);
  t.is(res.body.error, 'payload_too_large');
});

test('a non-JSON content type is refused with 415', async (t) => {
  const f = await follower(t);
  const res = await fetch(`${f.url}/v1/getClusterInfo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'cocoaSecret=x' });
  t.is(res.status, 415);
  t.is(((await res.json()) as { error: string }).error, 'unsupported_media_type');
});

test('an unknown route is a JSON 404 and a wrong method a JSON 405', async (t) => {
  const f = await follower(t);
  const res = await getJson(`${f.url}/v1/nope`);
  t.is(res.status, 404);
  t.is(res.body.error, 'not_found');
  const wrong = await getJson(`${f.url}/v1/getClusterInfo`);
  t.is(wrong.status, 405);
  t.is(wrong.body.error, 'not_allowed');
});

/** One request with any method (fetch refuses TRACE), answering status, headers and parsed JSON. */
function rawRequest(url: string, method: string): Promise<{ status: number; allow: string | undefined; body: { error?: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body: JSON.parse(text) as { error?: string; message?: string } });
        } catch (err) {
          reject(new Error(`${method} ${url}: not JSON: ${text.slice(0, 200)} (${(err as Error).message})`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('a method no route answers (TRACE, PROPFIND) is a clear JSON 405/501, never an internal error', async (t) => {
  const f = await follower(t);
  for (const [method, path] of [['TRACE', '/healthz'], ['PROPFIND', '/v2/admin/services'], ['PROPFIND', '/nowhere'], ['PUT', '/v1/getClusterInfo']] as const) {
    const res = await rawRequest(`${f.url}${path}`, method);
    t.true(res.status === 405 || res.status === 501, `${method} ${path}: ${res.status}`);
    t.not(res.body.error, 'internal_error', `${method} ${path}`);
    t.true(res.body.error === 'not_allowed' || res.body.error === 'not_implemented', `${method} ${path}: ${res.body.error}`);
    t.regex(res.body.message ?? '', new RegExp(`^${method} is not`), `${method} ${path}: ${res.body.message}`);
  }
  const put = await rawRequest(`${f.url}/v1/getClusterInfo`, 'PUT');
  t.is(put.status, 405, 'a method routes answer elsewhere, on a path that does not take it');
  t.regex(put.allow ?? '', /POST/);
});

test('prototype-pollution keys in a push are harmless', async (t) => {
  const f = await follower(t);
  const before = JSON.stringify(f.runtime.state);
  const res = await postJson(`${f.url}/v1/updateClusterInfo`, `{"cocoaSecret":"${SECRET}","__proto__":{"polluted":true},"cocoaBasic":{"constructor":{"prototype":{"polluted":true}}}}`);
  t.true(res.status === 400 || res.body.statusCode === 400, 'refused by the body parser or by the route');
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(JSON.stringify(f.runtime.state), before);
});
