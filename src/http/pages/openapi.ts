// The OpenAPI 3.1 description of every HTTP endpoint a node serves: the original's v1 protocol,
// the signed admin and cluster API (v2, generated from the contract in src/api/contract.ts), and
// the public surfaces. test/surfaces-openapi.test.ts walks the app's routers and fails when a route
// is missing here or described but not served.
// Examples use placeholders, never anything shaped like a real secret or access key.
import { z } from 'zod';
import { api, type Api } from '../../api/contract.js';
import type { EndpointDef } from '../../api/endpoint.js';
import { v1PushSchema, v1RequestSchema } from '../../cluster/wire-v1.js';
import { ISP_CODES, LINE_CODES, NETWORK_TYPES, NOTIFY_EVENTS, NOTIFY_FORMATS, WORK_MODES } from '../../model.js';
import { BADGE_STYLES, DEFAULT_BADGE_LABEL } from './badge.js';
import { softwareVersion } from './version.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const content = (schema: Schema, example?: Json): Json => ({ 'application/json': { schema, ...(example !== undefined ? { example } : {}) } });
const ok = (description: string, schema: Schema, example?: Json): Json => ({ description, content: content(schema, example) });
const error = (description: string): Json => ({ description, content: content(ref('Error')) });
const body = (schema: Schema, example?: Json): Json => ({ required: true, content: content(schema, example) });
const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const arr = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({ type: 'object', properties, ...(required.length ? { required } : {}), ...extra });
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: 'null' }] });

const SECRET_PLACEHOLDER = '<this node\'s CocoaSecret>';
const SIGNED: Json[] = [{ cocoaSignature: [] }];
// Signed (v2), or with the secret in the body as `cocoaSecret` (v1, V1Compat only; OpenAPI has no
// scheme for a secret in a JSON body, so that alternative is the empty requirement).
const V1_AUTH: Json[] = [{ cocoaSignature: [] }, {}];
const TAGS = { v1: 'v1 protocol', admin: 'admin (signed)', cluster: 'cluster (signed)', public: 'monitoring' };

const adminErrors = (...codes: number[]): Record<string, Json> => {
  const out: Record<string, Json> = {
    '400': error('Invalid input; `details` names each bad field.'),
    '401': error('Missing, stale, replayed or wrong signature.'),
  };
  const text: Record<number, string> = {
    403: 'Signed by a node that may not ask this.',
    404: 'No such node, service or account.',
    405: 'Not allowed on this node\'s role (e.g. an edit sent to a follower).',
    409: 'Conflicts with the cluster state (already present, not joined, not the leader, ...).',
    502: 'A peer the command had to reach did not answer as expected.',
    503: 'The database is unreachable.',
  };
  for (const c of codes) out[String(c)] = error(text[c] ?? 'Error.');
  return out;
};

const v1Reply = (description: string, schema: Schema = ref('V1Reply')): Record<string, Json> => ({
  '200': ok(`${description} Always HTTP 200 (as the original): the outcome is \`statusCode\` in the body.`, schema),
  '400': error('Malformed JSON, wrong types or missing fields.'),
  '413': error('Body larger than BodyLimitKB.'),
  '415': error('Body is not application/json.'),
});

/** A v1 POST route: signed (v2) or with the secret in the body (v1, V1Compat). */
const v1Post = (operationId: string, summary: string, description: string, request: 'V1Request' | 'V1PushRequest', responses: Record<string, Json>): Record<string, Json> => ({
  post: {
    tags: [TAGS.v1],
    summary,
    description,
    operationId,
    security: V1_AUTH,
    requestBody: body(ref(request), request === 'V1Request' ? { cocoaSecret: SECRET_PLACEHOLDER } : undefined),
    responses,
  },
});

const withDescription = (schema: Schema, description: string): Schema => ({ description, ...schema });

