import test from 'ava';
import type { CloudAccount, LineSlot, ManagedService } from '../src/model.js';
import { applyChanges, type AuditEntry } from '../src/dns/apply.js';
import { planChanges, type Change } from '../src/dns/plan.js';
import { ProviderError, type DnsProvider } from '../src/dns/provider.js';
import { createProvider } from '../src/dns/registry.js';
import { backoffDelay, DEFAULT_RETRY, withRetry } from '../src/dns/retry.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { startDnspodEmulator } from './emulators/dnspod.js';
import { service } from './helpers/fixtures.js';

const ALI: CloudAccount = { platformProvider: 'Ali', accessKey: 'LTAI5tApplyKey01', accessSecret: 'ali-apply-secret-abc', endpoint: null };
const DP: CloudAccount = { platformProvider: 'DNSPod', accessKey: 'AKIDapplyKey000001', accessSecret: 'dp-apply-secret-xyz', endpoint: null };

const svc = (over: Partial<ManagedService> = {}): ManagedService => service({ serviceName: 'web', ...over });

/** Lists the service through the provider and plans it, as the reconciler does. */
async function planFor(provider: DnsProvider, service: ManagedService, serve: LineSlot[], ipv4 = '2.2.2.2'): Promise<Change[]> {
  const records = await provider.listRecords({ domain: service.domain, record: service.record, fqdn: `${service.record}.${service.domain}` });
  return planChanges({
    services: [service],
    serve: new Map([[service.serviceName, serve]]),
    ips: { ipv4, ipv6: '2001:db8::2' },
    records: new Map([[service.serviceName, records]]),
  });
}

function recorder() {
  const delays: number[] = [];
  const audit: AuditEntry[] = [];
  return {
    delays,
    audit,
    opts: {
      nodeCode: 'node-a',
      sleep: async (ms: number) => void delays.push(ms),
      random: () => 0.5,
      audit: (e: AuditEntry) => void audit.push(e),
    },
  };
}

test('a throttled write is retried with growing, jittered delays until it succeeds (Alidns)', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI.accessKey]: ALI.accessSecret } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  const provider = createProvider({ ...ALI, endpoint: emu.endpoint });
  const changes = await planFor(provider, svc(), [{ line: 'CT', family: 'ipv4' }]);
  emu.faults.throttleNext(2);
  const r = recorder();
  const [result] = await applyChanges(provider, changes, r.opts);
  t.is(result?.outcome, 'ok');
  t.is(result?.attempts, 3);
  t.is(emu.calls.get('UpdateDomainRecord'), 3);
  t.deepEqual(r.delays, [backoffDelay(1, DEFAULT_RETRY, () => 0.5), backoffDelay(2, DEFAULT_RETRY, () => 0.5)]);
  t.true(r.delays[1]! > r.delays[0]!);
  t.is(emu.records({ rr: 'www' })[0]?.value, '2.2.2.2');
  t.like(r.audit[0], { nodeCode: 'node-a', provider: 'Ali', fqdn: 'www.example.com', type: 'A', line: 'CT', oldValue: '1.1.1.1', newValue: '2.2.2.2', outcome: 'ok' });
  t.true(r.audit[0]?.at instanceof Date);
});

test('a write answered with HTTP 5xx is retried until it succeeds (DNSPod)', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP.accessKey]: DP.accessSecret } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: '电信' });
  const provider = createProvider({ ...DP, endpoint: emu.endpoint });
  const changes = await planFor(provider, svc({ platformProvider: 'DNSPod' }), [{ line: 'CT', family: 'ipv4' }]);
  emu.faults.failNext(2, 503);
  const r = recorder();
  const [result] = await applyChanges(provider, changes, r.opts);
  t.is(result?.outcome, 'ok');
  t.is(result?.attempts, 3);
  t.is(emu.records({ rr: 'www', type: 'A' })[0]?.value, '2.2.2.2');
});

test('DNSPod throttling (RequestLimitExceeded) is retried; retries stop at the attempt bound', async (t) => {
  const emu = await startDnspodEmulator({ credentials: { [DP.accessKey]: DP.accessSecret } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: '电信' });
  const provider = createProvider({ ...DP, endpoint: emu.endpoint });
  const changes = await planFor(provider, svc({ platformProvider: 'DNSPod' }), [{ line: 'CT', family: 'ipv4' }]);
  emu.faults.throttleNext(100);
  const r = recorder();
  const [result] = await applyChanges(provider, changes, { ...r.opts, policy: { attempts: 3 } });
  t.is(result?.outcome, 'failed');
  t.is(result?.attempts, 3);
  t.is(result?.code, 'RequestLimitExceeded');
  t.is(emu.calls.get('ModifyRecord'), 3);
  t.is(r.audit[0]?.outcome, 'failed');
  t.regex(r.audit[0]?.error ?? '', /RequestLimitExceeded/);
});

