// The DNS plan as one table for the whole node (rows), the safety hook that runs before apply, and
// the per-account rule that a rejected account is called once per pass.
import test from 'ava';
import type { Change, NodeIps } from '../src/dns/plan.js';
import { planService } from '../src/dns/plan.js';
import { serviceRows, type DnsPlanRow, type KnownRecords } from '../src/dns/plan-rows.js';
import type { DnsRecord } from '../src/dns/provider.js';
import { planDns, reconcile, type ReconcileInput } from '../src/dns/reconcile.js';
import { checkSafety, DEFAULT_SAFETY } from '../src/dns/safety.js';
import { LINE_CODES, type CloudAccount, type Family, type LineCode, type LineSlot, type ManagedService } from '../src/model.js';
import { ConfigError } from '../src/config/index.js';
import { startAlidnsEmulator } from './emulators/alidns.js';
import { testConfig } from './helpers/config.js';
import { service } from './helpers/fixtures.js';

const svc = (over: Partial<ManagedService> = {}): ManagedService => service(over);
const MINE = '203.0.113.10';
const OLD_MINE = '203.0.113.9';
const OTHER = '198.51.100.20';
let nextId = 1;
const rec = (line: LineCode, value: string, over: Partial<DnsRecord> = {}): DnsRecord => ({
  id: String(nextId++),
  name: 'www.example.com',
  type: 'A',
  line,
  providerLine: line,
  value,
  ttl: 600,
  enabled: true,
  ...over,
});
const slot = (line: LineCode, family: Family = 'ipv4', takeover = false) => ({ line, family, takeover });

/** Plans one service and returns its rows as [line, action, reason, current, desired]. */
function rows(records: DnsRecord[], slots: (LineSlot & { takeover?: boolean })[], opts: { service?: ManagedService; ips?: NodeIps; known?: KnownRecords; unread?: boolean } = {}) {
  const service = opts.service ?? svc();
  const ips = opts.ips ?? { ipv4: MINE };
  const changes: Change[] | null = opts.unread ? null : planService(service, slots, ips, records);
  return serviceRows(service, slots, ips, changes, { known: opts.known }).map((r) => [r.line, r.action, r.reason, r.current, r.desired]);
}

const knownHeld = (lines: LineCode[], addresses: string[] = [OLD_MINE]): KnownRecords => ({
  held: new Map([['www', lines.map((l) => slot(l))]]),
  addresses: { ipv4: addresses, ipv6: [] },
});

const table: { title: string; records: DnsRecord[]; slots: ReturnType<typeof slot>[]; opts?: Parameters<typeof rows>[2]; want: unknown[][] }[] = [
  { title: 'a record already holding the address is kept, in sync', records: [rec('CT', MINE)], slots: [slot('CT')], want: [['CT', 'keep', 'in-sync', MINE, MINE]] },
  {
    title: 'on a first pass every rewrite counts as a recovery (reassigned)',
    records: [rec('CT', OTHER)],
    slots: [slot('CT')],
    want: [['CT', 'update', 'reassigned', OTHER, MINE]],
  },
  { title: 'a takeover slot is rewritten as a takeover', records: [rec('CU', OTHER)], slots: [slot('CU', 'ipv4', true)], opts: { known: knownHeld(['CT']) }, want: [['CU', 'update', 'takeover', OTHER, MINE]] },
  {
    title: 'a slot this node did not hold last pass is reassigned (failover, recovery, an edit)',
    records: [rec('CU', OTHER)],
    slots: [slot('CU')],
    opts: { known: knownHeld(['CT']) },
    want: [['CU', 'update', 'reassigned', OTHER, MINE]],
  },
  {
    title: 'a held record holding an earlier address of this node: the address changed',
    records: [rec('CT', OLD_MINE)],
    slots: [slot('CT')],
    opts: { known: knownHeld(['CT']) },
    want: [['CT', 'update', 'address-changed', OLD_MINE, MINE]],
  },
  {
    title: 'a held record now holding a value nothing explains is drift',
    records: [rec('CT', OTHER)],
    slots: [slot('CT')],
    opts: { known: knownHeld(['CT']) },
    want: [['CT', 'update', 'drift', OTHER, MINE]],
  },
  { title: 'update-only policy: a missing record is skipped as missing', records: [], slots: [slot('CT')], want: [['CT', 'skip', 'missing', null, MINE]] },
  { title: 'create-allowed policy: a missing record is created', records: [], slots: [slot('CT')], opts: { service: svc({ allowCreate: true }) }, want: [['CT', 'create', 'missing', null, MINE]] },
  { title: 'a disabled record is left alone', records: [rec('CT', OTHER, { enabled: false })], slots: [slot('CT')], want: [['CT', 'skip', 'disabled', OTHER, MINE]] },
  { title: 'duplicates: the one holding the address is kept', records: [rec('CT', OTHER), rec('CT', MINE)], slots: [slot('CT')], want: [['CT', 'keep', 'duplicate', MINE, MINE]] },
  { title: 'no address for the family: nothing written', records: [rec('CT', OTHER)], slots: [slot('CT')], opts: { ips: {} }, want: [['CT', 'skip', 'no-address', null, null]] },
  { title: 'an invalid address: nothing written', records: [rec('CT', OTHER)], slots: [slot('CT')], opts: { ips: { ipv4: 'not-an-ip' } }, want: [['CT', 'skip', 'invalid-address', null, null]] },
  { title: 'records that could not be read: every slot not read', records: [], slots: [slot('CT'), slot('CU')], opts: { unread: true }, want: [['CT', 'skip', 'not-read', null, MINE], ['CU', 'skip', 'not-read', null, MINE]] },
  {
    title: 'rows come in canonical order, one per slot, whatever order the slots came in',
    records: [rec('CT', MINE), rec('default', MINE)],
    slots: [slot('CT'), slot('default'), slot('CT')],
    want: [['default', 'keep', 'in-sync', MINE, MINE], ['CT', 'keep', 'in-sync', MINE, MINE]],
  },
];

