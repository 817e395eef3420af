// The OpenAPI document is kept true by walking the app's routers: every route served is described
// and every described route is served.
import test from 'ava';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { createApp } from '../src/http/app.js';
import { api } from '../src/api/contract.js';
import { openApiSpec, requestJsonSchema } from '../src/http/pages/openapi.js';
import { NonceCache } from '../src/security/index.js';
import { startTestNode } from './helpers/node.js';

type Spec = { openapi: string; paths: Record<string, Record<string, { operationId?: string; parameters?: { name: string; in: string }[]; responses?: Record<string, unknown> }>>; components: Record<string, Record<string, unknown>> };

type JsonSchema = { type?: string; required?: string[]; additionalProperties?: boolean; minProperties?: number; properties?: Record<string, JsonSchema>; items?: JsonSchema; enum?: string[]; pattern?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number; default?: unknown; uniqueItems?: boolean; minItems?: number };

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** "METHOD /path/{param}" for every route layer of every router mounted on the app. */
function servedRoutes(middleware: readonly Middleware[]): Set<string> {
  const out = new Set<string>();
  for (const mw of middleware) {
    const router = (mw as Middleware & { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      if (layer.methods.length === 0) continue; // router.use(): middleware, not a route
      const path = String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of layer.methods) {
        // @koa/router answers HEAD for every GET route by itself.
        if (method === 'HEAD' && layer.methods.includes('GET')) continue;
        out.add(`${method} ${path}`);
      }
    }
  }
  return out;
}

function describedRoutes(spec: Spec): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item)) if (OPERATION_METHODS.includes(method)) out.add(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

test('every route the app serves is in the OpenAPI document, and every documented route is served', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const { config, runtime, store, log, heartbeat, pusher, dnsSync, commands, metrics, reactor } = node;
  const app = createApp({ config, runtime, store, log, startedAt: new Date(), nonceCache: new NonceCache(), heartbeat, pusher, dnsSync, commands, metrics, reactor, notifications: node.notifications });
  const served = servedRoutes(app.middleware);
  const described = describedRoutes(openApiSpec() as unknown as Spec);
  t.true(served.size > 20, `found ${served.size} routes`);
  t.deepEqual([...served].filter((r) => !described.has(r)).sort(), [], 'served but not documented');
  t.deepEqual([...described].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
  for (const r of ['GET /v1/badge', 'GET /metrics', 'POST /v2/admin/join', 'POST /v2/cluster/leave', 'POST /v1/updateClusterInfo']) t.true(served.has(r), r);
});

test('the document is served at /v1/openapi.json as OpenAPI 3.x with resolvable references and declared path parameters', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const res = await fetch(`${node.url}/v1/openapi.json`);
  t.is(res.status, 200);
  const spec = (await res.json()) as Spec;
  t.deepEqual(spec, JSON.parse(JSON.stringify(openApiSpec())));
  t.regex(spec.openapi, /^3\.\d+\.\d+$/);

  const text = JSON.stringify(spec);
  for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) t.truthy(spec.components.schemas![name!], `$ref ${name}`);

  const ids = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    for (const [method, op] of Object.entries(item)) {
      t.truthy(op.operationId, `${method} ${path} has an operationId`);
      t.false(ids.has(op.operationId!), `operationId ${op.operationId} is unique`);
      ids.add(op.operationId!);
      t.true(Object.keys(op.responses ?? {}).length > 0, `${method} ${path} has responses`);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      t.deepEqual(declared, templated, `${method} ${path} declares its path parameters`);
    }
  }
});

test('examples in the document hold placeholders, never anything shaped like a real secret or key', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.stop());
  const text = JSON.stringify(openApiSpec());
  t.false(text.includes(node.config.secret));
  const examples: string[] = [];
  const walk = (v: unknown, inExample: boolean): void => {
    if (typeof v === 'string') {
      if (inExample) examples.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, inExample));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, inExample || k === 'example' || k === 'examples');
  };
  walk(openApiSpec(), false);
  t.true(examples.length > 5);
  const realLooking = [/LTAI[A-Za-z0-9]{8,}/, /AKID[A-Za-z0-9]{8,}/, /[A-Za-z0-9+/_-]{24,}/, /[0-9a-f]{16,}/i];
  for (const e of examples) for (const re of realLooking) t.false(re.test(e), `example "${e}" looks like a real credential`);
});

test('request bodies and parameters of the signed API carry the constraints the node enforces (generated from the contract)', (t) => {
  const spec = openApiSpec() as unknown as Spec & { components: { schemas: Record<string, JsonSchema> } };
  const body = (name: string) => spec.components.schemas[name]!;

  const join = body('JoinRequest');
  t.deepEqual(join.required, ['address', 'secret']);
  t.is(join.additionalProperties, false);
  t.is(join.properties!.secret!.minLength, 1);
  t.is(join.properties!.secret!.maxLength, 256);
  t.true(join.properties!.isps!.items!.enum!.includes('CMCC'));
  t.true(join.properties!.isps!.uniqueItems);
  t.deepEqual(join.properties!.networkType!.enum, ['IPV4', 'IPV6', 'Both']);

  const service = body('ServiceRequest');
  t.deepEqual(service.required, ['name', 'domain', 'record', 'provider']);
  t.like(service.properties!.ttl, { type: 'integer', minimum: 1, maximum: 604800, default: 600 });
  t.is(service.properties!.nodes!.items!.pattern, '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$');

  t.is(body('LeaveRequest').properties!.nodeCode!.pattern, '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$');
  t.like(body('NodePatch'), { minProperties: 1, additionalProperties: false });
  t.like(body('NodePatch').properties!.name, { minLength: 1, maxLength: 64 });
  t.like(body('AccountPatch'), { minProperties: 1 });

  // Every endpoint with a body documents exactly the JSON Schema of its contract schema.
  for (const [operationId, e] of Object.entries(api)) {
    const op = spec.paths[e.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]![e.method.toLowerCase()] as { operationId: string; requestBody?: { content: Record<string, { schema: { $ref: string } }> } };
    t.is(op.operationId, operationId);
    if (!('body' in e) || !e.body) continue;
    const ref = op.requestBody!.content['application/json']!.schema.$ref.replace('#/components/schemas/', '');
    t.deepEqual(body(ref), requestJsonSchema(e.body), operationId);
  }

  // The v1 bodies come from the schemas the v1 routes parse with.
  const push = body('V1PushRequest');
  t.deepEqual(push.required, ['cocoaBasic']);
  const nodes = push.properties!.cocoaBasic!.properties!.otherCocoaSyncer!;
  t.like(nodes, { type: 'array', minItems: 1 });
  // A Go leader's node codes may be any text its CLI accepts (北京): bounded, not patterned.
  t.like(nodes.items!.properties!.nodeCode!, { type: 'string', minLength: 1 });
  t.true(nodes.items!.properties!.networkType!.enum!.includes('Both'));

  const log = spec.paths['/v2/admin/dns/log']!.get!.parameters!.find((p) => p.name === 'limit') as unknown as { in: string; required: boolean; schema: JsonSchema };
  t.like(log, { in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } });
  const code = spec.paths['/v2/admin/nodes/{code}']!.patch!.parameters!.find((p) => p.name === 'code') as unknown as { schema: JsonSchema };
  t.is(code.schema.pattern, '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$');
});
