// Leader edits as pure functions: each accepted edit is the next version, each refusal names its
// field and kind, and the input state is never modified.
import test from 'ava';
import { addAccount, addNode, addNotifier, addService, removeAccount, removeNode, removeNotifier, removeService, setAccount, setLeader, setNode, setNodeSecret } from '../src/cluster/edits.js';
import { DomainError, type ErrorKind } from '../src/errors.js';
import type { CloudAccount, ClusterNode, ClusterState, ManagedService, Notifier } from '../src/model.js';
import { clusterNode } from './helpers/fixtures.js';

const node = clusterNode;
const service: ManagedService = { serviceName: 'www', domain: 'example.com', record: 'www', platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 };
const account: CloudAccount = { platformProvider: 'Ali', accessKey: 'LTAI-1', accessSecret: 'ali-secret-value', endpoint: null };
const notifier: Notifier = { name: 'ops', url: 'https://hooks.example/t0ken', format: 'json', secret: null, template: null, events: [] };
const STATE: ClusterState = Object.freeze({
  version: 7,
  term: 2,
  nodes: [node('A', { workMode: 'leader', isps: ['default'] }), node('B')],
  services: [service],
  cloudAccounts: [account],
  notifiers: [notifier],
}) as ClusterState;

const accepted: [string, (s: ClusterState) => ClusterState, (s: ClusterState) => boolean][] = [
  ['add a node', (s) => addNode(s, node('C')), (s) => s.nodes.map((n) => n.nodeCode).join() === 'A,B,C'],
  ['set a node\'s lines', (s) => setNode(s, 'B', { isps: ['CMCC'] }), (s) => s.nodes[1]!.isps.join() === 'CMCC'],
  ['rotate a node\'s secret', (s) => setNodeSecret(s, 'B', 'B-new-secret-4567'), (s) => s.nodes[1]!.secret === 'B-new-secret-4567' && s.nodes[0]!.secret === 'A-secret-0123'],
  ['remove a follower (its lines handed over)', (s) => removeNode(s, 'B', 'A').state, (s) => s.nodes.length === 1 && s.nodes[0]!.isps.includes('CU')],
  ['add a service', (s) => addService(s, { ...service, serviceName: 'api', record: 'api' }), (s) => s.services.length === 2],
  ['remove a service', (s) => removeService(s, 'www'), (s) => s.services.length === 0],
  ['add an account', (s) => addAccount(s, { ...account, accessKey: 'LTAI-2' }), (s) => s.cloudAccounts.length === 2],
  ['set an account\'s endpoint', (s) => setAccount(s, 'Ali', 'LTAI-1', { endpoint: 'https://alidns.example' }), (s) => s.cloudAccounts[0]!.endpoint === 'https://alidns.example'],
  ['remove an account', (s) => removeAccount(s, 'Ali', 'LTAI-1'), (s) => s.cloudAccounts.length === 0],
  ['add a notifier', (s) => addNotifier(s, { ...notifier, name: 'tg' }), (s) => s.notifiers.map((n) => n.name).join() === 'ops,tg'],
  ['remove a notifier', (s) => removeNotifier(s, 'ops'), (s) => s.notifiers.length === 0],
];

for (const [title, edit, check] of accepted) {
  test(`edit: ${title} is the next version, same term, input untouched`, (t) => {
    const before = JSON.stringify(STATE);
    const next = edit(STATE);
    t.is(next.version, STATE.version + 1);
    t.is(next.term, STATE.term);
    t.true(check(next));
    t.is(JSON.stringify(STATE), before);
  });
}

const refused: [string, (s: ClusterState) => unknown, ErrorKind, string][] = [
  ['a node code already in the cluster', (s) => addNode(s, node('B', { nodeAddress: 'http://other:1' })), 'conflict', 'nodeCode'],
  ['an address already in the cluster', (s) => addNode(s, node('C', { nodeAddress: 'http://B.example:44443' })), 'conflict', 'address'],
  ['setting an unknown node', (s) => setNode(s, 'Z', { isps: ['CT'] }), 'not-found', 'nodeCode'],
  ['a secret for an unknown node', (s) => setNodeSecret(s, 'Z', 'Z-secret-0123'), 'not-found', 'nodeCode'],
  ['moving a node onto another\'s address', (s) => setNode(s, 'B', { nodeAddress: 'http://A.example:44443' }), 'conflict', 'address'],
  ['the leader removing itself', (s) => removeNode(s, 'A', 'A'), 'conflict', 'nodeCode'],
  ['a service name already used', (s) => addService(s, { ...service, record: 'other' }), 'conflict', 'name'],
  ['a record already managed on that provider', (s) => addService(s, { ...service, serviceName: 'www2' }), 'conflict', 'record'],
  ['a service on an unknown node', (s) => addService(s, { ...service, serviceName: 'x', record: 'x', nodes: ['Z'] }), 'invalid', 'nodes'],
  ['removing an unknown service', (s) => removeService(s, 'nope'), 'not-found', 'name'],
  ['an account already there', (s) => addAccount(s, account), 'conflict', 'accessKey'],
  ['setting an unknown account', (s) => setAccount(s, 'Ali', 'LTAI-9', { endpoint: null }), 'not-found', 'accessKey'],
  ['removing an unknown account', (s) => removeAccount(s, 'DNSPod', 'LTAI-1'), 'not-found', 'accessKey'],
  ['a notifier name already used', (s) => addNotifier(s, { ...notifier, url: 'https://other.example/x' }), 'conflict', 'name'],
  ['removing an unknown notifier', (s) => removeNotifier(s, 'nope'), 'not-found', 'name'],
];

for (const [title, edit, kind, field] of refused) {
  test(`edit refused: ${title} (${kind}, field ${field}), nothing changed`, (t) => {
    const before = JSON.stringify(STATE);
    const err = t.throws(() => edit(STATE), { instanceOf: DomainError });
    t.is(err?.kind, kind);
    t.is(err?.field, field);
    t.is(JSON.stringify(STATE), before);
  });
}

test('promote: a new term above the old leader\'s, a version past both, exactly one leader', (t) => {
  const next = setLeader(STATE, 'B', 12, 5);
  t.is(next.term, 6);
  t.is(next.version, 13);
  t.deepEqual(next.nodes.map((n) => `${n.nodeCode}:${n.workMode}`), ['A:follower', 'B:leader']);
  t.throws(() => setLeader(STATE, 'Z', 0), { instanceOf: DomainError });
});
