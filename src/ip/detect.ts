// Public address detection for one family. Sources in order of precedence: a static address, a
// network interface, a command, then HTTP echo services. The first kind configured wins (the config
// always carries a default HTTP list, so an operator who names an interface means "use that").
// HTTP sources are read in parallel and must agree (see agree.ts).
import type { Family } from '../model.js';
import { normalizeAddress } from './address.js';
import { agree } from './agree.js';
import { DEFAULT_IP_SOURCES, readCommand, readHttp, readInterface, type InterfaceTable } from './sources.js';

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
  source: string;
  address: string | null;
  error?: string;
}

export type DetectMethod = 'disabled' | 'static' | 'interface' | 'command' | 'http';

export interface DetectResult {
  family: Family;
  /** The detected address (normalised), or null. */
  address: string | null;
  method: DetectMethod;
  readings: IpReading[];
  /** Why there is no address, when there is none. */
  reason?: string;
}

/** Injectable edges, for tests. */
export interface DetectDeps {
  readHttp?: (url: string, family: Family, timeoutMs: number) => Promise<string>;
  readCommand?: (command: string, family: Family, timeoutMs: number) => Promise<string>;
  interfaces?: () => InterfaceTable;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function detectIp(config: IpDetectConfig, family: Family, deps: DetectDeps = {}): Promise<DetectResult> {
  const timeoutMs = config.timeoutMs ?? 5_000;
  if (config.disabled) return { family, address: null, method: 'disabled', readings: [], reason: 'detection disabled' };

  if (config.staticAddress) {
    const ip = normalizeAddress(family, config.staticAddress);
    const reading: IpReading = { source: 'static', address: ip };
    return ip
      ? { family, address: ip, method: 'static', readings: [reading] }
      : { family, address: null, method: 'static', readings: [reading], reason: `static address is not ${family}` };
  }

  if (config.iface) {
    const source = `interface ${config.iface}`;
    try {
      const ip = readInterface(config.iface, family, deps.interfaces?.());
      return { family, address: ip, method: 'interface', readings: [{ source, address: ip }] };
    } catch (err) {
      return { family, address: null, method: 'interface', readings: [{ source, address: null, error: errText(err) }], reason: errText(err) };
    }
  }

  if (config.command) {
    try {
      const ip = await (deps.readCommand ?? readCommand)(config.command, family, timeoutMs);
      return { family, address: ip, method: 'command', readings: [{ source: 'command', address: ip }] };
    } catch (err) {
      return { family, address: null, method: 'command', readings: [{ source: 'command', address: null, error: errText(err) }], reason: errText(err) };
    }
  }

  const urls = config.sources ?? DEFAULT_IP_SOURCES[family];
  if (urls.length === 0) return { family, address: null, method: 'http', readings: [], reason: 'no address source configured' };
  const read = deps.readHttp ?? readHttp;
  const readings = await Promise.all(
    urls.map(async (url): Promise<IpReading> => {
      try {
        return { source: url, address: await read(url, family, timeoutMs) };
      } catch (err) {
        return { source: url, address: null, error: errText(err) };
      }
    }),
  );
  const need = Math.min(Math.max(1, config.minAgree ?? 2), urls.length);
  const address = agree(
    readings.map((r) => r.address),
    need,
  );
  if (address) return { family, address, method: 'http', readings };
  const ok = readings.filter((r) => r.address).length;
  return {
    family,
    address: null,
    method: 'http',
    readings,
    reason: ok < need ? `only ${ok} of ${urls.length} sources answered; ${need} must agree` : `sources disagree; ${need} must agree`,
  };
}