const schemas: Record<string, Schema> = {
  Error: obj({ error: str('Machine-readable code, e.g. `invalid_input`.'), message: str(), details: arr(obj({ field: str(), message: str() }, ['field', 'message'])) }, ['error', 'message']),
  IspCode: { type: 'string', enum: [...ISP_CODES] },
  LineCode: { type: 'string', enum: [...LINE_CODES] },
  NetworkType: { type: 'string', enum: [...NETWORK_TYPES] },
  WorkMode: { type: 'string', enum: [...WORK_MODES] },
  Family: { type: 'string', enum: ['ipv4', 'ipv6'] },
  // Generated from the zod schemas the v1 routes parse with (src/cluster/wire-v1.ts).
  V1Request: withDescription(requestJsonSchema(v1RequestSchema), '`cocoaSecret`: v1 only (V1Compat), the receiving node\'s secret in clear. v2 callers sign instead and may send `{}`.'),
  V1Reply: obj({ statusCode: int('200 ok, 201 follower not joined, 400 refused, 401 wrong secret, 405 not allowed on this role, 409 stale/conflict.'), statusString: str() }, ['statusCode', 'statusString'], { additionalProperties: true }),
  Alive: obj({ statusCode: int(), statusString: str(), nodeName: str(), workMode: ref('WorkMode') }, ['statusCode', 'statusString']),
  V1Node: obj(
    {
      nodeName: str(),
      nodeCode: str(),
      nodeAddress: str(),
      workMode: ref('WorkMode'),
      cocoaSecret: str('Masked in answers; sealed for the receiver in a v2 push; clear only in a v1 push.'),
      ISPs: arr(ref('IspCode')),
      networkType: ref('NetworkType'),
      statusCode: int('200 up, 504 down, as the sender sees the node.'),
      watchDog: str('ISO-8601 time of the node\'s last watchdog refresh.'),
      cocoaManagedService: arr(ref('V1Service')),
    },
    ['nodeCode'],
    { additionalProperties: true },
  ),
  V1Service: obj({ serviceName: str(), domain: str(), record: str(), platformProvider: str(), nodes: arr(str()), allowCreate: bool(), ttl: int(), account: str('v2 extension: the account the service names (masked in answers).'), enforceTtl: bool('v2 extension: existing records are kept at `ttl` too.') }, ['serviceName', 'domain', 'record', 'platformProvider'], { additionalProperties: true }),
  V1CloudAccount: obj({ platformProvider: str(), accessKey: str(), accessSecret: str('Masked in answers; sealed in a v2 push.'), endpoint: nullable(str()) }, ['platformProvider'], { additionalProperties: true }),
  CocoaBasic: obj(
    {
      apiPort: int(),
      nodeName: str(),
      nodeCode: str(),
      nodeAddress: str(),
      workMode: ref('WorkMode'),
      cocoaSecret: str('Always masked.'),
      reverseProxy: bool(),
      otherCocoaSyncer: arr(ref('V1Node')),
      cocoaManagedService: arr(ref('V1Service')),
      cloudPlatformInfo: arr(ref('V1CloudAccount')),
      timeout: int('The original\'s Timeout, minutes.'),
      DataBaseType: str(),
      Dsn: str('Password masked.'),
      stateVersion: int(),
      createdAt: str(),
      updatedAt: str(),
      configImported: bool(),
    },
    [],
    { additionalProperties: true },
  ),
  FamilyAddresses: obj({ ipv4: nullable(str('null: detection failed (the slot is down); absent: not served or unknown.')), ipv6: nullable(str()) }),
  PublishedAddresses: obj({ default: ref('FamilyAddresses'), lines: { type: 'object', additionalProperties: ref('FamilyAddresses'), description: 'LineIP: a line\'s own address per family.' } }, ['default', 'lines']),
  V1ClusterInfoReply: { allOf: [ref('V1Reply'), obj({ cocoaBasic: ref('CocoaBasic'), addresses: withDescription(ref('PublishedAddresses'), 'v2 answers only: the addresses this node publishes per (line, family).') })] },
  V1PushRequest: withDescription(requestJsonSchema(v1PushSchema), 'The leader\'s `cocoaBasic`; `cocoaSecret` only from a v1 leader (v2 pushes are signed), `stateVersion` absent from a v1 leader.'),
  V1PushReply: { allOf: [ref('V1Reply'), obj({ stateVersion: int(), reason: str(), leader: nullable(str()), message: str() })] },
  PublicNodeInfo: obj({ nodeCode: str(), nodeName: str(), nodeAddress: str(), workMode: ref('WorkMode'), isps: arr(ref('IspCode')), networkType: ref('NetworkType') }),
  Service: obj({ serviceName: str(), domain: str(), record: str('`@` for the apex.'), platformProvider: str(), nodes: arr(str(), 'Node codes serving it; empty: every node.'), allowCreate: bool(), ttl: int(), account: str('Access key of the account it writes through, when named; absent: the account of its provider that holds the zone.'), enforceTtl: bool('Existing records are kept at `ttl` too (set by `service set --ttl`).'), check: ref('ServiceCheck') }, ['serviceName', 'domain', 'record', 'platformProvider', 'nodes', 'allowCreate', 'ttl']),
  PublicNotifier: obj({
    name: str(),
    url: str('Masked: scheme and host only (the path and query carry the token).'),
    format: { type: 'string', enum: [...NOTIFY_FORMATS] },
    secret: nullable(str('Always masked; null: unsigned.')),
    template: nullable(str()),
    events: arr({ type: 'string', enum: [...NOTIFY_EVENTS] }, 'Empty: every event.'),
  }),
  ServiceCheck: obj({ url: str('`http://{ip}:PORT/path`, `https://{ip}:PORT/path` or `tcp://{ip}:PORT`.'), intervalSeconds: int(), timeoutSeconds: int(), expectStatus: nullable(int('Null: any 2xx or 3xx.')) }),
  PublicAccount: obj({ provider: str(), accessKey: str(), accessKeyMasked: str(), accessSecret: str('Always masked.'), endpoint: nullable(str()) }),
  ServedLine: obj({ line: ref('LineCode'), family: ref('Family'), takeover: bool(), owner: str() }),
  NodeStatus: obj({
    nodeCode: str(), nodeName: str(), nodeAddress: str(), workMode: str(), self: bool(), isps: arr(str()), networkType: str(), statusCode: int(), up: bool(), recovering: bool(),
    watchDog: nullable(str()), watchDogAgeSeconds: nullable({ type: 'number' }), serving: arr(ref('ServedLine')), stateVersion: nullable(int()), lastError: nullable(str()), protocol: nullable(str()),
    addresses: arr(obj({ line: ref('LineCode'), family: ref('Family'), address: nullable(str()), state: { type: 'string', enum: ['up', 'down', 'unknown'] }, ownEntry: bool() }), 'The address the node publishes per (line, family); down: detection failed, the slot fails over.'),
  }),
  ClusterStatus: obj({
    node: obj({ nodeCode: str(), nodeName: str(), workMode: str(), stateVersion: int(), joined: bool(), startedAt: str(), uptimeSeconds: int() }),
    nodes: arr(ref('NodeStatus')),
    services: arr(obj({ serviceName: str(), domain: str(), record: str(), platformProvider: str(), nodes: arr(str()), allowCreate: bool(), check: nullable(str('The health check URL template; null: not probed.')) })),
    probes: obj({
      results: arr(obj({ prober: str(), service: str(), target: str(), line: ref('LineCode'), family: ref('Family'), ok: bool(), failures: int(), failingForMs: { type: 'number' }, goodStreak: int(), latencyMs: nullable(int()), detail: str(), ageSeconds: { type: 'number' } })),
      verdicts: arr(obj({ service: str(), node: str(), line: ref('LineCode'), family: ref('Family'), down: bool(), probers: int(), failing: int(), healthy: int() })),
    }),
    unserved: arr(obj({ service: str(), line: ref('LineCode'), family: ref('Family') })),
    dns: obj({ ips: obj({ ipv4: nullable(str()), ipv6: nullable(str()) }), lastRunAt: nullable(str()), lastReason: nullable(str()), lastSuccessAt: nullable(str()), runs: int(), lastCounts: nullable({ type: 'object', additionalProperties: { type: 'integer' } }), lastErrors: arr(str()), records: arr(ref('RecordTtl')), timing: obj({ failAfterSeconds: { type: 'number' }, syncSeconds: { type: 'number' } }) }),
  }),
  RecordTtl: obj(
    { service: str(), fqdn: str(), type: str(), line: str(), ttl: int('The record\'s TTL, s.'), boundSeconds: int('FailAfterSeconds + DnsSyncSeconds + TTL, s: how long clients may still get a failed site\'s address.'), warning: nullable(str('Set when the TTL is more than 4 × FailAfterSeconds.')) },
    ['service', 'fqdn', 'type', 'line', 'ttl', 'boundSeconds', 'warning'],
  ),
  FollowerPushStatus: obj({
    nodeCode: str(),
    appliedVersion: nullable(int()),
    lastPushAt: nullable(str()),
    lastSuccessAt: nullable(str()),
    lastError: nullable(str()),
    attempts: int(),
    failures: int(),
    protocol: nullable({ type: 'string', enum: ['v1', 'v2'] }),
  }),
  HandOffMove: obj({ line: ref('LineCode'), family: ref('Family'), to: str('Node code taking the pair over.') }, [], { additionalProperties: true }),
  Change: obj({ kind: { type: 'string', enum: ['update', 'create', 'missing', 'duplicate', 'skip', 'no-ip', 'unsupported'] }, service: str(), provider: str(), fqdn: str(), type: str(), family: ref('Family'), line: ref('LineCode'), oldValue: str(), newValue: str() }, ['kind'], { additionalProperties: true }),
  AuditEntry: obj({ at: str(), nodeCode: str(), provider: str(), fqdn: str(), type: str(), line: str(), oldValue: nullable(str()), newValue: str(), outcome: { type: 'string', enum: ['ok', 'failed'] }, error: nullable(str()) }),
  HealthLevel: { type: 'string', enum: ['healthy', 'degraded', 'leader-down'] },
  PublicStatus: obj({
    generatedAt: str(),
    node: obj({ name: str(), role: str(), version: str('Software version.'), stateVersion: int(), joined: bool(), startedAt: str(), uptimeSeconds: int() }),
    health: obj({ up: int(), total: int(), level: ref('HealthLevel') }),
    nodes: arr(obj({ index: int('Position in the cluster order (node codes are not public).'), name: str(), role: str(), self: bool(), up: bool(), recovering: bool(), watchdogAgeSeconds: nullable({ type: 'number' }), networkType: str(), owns: arr(str()), serving: arr(obj({ line: ref('LineCode'), family: ref('Family'), takeover: bool(), from: nullable(str()) })), stateVersion: nullable(int()) })),
    services: arr(obj({ name: str(), fqdn: str(), provider: str(), lines: arr(obj({ line: ref('LineCode'), family: ref('Family'), type: str(), owners: arr(str()), servedBy: nullable(str()), takeover: bool(), value: nullable(str('As this node last read or wrote it; null: unknown here.')), state: str(), observedAt: nullable(str()) })) })),
    dns: obj({ ipv4: nullable(str()), ipv6: nullable(str()), dryRun: bool(), runs: int(), lastRunAt: nullable(str()), lastSuccessAt: nullable(str()), lastErrors: arr(str()) }),
    probes: arr(obj({
      service: str(), node: str('The probed node\'s name.'), line: ref('LineCode'), family: ref('Family'), down: bool('Down for the service: a majority of probing nodes cannot reach it; its line fails over for this service.'), probers: int(), failing: int(),
      seenBy: arr(obj({ prober: str(), ok: bool(), failures: int(), latencyMs: nullable(int()), detail: str(), ageSeconds: { type: 'number' } })),
    }), 'Service health probes: who sees whom, per line, and the verdicts.'),
    changes: nullable(arr(obj({ at: str(), node: str(), fqdn: str(), type: str(), line: str(), oldValue: nullable(str()), newValue: str(), outcome: str(), error: nullable(str()) }))),
    warnings: arr(str('A setup warning for the operator (e.g. an example or short secret in use); never the secret itself.')),
  }),
  Readiness: obj({ status: { type: 'string', enum: ['ready', 'not ready'] }, reason: str(), checks: obj({ database: str(), config: str() }) }, ['status', 'checks']),
};


