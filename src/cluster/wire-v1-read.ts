// Reading a pushed `cocoaBasic` (POST /v1/updateClusterInfo).
//
// A v2 push comes from a CocoaSyncer 2 leader and is checked strictly: anything off is refused.
// A v1 push may come from the original Go program, which takes whatever its CLI was given and decodes
// with Go's `encoding/json` (github.com/luckykeeper/CocoaSyncer `model/model.go`, `cliNodeManage.go`):
// a node it created has `"ISPs": null, "networkType": ""` until the admin sets its lines, the lines
// are typed free-hand (`ct`, `CU,CU`, `None,CU`), node codes are any text, a value of the wrong JSON
// type is simply left at its zero value, and a service deleted in its CLI can leave the others listed
// twice. A v1 push is therefore read the way the Go program reads it, normalized into our model, and
// refused only for what would corrupt this node's state: no node list, a node we could not identify,
// reach or authenticate to, or two nodes with one code. Everything read differently from how it was
// written is reported back as a note (field + what was done), never with the value itself.
import { ISP_CODES, NETWORK_TYPES, type IspCode, type NetworkType } from '../model.js';
import { describeIssues, nodeAddressSchema, secretSchema } from '../schemas.js';
import { cloudV1Schema, parseRfc3339, peerNodeCodeSchema, serviceV1Schema, v1PushSchema, type PushedBasic } from './wire-v1.js';
import type { z } from 'zod';

/** A field of the push and what was done with it (a note), or why the push is refused (a problem). */
export interface PushNote {
  /** Dotted path in the request body, e.g. `cocoaBasic.otherCocoaSyncer.1.ISPs`. */
  field: string;
  message: string;
}

export type ReadPushResult =
  | { ok: true; basic: PushedBasic; versioned: boolean; notes: PushNote[] }
  | { ok: false; problems: PushNote[] };

const MAX_NODES = 1000;
const MAX_SERVICES = 10000;
const MAX_ACCOUNTS = 1000;

/**
 * Reads a push body: strictly for protocol v2, the Go program's way for v1 (see the top of this file).
 * Never throws; a refusal lists every problem found, each naming its field.
 */
export function readPush(body: unknown, protocol: 'v1' | 'v2'): ReadPushResult {
  return protocol === 'v2' ? readV2Push(body) : readV1Push(body);
}

/** A v2 push: the strict schema, as our own leaders write it. */
export function readV2Push(body: unknown): ReadPushResult {
  const parsed = v1PushSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
  const basic = parsed.data.cocoaBasic;
  return { ok: true, basic, versioned: basic.stateVersion !== undefined, notes: [] };
}

/** A v1 push, read as the Go program reads it and normalized into our model. */
export function readV1Push(body: unknown): ReadPushResult {
  const notes: PushNote[] = [];
  const problems: PushNote[] = [];
  const basic = isObject(body) ? body.cocoaBasic : undefined;
  if (!isObject(basic)) return { ok: false, problems: [{ field: 'cocoaBasic', message: 'must be an object with the cluster state' }] };

  const rawNodes = basic.otherCocoaSyncer;
  if (!Array.isArray(rawNodes) || rawNodes.length === 0) {
    return { ok: false, problems: [{ field: 'cocoaBasic.otherCocoaSyncer', message: 'must list at least one node (a push without nodes would leave this node in no cluster)' }] };
  }
  if (rawNodes.length > MAX_NODES) return { ok: false, problems: [{ field: 'cocoaBasic.otherCocoaSyncer', message: `must list at most ${MAX_NODES} nodes` }] };

  const nodes: PushedBasic['otherCocoaSyncer'] = [];
  const seen = new Map<string, number>();
  rawNodes.forEach((raw, i) => {
    const node = readNode(raw, `cocoaBasic.otherCocoaSyncer.${i}`, notes, problems);
    if (!node) return;
    const first = seen.get(node.nodeCode);
    if (first !== undefined) {
      problems.push({ field: `cocoaBasic.otherCocoaSyncer.${i}.nodeCode`, message: `repeats the node code of otherCocoaSyncer.${first}` });
      return;
    }
    seen.set(node.nodeCode, i);
    nodes.push(node);
  });
  if (problems.length) return { ok: false, problems };

  const services = readServices(basic.cocoaManagedService, notes);
  const cloudPlatformInfo = readAccounts(basic.cloudPlatformInfo, notes);
  let stateVersion: number | undefined;
  if (basic.stateVersion !== undefined && basic.stateVersion !== null) {
    if (Number.isSafeInteger(basic.stateVersion) && (basic.stateVersion as number) >= 0) stateVersion = basic.stateVersion as number;
    else notes.push({ field: 'cocoaBasic.stateVersion', message: 'not a whole number >= 0; read as an unversioned push' });
  }
  return { ok: true, basic: { otherCocoaSyncer: nodes, cocoaManagedService: services, cloudPlatformInfo, stateVersion }, versioned: stateVersion !== undefined, notes };
}

