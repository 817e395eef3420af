// Pieces shared by the provider emulators: an in-memory zone, fault injection, per-action call
// counters and a loopback HTTP server. Test-only code.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmuRecord {
  id: string;
  domain: string;
  /** Host label(s) under the domain, `@` for the apex. */
  rr: string;
  type: string;
  value: string;
  ttl: number;
  /** The provider's own line name. */
  line: string;
  status: 'ENABLE' | 'DISABLE';
  updatedAt: Date;
}

export interface SeedRecord {
  domain: string;
  rr: string;
  type?: string;
  value: string;
  line?: string;
  ttl?: number;
  status?: 'ENABLE' | 'DISABLE';
}

export function fqdn(rr: string, domain: string): string {
  return (rr === '@' || rr === '' ? domain : `${rr}.${domain}`).toLowerCase();
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Records of every domain the emulated account owns. */
export interface ValueChange {
  id: string;
  from: string;
  to: string;
  at: Date;
}

export class Zone {
  readonly domains = new Set<string>();
  /** Every change of a record's value, in order: lets a test count how often a record moved. */
  readonly valueChanges: ValueChange[] = [];
  /** Accepted write requests per record id (creates and updates, value changed or not). */
  readonly writesById = new Map<string, number>();
  private readonly byId = new Map<string, EmuRecord>();
  private next: bigint;

  constructor(
    firstId: bigint,
    private readonly defaultLine: string,
  ) {
    this.next = firstId;
  }

  addDomain(domain: string): void {
    this.domains.add(domain.toLowerCase());
  }

  newId(): string {
    // Ids grow by an odd stride so tests cannot assume consecutive ids.
    this.next += 7n;
    return this.next.toString();
  }

  insert(r: SeedRecord): EmuRecord {
    const domain = r.domain.toLowerCase();
    this.addDomain(domain);
    const rec: EmuRecord = {
      id: this.newId(),
      domain,
      rr: r.rr,
      type: (r.type ?? 'A').toUpperCase(),
      value: r.value,
      ttl: r.ttl ?? 600,
      line: r.line ?? this.defaultLine,
      status: r.status ?? 'ENABLE',
      updatedAt: new Date(),
    };
    this.byId.set(rec.id, rec);
    return rec;
  }

  /** Applies an update to a record, logging a value change. */
  update(rec: EmuRecord, patch: Partial<EmuRecord>): void {
    if (patch.value !== undefined && patch.value !== rec.value) this.valueChanges.push({ id: rec.id, from: rec.value, to: patch.value, at: new Date() });
    Object.assign(rec, patch);
  }

  /** Counts one accepted write to a record (emulators call it for every accepted create/update). */
  countWrite(id: string): void {
    this.writesById.set(id, (this.writesById.get(id) ?? 0) + 1);
  }

  /** Accepted writes to one record so far. */
  writesTo(id: string): number {
    return this.writesById.get(id) ?? 0;
  }

  get(id: string): EmuRecord | undefined {
    return this.byId.get(id);
  }

  all(): EmuRecord[] {
    return [...this.byId.values()].sort((a, b) => compareIds(a.id, b.id));
  }

  /** Same name, type, line and value: what both vendors call a duplicate. */
  findIdentical(domain: string, rr: string, type: string, line: string, value: string, exceptId?: string): EmuRecord | undefined {
    return this.all().find(
      (r) =>
        r.id !== exceptId &&
        r.domain === domain.toLowerCase() &&
        r.rr.toLowerCase() === rr.toLowerCase() &&
        r.type === type.toUpperCase() &&
        r.line === line &&
        r.value.toLowerCase() === value.toLowerCase(),
    );
  }
}

export type Fault = { kind: 'throttle' } | { kind: 'http'; status: number };

/** Faults for the next calls; consumed one per authenticated request. */
export class Faults {
  latencyMs = 0;
  private throttle = 0;
  private fail = 0;
  private failStatus = 503;

  /** The next `n` calls are throttled (the provider's throttling error). */
  throttleNext(n: number): void {
    this.throttle = n;
  }

  /** The next `n` calls answer with HTTP `status` (5xx). */
  failNext(n: number, status = 503): void {
    this.fail = n;
    this.failStatus = status;
  }

  clear(): void {
    this.throttle = 0;
    this.fail = 0;
    this.latencyMs = 0;
  }

  take(): Fault | null {
    if (this.throttle > 0) {
      this.throttle--;
      return { kind: 'throttle' };
    }
    if (this.fail > 0) {
      this.fail--;
      return { kind: 'http', status: this.failStatus };
    }
    return null;
  }
}

/** Requests received per action (every request, accepted or not). */
export class CallCounter {
  private readonly counts = new Map<string, number>();

  inc(action: string): void {
    this.counts.set(action, (this.counts.get(action) ?? 0) + 1);
  }

  get(action: string): number {
    return this.counts.get(action) ?? 0;
  }

  sum(actions: readonly string[]): number {
    return actions.reduce((n, a) => n + this.get(a), 0);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}

export interface Started {
  server: http.Server;
  endpoint: string;
  close(): Promise<void>;
}

export async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Started> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // SDK clients keep connections alive; drop them so close() does not wait for their timeout.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Request ids in the vendors' shape (a UUID, upper-case for Alidns). */
export function requestId(): string {
  return crypto.randomUUID();
}