const alive = (summary: string): Json => ({ tags: [TAGS.v1], summary, operationId: summary === 'Liveness (root)' ? 'aliveRoot' : 'aliveV1', security: [], responses: { '200': ok('The node answers.', ref('Alive'), { statusCode: 200, statusString: 'MafuMafu~', nodeName: 'LuckyCocoa', workMode: 'leader' }) } });

const paths: Record<string, Record<string, Json>> = {
  '/': { get: alive('Liveness (root)') },
  '/v1': { get: alive('Liveness') },
  '/v1/getClusterInfo': {
    post: {
      tags: [TAGS.v1],
      summary: 'Cluster info (heartbeat pull)',
      description: 'statusCode 200 for a leader or a joined follower, 201 for a follower that has not joined, 401 for a wrong secret. Secrets in the answer are masked, except that a v1 caller (V1Compat) that sent this node\'s own secret gets that one back in cocoaBasic.cocoaSecret and in this node\'s entry, where the Go program puts it (its add-node step keeps it for later pushes).',
      operationId: 'getClusterInfo',
      security: V1_AUTH,
      requestBody: body(ref('V1Request'), { cocoaSecret: SECRET_PLACEHOLDER }),
      responses: v1Reply('Cluster info.', ref('V1ClusterInfoReply')),
    },
  },
  '/v1/updateClusterInfo': {
    post: {
      tags: [TAGS.v1],
      summary: 'Apply the leader\'s push (follower)',
      description: 'statusCode 200 applied, 405 on a leader, 401 wrong secret, 409 stale or not from this node\'s leader, 400 refused (a field that would corrupt the state, named in statusString and details; secrets not sealed for this node; or the push does not list it). A v1 push is read as the Go program reads it (null lines = none, blank network type = IPV4, line codes in any case); what was read differently is listed in notes. Always HTTP 200.',
      operationId: 'updateClusterInfo',
      security: V1_AUTH,
      requestBody: body(ref('V1PushRequest')),
      responses: v1Reply('Push outcome.', ref('V1PushReply')),
    },
  },
  '/v1/cocoaSyncer/quit': {
    post: {
      tags: [TAGS.v1],
      summary: 'Leave the cluster (follower)',
      description: 'statusCode 200 left (201 on the next getClusterInfo), 405 on a leader, 401 wrong secret.',
      operationId: 'v1Quit',
      security: V1_AUTH,
      requestBody: body(ref('V1Request'), { cocoaSecret: SECRET_PLACEHOLDER }),
      responses: v1Reply('Outcome.'),
    },
  },
  '/v1/badge': {
    get: {
      tags: [TAGS.public],
      summary: 'Node badge (SVG)',
      description: `\`${DEFAULT_BADGE_LABEL} | <NodeName> | <up>/<total>\`, green when every node is up, orange when some are down, red when the leader is unreachable. Cached by image proxies for 30 s; answers 304 to a matching If-None-Match.`,
      operationId: 'badge',
      security: [],
      parameters: [
        { name: 'style', in: 'query', required: false, schema: { type: 'string', enum: [...BADGE_STYLES], default: 'flat' } },
        { name: 'label', in: 'query', required: false, schema: { type: 'string', minLength: 1, maxLength: 40, default: DEFAULT_BADGE_LABEL } },
        { name: 'If-None-Match', in: 'header', required: false, schema: str() },
      ],
      responses: {
        '200': { description: 'The badge.', headers: { ETag: { schema: str() }, 'Cache-Control': { schema: str() } }, content: { 'image/svg+xml': { schema: str() } } },
        '304': { description: 'Not modified (If-None-Match matched the ETag).' },
        '400': error('A bad style or label; `details[].field` names it.'),
      },
    },
  },
  '/v1/status': {
    get: {
      tags: [TAGS.public],
      summary: 'Status page (HTML, for people)',
      description: 'This node, every node, the managed services with each line\'s value and the latest DNS changes; refreshes itself from /v1/status.json. Shows no secret, access key, DSN or node code.',
      operationId: 'statusPage',
      security: [],
      responses: { '200': { description: 'The page.', content: { 'text/html': { schema: str() } } } },
    },
  },
  '/v1/status.json': {
    get: { tags: [TAGS.public], summary: 'Status (JSON the page polls)', operationId: 'statusJson', security: [], responses: { '200': ok('The public status view.', ref('PublicStatus')) } },
  },
  '/v1/openapi.json': {
    get: { tags: [TAGS.public], summary: 'This document', operationId: 'openapi', security: [], responses: { '200': ok('OpenAPI 3.1 document.', { type: 'object' }) } },
  },
  '/metrics': {
    get: {
      tags: [TAGS.public],
      summary: 'Prometheus metrics',
      description: 'Prometheus text exposition: `cocoasyncer_*` metrics, the original\'s `cocoaSyncerStatus` gauge, process and Node.js metrics.',
      operationId: 'metrics',
      security: [],
      responses: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: str() } } } },
    },
  },
  '/healthz': {
    get: { tags: [TAGS.public], summary: 'Liveness probe', operationId: 'healthz', security: [], responses: { '200': ok('The process answers.', obj({ status: str() }), { status: 'ok' }) } },
  },
  '/readyz': {
    get: {
      tags: [TAGS.public],
      summary: 'Readiness probe',
      description: 'Ready when the database answers within 1 s and the node identity from the config is applied.',
      operationId: 'readyz',
      security: [],
      responses: {
        '200': ok('Ready.', ref('Readiness'), { status: 'ready', checks: { database: 'ok', config: 'ok' } }),
        '503': ok('Not ready; `reason` says why.', ref('Readiness'), { status: 'not ready', reason: 'the database did not answer within 1000 ms', checks: { database: 'unreachable', config: 'ok' } }),
      },
    },
  },
};

