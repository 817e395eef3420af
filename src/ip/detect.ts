// Public address detection for one family. Sources in order of precedence: a static address, a
// network interface, a command, then HTTP echo services. The first kind configured wins (the config
// always carries a default HTTP list, so an operator who names an interface means "use that"), except
// that an interface named together with explicit `Sources` means "ask the echo services through that
// interface" (one uplink of a multi-WAN site, LineIP): each request is bound to the interface's local
// address. HTTP sources are read in parallel and must agree (see agree.ts).
//
// Every detected address must be global unicast for its family (classify.ts): a private, CGNAT,
// loopback, link-local or unique-local answer is a failed reading, reported with its source and the
// reason, and never counts toward agreement. A static address is the operator's word and is taken
// as given, with a warning when it is not global.
import type { Family } from '../model.js';
import { normalizeAddress } from './address.js';
import { agree } from './agree.js';
import { classifyAddress } from './classify.js';
import { interfaceBindAddress, readInterface, systemInterfaces, type InterfaceSource } from './interfaces.js';
import { DEFAULT_IP_SOURCES, readCommand, readHttp } from './sources.js';

/** Structurally the config's per-family `IpSourceConfig`; every field optional here. */
export interface IpDetectConfig {
  sources?: readonly string[];
  /** HTTP sources that must agree (capped at the number of sources). Default 2. */
  minAgree?: number;
  iface?: string | null;
  command?: string | null;
  staticAddress?: string | null;
  disabled?: boolean;
  /** Per-source timeout, ms (default 5000). */
  timeoutMs?: number;
}

export interface IpReading {
  /** `echo URL`, `interface NAME`, `command` or `static`. */
  source: string;
  /** The usable (normalised, global) address read, or null. */
  address: string | null;
  /** The address the source gave but that was refused (not global unicast), if any. */
  refused?: string;
  /** Why there is no address from this source. */
  error?: string;
}

export type DetectMethod = 'disabled' | 'static' | 'interface' | 'command' | 'http';

export interface DetectResult {
  family: Family;
  /** The detected address (normalised), or null. */
  address: string | null;
  method: DetectMethod;
  readings: IpReading[];
  /** Why there is no address, when there is none: every failed source with its reason. */
  reason?: string;
  /** Worth telling the operator although an address was found (a static address that is not global). */
  warnings: string[];
}

/** Injectable edges, for tests. */
export interface DetectDeps {
  readHttp?: (url: string, family: Family, timeoutMs: number, localAddress?: string) => Promise<string>;
  readCommand?: (command: string, family: Family, timeoutMs: number) => Promise<string>;
  interfaces?: () => InterfaceSource;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A reading of an address a source gave: kept when global unicast, refused (with the reason) otherwise. */
function screened(source: string, family: Family, address: string): IpReading {
  const c = classifyAddress(family, address);
  return c.global ? { source, address } : { source, address: null, refused: address, error: c.reason };
}

const failed = (r: IpReading) => `${r.source}: ${r.error ?? 'no address'}`;

/** One result from a single-reading source (interface, command). */
function single(family: Family, method: DetectMethod, reading: IpReading): DetectResult {
  return reading.address
    ? { family, address: reading.address, method, readings: [reading], warnings: [] }
    : { family, address: null, method, readings: [reading], reason: failed(reading), warnings: [] };
}

/**
 * Detects this host's public address of `family`. Never throws: a failure is a result with
 * `address: null` and a `reason` naming each source that failed and why (e.g.
 * `echo https://a.example: 100.64.12.34 is in the shared (CGNAT) range 100.64.0.0/10`).
 */
export async function detectIp(config: IpDetectConfig, family: Family, deps: DetectDeps = {}): Promise<DetectResult> {
  const timeoutMs = config.timeoutMs ?? 5_000;
  if (config.disabled) return { family, address: null, method: 'disabled', readings: [], reason: 'detection disabled', warnings: [] };

  if (config.staticAddress) {
    const ip = normalizeAddress(family, config.staticAddress);
    const reading: IpReading = { source: 'static', address: ip };
    if (!ip) return { family, address: null, method: 'static', readings: [reading], reason: `static address is not ${family}`, warnings: [] };
    const c = classifyAddress(family, ip);
    const warnings = c.global ? [] : [`static ${family} address ${c.reason}; used as given`];
    return { family, address: ip, method: 'static', readings: [reading], warnings };
  }

  // Interface with Sources: ask the echo services through that interface (one uplink of a multi-WAN
  // site, LineIP), so each uplink's own public address is seen.
  let localAddress: string | undefined;
  if (config.iface && config.sources && config.sources.length > 0) {
    try {
      localAddress = interfaceBindAddress(config.iface, family, (deps.interfaces ?? systemInterfaces)());
    } catch (err) {
      return single(family, 'http', { source: `interface ${config.iface}`, address: null, error: errText(err) });
    }
  } else if (config.iface) {
    const source = `interface ${config.iface}`;
    try {
      // readInterface only returns global addresses (it skips the others, saying why if none is left).
      const ip = readInterface(config.iface, family, (deps.interfaces ?? systemInterfaces)());
      return single(family, 'interface', { source, address: ip });
    } catch (err) {
      return single(family, 'interface', { source, address: null, error: errText(err) });
    }
  }

  if (config.command && !localAddress) {
    try {
      const ip = await (deps.readCommand ?? readCommand)(config.command, family, timeoutMs);
      return single(family, 'command', screened('command', family, ip));
    } catch (err) {
      return single(family, 'command', { source: 'command', address: null, error: errText(err) });
    }
  }

  const urls = config.sources ?? DEFAULT_IP_SOURCES[family];
  if (urls.length === 0) return { family, address: null, method: 'http', readings: [], reason: 'no address source configured', warnings: [] };
  const read = deps.readHttp ?? readHttp;
  const readings = await Promise.all(
    urls.map(async (url): Promise<IpReading> => {
      const source = localAddress ? `echo ${url} via ${config.iface} (${localAddress})` : `echo ${url}`;
      try {
        return screened(source, family, await read(url, family, timeoutMs, localAddress));
      } catch (err) {
        return { source, address: null, error: errText(err) };
      }
    }),
  );
  const need = Math.min(Math.max(1, config.minAgree ?? 2), urls.length);
  // Refused readings have address null, so they never count toward agreement.
  const address = agree(
    readings.map((r) => r.address),
    need,
  );
  if (address) return { family, address, method: 'http', readings, warnings: [] };
  const ok = readings.filter((r) => r.address).length;
  const why = ok < need ? `only ${ok} of ${urls.length} sources gave a usable address; ${need} must agree` : `sources disagree; ${need} must agree`;
  const failures = readings.filter((r) => !r.address).map(failed);
  return { family, address: null, method: 'http', readings, reason: failures.length ? `${why} (${failures.join('; ')})` : why, warnings: [] };
}
