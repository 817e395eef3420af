// Unknown keys in a config file, each with the closest known key ("did you mean"), so a typo such
// as `NodeAdress:` is named as a typo rather than only surfacing as "NodeAddress is required".
// Pure: the caller decides whether they are warnings (a valid config) or problems (an invalid one).

/** One unknown key: the key as written and the known key it most likely meant (null: none close). */
export interface UnknownKey {
  key: string;
  suggestion: string | null;
}

/**
 * Levenshtein edit distance (insertions, deletions, substitutions each cost 1), compared
 * case-insensitively so `apiport` is one step from nothing but a case slip.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * The known key closest to `key`, or null when none is close enough to be a plausible typo: at most
 * a third of the key's length in edits (at least 2), so `NodeAdress` → `NodeAddress` and
 * `Secret` → nothing. A case-only difference (`apiPort`) always matches.
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return best !== null && bestDistance <= limit ? best : null;
}

/** The keys of `input` that are not in `known`, in file order, each with its closest known key. */
export function findUnknownKeys(input: Record<string, unknown>, known: readonly string[]): UnknownKey[] {
  const set = new Set(known);
  return Object.keys(input)
    .filter((k) => !set.has(k))
    .map((key) => ({ key, suggestion: closestKey(key, known) }));
}

/** `unknown key NodeAdress (did you mean NodeAddress?)`; without a suggestion, `unknown key X`. */
export function describeUnknownKey(u: UnknownKey): string {
  // Keys come from the operator's file: keep them printable and short in messages.
  const key = JSON.stringify(u.key.slice(0, 60)).slice(1, -1);
  return u.suggestion ? `unknown key ${key} (did you mean ${u.suggestion}?)` : `unknown key ${key} (no CocoaSyncer setting is close to it)`;
}
