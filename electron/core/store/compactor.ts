// What happens to block files after they are written: flushes of the head (L0) are compacted
// hour by hour into raw and 1-minute blocks; 1-minute hours are merged into days (with their
// 1-hour buckets), 1-hour days into 30-day periods (as the days come); each tier is deleted past its retention,
// and the oldest data goes first when the disk budget is reached. It runs in the storage
// worker (storage-worker.ts), off the ingest thread; everything here is plain functions of
// the directory and the time given.
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BlockReader, BlockWriter, type BlockTier } from './block-file.js';
import { blockName, mergeIndexes, openBlocks } from './block-dir.js';
import { decodeChunk } from './codec.js';
import {
  addBucket,
  bucketize,
  coarsen,
  copyBucket,
  decodeBuckets,
  encodeBuckets,
  type Bucket,
} from './rollup.js';
import { encodeRaw } from './flush-writer.js';
import { SampleBuffer } from './sample-buffer.js';
import { HOUR_MS, MINUTE_MS } from './series.js';

export const DAY_MS = 24 * HOUR_MS;
/** 1-hour buckets are kept in files of 30 days. */
export const PERIOD_MS = 30 * DAY_MS;

export interface Retention {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

export interface CompactorOptions {
  retention: Retention;
  /** How long after an hour ends before it is compacted (late samples have arrived by then). */
  lagMs: number;
  /** Total bytes the store may use on disk (blocks + WAL); oldest data goes first past it. */
  diskBudgetBytes: number;
  /**
   * Series whose rollups keep a sketch of their samples (latency-like metrics): the worker
   * knows series by id only, so the ingest thread names them for each pass.
   */
  sketched?: ReadonlySet<number>;
}

export interface FlushSeries {
  seriesId: number;
  /** Chunks as the head encoded them (codec.ts, fast), in any order, possibly overlapping. */
  chunks: Uint8Array[];
}

export interface BlockInfo {
  name: string;
  tier: BlockTier;
  start: number;
  end: number;
  seq: number;
  minTs: number;
  maxTs: number;
  bytes: number;
  rows: number;
}

export interface MaintainResult {
  added: BlockInfo[];
  removed: string[];
  damaged: { name: string; problem: string }[];
  /** Files deleted to stay within the disk budget. */
  budgetDeleted: BlockInfo[];
  blocks: BlockInfo[];
}

export function infoOf(r: BlockReader): BlockInfo {
  return {
    name: basename(r.path),
    ...r.meta,
    minTs: r.minTs,
    maxTs: r.maxTs,
    bytes: r.bytes,
    rows: r.rows,
  };
}

const hourOf = (ts: number) => ts - (ts % HOUR_MS);
const covers = (r: BlockReader, t: number) => r.meta.start <= t && t < r.meta.end;

/** The block of `tier` that is current for the hour starting at `h` (highest seq), if any. */
function winner(blocks: readonly BlockReader[], tier: BlockTier, h: number): BlockReader | null {
  let best: BlockReader | null = null;
  for (const b of blocks)
    if (b.meta.tier === tier && covers(b, h) && (!best || b.meta.seq > best.meta.seq)) best = b;
  return best;
}

/** The highest flush merged into the derived blocks of hour `h` (−1: never compacted). */
function watermark(blocks: readonly BlockReader[], h: number): number {
  let w = -1;
  for (const b of blocks)
    if ((b.meta.tier === 'raw' || b.meta.tier === '1m') && covers(b, h))
      w = Math.max(w, b.meta.seq);
  return w;
}

/**
 * Compact one hour: its raw samples from the current raw block and every L0 block overlapping
 * it are merged (one sample per timestamp), written as a raw block (while within raw
 * retention) and rolled up into 1-minute buckets. The new blocks carry the highest L0 seq
 * merged in, and replace the hour's older blocks.
 */
async function compactHour(
  dir: string,
  blocks: readonly BlockReader[],
  h: number,
  now: number,
  opts: CompactorOptions,
): Promise<{ added: BlockInfo[]; superseded: BlockReader[] }> {
  const end = h + HOUR_MS;
  const raw = winner(blocks, 'raw', h);
  const l0 = blocks.filter((b) => b.meta.tier === 'l0' && b.minTs < end && b.maxTs >= h);
  const inputs = raw ? [raw, ...l0] : l0;
  const seq = Math.max(watermark(blocks, h), ...l0.map((b) => b.meta.seq));
  const keepRaw = end > now - opts.retention.rawMs;
  // Raw data of this hour is gone (past retention) but its buckets exist: new samples are
  // added to them rather than replacing them (rare: a long stop with late data in the WAL).
  // Within raw retention the hour's raw data is all here, and the buckets are made anew.
  const combineWith = raw || keepRaw ? null : winner(blocks, '1m', h);
  const rawW = keepRaw
    ? await BlockWriter.create(join(dir, blockName('raw', h, end, seq)), {
        tier: 'raw',
        start: h,
        end,
        seq,
      })
    : null;
  const minW = await BlockWriter.create(join(dir, blockName('1m', h, end, seq)), {
    tier: '1m',
    start: h,
    end,
    seq,
  });
  // The hour's 1-hour buckets too (one per series): until its day is merged, a read of hourly
  // buckets (30 days of them, for forecasts) takes them from here, not from 60 minutes each.
  const hourW = await BlockWriter.create(join(dir, blockName('1h', h, end, seq)), {
    tier: '1h',
    start: h,
    end,
    seq,
  });
  const addMinutes = (seriesId: number, buckets: Bucket[]) => {
    minW.add(
      seriesId,
      buckets.length,
      buckets[0]!.start,
      buckets.at(-1)!.start,
      encodeBuckets(buckets),
    );
    const hours: Bucket[] = [];
    coarsen(buckets, HOUR_MS, (b) => hours.push(b));
    hourW.add(seriesId, 1, h, h, encodeBuckets(hours));
  };
  try {
    for (const { seriesId, perBlock } of mergeIndexes(inputs)) {
      const buf = new SampleBuffer();
      perBlock.forEach((refs, i) => {
        for (const ref of refs) {
          if (ref.maxTs < h || ref.minTs >= end) continue;
          const d = decodeChunk(inputs[i]!.chunk(ref));
          buf.pushRange(d.ts, d.values, h, end);
        }
      });
      if (buf.length === 0) continue;
      buf.sortDedup();
      if (rawW) for (const p of encodeRaw(buf)) rawW.add(seriesId, p.rows, p.min, p.max, p.bytes);
      await rawW?.room();
      await minW.room();
      let buckets: Bucket[] = [];
      const sketch = opts.sketched?.has(seriesId) ?? false;
      bucketize(buf.ts, buf.values, buf.length, MINUTE_MS, (b) => buckets.push(b), sketch);
      if (combineWith) buckets = combineBuckets(bucketsOf(combineWith, seriesId, h, end), buckets);
      addMinutes(seriesId, buckets);
      await hourW.room();
    }
    if (combineWith) {
      // Series with buckets but no new samples keep them.
      for (const { seriesId, perBlock } of mergeIndexes([combineWith])) {
        if (perBlock[0]!.length === 0 || l0.some((b) => b.chunksOf(seriesId, h, end).length > 0))
          continue;
        const keep = bucketsOf(combineWith, seriesId, h, end);
        if (keep.length) addMinutes(seriesId, keep);
      }
    }
    const added: BlockInfo[] = [];
    if (rawW) added.push(await finished(rawW, 'raw', h, end, seq));
    added.push(await finished(minW, '1m', h, end, seq));
    added.push(await finished(hourW, '1h', h, end, seq));
    const superseded = blocks.filter(
      (b) => b.meta.tier !== 'l0' && b.meta.start === h && b.meta.end === end && b.meta.seq < seq,
    );
    return { added, superseded };
  } catch (err) {
    await rawW?.abort();
    await minW.abort();
    await hourW.abort();
    throw err;
  }
}

async function finished(
  w: BlockWriter,
  tier: BlockTier,
  start: number,
  end: number,
  seq: number,
): Promise<BlockInfo> {
  const rows = w.rows;
  const bytes = await w.finish();
  return {
    name: basename(w.path),
    tier,
    start,
    end,
    seq,
    minTs: start,
    maxTs: end - 1,
    bytes,
    rows,
  };
}

/** True when every hour of `b` is served by another block of its tier (higher seq, or as high and wider). */
function superseded(blocks: readonly BlockReader[], b: BlockReader): boolean {
  const beats = (o: BlockReader) =>
    o !== b &&
    o.meta.tier === b.meta.tier &&
    (o.meta.seq > b.meta.seq ||
      (o.meta.seq === b.meta.seq && o.meta.end - o.meta.start > b.meta.end - b.meta.start));
  for (let h = b.meta.start; h < b.meta.end; h += HOUR_MS)
    if (!blocks.some((o) => beats(o) && covers(o, h))) return false;
  return true;
}

/** Delete block files the reader has let go of (the second half of a maintenance pass). */
export async function removeBlocks(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (!/^(l0|raw|1m|1h)-[\d-]+\.blk$/.test(name)) continue;
    await rm(join(dir, name), { force: true });
  }
}

