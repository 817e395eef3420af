// IPv6 interface detection with privacy extensions, on a real kernel: a veth in a fresh network
// namespace (`unshare -n`), `use_tempaddr=2`, a stable mngtmpaddr address, a deprecated one, a
// unique-local one and kernel-made temporary addresses rotating every few seconds. Needs root (to
// create the namespace) and iproute2; without them it is skipped with a notice, except on CI
// (CI=true), where it fails instead. The namespace dies with its process: nothing to clean up.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers/node.js';

const onCi = process.env.CI === 'true';

/** Why this machine cannot run the namespace test, or null when it can. */
function missingSupport(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'iproute2 (`ip`) is not installed';
  // A namespace, a veth in it, and a writable per-interface IPv6 sysctl: everything the test needs.
  const probe = spawnSync(
    'unshare',
    ['-n', 'sh', '-c', 'ip link add probe0 type veth peer name probe1 && echo 2 > /proc/sys/net/ipv6/conf/probe0/use_tempaddr'],
    { encoding: 'utf8' },
  );
  if (probe.error) return `unshare is not available (${probe.error.message})`;
  if (probe.status !== 0) return `no network namespace / veth / IPv6 sysctl support (${(probe.stderr || '').trim() || `exit ${probe.status}`})`;
  return null;
}

const missing = missingSupport();
if (missing && !onCi) console.warn(`\n  NOTICE: ${missing}; skipping the network-namespace IPv6 privacy-extensions test. CI=true fails instead.\n`);
const netnsTest = missing === null || onCi ? test : test.skip;

interface Outcome {
  unsupported?: string;
  error?: string;
  firstListed: string | null;
  detected: string[];
  naive: string[];
  writes: number;
  reads: number;
  temporariesSeen: number;
}

netnsTest('IPv6 from an interface with privacy extensions: the stable address, never a temporary one; 0 DNS writes across rotations', async (t) => {
  if (missing) throw new Error(`${missing}, and CI=true forbids skipping the network-namespace test`);
  const child = spawn('unshare', ['-n', process.execPath, '--import', 'tsx', join(ROOT, 'test', 'fixtures', 'netns-ipv6-privacy.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const line = stdout.trim().split('\n').pop() ?? '';
  let outcome: Outcome;
  try {
    outcome = JSON.parse(line) as Outcome;
  } catch {
    throw new Error(`the namespace script printed no result (exit ${code}): ${stderr.slice(0, 2000)}`);
  }
  if (outcome.unsupported) throw new Error(outcome.unsupported);
  t.is(outcome.error, undefined, stderr);
  t.is(code, 0);
  // The trap is real: the kernel lists a temporary address first, so a flag-blind reader takes it.
  t.not(outcome.firstListed, '240e:1:2:3::5');
  t.true(outcome.naive.length >= 2, `a flag-blind reader follows the rotation (${outcome.naive.join(', ')})`);
  // The detector takes the stable address at every reading and the planner writes nothing.
  t.deepEqual(outcome.detected, ['240e:1:2:3::5']);
  t.is(outcome.writes, 0);
  t.true(outcome.temporariesSeen >= 3, `rotations observed: ${outcome.temporariesSeen} temporary addresses`);
  t.log(`${outcome.reads} readings over ${outcome.temporariesSeen} temporary addresses: 1 address detected, 0 writes`);
});
