// Go's `encoding/json`, as the original CocoaSyncer uses it, for the Go-like peer in the tests: decode
// into the original's model structs (github.com/luckykeeper/CocoaSyncer `model/model.go`) exactly the
// way Go does, and encode them the way Go does. Written from the Go documentation and the behaviour of
// `decode.go` / `time.Time.UnmarshalJSON`; no Go code is copied.
//
// Decoding rules implemented (Go 1.20+):
// - The whole text is syntax-checked first; a syntax error decodes nothing (`Unmarshal` checks before
//   it stores anything, and gin's `Decoder.Decode` reads a whole value first).
// - Keys match a field's json name exactly, else case-insensitively; unknown keys are ignored. Keys are
//   processed in document order and a repeated key decodes again into the same field.
// - A value of the wrong JSON type for a field (a number for a string, a float for an int, a string for
//   a slice...) is recorded as an `UnmarshalTypeError` and decoding goes on; the field keeps what it had.
// - `null` sets a slice to nil and leaves a string, int, bool, struct or time.Time unchanged.
// - Arrays decode into a slice element by element (reusing elements already there); an empty array
//   gives an empty, non-nil slice.
// - A `time.Time` field is decoded by `Time.UnmarshalJSON`: anything but `null` or a string holding an
//   RFC 3339 time is an error that **stops** decoding at once; what was filled so far stays.
//   Accepted grammar: Go's RFC 3339 fast path (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)`, ranges checked,
//   upper-case `T`/`Z`). Go's slower `time.Parse` fallback accepts a few more spellings (a comma before
//   the fraction, a one-digit hour); this helper rejects them, so a test never relies on them.
// - Fields without a json tag (`DataBaseType`, `Dsn`) use the Go field name as key.
//
// Encoding rules: struct fields in declaration order under their json names, nil slices as `null`,
// times as RFC 3339 with nanoseconds (trailing zeros trimmed, `Z` for a zero offset), the zero time as
// `0001-01-01T00:00:00Z`, and `<`, `>`, `&`, U+2028, U+2029 escaped as `json.Marshal` does.

/** A Go `time.Time`: an instant (Unix seconds + nanoseconds) and the UTC offset it is shown in. */
export interface GoTime {
  sec: number;
  nsec: number;
  offsetSec: number;
}

/** Go's zero time, `0001-01-01T00:00:00Z`. */
export const GO_ZERO_TIME: GoTime = Object.freeze({ sec: -62135596800, nsec: 0, offsetSec: 0 });

export type GoType =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'bool' }
  | { kind: 'time' }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'struct'; name: string; fields: readonly GoField[] };

/** One struct field: its Go name (the key in the decoded object) and its JSON key. */
export interface GoField {
  name: string;
  json: string;
  type: GoType;
}

/** A JSON value of the wrong type for a field: recorded, decoding continues (Go's UnmarshalTypeError). */
export interface GoTypeError {
  /** Dotted Go field path, e.g. `CocoaBasic.OtherCocoaSyncer.ISPs`. */
  field: string;
  /** What the JSON held: `string`, `number 1.5`, `object`, ... */
  value: string;
  /** The Go type it could not go into. */
  type: string;
}

export interface GoDecodeResult<T> {
  value: T;
  /** Every type error, in document order (Go returns the first). */
  typeErrors: GoTypeError[];
  /** The error that stopped decoding (syntax error, bad time), or null. */
  fatal: string | null;
}

// ---------------------------------------------------------------------------------------------
// JSON text → ordered tree that keeps each literal's raw text (Go looks at the raw bytes of numbers
// and of the strings handed to UnmarshalJSON) and every repeated key.

type Node =
  | { t: 'obj'; entries: [string, Node][] }
  | { t: 'arr'; items: Node[] }
  | { t: 'str'; value: string; raw: string }
  | { t: 'num'; raw: string }
  | { t: 'bool'; value: boolean }
  | { t: 'null' };

class JsonSyntaxError extends Error {}

