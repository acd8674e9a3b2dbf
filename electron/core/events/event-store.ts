// The agents' events on disk: an append-only log of segment files under <data-dir>/events/,
// bounded by age (eventRetentionDays) and size (eventMaxBytes), whole segments dropped oldest
// first, with an in-memory index per segment (segment-index.ts) so filtered queries answer
// without reading the log. Replaces the ring that was rewritten inside state.json.
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { StoredEvent } from '../../../shared/model.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import {
  decodeCursor,
  encodeCursor,
  matchingRows,
  topFailedSources,
  type EventMatch,
  type RowRef,
  type TopSource,
} from './event-query.js';
import { newDictionaries, SegmentIndex } from './segment-index.js';
import { needleSignature } from './text-signature.js';
import {
  listSegmentSeqs,
  readLines,
  replaySegment,
  SegmentAppender,
  segmentName,
} from './segment-file.js';

export { decodeCursor };

export interface EventStoreOptions {
  /** Segments whose newest event the console received longer ago than this are dropped. */
  retentionMs: number;
  /** The log's size bound: oldest segments are dropped past it. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
  /** Longest a queued line waits for its group commit. */
  flushMs: number;
  /** Rows a text search looks at per request before it answers with a cursor. */
  textScanBudget: number;
  /** Recent events remembered to store a batch resent after a lost ack once. */
  dedupWindow: number;
}

export interface EventStoreDeps {
  clock: Clock;
  logger: Logger;
  /** Told of a failed write (the core pauses ingest until the disk has room, as for the WAL). */
  observer?: { writeFailed(err: Error): void };
}

export interface EventSearch extends EventMatch {
  /** Case-insensitive substring of the message, source or an attribute value. */
  text?: string;
  limit: number;
}

export interface EventsFound {
  events: StoredEvent[];
  /** Pass back as `cursor` for the next (older) page; null when nothing older matches. */
  nextCursor: string | null;
  /** A text search stopped at its scan budget: older events may still match past the cursor. */
  scanLimited: boolean;
}

/** What the log has done since start (on /metrics). */
export interface EventLogCounters {
  replayedEvents: number;
  tornLines: number;
  corruptLines: number;
  duplicates: number;
  writeFailures: number;
  droppedSegments: number;
  droppedEvents: { age: number; size: number };
  migrated: number;
}

const MIGRATED_MARKER = 'migrated-from-state-json';
const identity = (e: StoredEvent) =>
  `${e.agentId}\u0001${e.ts}\u0001${crc32(`${e.source}\u0001${e.message}\u0001${JSON.stringify(e.attributes)}`)}`;

export class EventStore {
  readonly dir: string;
  private readonly dicts = newDictionaries();
  /** Oldest first; the last is the one being appended to. */
  private segments: SegmentIndex[] = [];
  private appender: SegmentAppender | null = null;
  private readonly closing = new Set<Promise<void>>();
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  private recentHead = 0;
  private retentionTimer: TimerHandle | null = null;
  readonly counters: EventLogCounters = {
    replayedEvents: 0,
    tornLines: 0,
    corruptLines: 0,
    duplicates: 0,
    writeFailures: 0,
    droppedSegments: 0,
    droppedEvents: { age: 0, size: 0 },
    migrated: 0,
  };

  constructor(
    dataDir: string,
    private readonly deps: EventStoreDeps,
    readonly options: EventStoreOptions,
  ) {
    this.dir = join(dataDir, 'events');
  }

