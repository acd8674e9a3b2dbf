import { keepsSketch } from '../../../shared/analysis.js';
import type { BlockReader } from './block-file.js';
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
    return this.rawOfMany([series], from, to, head)[0]!;
  }

  /**
   * Raw samples of several series (ids distinct, ascending), as `raw` gives them: block by
   * block for all of them at once (the newest hours of the forecasting input come from here).
   */
  private rawOfMany(
    list: readonly Series[],
    from: number,
    to: number,
    head = true,
  ): SampleBuffer[] {
    const bufs = list.map(() => new SampleBuffer(64));
    const ids = list.map((s) => s.id);
    const slot = new Map(ids.map((id, k) => [id, k]));
    for (const block of this.blocks.rawSources(from, to)) {
      block.readChunksOf(
        ids,
        from,
        to,
        (ref, bytes) => {
          const d = decodeChunk(bytes);
          bufs[slot.get(ref.seriesId)!]!.pushRange(d.ts, d.values, from, to);
        },
        (err) => this.onDamage(block.path, err.message),
      );
    }
    list.forEach((series, k) => {
      const buf = bufs[k]!;
      for (const c of this.inFlight(series.id)) {
        if (c.maxTs < from || c.minTs >= to) continue;
        const d = decodeChunk(c.bytes);
        buf.pushRange(d.ts, d.values, from, to);
      }
      if (head) series.collectHead(from, to, buf);
      buf.sortDedup();
    });
    return bufs;
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
    return this.collect(list, tier, from, to, asColumns).map((b) => b.finish());
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
    // Room for every bucket of the range (a series with gaps leaves some unused).
    const rows = Math.ceil((to - from) / (tier === '1h' ? HOUR_MS : MINUTE_MS));
    const out = unique.map(() => sink.create(rows));
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
        const raws = this.rawOfMany(unique, lo, hi);
        unique.forEach((series, k) => {
          const raw = raws[k]!;
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
}

/** How `collect` builds one series' result: bucket objects, or columns. */
interface RollupSink<R> {
  /** An empty result with room for `rows` buckets. */
  create(rows: number): R;
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

const asColumns: RollupSink<BucketColumnsBuilder> = {
  create: (rows) => new BucketColumnsBuilder(Math.min(rows, 4096)),
  chunk: (dest, bytes, from, to) => dest.addChunk(bytes, from, to),
  bucket: (dest, b) => dest.addBucket(b),
  hours: (dest, minutes, from, to) => dest.addCoarsened(minutes.finish(), HOUR_MS, from, to),
  copy(r) {
    const c = new BucketColumnsBuilder(r.length);
    c.addColumns(r.finish());
    return c;
  },
};
