// Process start → first 200 on /v1, for the compiled build (what `npm start` runs) and the sources
// through tsx. Run: npx tsx bench/startup.ts [runs]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, freePort, waitForHttp } from '../test/helpers/node.js';
import { tempDir } from '../test/helpers/config.js';
import { summary, ms } from './lib.js';

const runs = Number(process.argv[2] ?? 5);

async function once(args: string[]): Promise<number> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, COCOASYNCER_API_PORT: String(port), COCOASYNCER_DSN: `file:${join(tempDir(), 'n.db')}`, COCOASYNCER_PUBLIC_IPV4: '203.0.113.1', COCOASYNCER_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  await waitForHttp(`http://127.0.0.1:${port}/v1`, 30_000);
  const elapsed = Date.now() - started;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return elapsed;
}

for (const [label, args] of [
  ['compiled (npm start)', [join(ROOT, 'bin', 'cocoasyncer.js'), 'run']],
  ['sources via tsx', ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'run']],
] as const) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once([...args]));
  const s = summary(samples);
  console.log(`startup, ${label}: p50 ${ms(s.p50)}, max ${ms(s.max)} over ${s.n} runs (fresh SQLite database each run)`);
}
