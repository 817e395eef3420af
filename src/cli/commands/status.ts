// `cocoasyncer status`: this node's view of the cluster — who is up, how fresh each watchdog is,
// which lines each node serves right now (takeovers marked), which state version each applied.
import type { Command } from 'commander';
import { api } from '../../api/contract.js';
import type { ServedSlot } from '../../cluster/failover.js';
import type { ClusterStatus, NodeStatus } from '../../node/status.js';
import { serviceFqdn } from '../../model.js';
import { displayName } from '../../dns/domain-name.js';
import { CLOCK_WARN_MS } from '../../net/clock-offset.js';
import { duration, table } from '../output.js';
import { adminCommand } from './common.js';

export function registerStatus(program: Command): void {
  adminCommand(
    program
      .command('status')
      .alias('st')
      .description('this node\'s view of the cluster: nodes up/down, watchdog age, lines served (takeovers marked), state versions, last errors'),
    async ({ out, client, connection }) => {
      const status = await client().call(api.adminStatus);
      out.result(status, () => `${renderStatus(status)}\n\n${cliSourceLine(connection())}`);
    },
  );
}

/** The last line of `status`: which node the CLI asked and which config file said so. */
export function cliSourceLine(conn: { baseUrl: string; configFile: string | null } | null): string {
  if (!conn) return '';
  return `CLI: asked ${conn.baseUrl}; config ${conn.configFile ?? 'not read (--node and a secret given)'}`;
}

function addressText(a: NodeStatus['addresses'][number]): string {
  const slot = `${a.line}${a.family === 'ipv6' ? ':AAAA' : ''}${a.ownEntry ? '*' : ''}`;
  return `${slot} ${a.state === 'up' ? a.address : a.state === 'down' ? 'no address' : 'unknown'}`;
}

export function renderStatus(s: ClusterStatus): string {
  const me = s.node;
  const parts: string[] = [];
  parts.push(
    `Node ${me.nodeCode} (${me.nodeName}): ${me.workMode}${me.joined || me.workMode === 'leader' ? '' : ', not in a cluster'}, state v${me.stateVersion} (term ${me.term}), up ${duration(me.uptimeSeconds)}`,
    `Public IPs: IPv4 ${s.dns.ips.ipv4 ?? '-'}, IPv6 ${s.dns.ips.ipv6 ?? '-'}`,
    '',
    table(
      ['NODE', 'NAME', 'MODE', 'STATUS', 'WATCHDOG', 'CLOCK', 'STATE', 'LINES', 'SERVING NOW', 'LAST ERROR'],
      s.nodes.map((n) => [
        `${n.self ? '*' : ' '} ${n.nodeCode}`,
        n.nodeName,
        n.workMode,
        nodeState(n),
        n.watchDogAgeSeconds === null ? '-' : `${duration(n.watchDogAgeSeconds)} ago`,
        clockText(n.clockOffsetSeconds),
        n.stateVersion === null ? '-' : `v${n.stateVersion}`,
        `${n.isps.join(',')} ${n.networkType}`,
        servingText(n.serving),
        n.lastError,
      ]),
    ),
  );
  const addressed = s.nodes.filter((n) => n.addresses.length > 0);
  if (addressed.length) {
    parts.push('', 'Addresses per line (LINE* = its own LineIP address; "no address" = detection failed, the line fails over):');
    for (const n of addressed) parts.push(`  ${n.nodeCode}: ${n.addresses.map(addressText).join(', ')}`);
  }
  if (s.nodes.some((n) => n.clockOffsetSeconds !== null && Math.abs(n.clockOffsetSeconds) * 1000 > CLOCK_WARN_MS)) {
    parts.push('', 'CLOCK marked ! differs from this node\'s by more than 30 s: requests are signed for that clock, but fix its time (NTP).');
  }
  if (s.nodes.some((n) => n.held)) parts.push('', 'DOWN (held) = down in this node\'s view, but no majority confirms it (or a peer still reaches it): nobody takes its lines over.');
  const lost = me.unpropagatedEdits;
  if (lost) {
    parts.push('', `Stepped down ${lost.steppedDownAt} (${lost.reason}) with ${lost.edits.length} edit(s) from term ${lost.term} that no follower acknowledged; they are not in the leader's state, re-apply them on the leader if still wanted:`);
    for (const e of lost.edits) parts.push(`  ${e.cause} (v${e.version}, ${e.at})`);
  }
  if (s.nodes.some((n) => n.serving.some((l) => l.takeover))) parts.push('', 'LINE:TYPE<owner = a line this node serves for a down node (takeover).');
  if (s.unserved.length) {
    parts.push('', 'Unserved (no live node can take them; records keep their last value):');
    for (const u of s.unserved) parts.push(`  ${u.service}: ${u.line}:${u.family === 'ipv4' ? 'A' : 'AAAA'}`);
  }
  if (s.services.length) {
    parts.push(
      '',
      table(
        ['SERVICE', 'NAME', 'PROVIDER', 'NODES', 'CHECK'],
        s.services.map((v) => [v.serviceName, serviceFqdn(v), v.platformProvider, v.nodes.length ? v.nodes.join(',') : 'all', v.check ?? '-']),
      ),
    );
  }
  const probes = probeMatrix(s);
  if (probes) parts.push('', probes);
  const d = s.dns;
  parts.push('', `DNS sync: ${d.runs} run(s); last ${d.lastRunAt ?? 'never'}${d.lastReason ? ` (${d.lastReason})` : ''}; last success ${d.lastSuccessAt ?? 'never'}`);
  if (d.lastCounts) {
    const counts = Object.entries(d.lastCounts).filter(([, v]) => v > 0).map(([k, v]) => `${k}=${v}`);
    if (counts.length) parts.push(`  last run: ${counts.join(', ')}`);
  }
  for (const e of d.lastErrors) parts.push(`  error: ${e}`);
  if (d.records.length) {
    parts.push('', `TTL and failover bound (FailAfterSeconds ${d.timing.failAfterSeconds} + DnsSyncSeconds ${d.timing.syncSeconds} + TTL):`);
    parts.push(table(['RECORD', 'TYPE', 'LINE', 'TTL', 'BOUND'], d.records.map((r) => [displayName(r.fqdn), r.type, r.line, `${r.ttl} s`, `${r.boundSeconds} s`])));
    for (const r of d.records) if (r.warning) parts.push(`  warning: ${displayName(r.fqdn)} ${r.type} ${r.line}: ${r.warning}`);
  }
  return parts.join('\n');
}

