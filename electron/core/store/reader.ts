import { keepsSketch } from '../../../shared/analysis.js';
import { BlockDamagedError, type BlockReader, type ChunkRef } from './block-file.js';
import type { BlockSet } from './block-set.js';
import { decodeChunk } from './codec.js';
import { BucketColumnsBuilder, type BucketColumns } from './bucket-columns.js';
import { bucketize, coarsen, copyBucket, decodeBuckets, type Bucket } from './rollup.js';
import { SampleBuffer } from './sample-buffer.js';
import { HOUR_MS, MINUTE_MS, type EncodedChunk, type Series } from './series.js';

export type RollupTier = '1m' | '1h';

const hourOf = (ts: number) => ts - (ts % HOUR_MS);

/**
 * Reads a series across everything that holds it: compacted raw blocks, flushes not yet
 * compacted, chunks on their way to a flush, and the head. Hot and cold data are merged
 * transparently, with one sample per timestamp. Rollups come from rollup blocks where an
 * hour is compacted and current, and are computed from raw samples where it is not yet.
 */
export class StoreReader {
  constructor(
    private readonly blocks: BlockSet,
    private readonly inFlight: (seriesId: number) => readonly EncodedChunk[],
    /** A damaged chunk was skipped (the rest is read). */
    private readonly onDamage: (path: string, problem: string) => void,
  ) {}

  /**
   * Raw samples of a series with ts in [from, to), in time order, one per timestamp. Without
   * `head`, only what is on disk or on its way there.
   */
  raw(series: Series, from: number, to: number, head = true): SampleBuffer {
    const buf = new SampleBuffer(64);
    for (const block of this.blocks.rawSources(from, to)) {
      for (const ref of block.chunksOf(series.id, from, to)) {
        const bytes = this.chunk(block, ref);
        if (!bytes) continue;
        const d = decodeChunk(bytes);
        buf.pushRange(d.ts, d.values, from, to);
      }
    }
    for (const c of this.inFlight(series.id)) {
      if (c.maxTs < from || c.minTs >= to) continue;
      const d = decodeChunk(c.bytes);
      buf.pushRange(d.ts, d.values, from, to);
    }
    if (head) series.collectHead(from, to, buf);
    buf.sortDedup();
    return buf;
  }

  /** Rollup buckets of a series whose start is in [from, to), in time order. */
  buckets(series: Series, tier: RollupTier, from: number, to: number): Bucket[] {
    return this.bucketsOfMany([series], tier, from, to)[0]!;
  }

  /**
   * Rollup buckets of many series (the forecasting input: 30 days of 1,000 series), in the
   * order given. Block by block, all the series at once: a block's index is sorted by series,
   * so each file is read once, front to back, with a few large preads (readChunksOf). Series
   * by series instead would cycle through the files once per series.
   */
  bucketsOfMany(list: readonly Series[], tier: RollupTier, from: number, to: number): Bucket[][] {
    return this.collect(list, tier, from, to, asObjects);
  }

  /**
   * The same buckets as `bucketsOfMany`, as columns per series (no object per bucket, no
   * sketches): for readers of many buckets that need only their values (forecasting).
   */
  bucketColumnsOfMany(
    list: readonly Series[],
    tier: RollupTier,
    from: number,
    to: number,
  ): BucketColumns[] {
    const span = Math.ceil((to - from) / (tier === '1h' ? HOUR_MS : MINUTE_MS));
    const sink = asColumns(Math.min(Math.max(span, 1), 1024));
    return this.collect(list, tier, from, to, sink).map((b) => b.finish());
  }