// ---- The signed API: generated from the contract (src/api/contract.ts). Method, path, path and
// query parameters and the request body come from the endpoint and its zod schemas
// (z.toJSONSchema, so lengths, patterns, enums, defaults and required fields are the ones the
// node enforces); only the prose and the reply shapes are written here.

interface AdminDoc {
  tag: string;
  summary: string;
  /** Name of the request body under components.schemas. */
  bodyName?: string;
  example?: Json;
  /** Parameter descriptions, by name. */
  paramText?: Record<string, string>;
  reply: { status?: string; description: string; schema: Schema };
  /** Error statuses beyond 400/401 this endpoint may answer. */
  errors: number[];
}

const ADMIN_DOCS: Record<keyof Api, AdminDoc> = {
  adminStatus: { tag: TAGS.admin, summary: 'This node\'s view of the cluster', reply: { description: 'Status.', schema: ref('ClusterStatus') }, errors: [] },
  listPushes: { tag: TAGS.admin, summary: 'Per-follower push state (leader): applied version, last push, last error', reply: { description: 'Push state.', schema: obj({ stateVersion: int(), followers: arr(ref('FollowerPushStatus')) }) }, errors: [] },
  join: {
    tag: TAGS.admin,
    summary: 'Add a node to the cluster (leader)',
    bodyName: 'JoinRequest',
    example: { address: 'http://192.0.2.20:44443', secret: '<the joining node\'s CocoaSecret>', isps: ['CU', 'CMCC'], networkType: 'IPV4' },
    reply: { status: '201', description: 'Joined. `restored`: lines the node handed over when it quit, given back now.', schema: obj({ joined: ref('PublicNodeInfo'), restored: arr(obj({ line: str(), from: str() })), stateVersion: int() }) },
    errors: [405, 409, 502],
  },
  quit: { tag: TAGS.admin, summary: 'Leave the cluster (follower)', bodyName: 'QuitRequest', example: { force: false }, reply: { description: 'Left.', schema: obj({ leaderTold: bool(), error: str() }) }, errors: [405, 409, 502] },
  listNodes: { tag: TAGS.admin, summary: 'Nodes with their status', reply: { description: 'Nodes.', schema: obj({ nodes: arr(ref('NodeStatus')), stateVersion: int() }) }, errors: [] },
  setNode: {
    tag: TAGS.admin,
    summary: 'Change a node (leader)',
    bodyName: 'NodePatch',
    example: { isps: ['CT', 'default'] },
    paramText: { code: 'Node code.' },
    reply: { description: 'Changed.', schema: obj({ node: ref('PublicNodeInfo'), stateVersion: int() }) },
    errors: [404, 405, 409],
  },
  removeNode: {
    tag: TAGS.admin,
    summary: 'Remove a node, handing its lines over (leader)',
    paramText: { code: 'Node code.' },
    reply: { description: 'Removed.', schema: obj({ removed: str(), moves: arr(ref('HandOffMove')), unserved: arr({ type: 'object' }), nodeTold: bool(), tellError: str(), stateVersion: int() }) },
    errors: [404, 405, 409],
  },
  listServices: { tag: TAGS.admin, summary: 'Managed services', reply: { description: 'Services.', schema: obj({ services: arr(ref('Service')), stateVersion: int() }) }, errors: [] },
  addService: {
    tag: TAGS.admin,
    summary: 'Add a managed service (leader)',
    bodyName: 'ServiceRequest',
    example: { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali', nodes: [], allowCreate: false, ttl: 600 },
    reply: { status: '201', description: 'Added.', schema: obj({ service: ref('Service'), warnings: arr(str()), stateVersion: int() }) },
    errors: [405, 409],
  },
  setService: {
    tag: TAGS.admin,
    summary: 'Change a managed service in place: allowCreate, ttl (existing records too), nodes, account (leader)',
    paramText: { name: 'Service name.' },
    bodyName: 'ServicePatch',
    example: { allowCreate: true, ttl: 600 },
    reply: { description: 'Changed.', schema: obj({ service: ref('Service'), warnings: arr(str()), stateVersion: int() }) },
    errors: [400, 404, 405, 409],
  },
  removeService: { tag: TAGS.admin, summary: 'Remove a managed service (leader)', paramText: { name: 'Service name.' }, reply: { description: 'Removed.', schema: obj({ removed: str(), stateVersion: int() }) }, errors: [404, 405, 409] },
  listAccounts: { tag: TAGS.admin, summary: 'DNS provider accounts (secrets masked)', reply: { description: 'Accounts.', schema: obj({ accounts: arr(ref('PublicAccount')), stateVersion: int() }) }, errors: [] },
  addAccount: {
    tag: TAGS.admin,
    summary: 'Add a DNS provider account (leader)',
    bodyName: 'AccountRequest',
    example: { provider: 'Ali', accessKey: '<access key id>', accessSecret: '<access key secret>', endpoint: null },
    reply: { status: '201', description: 'Added.', schema: obj({ account: ref('PublicAccount'), warnings: arr(str(), 'Services whose account can no longer be told by zone after this change.'), stateVersion: int() }) },
    errors: [405, 409],
  },
  verifyAccount: {
    tag: TAGS.admin,
    summary: 'Try an account\'s credentials with one read call; stores nothing',
    bodyName: 'AccountVerifyRequest',
    example: { provider: 'Ali', accessKey: '<access key id>', accessSecret: '<access key secret>' },
    reply: { description: 'The outcome.', schema: obj({ ok: { type: 'boolean' }, reason: { type: 'string', nullable: true }, message: str() }) },
    errors: [400],
  },
  setAccount: {
    tag: TAGS.admin,
    summary: 'Change an account\'s secret or endpoint (leader)',
    bodyName: 'AccountPatch',
    example: { accessSecret: '<new access key secret>' },
    paramText: { provider: 'Ali or DNSPod.', accessKey: 'The account\'s access key id.' },
    reply: { description: 'Changed.', schema: obj({ account: ref('PublicAccount'), warnings: arr(str()), stateVersion: int() }) },
    errors: [404, 405, 409],
  },
  removeAccount: {
    tag: TAGS.admin,
    summary: 'Remove an account (leader)',
    paramText: { provider: 'Ali or DNSPod.', accessKey: 'The account\'s access key id.' },
    reply: { description: 'Removed.', schema: obj({ removed: obj({ provider: str(), accessKey: str('Masked.') }), warnings: arr(str(), 'Services whose account can no longer be told by zone after this change.'), stateVersion: int() }) },
    errors: [404, 405, 409],
  },
  listNotifiers: { tag: TAGS.admin, summary: 'Notifiers (webhook URLs and secrets masked)', reply: { description: 'Notifiers.', schema: obj({ notifiers: arr(ref('PublicNotifier')), stateVersion: int() }) }, errors: [] },
  addNotifier: {
    tag: TAGS.admin,
    summary: 'Add a notifier: a webhook told about failovers, recoveries, DNS errors, node and leader changes (leader)',
    bodyName: 'NotifierRequest',
    example: { name: 'ops', url: 'https://oapi.dingtalk.com/robot/send?access_token=<token>', format: 'dingtalk', secret: '<SEC... signing secret>', events: ['failover', 'recovery', 'node-down', 'node-up'] },
    reply: { status: '201', description: 'Added.', schema: obj({ notifier: ref('PublicNotifier'), stateVersion: int() }) },
    errors: [405, 409],
  },
  removeNotifier: { tag: TAGS.admin, summary: 'Remove a notifier (leader)', paramText: { name: 'Notifier name.' }, reply: { description: 'Removed.', schema: obj({ removed: str(), stateVersion: int() }) }, errors: [404, 405, 409] },
  testNotifier: {
    tag: TAGS.admin,
    summary: 'Send one test message to a notifier now (one attempt, no retries; any node)',
    paramText: { name: 'Notifier name.' },
    reply: { description: 'The outcome; `delivered` false with `error` when the webhook did not take it.', schema: obj({ name: str(), delivered: bool(), status: int(), error: str() }) },
    errors: [404],
  },
  promote: { tag: TAGS.admin, summary: 'Make this follower the leader', reply: { description: 'Promoted.', schema: obj({ oldLeader: nullable(str()), oldLeaderTold: bool(), error: str(), stateVersion: int() }) }, errors: [409] },
  dnsPlan: {
    tag: TAGS.admin,
    summary: 'The DNS changes a reconcile would make now (dry run)',
    reply: { description: 'Plan.', schema: obj({ text: str(), complete: bool(), changes: arr(ref('Change')), errors: arr({ type: 'object' }), ips: obj({ ipv4: str(), ipv6: str() }), records: arr(ref('RecordTtl')), dryRun: bool() }) },
    errors: [],
  },
  dnsLog: { tag: TAGS.admin, summary: 'DNS audit log, newest first', reply: { description: 'Entries.', schema: obj({ entries: arr(ref('AuditEntry')) }) }, errors: [503] },
  clusterLeave: {
    tag: TAGS.cluster,
    summary: 'A follower asks the leader to remove it (signed by that follower)',
    bodyName: 'LeaveRequest',
    example: { nodeCode: 'follower-1' },
    reply: { description: 'Removed.', schema: obj({ statusCode: int(), statusString: str(), moves: arr(ref('HandOffMove')), stateVersion: int() }) },
    errors: [403, 405, 409],
  },
  clusterDemote: {
    tag: TAGS.cluster,
    summary: 'A promoted node asks the old leader to step down (signed by the new leader)',
    bodyName: 'DemoteRequest',
    example: { newLeader: 'follower-1' },
    reply: { description: 'Stepped down.', schema: obj({ statusCode: int(), statusString: str(), stateVersion: int() }) },
    errors: [403, 404, 409],
  },
  rotateSecret: {
    tag: TAGS.admin,
    summary: 'Change this node\'s secret: its identity and the leader\'s copy together; it answers to the new secret from then on',
    bodyName: 'RotateSecretRequest',
    example: { secret: '<the new CocoaSecret>' },
    reply: { description: 'Rotated.', schema: obj({ rotated: bool(), leaderUpdated: bool(), stateVersion: int() }) },
    errors: [502, 503],
  },
  clusterSecret: {
    tag: TAGS.cluster,
    summary: 'A follower gives the leader its new secret, sealed for the leader (signed by that follower)',
    bodyName: 'ClusterSecretRequest',
    example: { nodeCode: 'follower-1', secret: '<sealed>' },
    reply: { description: 'Stored.', schema: obj({ statusCode: int(), statusString: str(), stateVersion: int() }) },
    errors: [403, 404, 405],
  },
};

/** The JSON Schema (2020-12, as OpenAPI 3.1 uses) of what a client sends for `schema`. */
export function requestJsonSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
}

