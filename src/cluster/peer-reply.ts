// Peer answers in words for operators. The v1 wire carries business strings ("MafuMafu~",
// "Not Allowed! Cocoa is soooo kawaii, ...") that mean something only to the original's authors;
// every operator-facing message (CLI errors, status, push errors, logs) says what the code means.

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
 * meaning, plus the peer's `message` when it sent one (v2 peers explain themselves there). Never
 * the v1 `statusString`.
 */
export function describePeerReply(reply: { statusCode: number; message?: unknown }): string {
  const meaning = V1_MEANING[reply.statusCode] ?? 'unexpected answer';
  const message = typeof reply.message === 'string' && reply.message !== '' ? `: ${reply.message}` : '';
  return `${reply.statusCode} ${meaning}${message}`;
}