  private collect<R>(
    list: readonly Series[],
    tier: RollupTier,
    from: number,
    to: number,
    sink: RollupSink<R>,
  ): R[] {
    // Each series once, in id order (the order of a block's index).
    const unique = [...new Map(list.map((s) => [s.id, s])).values()].sort((a, b) => a.id - b.id);
    const ids = unique.map((s) => s.id);
    const slot = new Map(ids.map((id, k) => [id, k]));
    const out = unique.map(() => sink.create());
    let h = hourOf(from);
    while (h < to) {
      const run = this.currentRun(tier, h, to);
      const lo = Math.max(from, run.start);
      const hi = Math.min(to, run.end);
      const block = run.block;
      if (block) {
        block.readChunksOf(
          ids,
          lo,
          hi,
          (ref, bytes) => sink.chunk(out[slot.get(ref.seriesId)!]!, bytes, lo, hi),
          (err) => this.onDamage(block.path, err.message),
        );
      } else if (tier === '1m') {
        unique.forEach((series, k) => {
          const raw = this.raw(series, lo, hi);
          const sketch = keepsSketch(series.name);
          const dest = out[k]!;
          bucketize(raw.ts, raw.values, raw.length, MINUTE_MS, (b) => sink.bucket(dest, b), sketch);
        });
      } else {
        // 1-hour buckets from 1-minute ones, for whole hours (partial edges are trimmed).
        const minutes = this.collect(unique, '1m', run.start, run.end, sink);
        unique.forEach((_, k) => sink.hours(out[k]!, minutes[k]!, from, to));
      }
      h = run.end;
    }
    // In the order asked; a series asked twice gets its own copy.
    const given = new Set<number>();
    return list.map((s) => {
      const r = out[slot.get(s.id)!]!;
      if (given.has(s.id)) return sink.copy(r);
      given.add(s.id);
      return r;
    });
  }

  /**
   * From hour `h`, the longest run of hours (up to `to`) served by one source: a current
   * rollup block with no newer flush over it, or (block null) the finer data below.
   */
  private currentRun(
    tier: RollupTier,
    h: number,
    to: number,
  ): { start: number; end: number; block: BlockReader | null } {
    const usable = (hour: number): BlockReader | null => {
      const block = this.blocks.current(tier, hour);
      if (!block) return null;
      if (this.blocks.newerFlush(hour, block.meta.seq)) return null;
      // A 1-hour block is current only if no newer 1-minute compaction of the hour exists.
      if (tier === '1h') {
        const minute = this.blocks.current('1m', hour);
        if (minute && minute.meta.seq > block.meta.seq) return null;
      }
      return block;
    };
    const block = usable(h);
    let end = h + HOUR_MS;
    while (end < to && usable(end) === block) end += HOUR_MS;
    return { start: h, end, block };
  }

  private chunk(block: BlockReader, ref: ChunkRef): Uint8Array | null {
    try {
      return block.chunk(ref);
    } catch (err) {
      if (!(err instanceof BlockDamagedError)) throw err;
      this.onDamage(block.path, err.message);
      return null;
    }
  }
}

/** How `collect` builds one series' result: bucket objects, or columns. */
interface RollupSink<R> {
  create(): R;
  /** The buckets of a rollup chunk whose start is in [from, to). */
  chunk(dest: R, bytes: Uint8Array, from: number, to: number): void;
  bucket(dest: R, b: Bucket): void;
  /** 1-minute buckets folded into hours, keeping hours that start in [from, to). */
  hours(dest: R, minutes: R, from: number, to: number): void;
  copy(r: R): R;
}

const asObjects: RollupSink<Bucket[]> = {
  create: () => [],
  chunk(dest, bytes, from, to) {
    for (const b of decodeBuckets(bytes)) if (b.start >= from && b.start < to) dest.push(b);
  },
  bucket: (dest, b) => dest.push(b),
  hours(dest, minutes, from, to) {
    coarsen(minutes, HOUR_MS, (b) => {
      if (b.start >= from && b.start < to) dest.push(b);
    });
  },
  copy: (r) => r.map((b) => copyBucket(b)),
};

function asColumns(capacity: number): RollupSink<BucketColumnsBuilder> {
  return {
    create: () => new BucketColumnsBuilder(capacity),
    chunk: (dest, bytes, from, to) => dest.addChunk(bytes, from, to),
    bucket: (dest, b) => dest.addBucket(b),
    hours: (dest, minutes, from, to) => dest.addCoarsened(minutes.finish(), HOUR_MS, from, to),
    copy(r) {
      const c = new BucketColumnsBuilder(r.length);
      c.addColumns(r.finish());
      return c;
    },
  };
}
