// One structured logger (pino). Secret-bearing keys are redacted by path, and every known secret
// string (raw, URL-encoded, base64, JSON-escaped) is scrubbed from each line, so a careless log call
// cannot leak a key.
import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS, makeScrubber } from './security/index.js';

export type { Logger } from 'pino';

export interface LogOptions {
  level: string;
  name?: string;
  /** Known secrets to scrub from any log line, whatever the key. */
  secrets?: () => readonly string[];
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions): Logger {
  const secrets = opts.secrets ?? (() => []);
  // The scrubber's pattern is rebuilt only when the set of known secrets changes (a push, an edit).
  let key = '';
  let scrub = makeScrubber([]);
  const scrubber = () => {
    const now = secrets().filter((s) => s.length >= 4);
    const k = now.join('\u0000');
    if (k !== key) {
      key = k;
      scrub = makeScrubber(now);
    }
    return scrub;
  };
  const dest = opts.destination ?? process.stdout;
  const stream = {
    write(line: string): void {
      dest.write(scrubber()(line));
    },
  };
  return pino(
    {
      level: opts.level,
      name: opts.name ?? 'cocoasyncer',
      redact: { paths: LOG_REDACT_PATHS, censor: '***' },
      base: { pid: process.pid },
    },
    stream,
  );
}

/** A logger that drops everything (tests, CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
