// Why a node could not start, as one line for the operator: the config key at fault and the OS's
// reason (`DSN: cannot create /data/x.db: EACCES (permission denied)`). Decided here, printed once
// by the `run` command (src/cli/commands/run.ts), which exits non-zero.

/** A start failure naming the config key at fault (`DSN`, `APIPort`, `TLSCert`, ...) and the reason in words. */
export class StartError extends Error {
  constructor(
    /** The config key the operator must look at. */
    readonly key: string,
    /** What went wrong, with the OS code where there is one; never a password. */
    readonly reason: string,
  ) {
    super(`${key}: ${reason}`);
    this.name = 'StartError';
  }
}

// The OS codes an operator meets when a data folder or port is wrong, in plain words.
const OS_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

/** `EACCES (permission denied)` for an OS error; the error's own message when it carries no code. */
export function osReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && code !== '') return OS_WORDS[code] ? `${code} (${OS_WORDS[code]})` : code;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/**
 * The one line `run` prints for any start failure: a StartError as `KEY: reason`; anything else
 * with its OS code when it has one (so even an unforeseen failure is never silent or a stack).
 */
export function describeStartFailure(err: unknown): string {
  if (err instanceof StartError) return err.message;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${message}: ${osReason(err)}` : message;
}

/**
 * Settles within `ms` whatever `p` does: used for clean-up calls (closing a database whose open
 * failed) that may never settle and would otherwise keep the process from reporting the failure.
 */
export function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}