type PushedNode = PushedBasic['otherCocoaSyncer'][number];

function readNode(raw: unknown, at: string, notes: PushNote[], problems: PushNote[]): PushedNode | null {
  if (!isObject(raw)) {
    problems.push({ field: at, message: 'must be a node object' });
    return null;
  }
  const before = problems.length;
  const text = (key: string) => goString(raw[key], `${at}.${key}`, notes);
  const check = <T>(schema: z.ZodType<T>, key: string, why: string): T | undefined => {
    const r = schema.safeParse(text(key));
    if (r.success) return r.data;
    problems.push({ field: `${at}.${key}`, message: `${r.error.issues[0]?.message ?? 'is invalid'} (${why})` });
    return undefined;
  };
  const nodeCode = check(peerNodeCodeSchema, 'nodeCode', 'a node must be identifiable');
  const nodeAddress = check(nodeAddressSchema, 'nodeAddress', 'this node must reach it');
  const cocoaSecret = check(secretSchema, 'cocoaSecret', 'this node must authenticate to it');
  const workModeText = text('workMode').toLowerCase();
  const workMode = workModeText === 'leader' || workModeText === 'follower' ? workModeText : undefined;
  if (!workMode) problems.push({ field: `${at}.workMode`, message: 'must be leader or follower (who leads decides who may push)' });
  if (problems.length > before || nodeCode === undefined || nodeAddress === undefined || cocoaSecret === undefined || workMode === undefined) return null;

  let nodeName = text('nodeName').trim();
  if (nodeName === '') {
    nodeName = [...nodeCode].slice(0, 64).join('');
    notes.push({ field: `${at}.nodeName`, message: 'empty; the node code is shown instead' });
  } else if ([...nodeName].length > 64) {
    nodeName = [...nodeName].slice(0, 64).join('');
    notes.push({ field: `${at}.nodeName`, message: 'longer than 64 characters; shortened' });
  }

  const statusCode = Number.isSafeInteger(raw.statusCode) && (raw.statusCode as number) >= 0 && (raw.statusCode as number) <= 999 ? (raw.statusCode as number) : undefined;
  let watchDog: string | undefined;
  if (typeof raw.watchDog === 'string') {
    watchDog = parseRfc3339(raw.watchDog) ?? undefined;
    if (watchDog === undefined) notes.push({ field: `${at}.watchDog`, message: 'not an RFC 3339 time; ignored (liveness is judged by heartbeats)' });
  }
  return {
    nodeName,
    nodeCode,
    nodeAddress,
    workMode,
    cocoaSecret,
    ISPs: readV1Lines(raw.ISPs, `${at}.ISPs`, notes),
    networkType: readV1NetworkType(raw.networkType, `${at}.networkType`, notes),
    statusCode,
    watchDog,
  };
}

/**
 * A node's lines as the Go program may hold them, normalized: `null` (a node whose lines the admin has
 * not set yet; a Go leader that serves none keeps that forever) means no lines, i.e. `["None"]`;
 * codes match in any case; repeats and blanks are dropped; a code we do not know is dropped, as the
 * Go program skips it; `None` beside other codes is `None` alone, the failover planner's reading of
 * such a list ("None wins", src/cluster/failover.ts); a list left empty is `["None"]`.
 */
export function readV1Lines(value: unknown, field: string, notes: PushNote[] = []): IspCode[] {
  if (value === null || value === undefined) return ['None'];
  if (!Array.isArray(value)) {
    notes.push({ field, message: 'not a list; read as no lines, as the Go program does' });
    return ['None'];
  }
  const out: IspCode[] = [];
  value.forEach((item, i) => {
    if (typeof item !== 'string') {
      notes.push({ field: `${field}.${i}`, message: 'not a string; ignored' });
      return;
    }
    const want = item.trim().toLowerCase();
    if (want === '') return;
    const code = ISP_CODES.find((c) => c.toLowerCase() === want);
    if (!code) {
      notes.push({ field: `${field}.${i}`, message: `not a line code (${ISP_CODES.join(', ')}); ignored, as the Go program does` });
      return;
    }
    if (code !== item) notes.push({ field: `${field}.${i}`, message: `read as ${code}` });
    if (out.includes(code)) notes.push({ field: `${field}.${i}`, message: 'repeated; counted once' });
    else out.push(code);
  });
  if (out.includes('None') && out.length > 1) {
    notes.push({ field, message: '"None" beside other lines: the node serves no line' });
    return ['None'];
  }
  return out.length ? out : ['None'];
}

