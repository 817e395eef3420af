// The Go `encoding/json` stand-in used by the Go-like peer decodes and encodes as Go does.
import test from 'ava';
import {
  APIRequestType,
  CocoaBasicType,
  GO_ZERO_TIME,
  NodeInfoType,
  ServerReturnType,
  formatGoTime,
  goMarshal,
  goUnmarshal,
  parseGoTime,
  zeroOf,
  type GoAPIRequest,
  type GoCocoaBasic,
  type GoNodeInfo,
  type GoServerReturn,
} from './helpers/go-json.js';

test('unknown fields are ignored and keys match case-insensitively, an exact match first', (t) => {
  const r = goUnmarshal<GoNodeInfo>('{"nodecode":"a","NODENAME":"n","stateVersion":3,"nodes":[1],"nodeCode":"b"}', NodeInfoType);
  t.is(r.fatal, null);
  t.deepEqual(r.typeErrors, []);
  t.is(r.value.NodeCode, 'b', 'the later exact key decodes again into the same field');
  t.is(r.value.NodeName, 'n');
});

test('a value of the wrong type is recorded and decoding continues; the field keeps its zero value', (t) => {
  const r = goUnmarshal<GoNodeInfo>('{"nodeName":5,"statusCode":"200","ISPs":"CT,CU","networkType":"IPV4","nodeCode":"GZ"}', NodeInfoType);
  t.is(r.fatal, null);
  t.deepEqual(
    r.typeErrors.map((e) => [e.field, e.value, e.type]),
    [
      ['NodeInfo.NodeName', 'number 5', 'string'],
      ['NodeInfo.StatusCode', 'string', 'int'],
      ['NodeInfo.ISPs', 'string', '[]string'],
    ],
  );
  t.is(r.value.NodeName, '');
  t.is(r.value.StatusCode, 0);
  t.is(r.value.ISPs, null);
  t.is(r.value.NetworkType, 'IPV4');
  t.is(r.value.NodeCode, 'GZ');
});

test('an int takes only an integer literal within int64', (t) => {
  for (const raw of ['200.0', '2e2', '9223372036854775808']) {
    const r = goUnmarshal<GoNodeInfo>(`{"statusCode":${raw}}`, NodeInfoType);
    t.is(r.typeErrors.length, 1, raw);
    t.is(r.value.StatusCode, 0);
  }
  t.is(goUnmarshal<GoNodeInfo>('{"statusCode":-504}', NodeInfoType).value.StatusCode, -504);
});

test('array elements of the wrong type stay zero but keep their place', (t) => {
  const r = goUnmarshal<GoNodeInfo>('{"ISPs":[1,"CT",null]}', NodeInfoType);
  t.deepEqual(r.value.ISPs, ['', 'CT', '']);
  t.is(r.typeErrors.length, 1);
  t.deepEqual(goUnmarshal<GoNodeInfo>('{"ISPs":[]}', NodeInfoType).value.ISPs, [], 'an empty array is an empty, non-nil slice');
});

test('null sets a slice to nil and leaves scalars, structs and times alone', (t) => {
  const r = goUnmarshal<GoServerReturn>('{"statusCode":201,"statusCode":null,"cocoaBasic":{"otherCocoaSyncer":[{}],"createdAt":"2023-09-07T15:52:46+08:00"},"cocoaBasic":{"otherCocoaSyncer":null,"createdAt":null},"cocoaBasic":null}', ServerReturnType);
  t.is(r.fatal, null);
  t.is(r.value.StatusCode, 201);
  t.is(r.value.CocoaBasic.OtherCocoaSyncer, null);
  t.is(formatGoTime(r.value.CocoaBasic.CreatedAt), '2023-09-07T15:52:46+08:00');
});

test('a time that is not RFC 3339 stops decoding and keeps what was filled so far', (t) => {
  const text = '{"cocoaBasic":{"otherCocoaSyncer":[{"nodeCode":"SH","watchDog":"2023-09-18T22:54:22.0765568+08:00"},{"nodeCode":"GZ","watchDog":"1700000000","ISPs":["CU"]},{"nodeCode":"BJ"}]},"cocoaSecret":"s"}';
  const r = goUnmarshal<GoAPIRequest>(text, APIRequestType);
  t.regex(r.fatal!, /parsing time "1700000000" as RFC 3339 failed/);
  t.deepEqual(r.value.CocoaBasic.OtherCocoaSyncer!.map((n) => n.NodeCode), ['SH', 'GZ'], 'the element being decoded is kept, the rest is not');
  t.is(r.value.CocoaBasic.OtherCocoaSyncer![1]!.ISPs, null, 'fields after the bad time are never read');
  t.is(r.value.CocoaSecret, '', 'nor is anything after it in the document');
  for (const bad of ['5', 'true', '{}', '"2023-09-18 22:54:22Z"', '"2023-09-18t22:54:22Z"', '"2023-02-29T00:00:00Z"', '"2023-09-18T24:00:00Z"', '"2023-09-18T22:54:22+0800"', '"2023-09-18T22:54:22,5Z"', '"+012023-09-18T22:54:22Z"', '"2023-09-18T22:54:22\\u005a"']) {
    t.truthy(goUnmarshal(`{"watchDog":${bad}}`, NodeInfoType).fatal, bad);
  }
});

test('Go times round-trip: nanoseconds, offsets, the zero time', (t) => {
  for (const s of ['2023-09-18T22:54:22.0765568+08:00', '2026-12-01T07:46:17.123456789+08:00', '0001-01-01T00:00:00Z', '2026-11-30T23:46:17.1Z', '2024-02-29T23:59:59-05:30']) {
    t.is(formatGoTime(parseGoTime(s)!), s);
  }
  t.is(formatGoTime(GO_ZERO_TIME), '0001-01-01T00:00:00Z');
  t.is(formatGoTime(parseGoTime('2026-11-30T23:46:17.000Z')!), '2026-11-30T23:46:17Z', 'trailing zeros are trimmed');
  const a = parseGoTime('2026-12-01T07:46:17.5+08:00')!;
  const b = parseGoTime('2026-11-30T23:46:17.5Z')!;
  t.is(a.sec, b.sec, 'same instant');
  t.is(parseGoTime('2026-11-30T23:46:17.1234567891234Z')!.nsec, 123456789, 'beyond nine digits is dropped');
});

test('a syntax error decodes nothing', (t) => {
  const r = goUnmarshal<GoAPIRequest>('{"cocoaSecret":"s","cocoaBasic":{', APIRequestType);
  t.regex(r.fatal!, /syntax error/);
  t.is(r.value.CocoaSecret, '');
});

test('marshal writes every field in order, nil slices as null, the zero time, Go HTML escaping; DataBaseType/Dsn under their Go names', (t) => {
  const basic = zeroOf<GoCocoaBasic>(CocoaBasicType);
  basic.NodeName = '<Cocoa & Chino>';
  const text = goMarshal(basic, CocoaBasicType);
  t.is(
    text,
    '{"apiPort":0,"nodeName":"\\u003cCocoa \\u0026 Chino\\u003e","nodeCode":"","nodeAddress":"","workMode":"","cocoaSecret":"","reverseProxy":false,"otherCocoaSyncer":null,"cocoaManagedService":null,"cloudPlatformInfo":null,"timeout":0,"DataBaseType":"","Dsn":"","createdAt":"0001-01-01T00:00:00Z","updatedAt":"0001-01-01T00:00:00Z","configImported":false}',
  );
  const back = goUnmarshal<GoCocoaBasic>(text, CocoaBasicType);
  t.deepEqual(back.value, basic);
  t.deepEqual(back.typeErrors, []);
});