/** One parameter per key of an object schema: path parameters are required, query ones when not optional. */
function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query', text: Record<string, string> = {}): Json[] {
  if (!schema) return [];
  const json = requestJsonSchema(schema) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
    ...(text[name] ? { description: text[name] } : {}),
  }));
}

/** The operations of the signed API, and the request-body schemas they reference. */
function adminPaths(): { paths: Record<string, Record<string, Json>>; bodies: Record<string, Schema> } {
  const out: Record<string, Record<string, Json>> = {};
  const bodies: Record<string, Schema> = {};
  for (const [operationId, e] of Object.entries(api) as [keyof Api, EndpointDef][]) {
    const doc = ADMIN_DOCS[operationId];
    const path = e.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters = [...parametersOf(e.params, 'path', doc.paramText), ...parametersOf(e.query instanceof z.ZodObject ? e.query : undefined, 'query', doc.paramText)];
    if (e.body && doc.bodyName) bodies[doc.bodyName] = requestJsonSchema(e.body);
    (out[path] ??= {})[e.method.toLowerCase()] = {
      tags: [doc.tag],
      summary: doc.summary,
      operationId,
      security: SIGNED,
      ...(parameters.length ? { parameters } : {}),
      ...(e.body && doc.bodyName ? { requestBody: body(ref(doc.bodyName), doc.example) } : {}),
      responses: { [doc.reply.status ?? '200']: ok(doc.reply.description, doc.reply.schema), ...adminErrors(...doc.errors) },
    };
  }
  return { paths: out, bodies };
}

