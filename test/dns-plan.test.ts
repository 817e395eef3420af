import test from 'ava';
import type { Family, LineCode, LineSlot, ManagedService } from '../src/model.js';
import { countChanges, planChanges, type Change, type NodeIps } from '../src/dns/plan.js';
import type { DnsRecord } from '../src/dns/provider.js';

const service = (over: Partial<ManagedService> = {}): ManagedService => ({
  serviceName: 'web',
  domain: 'example.com',
  record: 'a',
  platformProvider: 'aliyun',
  nodes: [],
  allowCreate: false,
  ttl: 600,
  ...over,
});

let nextId = 100;
const rec = (over: Partial<DnsRecord> = {}): DnsRecord => ({
  id: String(nextId++),
  name: 'a.example.com',
  type: 'A',
  line: 'CT',
  providerLine: 'telecom',
  value: '1.1.1.1',
  ttl: 600,
  enabled: true,
  ...over,
});

const slots = (...pairs: [LineCode, Family][]): LineSlot[] => pairs.map(([line, family]) => ({ line, family }));
const IPS: NodeIps = { ipv4: '2.2.2.2', ipv6: '2001:db8::2' };

function plan(records: DnsRecord[], serve: LineSlot[], opts: { svc?: Partial<ManagedService>; ips?: NodeIps } = {}): Change[] {
  const s = service(opts.svc);
  return planChanges({
    services: [s],
    serve: new Map([[s.serviceName, serve]]),
    ips: opts.ips ?? IPS,
    records: new Map([[s.serviceName, records]]),
  });
}

const summary = (changes: Change[]) =>
  changes.map((c) => {
    switch (c.kind) {
      case 'update':
        return `update ${c.type} ${c.line} ${c.target.id} ${c.oldValue}->${c.newValue}`;
      case 'create':
      case 'missing':
        return `${c.kind} ${c.type} ${c.line} ${c.newValue}`;
      case 'duplicate':
        return `duplicate ${c.type} ${c.line} kept ${c.kept.id} extras ${c.extras.map((r) => r.id).join(',')}`;
      case 'skip':
        return `skip ${c.type} ${c.line} ${c.target.id}`;
      case 'no-ip':
        return `no-ip ${c.type} ${c.lines.join(',')} ${c.reason}`;
    }
  });

interface Row {
  title: string;
  records: DnsRecord[];
  serve: LineSlot[];
  svc?: Partial<ManagedService>;
  ips?: NodeIps;
  expect: string[];
}

