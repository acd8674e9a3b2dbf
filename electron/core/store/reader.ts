import { keepsSketch } from '../../../shared/analysis.js';
import { BlockDamagedError, type BlockReader, type ChunkRef } from './block-file.js';
import type { BlockSet } from './block-set.js';
import { decodeChunk } from './codec.js';
import { bucketize, coarsen, decodeBuckets, type Bucket } from './rollup.js';
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
   * order given. Block by block, series by series in id order: a block's index is sorted by
   * series, so each file is read once, front to back. Series by series instead would cycle
   * through ~30 daily files per series and thrash the bounded descriptor cache.
   */
  bucketsOfMany(list: readonly Series[], tier: RollupTier, from: number, to: number): Bucket[][] {
    const out = list.map((): Bucket[] => []);
    const order = list.map((_, i) => i).sort((a, b) => list[a]!.id - list[b]!.id);
    let h = hourOf(from);
    while (h < to) {
      const run = this.currentRun(tier, h, to);
      const lo = Math.max(from, run.start);
      const hi = Math.min(to, run.end);
      for (const i of order) {
        const series = list[i]!;
        const dest = out[i]!;
        if (run.block) {
          for (const b of this.blockBuckets(run.block, series.id, lo, hi)) dest.push(b);
        } else if (tier === '1m') {
          const raw = this.raw(series, lo, hi);
          const sketch = keepsSketch(series.name);
          bucketize(raw.ts, raw.values, raw.length, MINUTE_MS, (b) => dest.push(b), sketch);
        } else {
          // 1-hour buckets from 1-minute ones, for whole hours (partial edges are trimmed).
          const minutes = this.buckets(series, '1m', run.start, run.end);
          coarsen(minutes, HOUR_MS, (b) => {
            if (b.start >= from && b.start < to) dest.push(b);
          });
        }
      }
      h = run.end;
    }
    return out;
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

  private blockBuckets(block: BlockReader, seriesId: number, from: number, to: number): Bucket[] {
    const out: Bucket[] = [];
    for (const ref of block.chunksOf(seriesId, from, to)) {
      const bytes = this.chunk(block, ref);
      if (!bytes) continue;
      for (const b of decodeBuckets(bytes)) if (b.start >= from && b.start < to) out.push(b);
    }
    return out;
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
