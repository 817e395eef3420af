// The /v1/status page: one self-contained HTML document (inline CSS and JS, no CDN, no web font)
// that renders the public status view and refreshes it by polling /v1/status.json. Data reaches
// the DOM only through textContent, and the first view is embedded as escaped JSON, so nothing a
// node name or a DNS value contains can become markup. The inline code is allowed by hash in the
// Content-Security-Policy, so injected script would not run even if it got in.
import { createHash } from 'node:crypto';
import { escapeHtml, jsonForScript } from './text.js';
import type { PublicStatus } from './status-view.js';

/** How often the page refreshes, ms. */
export const STATUS_POLL_MS = 3000;

const STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--fg:#1d2430;--muted:#6b7280;--line:#e5e7eb;--up:#15803d;--up-bg:#dcfce7;--down:#b91c1c;--down-bg:#fee2e2;--warn:#a16207;--warn-bg:#fef3c7;--info:#1d4ed8;--info-bg:#dbeafe;--chip:#eef1f5}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--card:#171d24;--fg:#e6e9ee;--muted:#9aa4b2;--line:#2a323c;--up:#4ade80;--up-bg:#12331f;--down:#f87171;--down-bg:#3b1717;--warn:#fbbf24;--warn-bg:#3a2c0c;--info:#93c5fd;--info-bg:#172a4a;--chip:#222a33}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 20px 40px}
header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:12px;margin-bottom:18px}
h1{font-size:22px;margin:0;font-weight:650;letter-spacing:-.01em}
h1 small{display:block;font-size:12px;font-weight:500;color:var(--muted);letter-spacing:.06em;text-transform:uppercase}
h2{font-size:15px;margin:0 0 10px;font-weight:650}
.meta{display:flex;flex-wrap:wrap;gap:6px 16px;color:var(--muted);margin-top:6px}
.meta b{color:var(--fg);font-weight:600}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin-bottom:16px;overflow-x:auto}
.banner{display:flex;align-items:center;gap:10px;font-weight:600;border-radius:10px;padding:12px 16px;margin-bottom:16px;border:1px solid transparent}
.banner.healthy{background:var(--up-bg);color:var(--up)}
.banner.degraded{background:var(--warn-bg);color:var(--warn)}
.banner.leader-down{background:var(--down-bg);color:var(--down)}
.dot{width:10px;height:10px;border-radius:50%;background:currentColor;flex:none}
.live{font-size:12px;color:var(--muted);display:flex;align-items:center;gap:6px}
.live .dot{color:var(--up)}
.live.offline,.live.offline .dot{color:var(--down)}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;white-space:nowrap}
tr:last-child td{border-bottom:none}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
.pill.up{background:var(--up-bg);color:var(--up)}
.pill.down{background:var(--down-bg);color:var(--down)}
.pill.recovering{background:var(--warn-bg);color:var(--warn)}
.pill.held{background:var(--warn-bg);color:var(--warn)}
.pill.leader{background:var(--info-bg);color:var(--info)}
.pill.follower{background:var(--chip);color:var(--muted)}
.pill.self{background:transparent;border:1px solid var(--line);color:var(--muted);font-weight:500}
.chip{display:inline-block;margin:1px 4px 1px 0;padding:0 7px;border-radius:6px;background:var(--chip);font-size:12px;white-space:nowrap}
.chip.takeover{background:var(--warn-bg);color:var(--warn);font-weight:600}
.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.unknown{color:var(--muted);font-style:italic}
.note{color:var(--muted);font-size:12px}
.bad{color:var(--down)}
.svc{margin:14px 0 4px;font-weight:600}
.svc:first-of-type{margin-top:0}
.svc .note{font-weight:400;margin-left:8px}
.errors{margin:8px 0 0;padding-left:18px;color:var(--down)}
footer{color:var(--muted);font-size:12px;display:flex;flex-wrap:wrap;gap:14px;align-items:center}
footer a{color:var(--muted)}
.empty{color:var(--muted)}
.nowrap{white-space:nowrap}
`;

// Runs in the browser. Plain ES2017, no dependencies; builds every node with textContent.
const SCRIPT = `(function () {
  'use strict';
  var POLL_MS = ${STATUS_POLL_MS};
  var jsonUrl = location.pathname.replace(/\\/+$/, '') + '.json';
  var root = document.getElementById('app');
  var live = document.getElementById('live');

  function el(tag, cls, children) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return e;
  }
  function td(children, cls) { return el('td', cls, children); }
  function pill(text, cls) { return el('span', 'pill ' + cls, [text]); }
  function ago(iso) {
    if (!iso) return 'never';
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return duration(s) + ' ago';
  }
  function duration(s) {
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    var h = Math.floor(m / 60);
    if (h < 48) return h + ' h ' + (m % 60) + ' min';
    return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  }
  function age(sec) { return sec === null || sec === undefined ? '—' : (sec < 10 ? sec.toFixed(1) : String(Math.round(sec))) + ' s'; }
  function fam(f) { return f === 'ipv6' ? 'IPv6' : 'IPv4'; }
  function lineChip(s) {
    var c = el('span', 'chip' + (s.takeover ? ' takeover' : ''), [s.line + ' ' + fam(s.family)]);
    if (s.takeover) { c.appendChild(document.createTextNode(' \\u21aa from ' + s.from)); c.title = 'taken over from ' + s.from; }
    return c;
  }
  var STATE_NOTES = {
    'in-sync': 'in sync', written: 'written by this node', 'write-failed': 'write failed', 'would-change': 'dry run: would change',
    missing: 'no record', disabled: 'record disabled', duplicate: 'duplicate records', 'no-address': 'no public address', 'not-read': 'could not read', refused: 'refused by the safety check', unknown: ''
  };
  var HEALTH = {
    healthy: function (h) { return 'All ' + h.total + ' node' + (h.total === 1 ? '' : 's') + ' up'; },
    degraded: function (h) { return (h.total - h.up) + ' of ' + h.total + ' nodes down'; },
    'leader-down': function (h) { return 'Leader unreachable (' + h.up + '/' + h.total + ' up); edits wait, DNS sync goes on'; }
  };

  function header(d) {
    var n = d.node;
    return el('header', null, [
      el('div', null, [
        el('h1', null, [el('small', null, ['CocoaSyncer']), n.name]),
        el('div', 'meta', [
          el('span', null, ['role ', el('b', null, [n.role])]),
          el('span', null, ['state version ', el('b', null, [String(n.stateVersion)])]),
          el('span', null, ['up ', el('b', null, [duration(n.uptimeSeconds)])]),
          el('span', null, ['CocoaSyncer ', el('b', null, [n.version])]),
          n.joined || n.role === 'leader' ? null : el('span', 'bad', ['not joined to a cluster yet'])
        ])
      ]),
      el('img', null, [])
    ]);
  }

  // A peer's clock offset; more than 30 s off is flagged (requests are signed for its clock anyway).
  function clock(s) {
    if (s === null || s === undefined) return '—';
    var text = (s >= 0 ? '+' : '') + s.toFixed(1) + ' s';
    return Math.abs(s) > 30 ? el('span', 'bad', [text + ' (clock off)']) : text;
  }

  // One (line, family) address a node publishes: down (detection failed, the line fails over) in red.
  function addressChip(a) {
    var label = a.line + (a.family === 'ipv6' ? ':AAAA ' : ' ');
    var chip = a.state === 'up' ? el('span', 'chip', [label + a.address]) : el('span', a.state === 'down' ? 'chip bad' : 'chip', [label + (a.state === 'down' ? 'no address' : 'unknown')]);
    chip.setAttribute('data-address', a.line + '/' + a.family);
    return chip;
  }

  function nodesCard(d) {
    var rows = d.nodes.map(function (n) {
      var status = n.up ? 'up' : (n.recovering ? 'recovering' : (n.held ? 'held' : 'down'));
      var tr = el('tr', null, [
        td([n.name, ' ', n.self ? pill('this node', 'self') : null]),
        td([pill(n.role, n.role === 'leader' ? 'leader' : 'follower')]),
        td([pill(status, status)]),
        td([n.self ? '—' : age(n.watchdogAgeSeconds)], 'num'),
        td([clock(n.clockOffsetSeconds)], 'num'),
        td(n.owns.length ? n.owns.map(function (l) { return el('span', 'chip', [l]); }) : [el('span', 'empty', ['none'])]),
        td(n.serving.length ? n.serving.map(lineChip) : [el('span', 'empty', ['nothing'])]),
        td(n.addresses.length ? n.addresses.map(addressChip) : [el('span', 'empty', ['none'])]),
        td([n.stateVersion === null ? '—' : String(n.stateVersion)], 'num')
      ]);
      tr.setAttribute('data-index', String(n.index));
      tr.setAttribute('data-status', status);
      return tr;
    });
    var table = el('table', null, [
      el('thead', null, [el('tr', null, ['Node', 'Role', 'Status', 'Watchdog age', 'Clock', 'Owns lines', 'Serves now', 'Address per line', 'State version'].map(function (h) { return el('th', null, [h]); }))]),
      el('tbody', null, rows)
    ]);
    table.id = 'nodes';
    return el('section', 'card', [el('h2', null, ['Nodes']), table]);
  }

  function servicesCard(d) {
    var body = [el('h2', null, ['Managed services'])];
    if (!d.services.length) body.push(el('p', 'empty', ['No managed service yet.']));
    var selfName = (d.nodes.filter(function (n) { return n.self; })[0] || {}).name;
    d.services.forEach(function (s, i) {
      body.push(el('div', 'svc', [s.name, el('span', 'note', [s.fqdn + ' \\u00b7 ' + s.provider])]));
      var rows = s.lines.map(function (l) {
        var value = l.value === null ? el('span', 'unknown', ['unknown']) : el('span', 'value', [l.value]);
        var served = l.servedBy === null ? el('span', 'bad', ['nobody (all owners down)']) : el('span', l.takeover ? 'chip takeover' : null, [l.servedBy + (l.takeover ? ' (takeover)' : '')]);
        var note = l.state !== 'unknown' ? (STATE_NOTES[l.state] || '') : l.servedBy === null ? '' : l.servedBy === selfName ? 'not read yet' : 'read and written by ' + l.servedBy;
        var tr = el('tr', null, [
          td([l.line]), td([l.type]), td([served]), td([value]),
          td([el('span', 'note', [note + (l.observedAt ? (note ? ', ' : '') + ago(l.observedAt) : '')])])
        ]);
        tr.setAttribute('data-line', l.line + '/' + l.family);
        return tr;
      });
      var t = el('table', null, [
        el('thead', null, [el('tr', null, ['Line', 'Type', 'Served by', 'Value', ''].map(function (h) { return el('th', null, [h]); }))]),
        el('tbody', null, rows.length ? rows : [el('tr', null, [td([el('span', 'empty', ['No node serves a line of this service.'])])])])
      ]);
      t.setAttribute('data-service', String(i));
      body.push(t);
    });
    return el('section', 'card', body);
  }

  // The probe matrix: one row per probed (service, node, line, family), one column per prober.
  function probesCard(d) {
    if (!d.probes || !d.probes.length) return null;
    var probers = [];
    d.probes.forEach(function (p) { p.seenBy.forEach(function (c) { if (probers.indexOf(c.prober) < 0) probers.push(c.prober); }); });
    probers.sort();
    var rows = d.probes.map(function (p) {
      var verdict = p.down ? pill('down: ' + p.failing + ' of ' + p.probers + ' fail', 'down') : p.probers ? pill('up', 'up') : pill('not judged yet', 'follower');
      var cells = probers.map(function (name) {
        var c = p.seenBy.filter(function (x) { return x.prober === name; })[0];
        if (!c) return td([el('span', 'empty', ['\u2014'])]);
        var cell = td([c.ok ? pill('reaches' + (c.latencyMs === null ? '' : ' ' + c.latencyMs + ' ms'), 'up') : pill('fails' + (c.failures > 1 ? ' \u00d7' + c.failures : ''), 'down'), c.ok ? null : el('div', 'note', [c.detail])]);
        cell.title = c.detail + ' (' + age(c.ageSeconds) + ' ago)';
        return cell;
      });
      var tr = el('tr', null, [td([p.service], 'nowrap'), td([p.node], 'nowrap'), td([el('span', 'chip', [p.line + ' ' + fam(p.family)])]), td([verdict])].concat(cells));
      tr.setAttribute('data-probe', p.service + '/' + p.node + '/' + p.line + '/' + p.family);
      if (p.down) tr.className = 'probe-down';
      return tr;
    });
    var t = el('table', null, [
      el('thead', null, [el('tr', null, ['Service', 'Node', 'Line', 'Verdict'].concat(probers.map(function (n) { return 'seen by ' + n; })).map(function (h) { return el('th', null, [h]); }))]),
      el('tbody', null, rows)
    ]);
    t.id = 'probes';
    return el('section', 'card', [el('h2', null, ['Service health probes']), el('p', 'note', ['Every node probes the addresses the other nodes publish. A line of a node is down for a service when most of its probing nodes cannot reach it there; that line then fails over for that service alone.']), t]);
  }

  function dnsCard(d) {
    var x = d.dns;
    var meta = el('div', 'meta', [
      el('span', null, ['IPv4 ', x.ipv4 ? el('b', 'value', [x.ipv4]) : el('span', 'unknown', ['unknown'])]),
      x.ipv6 ? el('span', null, ['IPv6 ', el('b', 'value', [x.ipv6])]) : null,
      el('span', null, ['runs ', el('b', null, [String(x.runs)])]),
      el('span', null, ['last run ', el('b', null, [ago(x.lastRunAt)])]),
      el('span', null, ['last clean run ', el('b', null, [ago(x.lastSuccessAt)])]),
      x.dryRun ? el('span', 'bad', ['dry run: nothing is written']) : null
    ]);
    var parts = [el('h2', null, ['DNS sync on this node']), meta];
    if (x.lastErrors.length) parts.push(el('ul', 'errors', x.lastErrors.map(function (m) { return el('li', null, [m]); })));
    if (x.blocked.length) parts.push(el('ul', 'errors', x.blocked.map(function (b) { return el('li', null, [b.fqdn + ' ' + b.type + ' ' + b.line + ' (' + b.reason + '): ' + b.detail]); })));
    if (x.records.length) {
      // How fast clients see a failover: FailAfterSeconds + DnsSyncSeconds + the record's TTL.
      parts.push(el('p', 'note', ['Clients move within FailAfterSeconds ' + x.timing.failAfterSeconds + ' s + DnsSyncSeconds ' + x.timing.syncSeconds + ' s + TTL of each record:']));
      parts.push(el('table', 'ttl', [
        el('thead', null, [el('tr', null, ['Record', 'Line', 'TTL', 'Failover bound'].map(function (h) { return el('th', null, [h]); }))]),
        el('tbody', null, x.records.map(function (r) {
          return el('tr', null, [
            td([el('span', 'value', [r.fqdn]), ' ', r.type]), td([r.line]), td([r.ttl + ' s'], 'num'),
            td([r.boundSeconds + ' s', r.warning ? el('div', 'bad', [r.warning]) : null], 'num')
          ]);
        }))
      ]));
    }
    return el('section', 'card', parts);
  }

  function changesCard(d) {
    var parts = [el('h2', null, ['Latest DNS changes'])];
    if (d.changes === null) parts.push(el('p', 'bad', ['The audit log cannot be read right now (database unreachable).']));
    else if (!d.changes.length) parts.push(el('p', 'empty', ['No DNS change recorded yet.']));
    else {
      parts.push(el('table', null, [
        el('thead', null, [el('tr', null, ['When', 'Node', 'Record', 'Line', 'Change', 'Outcome'].map(function (h) { return el('th', null, [h]); }))]),
        el('tbody', null, d.changes.map(function (c) {
          var t = td([ago(c.at)], 'num'); t.title = c.at;
          return el('tr', null, [
            t, td([c.node]), td([el('span', 'value', [c.fqdn]), ' ', c.type]), td([c.line]),
            td([el('span', 'value', [(c.oldValue === null ? '(new)' : c.oldValue) + ' \\u2192 ' + c.newValue])]),
            td([c.outcome === 'ok' ? pill('ok', 'up') : pill(c.outcome, c.outcome === 'failed' ? 'down' : 'follower'), c.error ? el('div', 'note', [c.error]) : null])
          ]);
        }))
      ]));
    }
    return el('section', 'card', parts);
  }

  function render(d) {
    var banner = el('div', 'banner ' + d.health.level, [el('span', 'dot', []), HEALTH[d.health.level](d.health)]);
    banner.id = 'health';
    var head = header(d);
    var img = head.querySelector('img');
    // The query only changes with the health, so the cached badge is reused until it would differ.
    img.src = location.pathname.replace(/\\/status\\/*$/, '/badge') + '?h=' + d.health.up + '-' + d.health.total + '-' + d.health.level;
    img.alt = 'badge';
    img.height = 20;
    // DNS sync failing is a headline of its own: the nodes can all be up while no record moves.
    var dnsBanner = null;
    if (d.dns.failing) {
      dnsBanner = el('div', 'banner ' + (d.dns.authFailing ? 'leader-down' : 'degraded'), [el('span', 'dot', []),
        (d.dns.authFailing ? 'DNS sync failing: a provider rejects the credentials' : 'DNS sync failing') + ' since ' + ago(d.dns.failingSince)]);
      dnsBanner.id = 'dns-failing';
    }
    // Setup warnings (an example or short secret in use) are headlines too: they need the operator.
    var warnBanners = (d.warnings || []).map(function (w) {
      var b = el('div', 'banner degraded', [el('span', 'dot', []), w]);
      b.className += ' setup-warning';
      return b;
    });
    root.replaceChildren.apply(root, [head, banner, dnsBanner].concat(warnBanners, [ nodesCard(d), servicesCard(d), probesCard(d), dnsCard(d), changesCard(d)]).filter(function (n) { return n !== null; }));
    document.title = d.node.name + ' \\u00b7 CocoaSyncer status';
  }

  function setLive(ok, at) {
    live.className = 'live' + (ok ? '' : ' offline');
    live.replaceChildren(el('span', 'dot', []), ok ? 'live \\u00b7 updated ' + new Date(at).toLocaleTimeString() : 'cannot reach the node \\u00b7 retrying');
  }

  var timer = null;
  function poll() {
    timer = null;
    fetch(jsonUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (d) { render(d); setLive(true, d.generatedAt); })
      .catch(function () { setLive(false); })
      .then(schedule);
  }
  function schedule() { if (!timer && document.visibilityState !== 'hidden') timer = setTimeout(poll, POLL_MS); }
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible' && !timer) poll(); });

  var first = JSON.parse(document.getElementById('initial').textContent);
  render(first);
  setLive(true, first.generatedAt);
  schedule();
})();`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Inline code allowed by hash; the page may fetch its JSON and show the badge, nothing else. */
export const STATUS_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function renderStatusPage(view: PublicStatus): string {
  const name = escapeHtml(view.node.name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${name} · CocoaSyncer status</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div id="app"><h1><small>CocoaSyncer</small>${name}</h1>
<noscript><p>This page draws itself with JavaScript. The same information is at <a href="status.json">status.json</a>.</p></noscript></div>
<footer><span id="live" class="live"></span><a href="status.json">status.json</a><a href="openapi.json">openapi.json</a><a href="../metrics">metrics</a></footer>
</main>
<script type="application/json" id="initial">${jsonForScript(view)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
