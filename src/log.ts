// One structured logger (pino). Secret-bearing keys are redacted by path, and every known secret
// string (raw, URL-encoded, base64, JSON-escaped) is scrubbed from each line, so a careless log call
// cannot leak a key. LogFormat picks the shape: JSON lines (for collectors) or readable text
// (pino-pretty, for a terminal); `auto` is text on a terminal and JSON otherwise.
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { LOG_REDACT_PATHS, makeScrubber } from './security/index.js';

export type { Logger } from 'pino';

export interface LogOptions {
  level: string;
  name?: string;
  /** Known secrets to scrub from any log line, whatever the key. */
  secrets?: () => readonly string[];
  destination?: NodeJS.WritableStream;
  /** `json` (default), `text`, or `auto`: text when the destination is a terminal. */
  format?: LogFormat;
}

/** The config's LogFormat values. */
export type LogFormat = 'auto' | 'text' | 'json';

/** Whether lines to `dest` are written as text (pure: `auto` asks whether it is a terminal). */
export function usesText(format: LogFormat | undefined, dest: { isTTY?: boolean }): boolean {
  if (format === 'text') return true;
  if (format === 'auto') return dest.isTTY === true;
  return false;
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
  const tty = (dest as { isTTY?: boolean }).isTTY === true;
  // Text is rendered from the JSON line after scrubbing, so both formats carry the same redactions.
  const render = usesText(opts.format, dest as { isTTY?: boolean })
    ? prettyFactory({ colorize: tty, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname' })
    : (line: string) => line;
  const stream = {
    write(line: string): void {
      dest.write(render(scrubber()(line)));
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
