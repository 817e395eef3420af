// The OpenAPI 3.1 description of every HTTP endpoint a node serves: the original's v1 protocol,
// the signed admin and cluster API (v2), and the public surfaces. test/surfaces-openapi.test.ts
// walks the app's routers and fails when a route is missing here or described but not served.
// Examples use placeholders, never anything shaped like a real secret or access key.
import { ISP_CODES, LINE_CODES, NETWORK_TYPES, WORK_MODES } from '../../model.js';
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

const schemas: Record<string, Schema> = {
  Error: obj({ error: str('Machine-readable code, e.g. `invalid_input`.'), message: str(), details: arr(obj({ field: str(), message: str() }, ['field', 'message'])) }, ['error', 'message']),
  IspCode: { type: 'string', enum: [...ISP_CODES] },
  LineCode: { type: 'string', enum: [...LINE_CODES] },
  NetworkType: { type: 'string', enum: [...NETWORK_TYPES] },
  WorkMode: { type: 'string', enum: [...WORK_MODES] },
  Family: { type: 'string', enum: ['ipv4', 'ipv6'] },
  V1Request: obj({ cocoaSecret: str('v1 only (V1Compat): the receiving node\'s secret in clear. v2 callers sign instead and may send `{}`.') }),
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
  V1Service: obj({ serviceName: str(), domain: str(), record: str(), platformProvider: str(), nodes: arr(str()), allowCreate: bool(), ttl: int() }, ['serviceName', 'domain', 'record', 'platformProvider'], { additionalProperties: true }),
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
  V1ClusterInfoReply: { allOf: [ref('V1Reply'), obj({ cocoaBasic: ref('CocoaBasic') })] },
  V1PushRequest: obj(
    {
      cocoaSecret: str('v1 only; v2 pushes are signed.'),
      cocoaBasic: obj({ otherCocoaSyncer: arr(ref('V1Node')), cocoaManagedService: arr(ref('V1Service')), cloudPlatformInfo: arr(ref('V1CloudAccount')), stateVersion: int('Absent from a v1 leader.') }, ['otherCocoaSyncer'], { additionalProperties: true }),
    },
    ['cocoaBasic'],
  ),
  V1PushReply: { allOf: [ref('V1Reply'), obj({ stateVersion: int(), reason: str(), leader: nullable(str()), message: str() })] },
  PublicNodeInfo: obj({ nodeCode: str(), nodeName: str(), nodeAddress: str(), workMode: ref('WorkMode'), isps: arr(ref('IspCode')), networkType: ref('NetworkType') }),
  Service: obj({ serviceName: str(), domain: str(), record: str('`@` for the apex.'), platformProvider: str(), nodes: arr(str(), 'Node codes serving it; empty: every node.'), allowCreate: bool(), ttl: int() }, ['serviceName', 'domain', 'record', 'platformProvider', 'nodes', 'allowCreate', 'ttl']),
  PublicAccount: obj({ provider: str(), accessKey: str(), accessKeyMasked: str(), accessSecret: str('Always masked.'), endpoint: nullable(str()) }),
  ServedLine: obj({ line: ref('LineCode'), family: ref('Family'), takeover: bool(), owner: str() }),
  NodeStatus: obj({
    nodeCode: str(), nodeName: str(), nodeAddress: str(), workMode: str(), self: bool(), isps: arr(str()), networkType: str(), statusCode: int(), up: bool(), recovering: bool(),
    watchDog: nullable(str()), watchDogAgeSeconds: nullable({ type: 'number' }), serving: arr(ref('ServedLine')), stateVersion: nullable(int()), lastError: nullable(str()), protocol: nullable(str()),
  }),
  ClusterStatus: obj({
    node: obj({ nodeCode: str(), nodeName: str(), workMode: str(), stateVersion: int(), joined: bool(), startedAt: str(), uptimeSeconds: int() }),
    nodes: arr(ref('NodeStatus')),
    services: arr(obj({ serviceName: str(), domain: str(), record: str(), platformProvider: str(), nodes: arr(str()), allowCreate: bool() })),
    unserved: arr(obj({ service: str(), line: ref('LineCode'), family: ref('Family') })),
    dns: obj({ ips: obj({ ipv4: nullable(str()), ipv6: nullable(str()) }), lastRunAt: nullable(str()), lastReason: nullable(str()), lastSuccessAt: nullable(str()), runs: int(), lastCounts: nullable({ type: 'object', additionalProperties: { type: 'integer' } }), lastErrors: arr(str()) }),
  }),
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
  Change: obj({ kind: { type: 'string', enum: ['update', 'create', 'missing', 'duplicate', 'skip', 'no-ip'] }, service: str(), provider: str(), fqdn: str(), type: str(), family: ref('Family'), line: ref('LineCode'), oldValue: str(), newValue: str() }, ['kind'], { additionalProperties: true }),
  AuditEntry: obj({ at: str(), nodeCode: str(), provider: str(), fqdn: str(), type: str(), line: str(), oldValue: nullable(str()), newValue: str(), outcome: { type: 'string', enum: ['ok', 'failed'] }, error: nullable(str()) }),
  JoinRequest: obj({ address: str('URL the leader reaches the node at.'), secret: str('The joining node\'s CocoaSecret.'), isps: arr(ref('IspCode')), networkType: ref('NetworkType') }, ['address', 'secret'], { additionalProperties: false }),
  NodePatch: obj({ address: str(), isps: arr(ref('IspCode')), networkType: ref('NetworkType'), name: str() }, [], { additionalProperties: false, minProperties: 1 }),
  ServiceRequest: obj({ name: str(), domain: str(), record: str(), provider: str('Ali or DNSPod (aliases accepted).'), nodes: arr(str()), allowCreate: bool(), ttl: int() }, ['name', 'domain', 'record', 'provider'], { additionalProperties: false }),
  AccountRequest: obj({ provider: str(), accessKey: str(), accessSecret: str(), endpoint: nullable(str('Regional endpoint or emulator URL.')) }, ['provider', 'accessKey', 'accessSecret'], { additionalProperties: false }),
  AccountPatch: obj({ accessSecret: str(), endpoint: nullable(str()) }, [], { additionalProperties: false, minProperties: 1 }),
  QuitRequest: obj({ force: bool('Reset even if the leader cannot be told.') }, [], { additionalProperties: false }),
  LeaveRequest: obj({ nodeCode: str('Must be the signing node.') }, ['nodeCode'], { additionalProperties: false }),
  DemoteRequest: obj({ newLeader: str('Must be the signing node.') }, ['newLeader'], { additionalProperties: false }),
  HealthLevel: { type: 'string', enum: ['healthy', 'degraded', 'leader-down'] },
  PublicStatus: obj({
    generatedAt: str(),
    node: obj({ name: str(), role: str(), version: str('Software version.'), stateVersion: int(), joined: bool(), startedAt: str(), uptimeSeconds: int() }),
    health: obj({ up: int(), total: int(), level: ref('HealthLevel') }),
    nodes: arr(obj({ index: int('Position in the cluster order (node codes are not public).'), name: str(), role: str(), self: bool(), up: bool(), recovering: bool(), watchdogAgeSeconds: nullable({ type: 'number' }), networkType: str(), owns: arr(str()), serving: arr(obj({ line: ref('LineCode'), family: ref('Family'), takeover: bool(), from: nullable(str()) })), stateVersion: nullable(int()) })),
    services: arr(obj({ name: str(), fqdn: str(), provider: str(), lines: arr(obj({ line: ref('LineCode'), family: ref('Family'), type: str(), owners: arr(str()), servedBy: nullable(str()), takeover: bool(), value: nullable(str('As this node last read or wrote it; null: unknown here.')), state: str(), observedAt: nullable(str()) })) })),
    dns: obj({ ipv4: nullable(str()), ipv6: nullable(str()), dryRun: bool(), runs: int(), lastRunAt: nullable(str()), lastSuccessAt: nullable(str()), lastErrors: arr(str()) }),
    changes: nullable(arr(obj({ at: str(), node: str(), fqdn: str(), type: str(), line: str(), oldValue: nullable(str()), newValue: str(), outcome: str(), error: nullable(str()) }))),
  }),
  Readiness: obj({ status: { type: 'string', enum: ['ready', 'not ready'] }, reason: str(), checks: obj({ database: str(), config: str() }) }, ['status', 'checks']),
};

