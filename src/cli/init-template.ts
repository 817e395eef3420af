// The config file `cocoasyncer init` writes: every key a new node needs, commented, with a secret
// generated for this node. Pure (the caller supplies the secret and names) so tests can read it.
import { randomBytes } from 'node:crypto';

/** What init fills in. */
export interface InitValues {
  /** This node's CocoaSecret (see generateSecret). */
  secret: string;
  /** NodeCode, 1-64 of `A-Za-z0-9_.-`. */
  nodeCode: string;
  /** NodeName (status page, badge). */
  nodeName: string;
  /** DSN for the SQLite file, relative to the config file's folder (e.g. `file:../data/cocoasyncer.db`). */
  dsn: string;
}

/** A new CocoaSecret: 32 bytes from the OS's CSPRNG as base64url, 43 characters, no YAML specials. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A NodeCode from a host name: lower case, other characters as `-`, at most 64; `node` if nothing is left. */
export function nodeCodeFrom(hostname: string): string {
  const code = hostname.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return code === '' ? 'node' : code;
}

/**
 * The SQLite DSN init writes for a config file in `configDir`: beside it in `data/`, or, for the
 * usual `config/` folder of a checkout, in `../data/` (where `npm start` puts it too).
 */
export function defaultDsnFor(configDirName: string): string {
  return configDirName === 'config' ? 'file:../data/cocoasyncer.db' : 'file:./data/cocoasyncer.db';
}

/** The commented YAML text. Values are quoted where YAML could read them as something else. */
export function initConfigText(v: InitValues): string {
  return `# CocoaSyncer node configuration, written by \`cocoasyncer init\`.
# Check it with \`cocoasyncer config check\`; every key is in the README ("Configuration"), and each
# can be overridden by an environment variable.

APIPort: 44443                        # HTTP port of this node's API
NodeName: ${JSON.stringify(v.nodeName)}${' '.repeat(Math.max(1, 28 - JSON.stringify(v.nodeName).length))}# friendly name, shown on the status page and badge
NodeCode: ${v.nodeCode}${' '.repeat(Math.max(1, 28 - v.nodeCode.length))}# short unique code (never shown on public pages)
NodeAddress: http://127.0.0.1:44443   # CHANGE: the URL peers use to reach this node (full URL, no trailing slash)
ReverseProxy: false                   # true: trust X-Forwarded-For from a reverse proxy
WorkMode: leader                      # leader (the first node) | follower (joined from the leader: cocoasyncer join)
# This node's secret, generated for it: peers and the CLI sign with it. Keep this file private.
CocoaSecret: "${v.secret}"

DataBaseType: sqlite                  # sqlite (embedded) | mysql
DSN: "${v.dsn}"${' '.repeat(Math.max(1, 32 - v.dsn.length))}# sqlite: file:PATH (relative to this file); mysql: user:pass@tcp(host:3306)/db

ISPs: [default]                       # lines this node serves: default, CT, CU, CMCC, CNEdu, OverSea, or None
NetworkType: IPV4                     # IPV4 (A), IPV6 (AAAA) or Both
HeartbeatSeconds: 5                   # heartbeat: refresh own watchdog, pull every peer's
FailAfterSeconds: 15                  # a peer whose watchdog is older than this is down
DnsSyncSeconds: 60                    # DNS reconcile period (also runs at once on failover or IP change)
V1Compat: false                       # allow the original's clear-secret v1 protocol (only while a Go peer remains)
DryRun: false                         # true: plan DNS changes, never write them
LogLevel: info                        # fatal, error, warn, info, debug, trace, silent
LogFormat: auto                       # text, json, or auto (text on a terminal, JSON otherwise)
# PublicIP:                           # how this node finds its public address (default: well-known echo services)
#   IPv4: { Sources: [https://4.ipw.cn, https://api4.ipify.org], MinAgree: 2 }
#   IPv6: { Interface: eth0 }
`;
}
