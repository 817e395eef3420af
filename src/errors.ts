// One domain error for every refusal the node or the CLI reports. Code below the edges throws a
// DomainError with a *kind*; the HTTP layer maps the kind to a status (httpStatusOf) and the CLI to
// an exit code (its own table, keyed on the same kinds), each in one place.

/**
 * What went wrong, independent of transport:
 * - `invalid`: the input is wrong (a field names what); nothing changed.
 * - `not-found`: the thing named does not exist.
 * - `conflict`: it exists already, or the state moved on under the caller (a version check).
 * - `not-leader`: an edit sent to a follower, or an action only another role may take.
 * - `unauthorized` / `forbidden`: credentials refused / the caller may not do this.
 * - `peer-unreachable`: a peer (or provider) the command needed did not answer or answered badly.
 * - `unavailable`: this node cannot do it now (database down, shutting down); retry later.
 */
export type ErrorKind =
  | 'invalid'
  | 'not-found'
  | 'conflict'
  | 'not-leader'
  | 'unauthorized'
  | 'forbidden'
  | 'peer-unreachable'
  | 'unavailable';

const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'not-leader': 405,
  conflict: 409,
  'peer-unreachable': 502,
  unavailable: 503,
};

/** One bad input field and what is wrong with it, as answers list them under `details`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A refusal with a kind, an operator-facing message, and optionally the field and a machine code.
 * Throw it wherever the refusal is decided; the HTTP error middleware
 * (src/http/middleware/errors.ts) and the CLI's exit-code table (src/cli/output.ts) are the only
 * places that translate it.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The input field at fault, as the API names it. */
    readonly field?: string,
    /** A machine-readable reason where the kind alone is ambiguous (e.g. `peer_refused_secret`). */
    readonly code?: string,
    /** Every field at fault, when there are several (a schema check); defaults to `field` alone. */
    details?: readonly FieldProblem[],
  ) {
    super(message);
    this.name = 'DomainError';
    this.details = details ?? (field !== undefined ? [{ field, message }] : []);
  }

  /** The fields at fault (possibly none), as the answer's `details` lists them. */
  readonly details: readonly FieldProblem[];

  /** The HTTP status this error answers with. */
  get status(): number {
    return httpStatusOf(this.kind);
  }
}

/** The HTTP status of a kind: the one mapping from domain errors to HTTP. */
export function httpStatusOf(kind: ErrorKind): number {
  return HTTP_STATUS[kind];
}

/** The kind an HTTP status means (for clients reading an answer back), `unavailable` for other 5xx. */
export function kindOfHttpStatus(status: number): ErrorKind | null {
  for (const [kind, s] of Object.entries(HTTP_STATUS) as [ErrorKind, number][]) if (s === status) return kind;
  return status >= 500 ? 'unavailable' : null;
}