for (const c of table) {
  test(`plan rows: ${c.title}`, (t) => {
    t.deepEqual(rows(c.records, c.slots, c.opts), c.want);
  });
}

test('a row carries the service, name, type and family', (t) => {
  const [row] = serviceRows(svc({ record: '@' }), [slot('CT', 'ipv6')], { ipv6: '2001:db8::1' }, []);
  t.like(row, { service: 'www', fqdn: 'example.com', type: 'AAAA', line: 'CT', family: 'ipv6', takeover: false, duplicates: 0 });
});

// The safety hook, on rows built as a node's plan would be.
function plannedRows(n: number, reason: DnsPlanRow['reason'], action: DnsPlanRow['action'] = 'update'): DnsPlanRow[] {
  return Array.from({ length: n }, (_, i) => ({
    service: `s${i}`,
    fqdn: `s${i}.example.com`,
    type: 'A' as const,
    line: 'CT' as const,
    family: 'ipv4' as const,
    current: action === 'keep' ? MINE : OTHER,
    desired: MINE,
    action,
    reason,
    takeover: reason === 'takeover',
    duplicates: 0,
  }));
}

test('safety: a mass rewrite that no failover explains is refused, and the message says why', (t) => {
  const verdict = checkSafety([...plannedRows(8, 'drift'), ...plannedRows(4, 'in-sync', 'keep')]);
  t.false(verdict.ok);
  t.like(verdict, { managed: 12, rewrites: 8 });
  if (!verdict.ok) t.regex(verdict.message, /8 of 12 managed records .*DnsMaxChangeShare/);
});

test('safety: a failover rewriting just as many records passes (takeover, reassigned), and so does an address change', (t) => {
  t.true(checkSafety([...plannedRows(8, 'takeover'), ...plannedRows(4, 'in-sync', 'keep')]).ok);
  t.true(checkSafety([...plannedRows(8, 'reassigned'), ...plannedRows(4, 'in-sync', 'keep')]).ok);
  t.true(checkSafety([...plannedRows(12, 'address-changed')]).ok);
});

test('safety: small zones are never refused, the share is a limit, and 1 turns the check off', (t) => {
  t.true(checkSafety(plannedRows(DEFAULT_SAFETY.minManaged - 1, 'drift')).ok, 'below the minimum count');
  t.true(checkSafety([...plannedRows(6, 'drift'), ...plannedRows(6, 'in-sync', 'keep')]).ok, 'exactly half');
  t.false(checkSafety([...plannedRows(7, 'drift'), ...plannedRows(5, 'in-sync', 'keep')]).ok, 'more than half');
  t.true(checkSafety(plannedRows(20, 'drift'), { maxChangeShare: 1, minManaged: 10 }).ok);
  t.false(checkSafety(plannedRows(3, 'drift'), { maxChangeShare: 0.5, minManaged: 2 }).ok, 'a lower minimum from the caller');
});