test('an auth error is not retried, names provider, masked key id and code, and never the secret', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI.accessKey]: ALI.accessSecret } });
  t.teardown(emu.close);
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'unicom' });
  const good = createProvider({ ...ALI, endpoint: emu.endpoint });
  const changes = await planFor(good, svc(), [
    { line: 'CT', family: 'ipv4' },
    { line: 'CU', family: 'ipv4' },
  ]);
  t.is(changes.length, 2);
  const badSecret = 'wrong-secret-must-not-appear';
  const bad = createProvider({ ...ALI, accessSecret: badSecret, endpoint: emu.endpoint });
  const r = recorder();
  const results = await applyChanges(bad, changes, r.opts);
  t.deepEqual(
    results.map((x) => [x.outcome, x.attempts]),
    [
      ['failed', 1],
      ['failed', 0],
    ],
  );
  t.is(emu.calls.get('UpdateDomainRecord'), 1, 'the second write is not attempted with rejected credentials');
  t.deepEqual(r.delays, []);
  const message = results[0]!.error!;
  t.regex(message, /Ali/);
  t.regex(message, /LTAI\*\*\*\*ey01/);
  t.regex(message, /SignatureDoesNotMatch/);
  for (const text of [JSON.stringify(results), JSON.stringify(r.audit)]) {
    t.false(text.includes(badSecret));
    t.false(text.includes(ALI.accessSecret));
    t.false(text.includes(ALI.accessKey), 'only the masked key id is reported');
  }
  t.is(r.audit.length, 2);
  t.true(r.audit.every((e) => e.outcome === 'failed'));
});

test('one failing record never stops the others', async (t) => {
  const emu = await startAlidnsEmulator({ credentials: { [ALI.accessKey]: ALI.accessSecret } });
  t.teardown(emu.close);
  const id = emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'telecom' });
  emu.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'unicom' });
  const provider = createProvider({ ...ALI, endpoint: emu.endpoint });
  const changes = await planFor(provider, svc(), [
    { line: 'CT', family: 'ipv4' },
    { line: 'CU', family: 'ipv4' },
  ]);
  // The first record disappears behind our back: its update fails for good.
  const first = changes[0];
  t.true(first?.kind === 'update' && first.target.id === id);
  if (first?.kind === 'update') first.target.id = '999';
  const r = recorder();
  const results = await applyChanges(provider, changes, r.opts);
  t.deepEqual(
    results.map((x) => x.outcome),
    ['failed', 'ok'],
  );
  t.is(results[0]?.code, 'DomainRecordNotBelongToUser');
  t.is(results[0]?.attempts, 1, 'a permanent error is not retried');
  t.is(emu.records({ line: 'unicom' })[0]?.value, '2.2.2.2');
});

test('network errors are retried and then reported', async (t) => {
  const emu = await startDnspodEmulator({ credentials: {} });
  const endpoint = emu.endpoint;
  await emu.close();
  const provider = createProvider({ ...DP, endpoint });
  const out = await withRetry(() => provider.listRecords({ domain: 'example.com', record: 'www', fqdn: 'www.example.com' }), {
    policy: { attempts: 3 },
    sleep: async () => {},
  });
  t.false(out.ok);
  t.is(out.attempts, 3);
  t.true(out.error instanceof ProviderError && out.error.retryable);
});

test('backoff delays grow exponentially, stay under the cap and are jittered', (t) => {
  const policy = { attempts: 10, baseMs: 100, maxMs: 1000 };
  t.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0)),
    [50, 100, 200, 400, 500],
  );
  t.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0.999999)),
    [100, 200, 400, 800, 1000],
  );
});

test('changes that are not writes are never sent to the provider', async (t) => {
  let calls = 0;
  const fake: DnsProvider = {
    name: 'Fake',
    keyId: 'FAKE****',
    capabilities: { recordTypes: ['A'], lines: true },
    listRecords: async () => [],
    updateRecord: async () => void calls++,
    createRecord: async () => {
      calls++;
      throw new Error('unreachable');
    },
  };
  const service = svc();
  const changes = planChanges({
    services: [service],
    serve: new Map([[service.serviceName, [{ line: 'CT', family: 'ipv4' }, { line: 'CU', family: 'ipv6' }]]]),
    ips: { ipv4: '2.2.2.2' },
    records: new Map([[service.serviceName, []]]),
  });
  t.deepEqual(
    changes.map((c) => c.kind),
    ['missing', 'no-ip'],
  );
  const r = recorder();
  t.deepEqual(await applyChanges(fake, changes, r.opts), []);
  t.is(calls, 0);
  t.deepEqual(r.audit, []);
});
