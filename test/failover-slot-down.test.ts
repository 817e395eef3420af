// A live node that cannot serve one (line, family) loses that slot alone: per-line address
// failures and service health probes feed the planner this way (failover.ts `down`, serving.ts SlotDown).
import test from 'ava';
import { planAll, slotDownKey, type PlanNode, type ServedSlot } from '../src/cluster/failover.js';
import { planNodeServing } from '../src/cluster/serving.js';
import type { IspCode, ManagedService, NetworkType } from '../src/model.js';

function node(nodeCode: string, isps: IspCode[], networkType: NetworkType = 'IPV4'): PlanNode {
  return { nodeCode, isps, networkType };
}

function show(entries: readonly ServedSlot[]): string[] {
  return entries.map((e) => `${e.line}/${e.family === 'ipv4' ? 'v4' : 'v6'}${e.takeover ? `<${e.owner}` : ''}`);
}

function served(nodes: readonly PlanNode[], live: string[], down: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [code, entries] of planAll({ nodes, live: new Set(live), down: new Set(down) })) out[code] = show(entries);
  return out;
}

const a = node('a', ['CT', 'CU']);
const b = node('b', ['CMCC']);
const c = node('c', []);

test('a node down for one line keeps its other lines; the first other live node stands in for that line', (t) => {
  t.deepEqual(served([a, b, c], ['a', 'b', 'c'], [slotDownKey('a', 'CT', 'ipv4')]), {
    a: ['CU/v4'],
    b: ['CT/v4<a', 'CMCC/v4'],
    c: [],
  });
});

test('a stand-in that is itself down for the line is passed over, and a slot nobody can serve is unserved', (t) => {
  const down = [slotDownKey('a', 'CT', 'ipv4'), slotDownKey('b', 'CT', 'ipv4')];
  t.deepEqual(served([a, b, c], ['a', 'b', 'c'], down), { a: ['CU/v4'], b: ['CMCC/v4'], c: ['CT/v4<a'] });
  t.deepEqual(served([a, b], ['a', 'b'], down), { a: ['CU/v4'], b: ['CMCC/v4'] });
});

test('a second owner serves its own line when the first owner is down for it (no takeover)', (t) => {
  const a2 = node('a2', ['CT']);
  t.deepEqual(served([a, a2], ['a', 'a2'], [slotDownKey('a', 'CT', 'ipv4')]), { a: ['CU/v4'], a2: ['CT/v4'] });
});

test('a verdict about one service moves that service only; a verdict without a service moves every service', (t) => {
  const svc = (serviceName: string): ManagedService =>
    ({ serviceName, nodes: [], domain: 'example.com', record: serviceName, platformProvider: 'Ali', allowCreate: false, ttl: 600 });
  const base = { nodes: [a, b], services: [svc('web'), svc('mail')], live: new Set(['a', 'b']), me: 'b', stateVersion: 1 };
  const probe = planNodeServing({ ...base, slotDown: [{ node: 'a', line: 'CT', family: 'ipv4', service: 'web', reason: 'probe' }] });
  t.deepEqual(Object.fromEntries(probe.services.map((s) => [s.service.serviceName, show(s.mine)])), { web: ['CT/v4<a', 'CMCC/v4'], mail: ['CMCC/v4'] });
  t.is(probe.services[0]!.down.length, 1);
  t.is(probe.services[1]!.down.length, 0);
  const address = planNodeServing({ ...base, slotDown: [{ node: 'a', line: 'CT', family: 'ipv4', reason: 'no address' }] });
  t.deepEqual(Object.fromEntries(address.services.map((s) => [s.service.serviceName, show(s.mine)])), { web: ['CT/v4<a', 'CMCC/v4'], mail: ['CT/v4<a', 'CMCC/v4'] });
  t.not(probe.key, planNodeServing(base).key, 'the key changes with the slots this node writes');
});
