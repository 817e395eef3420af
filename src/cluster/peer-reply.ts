// Peer answers in words for operators. The v1 wire carries business strings ("MafuMafu~",
// "Not Allowed! Cocoa is soooo kawaii, ...") that mean something only to the original's authors;
// every operator-facing message (CLI errors, status, push errors, logs) says what the code means.
import { V1_NOT_ALLOWED, V1_NOT_JOINED, V1_OK, V1_UNAUTHORIZED } from './wire-v1.js';

/** The original's business strings: never shown, their code's meaning is. */
const V1_STRINGS: ReadonlySet<string> = new Set([V1_OK, V1_NOT_JOINED, V1_UNAUTHORIZED, V1_NOT_ALLOWED].map((r) => r.statusString));

/** The plain meaning of each v1 business code, as the original uses them (its interface document). */
const V1_MEANING: Record<number, string> = {
  200: 'ok',
  201: 'not in a cluster',
  400: 'bad request',
  401: 'wrong secret',
  403: 'forbidden',
  404: 'not found',
  405: 'not allowed on this node (not the leader, or the node refuses this leader)',
  409: 'conflict',
  500: 'internal error',
  502: 'upstream error',
  503: 'unavailable',
};

/**
 * `405 not allowed on this node (...)` for a peer's v1-shaped reply: its code and the code's plain
 * meaning, plus the peer's own explanation: its `message`, else a `statusString` that is not one of
 * the original's business strings (ours say what was refused, e.g. `Push refused: ...`).
 */
export function describePeerReply(reply: { statusCode: number; statusString?: unknown; message?: unknown }): string {
  const meaning = V1_MEANING[reply.statusCode] ?? 'unexpected answer';
  const own = typeof reply.statusString === 'string' && reply.statusString !== '' && !V1_STRINGS.has(reply.statusString) ? reply.statusString : '';
  const detail = typeof reply.message === 'string' && reply.message !== '' ? reply.message : own;
  return `${reply.statusCode} ${meaning}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
}