let cached: Record<string, Json> | null = null;

export function openApiSpec(): Record<string, Json> {
  if (cached) return cached;
  const generated = adminPaths();
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'CocoaSyncer node API',
      version: softwareVersion(),
      description:
        'Every node serves this API. The v1 routes are wire-compatible with the original Go CocoaSyncer (every answer is HTTP 200; the outcome is `statusCode` in the body). ' +
        'The admin (`/v2/admin/*`) and cluster (`/v2/cluster/*`) routes accept only requests signed with the receiving node\'s secret (protocol v2). ' +
        'The monitoring routes are public and never show a secret, an access key, the DSN or a node code.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'This node' }],
    tags: [
      { name: TAGS.v1, description: 'The original\'s protocol between nodes (and liveness).' },
      { name: TAGS.admin, description: 'What the CLI calls; edits go to the leader.' },
      { name: TAGS.cluster, description: 'Calls between nodes beyond v1.' },
      { name: TAGS.public, description: 'Badge, status page, metrics and probes.' },
    ],
    paths: { ...paths, ...generated.paths } as unknown as Json,
    components: {
      schemas: { ...schemas, ...generated.bodies } as unknown as Json,
      securitySchemes: {
        cocoaSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Cocoa-Signature',
          description:
            'Protocol v2 (COCOA-HMAC-SHA256). Send X-Cocoa-Version: 2, X-Cocoa-Key (your node code, or `cli`), X-Cocoa-Timestamp (Unix seconds), X-Cocoa-Nonce (32 hex chars, never reused), ' +
            'X-Cocoa-Content-SHA256 (hex SHA-256 of the raw body) and X-Cocoa-Signature = hex HMAC-SHA256 with the receiving node\'s secret over ' +
            '"COCOA-HMAC-SHA256\\n<METHOD>\\n<path+query>\\n<timestamp>\\n<nonce>\\n<body sha256>". Requests older than 300 s or with a seen nonce are refused.',
        },
      },
    },
  };
  return cached;
}
