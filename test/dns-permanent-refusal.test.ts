// Issue 11, case 1: a write the provider refuses for a permanent reason is attempted at most once
// per change of plan. Against the Alidns emulator (QuotaExceeded.TTL under the plan's minimum TTL,
// DomainRecordConflict for an A next to a CNAME) through the real SDK.
import test from 'ava';
import type { CloudAccount, ManagedService } from '../src/model.js';
import type { AuditEntry } from '../src/dns/apply.js';
import type { Assignments } from '../src/dns/plan.js';
import { cachedProviderFactory } from '../src/dns/registry.js';
import { formatPlan, reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { startAlidnsEmulator, type AlidnsEmulator } from './emulators/alidns.js';
import { service } from './helpers/fixtures.js';

const KEY = 'LTAI5tRefusal0001';
const SECRET = 'ali-refusal-secret';
const fast = { sleep: async () => {}, random: () => 0 };

const svc = (over: Partial<ManagedService> = {}): ManagedService => service(over);

async function world(t: import('ava').ExecutionContext, service: ManagedService): Promise<{ ali: AlidnsEmulator; input: ReconcileInput }> {
  const ali = await startAlidnsEmulator({ credentials: { [KEY]: SECRET }, domains: ['example.com'], minTtl: 600 });
  t.teardown(ali.close);
  const accounts: CloudAccount[] = [{ platformProvider: 'Ali', accessKey: KEY, accessSecret: SECRET, endpoint: ali.endpoint }];
  const serve: Assignments = new Map([['www', [{ line: 'default', family: 'ipv4' }]]]);
  return { ali, input: { nodeCode: 'node-a', services: [service], cloudAccounts: accounts, serve, ips: { ipv4: '2.2.2.2' } } };
}

test('emulator: Alidns refuses a TTL under the plan minimum with QuotaExceeded.TTL and an A next to a CNAME with DomainRecordConflict', async (t) => {
  const { ali, input } = await world(t, svc());
  const provider = cachedProviderFactory()(input.cloudAccounts[0]!);
  const low = await t.throwsAsync(provider.createRecord({ domain: 'example.com', record: 'low', type: 'A', line: 'default', value: '2.2.2.2', ttl: 60 }));
  t.is((low as { code?: string }).code, 'QuotaExceeded.TTL');
  ali.seed({ domain: 'example.com', rr: 'cn', type: 'CNAME', value: 'target.example.net', line: 'default' });
  const clash = await t.throwsAsync(provider.createRecord({ domain: 'example.com', record: 'cn', type: 'A', line: 'default', value: '2.2.2.2', ttl: 600 }));
  t.is((clash as { code?: string }).code, 'DomainRecordConflict');
});

test('a record whose TTL is under the plan minimum is written once more at the minimum, with a note, and then stays in sync', async (t) => {
  const { ali, input } = await world(t, svc());
  ali.seed({ domain: 'example.com', rr: 'www', value: '1.1.1.1', line: 'default', ttl: 60 });
  const audit: AuditEntry[] = [];
  const first = await reconcile(input, { ...fast, audit: (e) => audit.push(e) });
  t.is(first.counts.written, 1);
  t.deepEqual(ali.records({ rr: 'www' }).map((r) => [r.value, r.ttl]), [['2.2.2.2', 600]]);
  t.regex(first.results[0]!.note ?? '', /refused TTL 60 .*QuotaExceeded\.TTL.*TTL 600/);
  t.is(ali.calls.get('UpdateDomainRecord'), 2);
  const second = await reconcile({ ...input, refusals: first.refusals }, fast);
  t.is(second.counts.written + second.counts.failed, 0);
  t.is(ali.calls.get('UpdateDomainRecord'), 2);
});

test('a CNAME in the way of a wanted A is reported by the plan as a conflict and nothing is sent', async (t) => {
  const { ali, input } = await world(t, svc({ allowCreate: true }));
  ali.seed({ domain: 'example.com', rr: 'www', type: 'CNAME', value: 'cdn.example.net', line: 'default' });
  const dry = await reconcile({ ...input, dryRun: true }, fast);
  t.deepEqual(dry.rows.map((r) => [r.action, r.reason]), [['skip', 'conflict']]);
  t.regex(formatPlan(dry.changes, dry.rows), /Conflict\s+A\s+default\s+a CNAME \(cdn\.example\.net/);
  for (let i = 0; i < 3; i++) await reconcile(input, fast);
  t.is(ali.writes(), 0);
});

test('a write refused for good is sent once, reported and audited, and sent again only when the record or the service changes', async (t) => {
  const { ali, input } = await world(t, svc({ allowCreate: true }));
  // The listing cannot see the CNAME (another line's view): the create reaches the provider and is refused for good.
  ali.seed({ domain: 'example.com', rr: 'www', type: 'CNAME', value: 'cdn.example.net', line: 'default' });
  const listed = cachedProviderFactory();
  const blind = { ...fast, providerFor: (a: CloudAccount) => ({ ...listed(a), listRecords: async () => [], listZoneRecords: undefined }) };
  const audit: AuditEntry[] = [];
  const first = await reconcile(input, { ...blind, audit: (e) => audit.push(e) });
  t.is(first.counts.failed, 1);
  t.is(first.results[0]!.permanent, 'conflict');
  t.is(audit.length, 1);
  t.regex(audit[0]!.error ?? '', /DomainRecordConflict/);
  t.is(first.refusals?.size, 1);
  const adds = () => ali.calls.get('AddDomainRecord');
  t.is(adds(), 1);
  // Same write planned again: not re-sent, the row says refused with the provider's reason.
  let refusals = first.refusals;
  for (let i = 0; i < 3; i++) {
    const again = await reconcile({ ...input, refusals }, blind);
    t.deepEqual(again.rows.map((r) => [r.action, r.reason]), [['skip', 'refused']]);
    t.regex(again.rows[0]!.result?.error ?? '', /DomainRecordConflict/);
    t.regex(formatPlan(again.changes, again.rows), /Refused\s+www\.example\.com A default: .*DomainRecordConflict/);
    refusals = again.refusals;
  }
  t.is(adds(), 1);
  // The service changes (another TTL): the planned write is new, so it is tried once more.
  const changed = await reconcile({ ...input, services: [svc({ allowCreate: true, ttl: 900 })], refusals }, blind);
  t.is(changed.counts.failed, 1);
  t.is(adds(), 2);
});
