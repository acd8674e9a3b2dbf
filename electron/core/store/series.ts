import { Chunk } from './chunk.js';
import { decodeChunk, encodeColumns } from './codec.js';
import type { SampleBuffer } from './sample-buffer.js';
import { ArenaChunk, ChunkArena } from './chunk-arena.js';
import { OpenChunks, StreamChunk } from './stream-chunk.js';

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** A closed run of samples, encoded (codec.ts), waiting in memory for the next flush. */
export interface EncodedChunk {
  readonly bytes: Uint8Array;
  minTs: number;
  maxTs: number;
  rows: number;
}

/** Samples per closed chunk (as in Prometheus): small enough to keep the head lean. */
export const CHUNK_ROWS = 120;

/**
 * The end of the hour `ts` is in: a chunk never spans an hour, so once an hour is over its
 * samples are all in closed chunks, flushed before the hour is compacted.
 */
const hourEnd = (ts: number) => ts - (ts % HOUR_MS) + HOUR_MS;

/** Encode a late chunk without deflate (the flush re-encodes compactly). */
export function encodeFast(chunk: Chunk): EncodedChunk {
  return {
    // Straight from the chunk's offsets (deltas do not need the base): no copy of the times.
    bytes: encodeColumns(chunk.offsets, [chunk.values], chunk.length, false, chunk.base),
    minTs: chunk.firstTs,
    maxTs: chunk.lastTs,
    rows: chunk.length,
  };
}

/**
 * Series ids are counted from 0 and index typed arrays: a larger one in a file is damage,
 * not a series (it would ask for gigabytes of table).
 */
export const MAX_SERIES_ID = 2 ** 31 - 1;

/** Samples have no labels far more often than not: one shared, frozen empty set. */
export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** The open chunk in `slot`, encoded into `arena` (one copy, no array of its own). */
export function openChunkInto(arena: ChunkArena, table: OpenChunks, slot: number): ArenaChunk {
  const length = table.encodedLength(slot);
  const { page, at } = arena.reserve(length);
  table.writeTo(slot, page, at);
  arena.commit(length);
  return new ArenaChunk(
    page,
    at,
    length,
    table.firstTs[slot]!,
    table.lastTs[slot]!,
    table.rows[slot]!,
  );
}

const NO_CHUNKS: readonly EncodedChunk[] = Object.freeze([]);

/**
 * The heads' state in tables shared by every series of a store, so a series costs a few
 * numbers in typed arrays instead of objects and boxed numbers of its own: the newest
 * timestamp and value by series id, the open chunks by slot (stream-chunk.ts), and the
 * closed chunks in arena pages until the next flush (chunk-arena.ts).
 */
export class HeadTables {
  readonly open = new OpenChunks();
  readonly arena = new ChunkArena();
  lastTs = new Float64Array(0);
  lastValue = new Float64Array(0);

  /** Make room for series `id` (newest -Infinity: it has no sample yet). */
  ensureId(id: number): void {
    if (id < this.lastTs.length) return;
    const n = Math.max(64, Math.ceil((id + 1) * 1.5));
    const ts = new Float64Array(n).fill(-Infinity);
    ts.set(this.lastTs);
    const values = new Float64Array(n).fill(NaN);
    values.set(this.lastValue);
    this.lastTs = ts;
    this.lastValue = values;
  }
}

/**
 * One series (agent + metric name + labels) and its head: the open chunk of its newest
 * samples (encoded as they arrive), the chunks closed since the last flush, and late samples
 * that arrived after newer ones. Everything older lives in block files; after a flush an idle
 * series holds nothing in memory but its identity.
 */
export class Series {
  /** The open chunk's slot in the heads' table, or -1 when there is none. */
  slot = -1;
  private closedChunks: EncodedChunk[] | null = null;
  late: Chunk | null = null;
  private heads: HeadTables | null = null;