const rows: Row[] = [
  {
    title: 'a record holding an old address on a served line is updated to the node address',
    records: [rec({ id: '1', value: '1.1.1.1' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['update A CT 1 1.1.1.1->2.2.2.2'],
  },
  {
    title: 'an update that would change nothing is never planned',
    records: [rec({ id: '1', value: '2.2.2.2' })],
    serve: slots(['CT', 'ipv4']),
    expect: [],
  },
  {
    title: 'an IPv6 record spelled differently but holding the same address is not rewritten',
    records: [rec({ id: '1', type: 'AAAA', value: '2001:0DB8:0:0::2' })],
    serve: slots(['CT', 'ipv6']),
    expect: [],
  },
  {
    title: 'lines the node does not serve are left alone',
    records: [rec({ id: '1', line: 'CU', providerLine: 'unicom' }), rec({ id: '2', line: 'CT' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['update A CT 2 1.1.1.1->2.2.2.2'],
  },
  {
    title: 'a missing record is created when the service allows creation',
    records: [],
    serve: slots(['CMCC', 'ipv4']),
    svc: { allowCreate: true },
    expect: ['create A CMCC 2.2.2.2'],
  },
  {
    title: 'a missing record is only reported when the service does not allow creation',
    records: [],
    serve: slots(['CMCC', 'ipv4']),
    expect: ['missing A CMCC 2.2.2.2'],
  },
  {
    title: 'duplicates on one name, type and line: the lowest id is updated and the rest reported',
    records: [rec({ id: '30' }), rec({ id: '4' }), rec({ id: '200' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['update A CT 4 1.1.1.1->2.2.2.2', 'duplicate A CT kept 4 extras 30,200'],
  },
  {
    title: 'duplicates where one already holds the address: nothing is written, the rest reported',
    records: [rec({ id: '4' }), rec({ id: '30', value: '2.2.2.2' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['duplicate A CT kept 30 extras 4'],
  },
  {
    title: 'a DISABLE record is skipped and nothing is created next to it',
    records: [rec({ id: '1', enabled: false })],
    serve: slots(['CT', 'ipv4']),
    svc: { allowCreate: true },
    expect: ['skip A CT 1'],
  },
  {
    title: 'a DISABLE record next to an enabled one: the enabled one is updated, the disabled one skipped',
    records: [rec({ id: '1', enabled: false }), rec({ id: '2' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['skip A CT 1', 'update A CT 2 1.1.1.1->2.2.2.2'],
  },
  {
    title: 'matching is exact on the name: b.a.example.com next to a.example.com is never touched',
    records: [rec({ id: '1', name: 'b.a.example.com' }), rec({ id: '2', name: 'a.example.com', value: '2.2.2.2' })],
    serve: slots(['CT', 'ipv4']),
    expect: [],
  },
  {
    title: 'a record only under a longer name does not count as present',
    records: [rec({ id: '1', name: 'b.a.example.com' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['missing A CT 2.2.2.2'],
  },
  {
    title: 'matching is exact on the type: an A record does not satisfy an AAAA slot',
    records: [rec({ id: '1', type: 'A', value: '2.2.2.2' }), rec({ id: '2', type: 'TXT', value: 'v=spf1 -all' })],
    serve: slots(['CT', 'ipv6']),
    expect: ['missing AAAA CT 2001:db8::2'],
  },
  {
    title: 'AAAA records get the IPv6 address and A records the IPv4 one',
    records: [rec({ id: '1', type: 'A' }), rec({ id: '2', type: 'AAAA', value: '2001:db8::1' })],
    serve: slots(['CT', 'ipv4'], ['CT', 'ipv6']),
    expect: ['update A CT 1 1.1.1.1->2.2.2.2', 'update AAAA CT 2 2001:db8::1->2001:db8::2'],
  },
  {
    title: 'a family with no known address produces nothing but a report',
    records: [rec({ id: '1', type: 'AAAA', value: '2001:db8::1' }), rec({ id: '2' })],
    serve: slots(['CT', 'ipv4'], ['CT', 'ipv6'], ['default', 'ipv6']),
    ips: { ipv4: '2.2.2.2' },
    expect: ['update A CT 2 1.1.1.1->2.2.2.2', 'no-ip AAAA default,CT unknown'],
  },
  {
    title: 'an address of the wrong family is never written (an IPv6 answer to an IPv4 query)',
    records: [rec({ id: '1' })],
    serve: slots(['CT', 'ipv4']),
    ips: { ipv4: '2001:db8::9' },
    expect: ['no-ip A CT invalid'],
  },
  {
    title: 'records on a provider line we do not map are ignored',
    records: [rec({ id: '1', line: null, providerLine: 'cn_telecom_beijing' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['missing A CT 2.2.2.2'],
  },
  {
    title: 'the apex record (@) matches the bare domain',
    records: [rec({ id: '1', name: 'example.com', line: 'default', providerLine: 'default' }), rec({ id: '2', name: 'www.example.com', line: 'default' })],
    serve: slots(['default', 'ipv4']),
    svc: { record: '@' },
    expect: ['update A default 1 1.1.1.1->2.2.2.2'],
  },
  {
    title: 'names compare case-insensitively and without a trailing dot',
    records: [rec({ id: '1', name: 'A.Example.COM.' })],
    serve: slots(['CT', 'ipv4']),
    expect: ['update A CT 1 1.1.1.1->2.2.2.2'],
  },
  {
    title: 'a slot listed twice is planned once',
    records: [rec({ id: '1' })],
    serve: slots(['CT', 'ipv4'], ['CT', 'ipv4']),
    expect: ['update A CT 1 1.1.1.1->2.2.2.2'],
  },
];

for (const row of rows) {
  test(row.title, (t) => {
    t.deepEqual(summary(plan(row.records, row.serve, { svc: row.svc, ips: row.ips })), row.expect);
  });
}

test('services this node does not serve, or whose listing failed, produce nothing', (t) => {
  const a = service({ serviceName: 'a' });
  const b = service({ serviceName: 'b' });
  const c = service({ serviceName: 'c' });
  const changes = planChanges({
    services: [a, b, c],
    serve: new Map([
      ['a', slots(['CT', 'ipv4'])],
      ['b', []],
    ]),
    ips: IPS,
    records: new Map([['b', [rec()]], ['c', [rec()]]]),
  });
  t.deepEqual(changes, []);
});

test('changes carry the canonical provider name and the service they belong to', (t) => {
  const [c] = plan([rec({ id: '1' })], slots(['CT', 'ipv4']), { svc: { platformProvider: 'ALIDNS' } });
  t.is(c?.provider, 'Ali');
  t.is(c?.service, 'web');
  t.is(c?.fqdn, 'a.example.com');
});

test('the planner never plans a write whose new value equals the old one (property)', async (t) => {
  const fc = await import('fast-check');
  const ip = fc.constantFrom('1.1.1.1', '2.2.2.2', '3.3.3.3');
  const line = fc.constantFrom<LineCode>('default', 'CT', 'CU', 'CMCC');
  const recordArb = fc.record({
    id: fc.nat({ max: 50 }).map(String),
    name: fc.constantFrom('a.example.com', 'b.a.example.com'),
    type: fc.constantFrom('A', 'AAAA'),
    line,
    providerLine: fc.constant('x'),
    value: ip,
    ttl: fc.constant(600),
    enabled: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(recordArb, { maxLength: 8 }), fc.array(fc.record({ line, family: fc.constant<Family>('ipv4') })), ip, (records, serve, v4) => {
      const changes = plan(records, serve, { ips: { ipv4: v4 }, svc: { allowCreate: true } });
      const counts = countChanges(changes);
      for (const c of changes) {
        if (c.kind === 'update' && c.oldValue === c.newValue) return false;
        if (c.kind === 'update' && !c.target.enabled) return false;
      }
      // At most one write per (line, type).
      const writes = changes.filter((c) => c.kind === 'update' || c.kind === 'create');
      const keys = new Set(writes.map((c) => `${c.type}/${'line' in c ? c.line : ''}`));
      return keys.size === writes.length && counts.update + counts.create === writes.length;
    }),
  );
  t.pass();
});

test('LineIP: each line is written with its own address, other lines with the default; a line whose address is down writes nothing', (t) => {
  const ips: NodeIps = { ipv4: '2.2.2.2', lines: { CT: { ipv4: '3.3.3.11' }, CU: { ipv4: null } } };
  const records = [rec({ id: '1', line: 'CT' }), rec({ id: '2', line: 'CU', providerLine: 'unicom' }), rec({ id: '3', line: 'CMCC', providerLine: 'mobile' })];
  t.deepEqual(summary(plan(records, slots(['CT', 'ipv4'], ['CU', 'ipv4'], ['CMCC', 'ipv4']), { ips })), [
    'no-ip A CU unknown',
    'update A CT 1 1.1.1.1->3.3.3.11',
    'update A CMCC 3 1.1.1.1->2.2.2.2',
  ]);
});

test('LineIP: a stand-in writes its own address for the line it stands in for (its LineIP entry for that line, else its default)', (t) => {
  const takeover = [{ line: 'CT' as const, family: 'ipv4' as const, takeover: true, owner: 'router' }, { line: 'CU' as const, family: 'ipv4' as const, takeover: true, owner: 'router' }];
  const records = [rec({ id: '1', line: 'CT' }), rec({ id: '2', line: 'CU', providerLine: 'unicom' })];
  t.deepEqual(summary(plan(records, takeover, { ips: { ipv4: '2.2.2.2', lines: { CT: { ipv4: '3.3.3.11' } } } })), ['update A CT 1 1.1.1.1->3.3.3.11', 'update A CU 2 1.1.1.1->2.2.2.2']);
});