const codeParam: Json = { name: 'code', in: 'path', required: true, schema: str(), description: 'Node code.' };
const nameParam: Json = { name: 'name', in: 'path', required: true, schema: str(), description: 'Service name.' };
const accountParams: Json[] = [
  { name: 'provider', in: 'path', required: true, schema: str(), description: 'Ali or DNSPod.' },
  { name: 'accessKey', in: 'path', required: true, schema: str(), description: 'The account\'s access key id.' },
];

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
  '/v2/admin/status': {
    get: { tags: [TAGS.admin], summary: 'This node\'s view of the cluster', operationId: 'adminStatus', security: SIGNED, responses: { '200': ok('Status.', ref('ClusterStatus')), ...adminErrors() } },
  },
  '/v2/admin/pushes': {
    get: { tags: [TAGS.admin], summary: 'Per-follower push state (leader): applied version, last push, last error', operationId: 'listPushes', security: SIGNED, responses: { '200': ok('Push state.', obj({ stateVersion: int(), followers: arr(ref('FollowerPushStatus')) })), ...adminErrors() } },
  },
  '/v2/admin/join': {
    post: {
      tags: [TAGS.admin],
      summary: 'Add a node to the cluster (leader)',
      operationId: 'join',
      security: SIGNED,
      requestBody: body(ref('JoinRequest'), { address: 'http://192.0.2.20:44443', secret: '<the joining node\'s CocoaSecret>', isps: ['CU', 'CMCC'], networkType: 'IPV4' }),
      responses: { '201': ok('Joined.', obj({ joined: ref('PublicNodeInfo'), stateVersion: int() })), ...adminErrors(405, 409, 502) },
    },
  },
  '/v2/admin/quit': {
    post: {
      tags: [TAGS.admin],
      summary: 'Leave the cluster (follower)',
      operationId: 'quit',
      security: SIGNED,
      requestBody: body(ref('QuitRequest'), { force: false }),
      responses: { '200': ok('Left.', obj({ leaderTold: bool(), error: str() })), ...adminErrors(405, 409, 502) },
    },
  },
  '/v2/admin/nodes': {
    get: { tags: [TAGS.admin], summary: 'Nodes with their status', operationId: 'listNodes', security: SIGNED, responses: { '200': ok('Nodes.', obj({ nodes: arr(ref('NodeStatus')), stateVersion: int() })), ...adminErrors() } },
  },
  '/v2/admin/nodes/{code}': {
    patch: {
      tags: [TAGS.admin],
      summary: 'Change a node (leader)',
      operationId: 'setNode',
      security: SIGNED,
      parameters: [codeParam],
      requestBody: body(ref('NodePatch'), { isps: ['CT', 'default'] }),
      responses: { '200': ok('Changed.', obj({ node: ref('PublicNodeInfo'), stateVersion: int() })), ...adminErrors(404, 405, 409) },
    },
    delete: {
      tags: [TAGS.admin],
      summary: 'Remove a node, handing its lines over (leader)',
      operationId: 'removeNode',
      security: SIGNED,
      parameters: [codeParam],
      responses: { '200': ok('Removed.', obj({ removed: str(), moves: arr(ref('HandOffMove')), unserved: arr({ type: 'object' }), nodeTold: bool(), tellError: str(), stateVersion: int() })), ...adminErrors(404, 405, 409) },
    },
  },
  '/v2/admin/services': {
    get: { tags: [TAGS.admin], summary: 'Managed services', operationId: 'listServices', security: SIGNED, responses: { '200': ok('Services.', obj({ services: arr(ref('Service')), stateVersion: int() })), ...adminErrors() } },
    post: {
      tags: [TAGS.admin],
      summary: 'Add a managed service (leader)',
      operationId: 'addService',
      security: SIGNED,
      requestBody: body(ref('ServiceRequest'), { name: 'www', domain: 'example.com', record: 'www', provider: 'Ali', nodes: [], allowCreate: false, ttl: 600 }),
      responses: { '201': ok('Added.', obj({ service: ref('Service'), warnings: arr(str()), stateVersion: int() })), ...adminErrors(405, 409) },
    },
  },
  '/v2/admin/services/{name}': {
    delete: { tags: [TAGS.admin], summary: 'Remove a managed service (leader)', operationId: 'removeService', security: SIGNED, parameters: [nameParam], responses: { '200': ok('Removed.', obj({ removed: str(), stateVersion: int() })), ...adminErrors(404, 405, 409) } },
  },
  '/v2/admin/accounts': {
    get: { tags: [TAGS.admin], summary: 'DNS provider accounts (secrets masked)', operationId: 'listAccounts', security: SIGNED, responses: { '200': ok('Accounts.', obj({ accounts: arr(ref('PublicAccount')), stateVersion: int() })), ...adminErrors() } },
    post: {
      tags: [TAGS.admin],
      summary: 'Add a DNS provider account (leader)',
      operationId: 'addAccount',
      security: SIGNED,
      requestBody: body(ref('AccountRequest'), { provider: 'Ali', accessKey: '<access key id>', accessSecret: '<access key secret>', endpoint: null }),
      responses: { '201': ok('Added.', obj({ account: ref('PublicAccount'), stateVersion: int() })), ...adminErrors(405, 409) },
    },
  },
  '/v2/admin/accounts/{provider}/{accessKey}': {
    patch: {
      tags: [TAGS.admin],
      summary: 'Change an account\'s secret or endpoint (leader)',
      operationId: 'setAccount',
      security: SIGNED,
      parameters: accountParams,
      requestBody: body(ref('AccountPatch'), { accessSecret: '<new access key secret>' }),
      responses: { '200': ok('Changed.', obj({ account: ref('PublicAccount'), stateVersion: int() })), ...adminErrors(404, 405, 409) },
    },
    delete: {
      tags: [TAGS.admin],
      summary: 'Remove an account (leader)',
      operationId: 'removeAccount',
      security: SIGNED,
      parameters: accountParams,
      responses: { '200': ok('Removed.', obj({ removed: obj({ provider: str(), accessKey: str('Masked.') }), stateVersion: int() })), ...adminErrors(404, 405, 409) },
    },
  },
  '/v2/admin/promote': {
    post: { tags: [TAGS.admin], summary: 'Make this follower the leader', operationId: 'promote', security: SIGNED, responses: { '200': ok('Promoted.', obj({ oldLeader: nullable(str()), oldLeaderTold: bool(), error: str(), stateVersion: int() })), ...adminErrors(409) } },
  },
  '/v2/admin/dns/plan': {
    get: { tags: [TAGS.admin], summary: 'The DNS changes a reconcile would make now (dry run)', operationId: 'dnsPlan', security: SIGNED, responses: { '200': ok('Plan.', obj({ text: str(), changes: arr(ref('Change')), errors: arr({ type: 'object' }), ips: obj({ ipv4: str(), ipv6: str() }), dryRun: bool() })), ...adminErrors() } },
  },
  '/v2/admin/dns/log': {
    get: {
      tags: [TAGS.admin],
      summary: 'DNS audit log, newest first',
      operationId: 'dnsLog',
      security: SIGNED,
      parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } }],
      responses: { '200': ok('Entries.', obj({ entries: arr(ref('AuditEntry')) })), ...adminErrors(503) },
    },
  },
  '/v2/cluster/leave': {
    post: {
      tags: [TAGS.cluster],
      summary: 'A follower asks the leader to remove it (signed by that follower)',
      operationId: 'clusterLeave',
      security: SIGNED,
      requestBody: body(ref('LeaveRequest'), { nodeCode: 'follower-1' }),
      responses: { '200': ok('Removed.', obj({ statusCode: int(), statusString: str(), moves: arr(ref('HandOffMove')), stateVersion: int() })), ...adminErrors(403, 405, 409) },
    },
  },
  '/v2/cluster/demote': {
    post: {
      tags: [TAGS.cluster],
      summary: 'A promoted node asks the old leader to step down (signed by the new leader)',
      operationId: 'clusterDemote',
      security: SIGNED,
      requestBody: body(ref('DemoteRequest'), { newLeader: 'follower-1' }),
      responses: { '200': ok('Stepped down.', obj({ statusCode: int(), statusString: str(), stateVersion: int() })), ...adminErrors(403, 404, 409) },
    },
  },
};

let cached: Record<string, Json> | null = null;

export function openApiSpec(): Record<string, Json> {
  cached ??= {
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
    paths: paths as unknown as Json,
    components: {
      schemas: schemas as unknown as Json,
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
