// Every series the store has held, by id, on disk: block files refer to series by id only, so
// their names and labels must outlive the head and the WAL. An append-only file of checksummed
// lines `["<id>","<agent>","<name>",{labels}]`, one per series, written when the series is
// created and made durable before the WAL segment that defined it is deleted. Series are
// kept for as long as their data, so the file only grows with new series; nothing of it is
// held in memory beyond the series themselves (a record log would keep every line).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { decodeLine, encodeLine } from '../checked-line.js';
import type { Clock } from '../clock.js';
import { readLineFile } from '../line-file.js';
import { MAX_SERIES_ID, type Series } from './series.js';
import type { TimeSeriesStore } from './tsdb.js';

export interface CatalogueStats {
  series: number;
  /** Torn or damaged lines skipped (their series are defined again from the WAL). */
  corrupt: number;
}

function parse(payload: string): [number, string, string, Record<string, string>] | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 4) return null;
  const [id, agentId, name, labels] = v as unknown[];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_SERIES_ID) return null;
  if (typeof agentId !== 'string' || typeof name !== 'string') return null;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return null;
  for (const x of Object.values(labels)) if (typeof x !== 'string') return null;
  return [id, agentId, name, labels as Record<string, string>];
}

/** A set of series ids (0 … MAX_SERIES_ID) as bits: a Set of numbers costs ~30 bytes an id. */
export class IdBits {
  private bits = new Uint8Array(1024);

  has(id: number): boolean {
    return id >>> 3 < this.bits.length && (this.bits[id >>> 3]! & (1 << (id & 7))) !== 0;
  }

  add(id: number): void {
    if (id >>> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (id >>> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[id >>> 3]! |= 1 << (id & 7);
  }
}

export class SeriesCatalogue {
  private handle: FileHandle | null = null;
  private readonly written = new IdBits();
  /** Series added since the last flush; their lines are made at the flush (not held as text). */
  private pending: Series[] = [];
  private writing: Promise<void> = Promise.resolve();
  private needsNewline = false;
  bytes = 0;

  constructor(
    readonly path: string,
    // The clock is unused: the catalogue is written at flushes, not on a timer.
    _clock?: Clock,
  ) {}

  /** Define every catalogued series in `head`. */
  async open(head: TimeSeriesStore): Promise<CatalogueStats> {
    const stats: CatalogueStats = { series: 0, corrupt: 0 };
    const take = (line: string) => {
      const payload = decodeLine(line);
      const rec = payload === null ? null : parse(payload);
      if (!rec) return void stats.corrupt++;
      const [id, agentId, name, labels] = rec;
      this.written.add(id);
      if (head.seriesById(id)) return;
      head.define(id, agentId, name, labels);
      stats.series++;
    };
    const { tornTail } = await readLineFile(this.path, take);
    if (tornTail) {
      // A write cut short by a crash: the series is in the WAL still (it is deleted only once
      // this file is durable), so it is defined again from there.
      stats.corrupt++;
      this.needsNewline = true;
    }
    this.handle = await open(this.path, 'a', 0o600);
    this.bytes = (await stat(this.path)).size;
    return stats;
  }

  has(series: Series): boolean {
    return this.written.has(series.id);
  }

  /** Write a series down (durable by the next `flush()`). */
  add(series: Series): void {
    if (this.written.has(series.id)) return;
    this.written.add(series.id);
    this.pending.push(series);
  }

  /** Write what was added and fsync it. */
  flush(): Promise<void> {
    const series = this.pending;
    this.pending = [];
    const handle = this.handle;
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        if (!handle || series.length === 0) return;
        const lines = series.map((s) =>
          encodeLine(JSON.stringify([s.id, s.agentId, s.name, s.labels])),
        );
        const text = (this.needsNewline ? '\n' : '') + lines.join('');
        try {
          await handle.appendFile(text);
          await handle.datasync();
          this.needsNewline = false;
          this.bytes += Buffer.byteLength(text);
        } catch (err) {
          // Not written: the next flush tries again (the WAL keeps the definitions meanwhile).
          this.pending.unshift(...series);
          this.needsNewline = true;
          throw err;
        }
      });
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    await this.handle?.close();
    this.handle = null;
  }
}