/** Buckets of one series from a rollup block, with start in [from, to). */
export function bucketsOf(
  block: BlockReader,
  seriesId: number,
  from: number,
  to: number,
): Bucket[] {
  const out: Bucket[] = [];
  for (const ref of block.chunksOf(seriesId, from, to))
    for (const b of decodeBuckets(block.chunk(ref)))
      if (b.start >= from && b.start < to) out.push(b);
  return out;
}

/** Two bucket runs of one series into one: buckets at the same start are added together. */
function combineBuckets(a: Bucket[], b: Bucket[]): Bucket[] {
  const byStart = new Map<number, Bucket>();
  for (const x of [...a, ...b]) {
    const y = byStart.get(x.start);
    if (!y) byStart.set(x.start, copyBucket(x));
    else addBucket(y, x);
  }
  return [...byStart.values()].sort((p, q) => p.start - q.start);
}

/**
 * Merge the rollup blocks of one span (a day of 1-minute blocks, or 30 days of 1-hour ones)
 * into one: per hour the current block (highest seq) wins. A day of 1-minute buckets also
 * yields that day's 1-hour buckets.
 */
async function mergeSpan(
  dir: string,
  inputs: readonly BlockReader[],
  tier: '1m' | '1h',
  start: number,
  end: number,
): Promise<BlockInfo[]> {
  const seq = Math.max(...inputs.map((b) => b.meta.seq));
  const main = await BlockWriter.create(join(dir, blockName(tier, start, end, seq)), {
    tier,
    start,
    end,
    seq,
  });
  const hourly =
    tier === '1m'
      ? await BlockWriter.create(join(dir, blockName('1h', start, end, seq)), {
          tier: '1h',
          start,
          end,
          seq,
        })
      : null;
  // The winning input for each hour of the span (by index into `inputs`).
  const winners = new Map<number, number>();
  for (let h = start; h < end; h += HOUR_MS) {
    let best = -1;
    inputs.forEach((b, i) => {
      if (covers(b, h) && (best < 0 || b.meta.seq > inputs[best]!.meta.seq)) best = i;
    });
    if (best >= 0) winners.set(h, best);
  }
  try {
    for (const { seriesId, perBlock } of mergeIndexes(inputs)) {
      const buckets: Bucket[] = [];
      perBlock.forEach((refs, i) => {
        for (const ref of refs)
          for (const b of decodeBuckets(inputs[i]!.chunk(ref)))
            if (winners.get(hourOf(b.start)) === i) buckets.push(b);
      });
      if (buckets.length === 0) continue;
      buckets.sort((a, b) => a.start - b.start);
      main.add(
        seriesId,
        buckets.length,
        buckets[0]!.start,
        buckets.at(-1)!.start,
        encodeBuckets(buckets),
      );
      if (hourly) {
        const hours: Bucket[] = [];
        coarsen(buckets, HOUR_MS, (b) => hours.push(b));
        hourly.add(
          seriesId,
          hours.length,
          hours[0]!.start,
          hours.at(-1)!.start,
          encodeBuckets(hours),
        );
        await hourly.room();
      }
      await main.room();
    }
    const added = [await finished(main, tier, start, end, seq)];
    if (hourly) added.push(await finished(hourly, '1h', start, end, seq));
    return added;
  } catch (err) {
    await main.abort();
    await hourly?.abort();
    throw err;
  }
}

