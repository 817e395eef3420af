// Service health probes end to end: real node processes on loopback publishing Static addresses
// 127.0.0.11/12/13, each site's service a small server bound to its node's address. Stopping one
// site's server while its node runs moves that line (for that service) to a survivor and back when
// the server returns, each record changing at most twice (counted by the Alidns emulator).
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until, type ProcNode } from './helpers/cluster.js';
import { moreDnsRuns } from './helpers/partition-world.js';
import { A, B, C, checkedWorld, publicStatus, verdict } from './helpers/probe-sites.js';
import { makePki } from './helpers/tls.js';

test('a site whose service stops while its node runs loses that line to a survivor, and gets it back when the service returns; each record changes at most twice', async (t) => {
  const { world, sites } = await checkedWorld(t, [{ code: 'a', isps: ['CT'], ip: A }, { code: 'b', isps: ['CU'], ip: B }, { code: 'c', isps: ['CMCC'], ip: C }], { kind: 'http' }, 'http');
  const [a, b] = world.nodes as [ProcNode, ProcNode, ProcNode];
  await until(() => world.value('CT') === A && world.value('CU') === B && world.value('CMCC') === C, 60_000, 'each line on its owner\'s address');
  // Every node probes the other two: the matrix fills in and nothing is down.
  await until(async () => { const v = await verdict(a, 'Node c', 'CMCC'); return v && !v.down && v.probers === 2 && v.seenBy === 2; }, 30_000, 'a judges c\'s CMCC line from both probers');
  t.true(sites.sites.get(C)!.hits() > 0, 'c\'s service was probed at c\'s published address');
  const mark = world.mark();

  // c's web server dies; node c itself keeps heartbeating.
  const stoppedAt = Date.now();
  await sites.sites.get(C)!.stop();
  await until(() => world.value('CMCC') === A, 30_000, 'CMCC on the stand-in a\'s address');
  t.log(`service stopped → survivor's address on the record in ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);
  // b reaches the same verdict from the same results, up to a heartbeat later.
  await until(async () => { const v = await verdict(b, 'Node c', 'CMCC'); return v?.down === true && v.probers === 2; }, 30_000, 'b holds the same verdict');
  const statusJson = await publicStatus(a);
  t.true(statusJson.nodes.find((n) => n.name === 'Node c')?.up, 'node c is still up: only its service is down');
  const metrics = await (await fetch(`${a.url}/metrics`)).text();
  t.regex(metrics, /cocoasyncer_probe_up\{service="www",target="Node c",line="CMCC",family="ipv4",prober="Node a"\} 0/);
  t.regex(metrics, /cocoasyncer_probe_up\{service="www",target="Node b",line="CU",family="ipv4",prober="Node a"\} 1/);
  t.regex(metrics, /cocoasyncer_probe_duration_seconds_count\{service="www"\} [1-9]/);
  t.is(world.value('CT'), A);
  t.is(world.value('CU'), B, 'the other lines stay where they were');

  // The service comes back: after RecoverAfter good rounds the line returns to c.
  await sites.sites.get(C)!.start();
  await until(() => world.value('CMCC') === C, 30_000, 'CMCC back on c');
  await until(async () => (await verdict(a, 'Node c', 'CMCC'))?.down === false, 10_000, 'the verdict lifted');
  // A few more passes: nothing moves back and forth.
  await moreDnsRuns(world.nodes as ProcNode[], 3);
  t.deepEqual(world.changes('CMCC', mark), [A, C], 'the record changed twice: to the stand-in, back to its owner');
  t.deepEqual(world.changes('CT', mark), []);
  t.deepEqual(world.changes('CU', mark), []);
});

test('with per-line addresses, one uplink\'s service failing moves only that line; the node keeps its other line', async (t) => {
  const CU_OF_A = '127.0.0.21';
  const { world, sites } = await checkedWorld(t, [{ code: 'a', isps: ['CT', 'CU'], ip: A, lineIp: { CT: A, CU: CU_OF_A } }, { code: 'b', isps: ['CMCC'], ip: B }], { kind: 'http' }, 'http');
  const [, b] = world.nodes as [ProcNode, ProcNode];
  await until(() => world.value('CT') === A && world.value('CU') === CU_OF_A && world.value('CMCC') === B, 60_000, 'each line on its own address');
  await until(async () => (await verdict(b, 'Node a', 'CU'))?.probers === 1, 30_000, 'b probes a\'s CU address');
  t.true(sites.sites.get(CU_OF_A)!.hits() > 0, 'a\'s CU line was probed at its own address');
  const mark = world.mark();
  await sites.sites.get(CU_OF_A)!.stop();
  await until(() => world.value('CU') === B, 30_000, 'CU on b\'s address');
  t.like(await verdict(b, 'Node a', 'CU'), { down: true });
  t.like(await verdict(b, 'Node a', 'CT'), { down: false });
  await sites.sites.get(CU_OF_A)!.start();
  await until(() => world.value('CU') === CU_OF_A, 30_000, 'CU back on a\'s CU address');
  t.deepEqual(world.changes('CU', mark), [B, CU_OF_A]);
  t.deepEqual(world.changes('CT', mark), [], 'a kept its CT line throughout');
  t.deepEqual(world.changes('CMCC', mark), []);
});

test('a tcp:// check with two nodes: the other node is the majority', async (t) => {
  const { world, sites } = await checkedWorld(t, [{ code: 'a', isps: ['CT'], ip: A }, { code: 'b', isps: ['CU'], ip: B }], { kind: 'tcp' }, 'tcp');
  const [a] = world.nodes as [ProcNode, ProcNode];
  await until(() => world.value('CT') === A && world.value('CU') === B, 60_000, 'each line on its owner\'s address');
  await until(async () => (await verdict(a, 'Node b', 'CU'))?.probers === 1, 30_000, 'a probes b');
  const mark = world.mark();
  await sites.sites.get(B)!.stop();
  await until(() => world.value('CU') === A, 30_000, 'CU on a\'s address');
  await sites.sites.get(B)!.start();
  await until(() => world.value('CU') === B, 30_000, 'CU back on b');
  t.deepEqual(world.changes('CU', mark), [A, B]);
  t.deepEqual(world.changes('CT', mark), []);
});

test('an https:// check verifies the certificate against the record\'s name (SNI): a certificate for another name fails the check', async (t) => {
  const good = makePki(['DNS:www.example.com']);
  const wrong = makePki(['DNS:other.example.org']);
  // Both CAs are trusted (NODE_EXTRA_CA_CERTS): only the name decides.
  const bundle = join(good.dir, 'both-ca.pem');
  writeFileSync(bundle, `${readFileSync(good.ca, 'utf8')}${readFileSync(wrong.ca, 'utf8')}`);
  const { world, sites } = await checkedWorld(t, [{ code: 'a', isps: ['CT'], ip: A }, { code: 'b', isps: ['CU'], ip: B }], { kind: 'https', cert: good.cert, key: good.key }, 'https', { NODE_EXTRA_CA_CERTS: bundle });
  const [, b] = world.nodes as [ProcNode, ProcNode];
  await until(() => world.value('CT') === A && world.value('CU') === B, 60_000, 'each line on its owner\'s address');
  const seenByB = async () => (await publicStatus(b)).probes.find((p) => p.node === 'Node a' && p.line === 'CT')?.seenBy.find((c) => c.prober === 'Node b');
  await until(async () => (await seenByB())?.ok === true, 30_000, 'b reaches a over https, verifying www.example.com');
  const mark = world.mark();
  // a's server answers, but with a certificate for another name.
  await sites.sites.get(A)!.stop();
  await sites.sites.get(A)!.start({ kind: 'https', cert: wrong.cert, key: wrong.key });
  await until(() => world.value('CT') === B, 30_000, 'CT on b\'s address');
  const cell = await seenByB();
  t.false(cell?.ok);
  t.regex(cell?.detail ?? '', /ALTNAME|does not match/i);
  await sites.sites.get(A)!.stop();
  await sites.sites.get(A)!.start();
  await until(() => world.value('CT') === A, 30_000, 'CT back on a');
  t.deepEqual(world.changes('CT', mark), [B, A]);
});
