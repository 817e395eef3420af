// Issue 11, efficiency: one listing per (account, zone) per reconcile, paged, shared by every
// service of the zone. Against the Alidns and DNSPod emulators through the real SDKs.
import test from 'ava';
import type { CloudAccount, Family, LineCode, ManagedService } from '../src/model.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator } from './emulators/dnspod.js';

const fast = { sleep: async () => {}, random: () => 0 };

test('40 services in one zone per provider: a steady-state reconcile reads each zone once (paged), at most 4 reads, and writes nothing', async (t) => {
  const ali = await startAlidnsEmulator({ credentials: { LTAI5tZoneList001: 'ali-zone' }, domains: ['example.com'] });
  const dp = await startDnspodEmulator({ credentials: { AKIDzonelist00001: 'dp-zone' }, domains: ['example.net'] });
  t.teardown(ali.close);
  t.teardown(dp.close);
  const services: ManagedService[] = [];
  const serve = new Map<string, { line: LineCode; family: Family }[]>();
  for (let i = 0; i < 40; i++) {
    services.push({ serviceName: `a${i}`, domain: 'example.com', record: `a${i}`, platformProvider: 'Ali', nodes: [], allowCreate: false, ttl: 600 });
    services.push({ serviceName: `d${i}`, domain: 'example.net', record: `d${i}`, platformProvider: 'DNSPod', nodes: [], allowCreate: false, ttl: 600 });
    ali.seed({ domain: 'example.com', rr: `a${i}`, value: '192.0.2.1', line: 'telecom' });
    dp.seed({ domain: 'example.net', rr: `d${i}`, value: '192.0.2.1', line: '电信' });
    serve.set(`a${i}`, [{ line: 'CT', family: 'ipv4' }]);
    serve.set(`d${i}`, [{ line: 'CT', family: 'ipv4' }]);
  }
  // Other names fill the Alidns zone past one page of 500: the listing pages.
  for (let i = 0; i < 520; i++) ali.seed({ domain: 'example.com', rr: `other${i}`, value: '198.51.100.1', line: 'default' });
  const accounts: CloudAccount[] = [
    { platformProvider: 'Ali', accessKey: 'LTAI5tZoneList001', accessSecret: 'ali-zone', endpoint: ali.endpoint },
    { platformProvider: 'DNSPod', accessKey: 'AKIDzonelist00001', accessSecret: 'dp-zone', endpoint: dp.endpoint },
  ];
  const input: ReconcileInput = { nodeCode: 'n', services, cloudAccounts: accounts, serve: serve as Assignments, ips: { ipv4: '203.0.113.10' } };
  const deps = { ...fast, providerFor: cachedProviderFactory() };
  const first = await reconcile(input, deps);
  t.is(first.counts.written, 80);
  const [ar, dr] = [ali.reads(), dp.reads()];
  const steady = await reconcile(input, deps);
  t.is(steady.counts.written, 0);
  t.deepEqual(steady.rows.map((r) => r.reason).filter((r) => r !== 'in-sync'), []);
  t.is(ali.reads() - ar, 2, 'Alidns: 560 records, two pages of 500');
  t.is(dp.reads() - dr, 1);
  t.true(ali.reads() - ar <= 4 && dp.reads() - dr <= 4);
});