/** A node's network type as the Go program may hold it: any case; `""` (not set yet) or anything unknown is the default, IPV4. */
export function readV1NetworkType(value: unknown, field: string, notes: PushNote[] = []): NetworkType {
  if (value === null || value === undefined || value === '') return 'IPV4';
  const found = typeof value === 'string' ? NETWORK_TYPES.find((t) => t.toLowerCase() === value.trim().toLowerCase()) : undefined;
  if (found) {
    if (found !== value) notes.push({ field, message: `read as ${found}` });
    return found;
  }
  notes.push({ field, message: `not one of ${NETWORK_TYPES.join(', ')}; read as IPV4, the default` });
  return 'IPV4';
}

type PushedService = NonNullable<PushedBasic['cocoaManagedService']>[number];

/**
 * Services: each one checked on its own; one that cannot be managed (no valid domain, record or
 * provider name) is left out with a note rather than refusing the push. An exact repeat (the Go CLI's
 * delete leaves one copy per node) is counted once; another service on a record already listed is
 * left out; a repeated name of a different record gets a `#2` suffix, since services are keyed by name.
 */
function readServices(value: unknown, notes: PushNote[]): PushedService[] {
  const at = 'cocoaBasic.cocoaManagedService';
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    notes.push({ field: at, message: 'not a list; read as no services, as the Go program does' });
    return [];
  }
  const out: PushedService[] = [];
  value.slice(0, MAX_SERVICES).forEach((raw, i) => {
    const r = serviceV1Schema.safeParse(raw);
    if (!r.success) {
      const d = describeIssues(r.error)[0];
      notes.push({ field: d && d.field !== '(body)' ? `${at}.${i}.${d.field}` : `${at}.${i}`, message: `${d?.message ?? 'not a service'}; this service is left out` });
      return;
    }
    const s = r.data;
    const sameRecord = out.find((o) => o.domain === s.domain && o.record === s.record && o.platformProvider.toLowerCase() === s.platformProvider.toLowerCase());
    if (sameRecord) {
      if (sameRecord.serviceName !== s.serviceName) notes.push({ field: `${at}.${i}`, message: `the same record as service ${JSON.stringify(sameRecord.serviceName)}; left out` });
      return;
    }
    let name = s.serviceName;
    for (let n = 2; out.some((o) => o.serviceName === name); n++) name = `${s.serviceName} #${n}`;
    if (name !== s.serviceName) notes.push({ field: `${at}.${i}.serviceName`, message: `repeats another service's name; read as ${JSON.stringify(name)}` });
    out.push({ ...s, serviceName: name });
  });
  if (value.length > MAX_SERVICES) notes.push({ field: at, message: `more than ${MAX_SERVICES} services; the rest are left out` });
  return out;
}

type PushedAccount = NonNullable<PushedBasic['cloudPlatformInfo']>[number];

/** Cloud accounts: one that is incomplete is left out with a note; a repeated provider + key keeps the later one, as the Go program uses the last. */
function readAccounts(value: unknown, notes: PushNote[]): PushedAccount[] {
  const at = 'cocoaBasic.cloudPlatformInfo';
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    notes.push({ field: at, message: 'not a list; read as no accounts, as the Go program does' });
    return [];
  }
  const out: PushedAccount[] = [];
  value.slice(0, MAX_ACCOUNTS).forEach((raw, i) => {
    const r = cloudV1Schema.safeParse(raw);
    if (!r.success) {
      const d = describeIssues(r.error)[0];
      notes.push({ field: d && d.field !== '(body)' ? `${at}.${i}.${d.field}` : `${at}.${i}`, message: `${d?.message ?? 'not an account'}; this account is left out` });
      return;
    }
    const same = out.findIndex((o) => o.platformProvider === r.data.platformProvider && o.accessKey === r.data.accessKey);
    if (same >= 0) {
      notes.push({ field: `${at}.${i}`, message: `repeats account ${same}; the later one is kept` });
      out.splice(same, 1);
    }
    out.push(r.data);
  });
  return out;
}

/** A Go `string` field: a string is itself; any other JSON type leaves it empty (noted), as Go's decoder does. */
function goString(value: unknown, field: string, notes: PushNote[]): string {
  if (typeof value === 'string') return value;
  if (value !== undefined && value !== null) notes.push({ field, message: 'not a string; read as empty, as the Go program does' });
  return '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
