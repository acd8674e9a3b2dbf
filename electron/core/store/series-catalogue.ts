// Every series the store has held, by id, on disk: block files refer to series by id only, so
// their names and labels must outlive the head and the WAL. An append-only record log
// (state/record-log.ts); a series is written when it is created and made durable before the
// WAL segment that defined it is deleted.
import type { Clock } from '../clock.js';
import { RecordLog, type ReplayStats } from '../state/record-log.js';
import { seriesKey } from './series-key.js';
import { Series } from './series.js';
import type { TimeSeriesStore } from './tsdb.js';

interface SeriesRecord {
  agentId: string;
  name: string;
  labels: Record<string, string>;
}

function parseRecord(value: unknown): SeriesRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.agentId !== 'string' || typeof v.name !== 'string') return null;
  if (typeof v.labels !== 'object' || v.labels === null || Array.isArray(v.labels)) return null;
  for (const x of Object.values(v.labels)) if (typeof x !== 'string') return null;
  return { agentId: v.agentId, name: v.name, labels: v.labels as Record<string, string> };
}

export class SeriesCatalogue {
  private readonly log: RecordLog<SeriesRecord>;

  constructor(path: string, clock: Clock) {
    this.log = new RecordLog<SeriesRecord>({ path, clock, parse: parseRecord, flushMs: 200 });
  }

  /** Define every catalogued series in `head`. */
  async open(head: TimeSeriesStore): Promise<ReplayStats> {
    const { records, stats } = await this.log.open();
    for (const [key, r] of records) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0 || head.seriesById(id)) continue;
      head.restore(new Series(id, seriesKey(r.name, r.labels), r.agentId, r.name, r.labels));
    }
    return stats;
  }

  has(series: Series): boolean {
    return this.log.has(String(series.id));
  }

  /** Write a series down (durable by the next `flush()`). */
  add(series: Series): void {
    void this.log.upsert(String(series.id), {
      agentId: series.agentId,
      name: series.name,
      labels: { ...series.labels },
    });
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  get bytes(): number {
    return this.log.bytes.file;
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