/**
 * The probe matrix: one row per probed (service, node, line, family) with the verdict, one column per
 * prober (`ok 3ms`, `FAIL x4`, `-` not probed by it). Null when nothing is probed.
 */
export function probeMatrix(s: Pick<ClusterStatus, 'probes'>): string | null {
  const { results, verdicts } = s.probes;
  if (!results.length && !verdicts.length) return null;
  const key = (service: string, node: string, line: string, family: string) => `${service}\u0000${node}\u0000${line}\u0000${family}`;
  const probers = [...new Set(results.map((r) => r.prober))].sort();
  const targets = new Map<string, { service: string; node: string; line: string; family: string; verdict: string }>();
  for (const v of verdicts) targets.set(key(v.service, v.node, v.line, v.family), { ...v, verdict: v.down ? `DOWN ${v.failing}/${v.probers}` : 'up' });
  for (const r of results) {
    const k = key(r.service, r.target, r.line, r.family);
    if (!targets.has(k)) targets.set(k, { service: r.service, node: r.target, line: r.line, family: r.family, verdict: 'not judged' });
  }
  const cell = (t: { service: string; node: string; line: string; family: string }, prober: string) => {
    const r = results.find((x) => x.prober === prober && key(x.service, x.target, x.line, x.family) === key(t.service, t.node, t.line, t.family));
    if (!r) return '-';
    return r.ok ? `ok${r.latencyMs === null ? '' : ` ${r.latencyMs}ms`}` : `FAIL x${r.failures}`;
  };
  const rows = [...targets.values()].map((t) => [t.service, t.node, `${t.line}:${t.family === 'ipv4' ? 'A' : 'AAAA'}`, t.verdict, ...probers.map((p) => cell(t, p))]);
  const notes = results.filter((r) => !r.ok).map((r) => `  ${r.prober} -> ${r.target} ${r.service} ${r.line}:${r.family === 'ipv4' ? 'A' : 'AAAA'}: ${r.detail}`);
  return ['Service probes (DOWN = a majority of probing nodes cannot reach it: that line fails over for that service):', table(['SERVICE', 'TARGET', 'LINE', 'VERDICT', ...probers.map((p) => `SEEN BY ${p}`)], rows), ...notes].join('\n');
}

function nodeState(n: NodeStatus): string {
  if (n.self) return 'up (self)';
  if (!n.up) return n.held ? 'DOWN (held)' : 'DOWN';
  return n.recovering ? 'up (recovering)' : 'up';
}

function clockText(offset: number | null): string {
  if (offset === null) return '-';
  const text = `${offset >= 0 ? '+' : ''}${offset.toFixed(1)} s`;
  return Math.abs(offset) * 1000 > CLOCK_WARN_MS ? `${text} !` : text;
}

function servingText(lines: ServedSlot[]): string {
  if (lines.length === 0) return '-';
  return lines.map((l) => `${l.line}:${l.family === 'ipv4' ? 'A' : 'AAAA'}${l.takeover ? `<${l.owner}` : ''}`).join(' ');
}
