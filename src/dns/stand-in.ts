// The stand-in rule: how a node that took over a silent owner's line writes that line's records
// without ever fighting over them.
//
// Takeover on silence is the point of the product, and with two nodes there is no majority to ask,
// so both halves of a partition may each believe the other dead. The rule that keeps that from
// becoming a fight:
// - A stand-in writes a taken-over record at most once per value it publishes, during an *episode*
//   (from when it starts standing in for the owner until the owner is heard live again).
// - If it later finds the record holding a value it did not write (the owner, alive after all, or
//   another node wrote it), it *yields*: it writes that record no more until the owner is heard
//   live again. The record keeps the other writer's value.
// Result: over a partition of any length plus its heal, each record changes at most twice (the
// stand-in's write, the owner's rewrite), and never back and forth.
//
// Pure: `decideStandIn` maps (memory, rows, live owners) to (allowed rows, yields, next memory);
// the DNS sync keeps the memory in process (a restart starts new episodes).

/** One taken-over record as the DNS plan sees it. */
export interface StandInRow {
  /** Identifies the record: service, name, type and line (see standInKey). */
  key: string;
  /** The node whose line this is (the first owner in cluster order). */
  owner: string;
  /** The value the provider holds now, or null when there is no record. */
  current: string | null;
  /** This node's address for the record. */
  desired: string;
}

/** What a stand-in remembers about one record in the current episode. */
export interface StandInEpisode {
  owner: string;
  /** The last value this node wrote (or found already holding its own value); null before any. */
  wrote: string | null;
  /** Set when someone else changed the record after this node wrote it: hands off until the owner is back. */
  yielded: boolean;
}

export type StandInMemory = ReadonlyMap<string, StandInEpisode>;

export interface StandInDecision {
  /** Keys of rows this node may write (or already holds) now. */
  allowed: Set<string>;
  /** Rows left alone because this node yielded, with the value someone else wrote. */
  yielded: { key: string; owner: string; current: string | null }[];
  memory: Map<string, StandInEpisode>;
}

/** The memory key of a record. */
export function standInKey(service: string, fqdn: string, type: string, line: string): string {
  return `${service}\u0000${fqdn}\u0000${type}\u0000${line}`;
}

/** A memory key taken apart (standInKey's inverse). */
export function parseStandInKey(key: string): { service: string; fqdn: string; type: string; line: string } {
  const [service = '', fqdn = '', type = '', line = ''] = key.split('\u0000');
  return { service, fqdn, type, line };
}

/**
 * Whether the owner of a taken-over record is back for that record: its episode ends and a later
 * takeover starts afresh. Per record, not per node: an owner can be live and still down for one
 * service's (line, family) (a probe verdict), and then it is not back for that record.
 */
export type OwnerBack = (owner: string, key: string) => boolean;

/**
 * Decides which taken-over records this node may write now. `ownerBack` says which owners are back
 * for a record (a set: the owners heard live again, for every record); their episodes end, so a
 * later takeover starts afresh. Episodes of records no longer in `rows` whose owner is not back are
 * kept: the takeover may resume after a plan change.
 */
export function decideStandIn(memory: StandInMemory, rows: readonly StandInRow[], ownerBack: ReadonlySet<string> | OwnerBack): StandInDecision {
  const back: OwnerBack = typeof ownerBack === 'function' ? ownerBack : (owner) => ownerBack.has(owner);
  const next = new Map<string, StandInEpisode>();
  for (const [key, ep] of memory) if (!back(ep.owner, key)) next.set(key, ep);
  const allowed = new Set<string>();
  const yielded: StandInDecision['yielded'] = [];
  for (const row of rows) {
    const ep = next.get(row.key) ?? { owner: row.owner, wrote: null, yielded: false };
    if (ep.yielded) {
      yielded.push({ key: row.key, owner: row.owner, current: row.current });
      next.set(row.key, ep);
      continue;
    }
    if (row.current === row.desired) {
      // Already this node's value: nothing to write, and it is ours to watch from now on.
      next.set(row.key, { ...ep, owner: row.owner, wrote: row.desired });
      allowed.add(row.key);
      continue;
    }
    if (ep.wrote !== null && row.current !== ep.wrote) {
      // Someone else wrote it after us: the owner is alive after all, or another node stands in.
      next.set(row.key, { ...ep, yielded: true });
      yielded.push({ key: row.key, owner: row.owner, current: row.current });
      continue;
    }
    next.set(row.key, { ...ep, owner: row.owner });
    allowed.add(row.key);
  }
  return { allowed, yielded, memory: next };
}

/** Records a successful write of `value` to a taken-over record. */
export function recordStandInWrite(memory: StandInMemory, key: string, owner: string, value: string): Map<string, StandInEpisode> {
  const next = new Map(memory);
  const ep = next.get(key);
  next.set(key, { owner, wrote: value, yielded: ep?.yielded ?? false });
  return next;
}
