// What a newcomer installs and deploys with: `npm install` approves every dependency install script
// it runs (npm 11's allowScripts, so no "not covered" warning looks like a failed install), the
// systemd unit is valid and sandboxed with a dedicated user and a state folder, and the README
// documents it and the Docker data folder's owner as the Dockerfile sets it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/node.js';

const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

test('package.json allowScripts covers every package in the lockfile that has an install script', (t) => {
  const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  t.true(withScripts.length >= 2, `found ${withScripts.join(', ')}`);
  for (const name of withScripts) t.is(pkg.allowScripts?.[name], true, `${name} runs an install script: declare it in allowScripts`);
});

/** The [Service] settings of the unit, key → values (a key may repeat). */
function serviceSettings(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1]!;
    else if (section === 'Service') {
      const [key, ...value] = line.split('=');
      out.set(key!, [...(out.get(key!) ?? []), value.join('=')]);
    }
  }
  return out;
}

test('the systemd unit runs as a dedicated user with a state folder, restarts on failure but not on a config error, and is sandboxed', (t) => {
  const unit = read('deploy/cocoasyncer.service');
  const s = serviceSettings(unit);
  const one = (k: string) => s.get(k)?.at(-1);
  t.is(one('User'), 'cocoasyncer');
  t.is(one('StateDirectory'), 'cocoasyncer');
  t.true(s.get('Environment')!.includes('COCOASYNCER_DSN=file:/var/lib/cocoasyncer/cocoasyncer.db'), 'the database lives in the state folder');
  t.true(s.get('Environment')!.includes('COCOASYNCER_CONFIG=/etc/cocoasyncer/cocoasyncer.yaml'), 'the config file is named, never a fallback');
  t.is(one('Restart'), 'on-failure');
  t.is(one('RestartPreventExitStatus'), '2', 'exit 2 is a config error: restarting cannot fix it');
  t.regex(one('ExecStart') ?? '', /^\/\S+ \S*bin\/cocoasyncer\.js run$/);
  for (const [k, v] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['CapabilityBoundingSet', '']]) {
    t.is(one(k), v, k);
  }
  t.is(one('MemoryDenyWriteExecute'), undefined, 'would break V8\'s JIT');

  const analyze = spawnSync('systemd-analyze', ['verify', join(ROOT, 'deploy', 'cocoasyncer.service')], { encoding: 'utf8' });
  if (analyze.error) {
    t.log(`systemd-analyze not available (${analyze.error.message}); the unit was checked by reading only`);
    return;
  }
  t.is(analyze.status, 0, analyze.stderr);
  t.notRegex(analyze.stderr, /Unknown|ignoring|Invalid|Failed/i, analyze.stderr);
});

test('the README documents the systemd unit and who must own a bind-mounted Docker data folder (the Dockerfile\'s user)', (t) => {
  const readme = read('README.md');
  const dockerfile = read('docker/Dockerfile');
  t.regex(dockerfile, /^USER node$/m);
  t.regex(dockerfile, /COCOASYNCER_DSN=file:\/data\//);
  // The node image's `node` user is uid/gid 1000.
  t.regex(readme, /## Docker[\s\S]*bind mount[\s\S]*uid 1000, gid 1000[\s\S]*chown 1000:1000/);
  const systemd = readme.slice(readme.indexOf('## systemd'));
  t.true(readme.includes('## systemd'), 'a systemd section');
  for (const needed of ['deploy/cocoasyncer.service', 'StateDirectory=cocoasyncer', 'Restart=on-failure', 'useradd --system', '/etc/cocoasyncer/cocoasyncer.yaml']) {
    t.true(systemd.includes(needed), `the systemd section mentions ${needed}`);
  }
});