function parseTree(text: string): Node {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`invalid character at offset ${i}: ${what}`);
  };
  const value = (depth: number): Node => {
    if (depth > 10000) fail('exceeded max depth');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, Node][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([key.value, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'obj', entries };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'arr', items };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    for (const [word, node] of [
      ['true', { t: 'bool', value: true }],
      ['false', { t: 'bool', value: false }],
      ['null', { t: 'null' }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('expected a value');
    i += m![0].length;
    return { t: 'num', raw: m![0] };
  };
  const str = (): { t: 'str'; value: string; raw: string } => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text.charCodeAt(i);
      if (ch === 0x22) break;
      if (ch < 0x20) fail('control character in string');
      if (ch === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('bad escape');
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    const raw = text.slice(start, i);
    return { t: 'str', value: JSON.parse(raw) as string, raw };
  };
  const root = value(0);
  ws();
  if (i !== text.length) fail('data after the top-level value');
  return root;
}

// ---------------------------------------------------------------------------------------------
// RFC 3339 time, Go style.

function daysIn(month: number, year: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Parses an RFC 3339 time as Go's strict fast path does; null when Go would not accept it. */
export function parseGoTime(s: string): GoTime | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return null;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59) return null;
  // Go keeps nine digits of fraction and drops the rest.
  const nsec = m[7] ? Number(m[7].slice(0, 9).padEnd(9, '0')) : 0;
  let offsetSec = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[8]!.slice(1, 3));
    const om = Number(m[8]!.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetSec = (m[8]![0] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, 0);
  return { sec: d.getTime() / 1000 - offsetSec, nsec, offsetSec };
}

/** Formats a time as Go's `time.RFC3339Nano` (what `json.Marshal` writes). */
export function formatGoTime(t: GoTime): string {
  const d = new Date((t.sec + t.offsetSec) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = t.nsec ? `.${p(t.nsec, 9).replace(/0+$/, '')}` : '';
  const off = t.offsetSec === 0 ? 'Z' : `${t.offsetSec < 0 ? '-' : '+'}${p(Math.floor(Math.abs(t.offsetSec) / 3600))}:${p(Math.floor((Math.abs(t.offsetSec) % 3600) / 60))}`;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}${off}`;
}

/** Milliseconds since the epoch of a Go time (for comparisons). */
export function goTimeMs(t: GoTime): number {
  return t.sec * 1000 + Math.floor(t.nsec / 1e6);
}

/** Orders two Go times by instant: negative, 0 or positive. */
export function compareGoTime(a: GoTime, b: GoTime): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

/** A Go time for `ms` since the epoch (plus `extraNs` below the millisecond) shown at `offsetSec`. */
export function goTimeFromMs(ms: number, offsetSec = 0, extraNs = 0): GoTime {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1e6 + extraNs, offsetSec };
}

// ---------------------------------------------------------------------------------------------
// Decoding.

class StopDecoding extends Error {}

/** The zero value of a Go type. */
export function goZero(type: GoType): unknown {
  switch (type.kind) {
    case 'string':
      return '';
    case 'int':
      return 0;
    case 'bool':
      return false;
    case 'time':
      return { ...GO_ZERO_TIME };
    case 'slice':
      return null;
    case 'struct':
      return Object.fromEntries(type.fields.map((f) => [f.name, goZero(f.type)]));
  }
}

function typeName(type: GoType): string {
  switch (type.kind) {
    case 'slice':
      return `[]${typeName(type.elem)}`;
    case 'struct':
      return `model.${type.name}`;
    case 'time':
      return 'time.Time';
    default:
      return type.kind;
  }
}

function describe(node: Node): string {
  switch (node.t) {
    case 'obj':
      return 'object';
    case 'arr':
      return 'array';
    case 'str':
      return 'string';
    case 'num':
      return `number ${node.raw}`;
    case 'bool':
      return 'bool';
    case 'null':
      return 'null';
  }
}

/** Go's key folding: each character mapped through lower then upper case. */
function fold(key: string): string {
  return [...key].map((c) => c.toLowerCase().toUpperCase()).join('');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Decodes `text` into a fresh zero value of `type` with Go's semantics (see the top of this file).
 * Never throws: a syntax error or a bad time is reported in `fatal`, type errors in `typeErrors`.
 */
export function goUnmarshal<T>(text: string, type: GoType): GoDecodeResult<T> {
  const holder: { v: unknown } = { v: goZero(type) };
  const typeErrors: GoTypeError[] = [];
  let tree: Node;
  try {
    tree = parseTree(text);
  } catch (err) {
    return { value: holder.v as T, typeErrors, fatal: `syntax error: ${(err as Error).message}` };
  }
  let fatal: string | null = null;
  const into = (node: Node, t: GoType, parent: Record<string | number, unknown>, key: string | number, path: string): void => {
    const typeError = () => typeErrors.push({ field: path, value: describe(node), type: typeName(t) });
    if (t.kind === 'time') {
      if (node.t === 'null') return;
      // UnmarshalJSON gets the raw bytes: a JSON string's escapes are not undone.
      const parsed = node.t === 'str' ? parseGoTime(node.raw.slice(1, -1)) : null;
      if (!parsed) {
        fatal = node.t === 'str' ? `parsing time ${node.raw} as RFC 3339 failed (field ${path})` : `Time.UnmarshalJSON: input is not a JSON string (field ${path})`;
        throw new StopDecoding();
      }
      parent[key] = parsed;
      return;
    }
    if (node.t === 'null') {
      if (t.kind === 'slice') parent[key] = null;
      return;
    }
    switch (t.kind) {
      case 'string':
        if (node.t === 'str') parent[key] = node.value;
        else typeError();
        return;
      case 'bool':
        if (node.t === 'bool') parent[key] = node.value;
        else typeError();
        return;
      case 'int': {
        if (node.t !== 'num' || !/^-?\d+$/.test(node.raw)) return void typeError();
        const n = BigInt(node.raw);
        if (n < INT64_MIN || n > INT64_MAX) return void typeError();
        parent[key] = Number(n);
        return;
      }
      case 'slice': {
        if (node.t !== 'arr') return void typeError();
        const current = Array.isArray(parent[key]) ? (parent[key] as unknown[]) : [];
        const out = current;
        parent[key] = out;
        node.items.forEach((item, i) => {
          if (i >= out.length) out.push(goZero(t.elem));
          into(item, t.elem, out as unknown as Record<number, unknown>, i, path);
        });
        out.length = node.items.length;
        return;
      }
      case 'struct': {
        if (node.t !== 'obj') return void typeError();
        const target = parent[key] as Record<string, unknown>;
        for (const [k, v] of node.entries) {
          const field = t.fields.find((f) => f.json === k) ?? t.fields.find((f) => fold(f.json) === fold(k));
          if (!field) continue;
          into(v, field.type, target, field.name, `${path}.${field.name}`);
        }
        return;
      }
    }
  };
  try {
    into(tree, type, holder as unknown as Record<string, unknown>, 'v', type.kind === 'struct' ? type.name : typeName(type));
  } catch (err) {
    if (!(err instanceof StopDecoding)) throw err;
  }
  return { value: holder.v as T, typeErrors, fatal };
}

// ---------------------------------------------------------------------------------------------
// Encoding.

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Encodes a value of `type` as `json.Marshal` does. */
export function goMarshal(value: unknown, type: GoType): string {
  switch (type.kind) {
    case 'string':
      return goString(value as string);
    case 'int':
      return String(Math.trunc(value as number));
    case 'bool':
      return value ? 'true' : 'false';
    case 'time':
      return `"${formatGoTime(value as GoTime)}"`;
    case 'slice':
      return value === null || value === undefined ? 'null' : `[${(value as unknown[]).map((v) => goMarshal(v, type.elem)).join(',')}]`;
    case 'struct': {
      const obj = value as Record<string, unknown>;
      return `{${type.fields.map((f) => `${goString(f.json)}:${goMarshal(obj[f.name] ?? goZero(f.type), f.type)}`).join(',')}}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The original's model (model/model.go), field for field.

const S = { kind: 'string' } as const;
const I = { kind: 'int' } as const;
const B = { kind: 'bool' } as const;
const T = { kind: 'time' } as const;

export const CocoaManagedServiceType: GoType = {
  kind: 'struct',
  name: 'CocoaManagedService',
  fields: [
    { name: 'ServiceName', json: 'serviceName', type: S },
    { name: 'Domain', json: 'domain', type: S },
    { name: 'Record', json: 'record', type: S },
    { name: 'PlatformProvider', json: 'platformProvider', type: S },
  ],
};

export const CloudPlatformInfoType: GoType = {
  kind: 'struct',
  name: 'CloudPlatformInfo',
  fields: [
    { name: 'PlatformProvider', json: 'platformProvider', type: S },
    { name: 'AccessKey', json: 'accessKey', type: S },
    { name: 'AccessSecret', json: 'accessSecret', type: S },
  ],
};

export const NodeInfoType: GoType = {
  kind: 'struct',
  name: 'NodeInfo',
  fields: [
    { name: 'NodeName', json: 'nodeName', type: S },
    { name: 'NodeCode', json: 'nodeCode', type: S },
    { name: 'NodeAddress', json: 'nodeAddress', type: S },
    { name: 'WorkMode', json: 'workMode', type: S },
    { name: 'CocoaSecret', json: 'cocoaSecret', type: S },
    { name: 'ISPs', json: 'ISPs', type: { kind: 'slice', elem: S } },
    { name: 'NetworkType', json: 'networkType', type: S },
    { name: 'StatusCode', json: 'statusCode', type: I },
    { name: 'WatchDog', json: 'watchDog', type: T },
    { name: 'CocoaManagedService', json: 'cocoaManagedService', type: { kind: 'slice', elem: CocoaManagedServiceType } },
  ],
};

export const CocoaBasicType: GoType = {
  kind: 'struct',
  name: 'CocoaBasic',
  fields: [
    { name: 'APIPort', json: 'apiPort', type: I },
    { name: 'NodeName', json: 'nodeName', type: S },
    { name: 'NodeCode', json: 'nodeCode', type: S },
    { name: 'NodeAddress', json: 'nodeAddress', type: S },
    { name: 'WorkMode', json: 'workMode', type: S },
    { name: 'CocoaSecret', json: 'cocoaSecret', type: S },
    { name: 'ReverseProxy', json: 'reverseProxy', type: B },
    { name: 'OtherCocoaSyncer', json: 'otherCocoaSyncer', type: { kind: 'slice', elem: NodeInfoType } },
    { name: 'CocoaManagedService', json: 'cocoaManagedService', type: { kind: 'slice', elem: CocoaManagedServiceType } },
    { name: 'CloudPlatformInfo', json: 'cloudPlatformInfo', type: { kind: 'slice', elem: CloudPlatformInfoType } },
    { name: 'Timeout', json: 'timeout', type: I },
    // No json tag in the original: these travel under the Go field names.
    { name: 'DataBaseType', json: 'DataBaseType', type: S },
    { name: 'Dsn', json: 'Dsn', type: S },
    { name: 'CreatedAt', json: 'createdAt', type: T },
    { name: 'UpdatedAt', json: 'updatedAt', type: T },
    { name: 'ConfigImported', json: 'configImported', type: B },
  ],
};

export const ServerReturnType: GoType = {
  kind: 'struct',
  name: 'ServerReturn',
  fields: [
    { name: 'StatusCode', json: 'statusCode', type: I },
    { name: 'StatusString', json: 'statusString', type: S },
    { name: 'CocoaBasic', json: 'cocoaBasic', type: CocoaBasicType },
  ],
};

export const APIRequestType: GoType = {
  kind: 'struct',
  name: 'APIRequest',
  fields: [
    { name: 'CocoaSecret', json: 'cocoaSecret', type: S },
    { name: 'CocoaBasic', json: 'cocoaBasic', type: CocoaBasicType },
  ],
};

export interface GoService {
  ServiceName: string;
  Domain: string;
  Record: string;
  PlatformProvider: string;
}

export interface GoCloud {
  PlatformProvider: string;
  AccessKey: string;
  AccessSecret: string;
}

export interface GoNodeInfo {
  NodeName: string;
  NodeCode: string;
  NodeAddress: string;
  WorkMode: string;
  CocoaSecret: string;
  ISPs: string[] | null;
  NetworkType: string;
  StatusCode: number;
  WatchDog: GoTime;
  CocoaManagedService: GoService[] | null;
}

export interface GoCocoaBasic {
  APIPort: number;
  NodeName: string;
  NodeCode: string;
  NodeAddress: string;
  WorkMode: string;
  CocoaSecret: string;
  ReverseProxy: boolean;
  OtherCocoaSyncer: GoNodeInfo[] | null;
  CocoaManagedService: GoService[] | null;
  CloudPlatformInfo: GoCloud[] | null;
  Timeout: number;
  DataBaseType: string;
  Dsn: string;
  CreatedAt: GoTime;
  UpdatedAt: GoTime;
  ConfigImported: boolean;
}

export interface GoServerReturn {
  StatusCode: number;
  StatusString: string;
  CocoaBasic: GoCocoaBasic;
}

export interface GoAPIRequest {
  CocoaSecret: string;
  CocoaBasic: GoCocoaBasic;
}

/** A zero value of a model struct, typed. */
export function zeroOf<T>(type: GoType): T {
  return goZero(type) as T;
}
