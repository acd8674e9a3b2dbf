import { Chunk } from './chunk.js';
import { decodeChunk, encodeColumns } from './codec.js';
import type { SampleBuffer } from './sample-buffer.js';
import { StreamChunk } from './stream-chunk.js';

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** A closed run of samples, encoded (codec.ts), waiting in memory for the next flush. */
export interface EncodedChunk {
  bytes: Uint8Array;
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

const encodedOf = (c: StreamChunk): EncodedChunk => ({
  bytes: c.bytes(),
  minTs: c.firstTs,
  maxTs: c.lastTs,
  rows: c.rows,
});

/** Samples have no labels far more often than not: one shared, frozen empty set. */
export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One series (agent + metric name + labels) and its head: the open chunk of its newest
 * samples (encoded as they arrive), the chunks closed since the last flush, and late samples
 * that arrived after newer ones. Everything older lives in block files; after a flush an idle
 * series holds nothing in memory but its identity.
 */
export class Series {
  open: StreamChunk | null = null;
  closed: EncodedChunk[] = [];
  late: Chunk | null = null;
  /** When the open chunk's hour ends (it closes at the first sample after). */
  private openHourEnd = -Infinity;
  lastTs = -Infinity;
  lastValue = NaN;

  constructor(
    /** Numeric id, stable across restarts (the WAL and block files refer to series by it). */
    readonly id: number,
    readonly key: string,
    readonly agentId: string,
    readonly name: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  /** A sample newer than the newest. */
  append(ts: number, value: number): void {
    let chunk = this.open;
    if (chunk && (chunk.rows >= CHUNK_ROWS || ts >= this.openHourEnd)) {
      // The closed chunk is copied out; the open one goes on in the same arrays.
      this.closed.push(encodedOf(chunk));
      chunk.reset();
      this.openHourEnd = hourEnd(ts);
    } else if (!chunk) {
      chunk = this.open = new StreamChunk();
      this.openHourEnd = hourEnd(ts);
    }
    chunk.append(ts, value);
    this.lastTs = ts;
    this.lastValue = value;
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
    this.closed.push(encodeFast(this.late));
    this.late = new Chunk(ts);
    this.late.tryAppend(ts, value);
    return true;
  }

  /** True when the head holds a sample at exactly `ts`. */
  has(ts: number): boolean {
    if (ts === this.lastTs) return true;
    if (this.open?.has(ts) || this.late?.has(ts)) return true;
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
    const open = this.open;
    if (open && open.rows > 0 && open.lastTs >= from && open.firstTs < to) {
      const d = open.decode();
      out.pushRange(d.ts, d.values, from, to);
    }
  }

  /**
   * Hand over what the next flush writes: closed chunks and late samples; the open chunk too
   * when its hour is over (the hour is compacted soon after), or with `evict` (an idle series
   * leaves memory).
   */
  takeForFlush(evict: boolean, now: number): EncodedChunk[] {
    if (this.open && (evict || now >= this.openHourEnd)) this.closeOpen();
    if (this.late) {
      this.closed.push(encodeFast(this.late));
      this.late = null;
    }
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /** Bytes of sample data the head holds (typed arrays and encoded chunks). */
  headBytes(): number {
    let n = (this.open?.byteSize() ?? 0) + (this.late?.byteSize() ?? 0);
    for (const c of this.closed) n += c.bytes.byteLength;
    return n;
  }

  headRows(): number {
    let n = (this.open?.rows ?? 0) + (this.late?.length ?? 0);
    for (const c of this.closed) n += c.rows;
    return n;
  }

  private closeOpen(): void {
    if (this.open && this.open.rows > 0) this.closed.push(encodedOf(this.open));
    this.open = null;
  }
}