// Against the Alidns emulator: twelve services whose records held this node's address last pass and
// now hold another value.
async function driftWorld(t: import('ava').ExecutionContext) {
  const ali = await startAlidnsEmulator({ credentials: { LTAI5tSafety0001: 'safety-secret' }, domains: ['example.com'] });
  t.teardown(ali.close);
  const services = Array.from({ length: 12 }, (_, i) => svc({ serviceName: `s${i}`, record: `s${i}` }));
  for (const s of services) ali.seed({ domain: 'example.com', rr: s.record, value: OTHER, line: 'telecom' });
  const account: CloudAccount = { platformProvider: 'Ali', accessKey: 'LTAI5tSafety0001', accessSecret: 'safety-secret', endpoint: ali.endpoint };
  const input = (takeover: boolean): ReconcileInput => ({
    nodeCode: 'me',
    services,
    cloudAccounts: [account],
    serve: new Map(services.map((s) => [s.serviceName, [slot('CT', 'ipv4', takeover)]])),
    ips: { ipv4: MINE },
    known: { held: new Map(services.map((s) => [s.serviceName, [slot('CT')]])), addresses: { ipv4: [OLD_MINE], ipv6: [] } },
  });
  return { ali, input };
}

const fast = { sleep: async () => {}, random: () => 0 };

test('safety hook before apply: a mass rewrite that is not a failover is refused, reported and writes nothing', async (t) => {
  const { ali, input } = await driftWorld(t);
  const report = await reconcile(input(false), fast);
  t.is(ali.writes(), 0);
  t.truthy(report.refused);
  t.is(report.counts.written, 0);
  t.deepEqual(report.errors.map((e) => e.stage), ['safety']);
  t.true(report.rows.every((r) => r.action === 'update' && r.reason === 'drift' && r.result?.outcome === 'refused'));
});

test('safety hook before apply: the same rewrite as a takeover is applied', async (t) => {
  const { ali, input } = await driftWorld(t);
  const report = await reconcile(input(true), fast);
  t.is(report.refused, null);
  t.is(report.counts.written, 12);
  t.is(ali.writes(), 12);
  t.true(report.rows.every((r) => r.reason === 'takeover' && r.result?.outcome === 'ok'));
});

test('safety hook before apply: a pass that follows a liveness change (a lagging peer wrote this node\'s records) is applied', async (t) => {
  const { ali, input } = await driftWorld(t);
  const report = await reconcile({ ...input(false), failover: true }, fast);
  t.is(report.refused, null);
  t.is(ali.writes(), 12);
  t.true(report.rows.every((r) => r.reason === 'drift' && r.result?.outcome === 'ok'));
});

test('a dry run is the plan alone: rows say what would be written, and nothing is', async (t) => {
  const { ali, input } = await driftWorld(t);
  const planning = await planDns(input(true), fast);
  t.is(planning.plan.rows.length, 12);
  t.is(ali.writes(), 0);
  const dry = await reconcile({ ...input(true), dryRun: true }, fast);
  t.true(dry.rows.every((r) => r.result?.outcome === 'dry-run'));
  t.is(ali.writes(), 0);
});

test('a rejected account is listed once per pass, even with reconcile\'s default provider factory', async (t) => {
  const ali = await startAlidnsEmulator({ credentials: { LTAI5tRejected01: 'the-right-secret' }, domains: ['example.com'] });
  t.teardown(ali.close);
  const services = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => svc({ serviceName: n, record: n }));
  const report = await reconcile(
    {
      nodeCode: 'me',
      services,
      cloudAccounts: [{ platformProvider: 'aliyun', accessKey: 'LTAI5tRejected01', accessSecret: 'a-wrong-secret', endpoint: ali.endpoint }],
      serve: new Map(services.map((s) => [s.serviceName, LINE_CODES.map((line) => slot(line))])),
      ips: { ipv4: MINE },
    },
    fast,
  );
  t.is(ali.reads(), 1, 'one listing for the account, not one per service');
  t.is(report.errors.length, 6);
  t.like(report.errors[0], { service: 'a', stage: 'list', auth: true });
  t.true(report.errors.slice(1).every((e) => e.stage === 'list' && e.message.startsWith('not attempted: ')));
  t.false(JSON.stringify(report).includes('a-wrong-secret'));
});

test('DnsMaxChangeShare: half by default, settable, and a value outside (0, 1] is refused naming the key', (t) => {
  t.is(testConfig().dnsMaxChangeShare, 0.5);
  t.is(testConfig({ DnsMaxChangeShare: 1 }).dnsMaxChangeShare, 1);
  for (const bad of [0, 1.5, 'half']) {
    const err = t.throws(() => testConfig({ DnsMaxChangeShare: bad }), { instanceOf: ConfigError });
    t.true(err!.problems.some((p) => p.startsWith('DnsMaxChangeShare:')), err!.problems.join(' | '));
  }
});