  constructor(
    /** Numeric id, stable across restarts (the WAL and block files refer to series by it). */
    readonly id: number,
    readonly key: string,
    readonly agentId: string,
    readonly name: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  /** Join the tables of the store that holds it (TimeSeriesStore.restore). */
  attach(heads: HeadTables): void {
    if (this.heads === heads) return;
    if (!(this.id >= 0 && this.id <= MAX_SERIES_ID))
      throw new RangeError(`bad series id ${this.id}`);
    if (this.heads) throw new Error(`series ${this.id} belongs to another store`);
    heads.ensureId(this.id);
    this.heads = heads;
  }

  get lastTs(): number {
    return this.heads ? this.heads.lastTs[this.id]! : -Infinity;
  }

  get lastValue(): number {
    return this.heads ? this.heads.lastValue[this.id]! : NaN;
  }

  /** Chunks closed since the last flush (oldest first). */
  get closed(): readonly EncodedChunk[] {
    return this.closedChunks ?? NO_CHUNKS;
  }

  /** The open chunk, as a view (null when there is none). */
  get open(): StreamChunk | null {
    return this.slot < 0 ? null : new StreamChunk(this.tables().open, this.slot);
  }

  /** A sample newer than the newest. */
  append(ts: number, value: number): void {
    const heads = this.tables();
    const table = heads.open;
    let slot = this.slot;
    if (slot < 0) {
      slot = this.slot = table.acquire();
      table.hourEnd[slot] = hourEnd(ts);
    } else if (table.rows[slot]! >= CHUNK_ROWS || ts >= table.hourEnd[slot]!) {
      // The closed chunk is copied out; the open one goes on in the same cells.
      this.pushClosed(openChunkInto(heads.arena, table, slot));
      table.reset(slot);
      table.hourEnd[slot] = hourEnd(ts);
    }
    table.append(slot, ts, value);
    heads.lastTs[this.id] = ts;
    heads.lastValue[this.id] = value;
  }

  /**
   * Put a sample older than the newest into its place: the out-of-order path (a resend after
   * newer batches, within the window) and WAL replay (which applies what live ingest logged,
   * in whatever order it was logged). False when the head holds a sample at `ts` already.
   * (A sample at `ts` already flushed to a block file is not seen here: reads keep one sample
   * per timestamp.)
   */
  insert(ts: number, value: number): boolean {
    if (ts > this.lastTs) {
      this.append(ts, value);
      return true;
    }
    if (this.has(ts)) return false;
    // The open chunk only grows at its end: anything older goes to the late chunk.
    if (!this.late) {
      this.late = new Chunk(ts);
      this.late.tryAppend(ts, value);
      return true;
    }
    if (this.late.insert(ts, value)) return true;
    // Too far from the other late samples for one chunk (weeks apart): close what is there.
    this.pushClosed(encodeFast(this.late));
    this.late = new Chunk(ts);
    this.late.tryAppend(ts, value);
    return true;
  }

  /** True when the head holds a sample at exactly `ts`. */
  has(ts: number): boolean {
    if (ts === this.lastTs) return true;
    if (this.slot >= 0 && this.tables().open.has(this.slot, ts)) return true;
    if (this.late?.has(ts)) return true;
    for (const c of this.closed) {
      if (ts < c.minTs || ts > c.maxTs) continue;
      // Rare (a resend of an older batch): decode the chunk to look.
      const { ts: times } = decodeChunk(c.bytes);
      if (times.includes(ts)) return true;
    }
    return false;
  }

  /** Add the head's samples with ts in [from, to) to `out` (any order; the caller sorts). */
  collectHead(from: number, to: number, out: SampleBuffer): void {
    for (const c of this.closed) {
      if (c.maxTs < from || c.minTs >= to) continue;
      const d = decodeChunk(c.bytes);
      out.pushRange(d.ts, d.values, from, to);
    }
    const late = this.late;
    if (late && late.length > 0 && late.lastTs >= from && late.firstTs < to) {
      for (let i = late.lowerBound(from); i < late.length; i++) {
        const ts = late.tsAt(i);
        if (ts >= to) break;
        out.push(ts, late.values[i]!);
      }
    }
    const slot = this.slot;
    if (slot < 0) return;
    const table = this.tables().open;
    if (table.rows[slot]! > 0 && table.lastTs[slot]! >= from && table.firstTs[slot]! < to) {
      const d = table.decode(slot);
      out.pushRange(d.ts, d.values, from, to);
    }
  }

  /**
   * Hand over what the next flush writes: closed chunks and late samples; the open chunk too
   * when its hour is over (the hour is compacted soon after), or with `evict` (an idle series
   * leaves memory: its slot and cells go back to the table).
   */
  takeForFlush(evict: boolean, now: number): readonly EncodedChunk[] {
    if (this.slot >= 0 && (evict || now >= this.tables().open.hourEnd[this.slot]!))
      this.closeOpen();
    if (this.late) {
      this.pushClosed(encodeFast(this.late));
      this.late = null;
    }
    const out = this.closed;
    this.closedChunks = null;
    return out;
  }

  /** Bytes of sample data the head holds (open chunk cells, late arrays, encoded chunks). */
  headBytes(): number {
    let n =
      (this.slot >= 0 ? this.tables().open.byteSize(this.slot) : 0) + (this.late?.byteSize() ?? 0);
    for (const c of this.closed) n += c.bytes.byteLength;
    return n;
  }

  headRows(): number {
    let n = (this.slot >= 0 ? this.tables().open.rows[this.slot]! : 0) + (this.late?.length ?? 0);
    for (const c of this.closed) n += c.rows;
    return n;
  }

  private tables(): HeadTables {
    if (!this.heads) throw new Error(`series ${this.id} is not in a store yet`);
    return this.heads;
  }

  private pushClosed(chunk: EncodedChunk): void {
    (this.closedChunks ??= []).push(chunk);
  }

  private closeOpen(): void {
    const heads = this.tables();
    if (heads.open.rows[this.slot]! > 0)
      this.pushClosed(openChunkInto(heads.arena, heads.open, this.slot));
    heads.open.release(this.slot);
    this.slot = -1;
  }
}
