// Who changed what, when: <data-dir>/audit.ndjson, append-only (a RecordLog, each entry under
// its own key and never rewritten), replayed on start. Bounded: past `maxEntries` the oldest
// entries are dropped, and the log's compaction reclaims their lines. Rule changes write it
// themselves (rule-book.ts); silences, incident and alert actions, channel and policy changes
// are written by their routes (api/audit-trail.ts).
import { join } from 'node:path';
import type { AuditEntry } from '../../../shared/api.js';
import { systemClock, type Clock } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import { RecordLog } from '../state/record-log.js';

export const AUDIT_LOG_FILE = 'audit.ndjson';

function isEntry(raw: unknown): raw is AuditEntry {
  if (typeof raw !== 'object' || raw === null) return false;
  const e = raw as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.seq === 'number' &&
    typeof e.at === 'number' &&
    typeof e.by === 'string' &&
    typeof e.action === 'string' &&
    typeof e.target === 'string'
  );
}

export interface AuditFilter {
  target?: string;
  action?: string;
  limit?: number;
}

export class AuditLog {
  private readonly log: RecordLog<AuditEntry>;
  /** Oldest first. */
  private entries: AuditEntry[] = [];
  private seq = 0;

  constructor(
    dataDir: string,
    private readonly deps: { clock: Clock; ids: IdSource; logger: Logger },
    private readonly maxEntries = 10_000,
  ) {
    this.log = new RecordLog<AuditEntry>({
      path: join(dataDir, AUDIT_LOG_FILE),
      // The write is coalesced in real time, not on the core's clock: an audited request (an
      // ack, a silence) answers once its entry is durable, and that must not wait for a
      // manually stepped clock. Entries are still stamped with the core's clock.
      clock: systemClock,
      parse: (raw, key) => (isEntry(raw) && raw.id === key ? raw : null),
      flushMs: 5,
      onError: (err) =>
        deps.logger.error('audit log write failed; will rewrite it', { error: err.message }),
    });
  }

  async open(): Promise<void> {
    const { records, stats } = await this.log.open();
    this.entries = [...records.values()].sort((a, b) => a.seq - b.seq);
    this.seq = this.entries.at(-1)?.seq ?? 0;
    if (stats.corrupt > 0 || stats.invalid > 0)
      this.deps.logger.warn('audit log lines skipped', {
        corrupt: stats.corrupt,
        invalid: stats.invalid,
      });
  }

  /** Append an entry; resolves once it is durable (fsynced). */
  record(e: Omit<AuditEntry, 'id' | 'seq' | 'at'>): Promise<AuditEntry> {
    const entry: AuditEntry = {
      id: this.deps.ids('aud'),
      seq: ++this.seq,
      at: this.deps.clock.now(),
      ...e,
    };
    this.entries.push(entry);
    const written = this.log.upsert(entry.id, entry);
    while (this.entries.length > this.maxEntries) void this.log.delete(this.entries.shift()!.id);
    return written.then(() => entry);
  }

  /** Newest first. */
  list(filter: AuditFilter = {}): AuditEntry[] {
    const out: AuditEntry[] = [];
    const limit = filter.limit ?? 500;
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i]!;
      if (filter.target && e.target !== filter.target) continue;
      if (filter.action && e.action !== filter.action) continue;
      out.push(e);
    }
    return out;
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
