// Writes DNS audit entries to the store without ever blocking DNS sync. While the database is away,
// entries wait in a bounded queue and are written, in order, once it answers again.
import type { Logger } from '../log.js';
import type { AuditEntry, Store } from './index.js';

export class AuditWriter {
  private readonly pending: AuditEntry[] = [];
  private flushing: Promise<void> | null = null;
  dropped = 0;

  constructor(
    private readonly store: Pick<Store, 'recordAudit'>,
    private readonly log: Logger,
    private readonly maxPending = 10_000,
  ) {}

  write(entry: AuditEntry): void {
    if (this.pending.length >= this.maxPending) {
      this.pending.shift();
      this.dropped += 1;
    }
    this.pending.push(entry);
    void this.flush();
  }

  get backlog(): number {
    return this.pending.length;
  }

  /** Writes what waits; stops at the first failure and keeps the rest for the next try. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      while (this.pending.length) {
        try {
          await this.store.recordAudit(this.pending[0]!);
          this.pending.shift();
        } catch (err) {
          this.log.warn({ err: (err as Error).name, backlog: this.pending.length }, 'DNS audit entries wait for the database');
          return;
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }
}
