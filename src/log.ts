// One structured logger (pino). Secret-bearing keys are redacted by path, and every known secret
// string is scrubbed from messages, so a careless log call cannot leak a key.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'secret',
  'cocoaSecret',
  'accessSecret',
  'password',
  'dsn',
  'DSN',
  '*.secret',
  '*.cocoaSecret',
  '*.accessSecret',
  '*.password',
  '*.dsn',
  '*.*.secret',
  '*.*.cocoaSecret',
  '*.*.accessSecret',
  'req.headers.authorization',
  'req.headers["x-cocoa-signature"]',
];

export interface LogOptions {
  level: string;
  name?: string;
  /** Known secrets to scrub from any log line, whatever the key. */
  secrets?: () => readonly string[];
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions): Logger {
  const secrets = opts.secrets ?? (() => []);
  const scrub = (line: string): string => {
    let out = line;
    for (const s of secrets()) {
      if (s.length < 4) continue;
      // The raw form and the JSON-escaped form (a secret with a quote or backslash is escaped in a log line).
      for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) out = out.split(form).join('***');
    }
    return out;
  };
  const dest = opts.destination ?? process.stdout;
  const stream = {
    write(line: string): void {
      dest.write(scrub(line));
    },
  };
  return pino(
    {
      level: opts.level,
      name: opts.name ?? 'cocoasyncer',
      redact: { paths: REDACT_PATHS, censor: '***' },
      base: { pid: process.pid },
    },
    stream,
  );
}

/** A logger that drops everything (tests, CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