  /** Replay every segment into the index; a torn last line is cut off, never fatal. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const seqs = await listSegmentSeqs(this.dir);
    for (const seq of seqs) {
      const seg = new SegmentIndex(seq, this.dicts);
      const path = join(this.dir, segmentName(seq));
      const r = await replaySegment(path, (e, offset, length) => {
        seg.add(e, offset, length);
        this.remember(identity(e));
      });
      this.counters.replayedEvents += seg.rows;
      this.counters.tornLines += r.torn;
      this.counters.corruptLines += r.corrupt;
      // Later lines must not be glued to torn bytes: cut the file back to its last whole line.
      if (r.torn > 0) {
        const h = await open(path, 'r+');
        await h.truncate(r.wholeBytes).finally(() => h.close());
      }
      seg.bytes = r.wholeBytes;
      this.segments.push(seg);
      if (r.torn + r.corrupt > 0)
        this.deps.logger.warn('event log: skipped damaged lines', {
          segment: segmentName(seq),
          torn: r.torn,
          corrupt: r.corrupt,
        });
    }
    const last = this.segments[this.segments.length - 1];
    if (last && last.bytes < this.options.segmentBytes) this.appender = this.appenderFor(last);
    else this.startSegment((last?.seq ?? 0) + 1);
    await this.appender!.opened();
    await this.enforceRetention();
    this.retentionTimer = this.deps.clock.setInterval(
      () => void this.enforceRetention().catch(() => {}),
      60 * 60_000,
    );
  }

  /**
   * Store events not already held (a batch resent after a lost ack is stored once). Returns
   * those stored at once; `durable` resolves once they are fsynced (the ack waits for it).
   */
  add(events: readonly StoredEvent[]): { stored: StoredEvent[]; durable: Promise<void> } {
    const stored: StoredEvent[] = [];
    const keys: string[] = [];
    for (const e of events) {
      const key = identity(e);
      if (this.recent.has(key)) {
        this.counters.duplicates++;
        continue;
      }
      this.remember(key);
      keys.push(key);
      stored.push(e);
    }
    if (stored.length === 0) return { stored, durable: Promise.resolve() };
    let app = this.appender;
    if (!app) return { stored: [], durable: Promise.reject(new Error('event log is not open')) };
    if (app.failed || app.size + app.pendingBytes >= this.options.segmentBytes) {
      app = this.startSegment(app.seq + 1);
      void this.enforceRetention().catch(() => {});
    }
    const durable = app.append(stored);
    // Not written, so not held: the agent's resend of this batch must be stored, not skipped.
    durable.catch(() => {
      for (const key of keys) this.recent.delete(key);
    });
    return { stored, durable };
  }

  /** Newest first, paged by cursor. */
  async search(q: EventSearch): Promise<EventsFound> {
    const rows = matchingRows(this.segments, this.dicts, q);
    const found: StoredEvent[] = [];
    if (!q.text) {
      const refs = take(rows, q.limit + 1);
      const more = refs.length > q.limit;
      if (more) refs.length = q.limit;
      for (const line of await this.read(refs)) {
        const e = line === null ? null : safeParse(line);
        if (e) found.push(e);
      }
      const last = refs[refs.length - 1];
      return {
        events: found,
        nextCursor: more && last ? encodeCursor({ seq: last.seg.seq, row: last.row }) : null,
        scanLimited: false,
      };
    }
    const needle = q.text.toLowerCase();
    const signature = needleSignature(needle);
    let scanned = 0;
    let lastLooked: RowRef | null = null;
    // Small reads first: a common word fills the page from the newest few hundred rows.
    let batchSize = 256;
    while (found.length < q.limit && scanned < this.options.textScanBudget) {
      const batch = take(rows, Math.min(batchSize, this.options.textScanBudget - scanned));
      batchSize = Math.min(batchSize * 2, 8192);
      if (batch.length === 0) return { events: found, nextCursor: null, scanLimited: false };
      // Only the rows whose text signature can hold the needle are read from disk; the rest
      // are still counted as looked at, so pages and cursors are what a full scan gives.
      const candidates = signature
        ? batch.filter((r) => r.seg.text.mayContain(r.row, signature))
        : batch;
      const read = await this.read(candidates);
      const lines = new Map<RowRef, string | null>();
      candidates.forEach((r, i) => lines.set(r, read[i] ?? null));
      for (let i = 0; i < batch.length && found.length < q.limit; i++) {
        scanned++;
        lastLooked = batch[i]!;
        const line = lines.get(lastLooked);
        // Cheap test on the raw line first; only the lines that pass are parsed.
        if (!line || !line.toLowerCase().includes(needle)) continue;
        const e = safeParse(line);
        if (e && textMatches(e, needle)) found.push(e);
      }
    }
    const more = take(rows, 1).length > 0;
    return {
      events: found,
      nextCursor:
        more && lastLooked ? encodeCursor({ seq: lastLooked.seg.seq, row: lastLooked.row }) : null,
      scanLimited: more && found.length < q.limit,
    };
  }

  topSources(from: number, to: number, limit: number): TopSource[] {
    return topFailedSources(this.segments, this.dicts, from, to, limit);
  }

