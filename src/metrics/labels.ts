// Label values for metrics. Every label here has a bounded set of values: node names (one per
// cluster node), a fixed method list, route patterns (never raw paths) and status codes.

/** A label per node: its name, made unique by its cluster position when two nodes share a name.
 *  Node codes are never used: like the original's status page, public surfaces show names only. */
export function nodeLabels(nodes: readonly { nodeCode: string; nodeName: string }[]): Map<string, string> {
  const seen = new Map<string, number>();
  for (const n of nodes) seen.set(n.nodeName, (seen.get(n.nodeName) ?? 0) + 1);
  const out = new Map<string, string>();
  nodes.forEach((n, i) => out.set(n.nodeCode, (seen.get(n.nodeName) ?? 0) > 1 ? `${n.nodeName} #${i + 1}` : n.nodeName));
  return out;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Node's parser accepts ~30 methods; anything unusual is folded into one value. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/** Requests no route matched (404s, wrong methods) share one label value, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';
