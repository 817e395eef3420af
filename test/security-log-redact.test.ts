import test from 'ava';
import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from '../src/security/log-redact.js';

function capture(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const log = pino({ redact: { paths: LOG_REDACT_PATHS } }, { write: (line: string) => void lines.push(line) });
  return { lines, log };
}

test('pino accepts every redaction path', (t) => {
  t.true(LOG_REDACT_PATHS.length > 0);
  t.is(new Set(LOG_REDACT_PATHS).size, LOG_REDACT_PATHS.length, 'no duplicates');
  for (const path of LOG_REDACT_PATHS) t.notThrows(() => pino({ redact: [path] }), path);
});

test('secrets at common depths, in arrays and in headers are redacted in log lines', (t) => {
  const { lines, log } = capture();
  log.info(
    {
      secret: 'S00',
      Dsn: 'S01',
      node: { cocoaSecret: 'S02', nested: { accessSecret: 'S03', deeper: { password: 'S04' } } },
      state: {
        nodes: [{ nodeCode: 'B', secret: 'S05' }],
        cloudAccounts: [{ platformProvider: 'Ali', accessKey: 'visible-id', accessSecret: 'S06' }],
      },
      cocoaBasic: {
        CocoaSecret: 'S07',
        cloudPlatformInfo: [{ accessSecret: 'S08' }],
        otherCocoaSyncer: [{ cocoaSecret: 'S09' }],
      },
      accounts: [{ AccessKeySecret: 'S10' }],
      req: { headers: { authorization: 'S11', 'x-cocoa-signature': 'S12', cookie: 'S13', host: 'visible-host' } },
      headers: { 'X-Cocoa-Signature': 'S14', Authorization: 'S15' },
      config: { CredentialKey: 'S16', token: 'S17' },
    },
    'push',
  );
  const line = lines.join('');
  const leaked = Array.from({ length: 18 }, (_, i) => `S${String(i).padStart(2, '0')}`).filter((s) => line.includes(s));
  t.deepEqual(leaked, []);
  t.true(line.includes('visible-id'));
  t.true(line.includes('visible-host'));
  t.true(line.includes('"msg":"push"'));
});
