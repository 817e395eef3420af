// Everything the admin commands print goes through here: human tables or `--json`, errors mapped to
// the exit codes scripts rely on, and every known secret scrubbed from whatever is written, so a
// secret given on the command line (or one a node echoed by mistake) never reaches the terminal.
import { makeScrubber } from '../security/index.js';
import { AdminError } from './admin-client.js';

/** The exit codes, documented in `cocoasyncer --help` and the README. */
export const EXIT = {
  ok: 0,
  /** The node refused or failed the request (a 4xx business refusal such as 404/409, or a 5xx). */
  refused: 1,
  /** Bad usage or config: a missing or invalid flag, an unreadable config file. Nothing was sent. */
  usage: 2,
  /** The node did not answer (not running, wrong address/port, TLS failure). */
  unreachable: 3,
  /** The node refused the CLI's own credentials (HTTP 401/403): wrong CocoaSecret / --secret. */
  auth: 4,
  /** Not allowed on this node (HTTP 405): an edit on a follower, or `quit` on the leader. */
  notHere: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  refused or failed by the node (e.g. not found, already exists, a joining node refused)
  2  usage or config error (missing/invalid flag, unreadable config); nothing was sent
  3  the node is unreachable (not running, wrong --node, TLS problem)
  4  the node refused the CLI's credentials (wrong CocoaSecret / --secret / $COCOASYNCER_SECRET)
  5  not allowed on this node (run edits on the leader; run "quit" without a code on a follower)`;

/** A failure the CLI reports itself, with the exit code it means. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly details: { field: string; message: string }[] = [],
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad or missing input, detected before anything is sent. */
export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}

/** API field names → the flag or argument an operator typed, per command. */
export type FieldNames = Record<string, string>;

/**
 * The exit code of a failure the node answered, by its HTTP status (0: the node did not answer):
 * the one mapping from admin API errors to exit codes. Any status not listed is `refused`.
 * (Keyed by status rather than by DomainError kind because the CLI's view differs from the
 * node's in one place: a 502 is a peer *of the node* that did not answer, a refusal for the
 * operator, while a node that does not answer at all is exit 3.)
 */
const EXIT_BY_STATUS: ReadonlyMap<number, ExitCode> = new Map<number, ExitCode>([
  [0, EXIT.unreachable],
  [400, EXIT.usage],
  [401, EXIT.auth],
  [403, EXIT.auth],
  [405, EXIT.notHere],
]);

/**
 * Whether a 401 is about a secret the CLI passed on for another node (`join --secret`: the joining
 * node refused it) rather than about the CLI's own signature. The node names the `secret` field
 * (and says `peer_refused_secret`) exactly then.
 */
function refusedForAnotherNode(err: AdminError): boolean {
  return err.status === 401 && (err.code === 'peer_refused_secret' || err.details.some((d) => d.field === 'secret'));
}

/** The exit code of an admin API failure (see EXIT_BY_STATUS). */
export function exitCodeOf(err: AdminError): ExitCode {
  if (refusedForAnotherNode(err)) return EXIT.refused;
  return EXIT_BY_STATUS.get(err.status) ?? EXIT.refused;
}

/**
 * Turns an admin API failure into a CliError: its exit code (exitCodeOf), its details renamed to
 * the flags the operator typed (`fields`), and a message that says what to do where the node's
 * own message would not (the CLI's credentials refused, the node refused the input).
 */
export function fromAdminError(err: AdminError, fields: FieldNames = {}): CliError {
  const exitCode = exitCodeOf(err);
  const details = err.details.map((d) => ({ field: fields[d.field] ?? d.field, message: d.message }));
  const status = err.status === 0 ? undefined : err.status;
  if (refusedForAnotherNode(err)) {
    const flag = fields.secret ?? 'secret';
    return new CliError(exitCode, `${err.message}: the secret given with ${flag} must be that node's own CocoaSecret (nothing changed)`, details, status);
  }
  if (exitCode === EXIT.auth) {
    return new CliError(
      exitCode,
      `the node refused the CLI's credentials (${err.message}). The CLI signs with CocoaSecret from the config ` +
        '(or --secret / $COCOASYNCER_SECRET). A node not in a cluster takes a changed secret from its config when restarted; ' +
        'a node in a cluster keeps its stored one until "cocoasyncer secret rotate" changes it',
      details,
      status,
    );
  }
  if (exitCode === EXIT.usage) return new CliError(exitCode, `the node refused the input: ${details.map((d) => `${d.field}: ${d.message}`).join('; ') || err.message}`, details, status);
  return new CliError(exitCode, err.message, details, status);
}

export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** One command's output: JSON or human, with secrets scrubbed. */
export class Output {
  private readonly secrets = new Set<string>();
  private scrub: (text: string) => string = (t) => t;

  constructor(
    readonly json: boolean,
    private readonly streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  /** A secret that must never be printed, whatever prints it. */
  addSecret(secret: string | undefined): void {
    // Very short strings would blot out ordinary words; the API masks those anyway.
    if (!secret || secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.scrub = makeScrubber(this.secrets);
  }

  /** Human text to stdout (ignored in --json mode, where `data` is the only stdout). */
  say(text: string): void {
    if (!this.json) this.streams.stdout.write(this.scrub(text.endsWith('\n') ? text : `${text}\n`));
  }

  /** A notice for a human on stderr (also in --json mode: it never pollutes stdout). */
  warn(text: string): void {
    this.streams.stderr.write(this.scrub(`cocoasyncer: ${text}\n`));
  }

  /** The result: JSON on stdout in --json mode, else whatever `human` renders. */
  result(data: unknown, human: () => string): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify(this.scrubValue(data), null, 2)}\n`);
    else this.say(human());
  }

  /** Prints a failure and returns the exit code to use. */
  fail(err: CliError): ExitCode {
    if (this.json) {
      const body = { error: { exitCode: err.exitCode, message: err.message, ...(err.status ? { status: err.status } : {}), ...(err.details.length ? { details: err.details } : {}) } };
      this.streams.stderr.write(`${JSON.stringify(this.scrubValue(body))}\n`);
    } else {
      // Details that only repeat the message (the node's refusals name one field) add nothing for a human.
      const details = err.exitCode === EXIT.usage ? [] : err.details.filter((d) => d.message !== err.message);
      const extra = details.length ? `\n${details.map((d) => `  ${d.field}: ${d.message}`).join('\n')}` : '';
      this.streams.stderr.write(this.scrub(`cocoasyncer: ${err.message}${extra}\n`));
    }
    return err.exitCode;
  }

  /** Scrubs strings inside a value (not its JSON text), so the JSON stays valid. */
  private scrubValue(value: unknown): unknown {
    if (this.secrets.size === 0) return value;
    if (typeof value === 'string') return this.scrub(value);
    if (Array.isArray(value)) return value.map((v) => this.scrubValue(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: this.scrubValue(v), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return value;
  }
}

/** Terminal columns of a string: CJK and other wide characters take two (node names may be Chinese). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f)) continue; // controls, combining marks
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** A plain aligned table: a header row, then one row per item; empty cells print as "-". */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => headers.map((_, i) => {
    const v = r[i];
    return v === null || v === undefined || v === '' ? '-' : String(v);
  }));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i]!))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - displayWidth(c))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** "3m12s" style durations for ages and uptimes. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${m}m`;
  return `${m}m${rest}s`;
}