  /**
   * Move the events state.json held (before the log existed) into the log, once: a marker
   * file says it was done, so a crash before state.json is rewritten cannot repeat it.
   */
  async migrateFromState(events: readonly StoredEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const marker = join(this.dir, MIGRATED_MARKER);
    if (
      await stat(marker).then(
        () => true,
        () => false,
      )
    )
      return 0;
    const { stored, durable } = this.add([...events].sort((a, b) => a.receivedAt - b.receivedAt));
    await durable;
    await writeFile(marker, `${stored.length}\n`, { mode: 0o600 });
    this.counters.migrated = stored.length;
    return stored.length;
  }

  /** Drop whole segments: past the age bound, then oldest first past the size bound. */
  async enforceRetention(): Promise<void> {
    const oldestKept = this.deps.clock.now() - this.options.retentionMs;
    let total = this.segments.reduce((n, s) => n + s.bytes, 0);
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      if (this.closing.size > 0 && seg === this.segments[this.segments.length - 2]) break;
      const byAge = seg.rows > 0 && seg.maxReceivedAt < oldestKept;
      const bySize = total > this.options.maxBytes;
      if (!byAge && !bySize && seg.rows > 0) break;
      this.segments.shift();
      total -= seg.bytes;
      this.counters.droppedSegments++;
      this.counters.droppedEvents[byAge ? 'age' : 'size'] += seg.rows;
      await rm(join(this.dir, segmentName(seg.seq)), { force: true });
      this.deps.logger.info('event log: segment dropped', {
        segment: segmentName(seg.seq),
        events: seg.rows,
        reason: byAge ? 'age' : 'size',
      });
    }
  }

  get eventCount(): number {
    return this.segments.reduce((n, s) => n + s.rows, 0);
  }

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Memory the index holds, columns and posting lists (the dictionaries are not counted). */
  indexBytes(): number {
    return this.segments.reduce((n, s) => n + s.memoryBytes(), 0);
  }

  async close(): Promise<void> {
    this.retentionTimer?.cancel();
    this.retentionTimer = null;
    const app = this.appender;
    this.appender = null;
    await Promise.all([app?.close(), ...this.closing]);
  }

  private startSegment(seq: number): SegmentAppender {
    const old = this.appender;
    if (old) {
      const done = old.close().finally(() => this.closing.delete(done));
      this.closing.add(done);
    }
    const seg = new SegmentIndex(seq, this.dicts);
    this.segments.push(seg);
    return (this.appender = this.appenderFor(seg));
  }

  private appenderFor(seg: SegmentIndex): SegmentAppender {
    return new SegmentAppender(
      seg.seq,
      join(this.dir, segmentName(seg.seq)),
      seg.bytes,
      this.deps.clock,
      this.options.flushMs,
      seg,
      (err) => {
        this.counters.writeFailures++;
        this.deps.logger.error('event log write failed', { error: String(err) });
        this.deps.observer?.writeFailed(err);
      },
    );
  }

  private remember(key: string): void {
    const window = this.options.dedupWindow;
    if (this.recentOrder.length < window) this.recentOrder.push(key);
    else {
      this.recent.delete(this.recentOrder[this.recentHead]!);
      this.recentOrder[this.recentHead] = key;
      this.recentHead = (this.recentHead + 1) % window;
    }
    this.recent.add(key);
  }

  /** The lines of `refs`, in their order (null where a segment was dropped meanwhile). */
  private async read(refs: readonly RowRef[]): Promise<(string | null)[]> {
    const out: (string | null)[] = new Array<string | null>(refs.length).fill(null);
    const bySeg = new Map<SegmentIndex, number[]>();
    refs.forEach((r, i) => {
      let list = bySeg.get(r.seg);
      if (!list) bySeg.set(r.seg, (list = []));
      list.push(i);
    });
    await Promise.all(
      [...bySeg].map(async ([seg, idx]) => {
        const spans = idx.map((i) => ({
          offset: seg.offset.get(refs[i]!.row),
          length: seg.length.get(refs[i]!.row),
        }));
        const lines = await readLines(this.dir, seg.seq, spans).catch(() => []);
        idx.forEach((i, k) => (out[i] = lines[k] ?? null));
      }),
    );
    return out;
  }
}

function take<T>(it: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  while (out.length < n) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

function safeParse(payload: string): StoredEvent | null {
  try {
    return JSON.parse(payload) as StoredEvent;
  } catch {
    return null;
  }
}

function textMatches(e: StoredEvent, needle: string): boolean {
  if (e.message.toLowerCase().includes(needle) || e.source.toLowerCase().includes(needle))
    return true;
  for (const v of Object.values(e.attributes))
    if (String(v).toLowerCase().includes(needle)) return true;
  return false;
}