/**
 * One maintenance pass over `dir` at time `now`: compact, merge, apply retention and the disk
 * budget. `otherBytes` is what the store keeps besides blocks (WAL, snapshot), counted
 * against the budget.
 */
export async function maintain(
  dir: string,
  now: number,
  opts: CompactorOptions,
  otherBytes = 0,
): Promise<MaintainResult> {
  const listing = await openBlocks(dir);
  let blocks = listing.readers;
  const result: MaintainResult = {
    added: [],
    removed: [],
    damaged: listing.damaged,
    budgetDeleted: [],
    blocks: [],
  };
  // Files leave the set here, and the disk only once the reader has let go of them
  // (`removeBlocks`, after the ingest thread took the new set): no query sees a gap.
  const drop = async (gone: readonly BlockReader[]) => {
    for (const b of gone) {
      b.close();
      result.removed.push(basename(b.path));
    }
    blocks = blocks.filter((b) => !gone.includes(b));
  };
  const adopt = (infos: BlockInfo[]) => {
    for (const info of infos) {
      result.added.push(info);
      blocks.push(new BlockReader(join(dir, info.name)));
    }
  };
  try {
    // 0. Rollup and raw blocks that no hour is read from any more (a crash between a merge and
    //    the removal of its inputs leaves them).
    await drop(blocks.filter((b) => b.meta.tier !== 'l0' && superseded(blocks, b)));
    // 1. Hours with flushed samples newer than their compaction, once late samples are in.
    const hours = new Set<number>();
    for (const b of blocks) {
      if (b.meta.tier !== 'l0' || b.records === 0) continue;
      for (let h = hourOf(b.minTs); h <= b.maxTs; h += HOUR_MS)
        if (h + HOUR_MS + opts.lagMs <= now && b.meta.seq > watermark(blocks, h)) hours.add(h);
    }
    for (const h of [...hours].sort((a, b) => a - b)) {
      const { added, superseded } = await compactHour(dir, blocks, h, now, opts);
      adopt(added);
      await drop(superseded);
    }
    // 2. L0 blocks whose every hour is compacted (or past every retention) go.
    await drop(
      blocks.filter((b) => {
        if (b.meta.tier !== 'l0') return false;
        if (b.records === 0) return true;
        for (let h = hourOf(b.minTs); h <= b.maxTs; h += HOUR_MS) {
          const expired = h + HOUR_MS <= now - opts.retention.minuteMs;
          if (!expired && watermark(blocks, h) < b.meta.seq) return false;
        }
        return true;
      }),
    );
    // 3. Days of 1-minute blocks, then 30-day spans of 1-hour blocks, into one block each. A
    //    30-day span is merged as it goes too: its days so far, as soon as there are two
    //    blocks, so a read of the last 30 days opens two or three blocks, not thirty.
    for (const [tier, span] of [
      ['1m', DAY_MS],
      ['1h', PERIOD_MS],
    ] as const) {
      const spans = new Set<number>();
      const perSpan = new Map<number, number>();
      // The 1-hour blocks of single hours (compactHour) wait for their day's merge.
      const merged = (b: BlockReader) =>
        b.meta.tier === tier && (tier === '1m' || b.meta.end - b.meta.start >= DAY_MS);
      for (const b of blocks) {
        if (!merged(b)) continue;
        const s = b.meta.start - (b.meta.start % span);
        perSpan.set(s, (perSpan.get(s) ?? 0) + 1);
        if (b.meta.end - b.meta.start < span && s + span + opts.lagMs <= now) spans.add(s);
        else if (tier === '1h' && perSpan.get(s)! >= 2) spans.add(s);
      }
      for (const s of [...spans].sort((a, b) => a - b)) {
        const inputs = blocks.filter(
          (b) => merged(b) && b.meta.start >= s && b.meta.end <= s + span,
        );
        // A span still going is merged over the hours its blocks hold, not beyond: the hours
        // after them are read from finer blocks until they are merged in.
        const over = s + span + opts.lagMs <= now;
        const from = over ? s : Math.min(...inputs.map((b) => b.meta.start));
        const to = over ? s + span : Math.max(...inputs.map((b) => b.meta.end));
        const added = await mergeSpan(dir, inputs, tier, from, to);
        // The day's 1-hour blocks (of its hours, or from an earlier merge) are replaced by the
        // new one.
        const oldHourly =
          tier === '1m'
            ? blocks.filter((b) => b.meta.tier === '1h' && b.meta.start >= s && b.meta.end <= to)
            : [];
        adopt(added);
        await drop(
          [...inputs, ...oldHourly].filter((b) => !added.some((a) => a.name === basename(b.path))),
        );
      }
    }
    // 4. Retention per tier.
    const limit: Record<BlockTier, number> = {
      l0: now - opts.retention.minuteMs,
      raw: now - opts.retention.rawMs,
      '1m': now - opts.retention.minuteMs,
      '1h': now - opts.retention.hourMs,
    };
    await drop(
      blocks.filter((b) => (b.meta.tier === 'l0' ? b.maxTs + 1 : b.meta.end) <= limit[b.meta.tier]),
    );
    // 5. The disk budget: the oldest data goes first.
    let total = otherBytes + blocks.reduce((n, b) => n + b.bytes, 0);
    if (total > opts.diskBudgetBytes) {
      const byAge = [...blocks].sort((a, b) => a.maxTs - b.maxTs || a.meta.start - b.meta.start);
      const gone: BlockReader[] = [];
      for (const b of byAge) {
        if (total <= opts.diskBudgetBytes) break;
        gone.push(b);
        total -= b.bytes;
        result.budgetDeleted.push(infoOf(b));
      }
      await drop(gone);
    }
    result.blocks = blocks.map(infoOf);
    // A block made and merged away in the same pass never reaches the reader.
    const gone = new Set(result.removed);
    const made = new Set(result.added.map((b) => b.name));
    result.added = result.added.filter((b) => !gone.has(b.name));
    result.removed = result.removed.filter((n) => !made.has(n));
    return result;
  } finally {
    for (const b of blocks) b.close();
  }
}
