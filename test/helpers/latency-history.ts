// A latency history that tells percentiles of samples from percentiles of minute means, for the
// percentile tests (integration and e2e): the spikes are spread one in five or one in ten
// samples, so no minute's mean comes near them. And the block surgery that makes a data dir
// look as if a version without sketches had written its rollups.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockReader, BlockWriter } from '../../electron/core/store/block-file.js';
import { decodeBuckets, encodeBuckets } from '../../electron/core/store/rollup.js';

const MIN = 60_000;
const HOUR = 3_600_000;

/** A seeded uniform [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * One sample a second from `start` to `end`: 80–140 ms; in the first hour one sample in five
 * takes 300 ms, in the last 80 minutes one in ten takes 500 ms (the spike).
 */
export function latencyHistory(start: number, end: number): { ts: number; value: number }[] {
  const r = prng(9);
  const out = [];
  for (let i = 0, ts = start; ts <= end; i++, ts += 1000) {
    let value = Math.round((80 + 60 * r()) * 10) / 10;
    if (ts < start + HOUR && i % 5 === 2) value = 300;
    if (ts >= end - 80 * MIN && i % 10 === 3) value = 500;
    out.push({ ts, value });
  }
  return out;
}

/** The sample of rank q·(n − 1) of sorted values: the one a DDSketch answers for. */
export const rankOf = (sorted: readonly number[], q: number) =>
  sorted[Math.floor(q * (sorted.length - 1))]!;

/** Rewrite a rollup block as a version without sketches wrote it (same name, same buckets). */
export async function stripSketches(path: string): Promise<void> {
  const r = new BlockReader(path);
  const w = await BlockWriter.create(path, r.meta);
  for (const ref of r.allChunks()) {
    const buckets = decodeBuckets(r.chunk(ref)).map(({ sketch: _s, ...b }) => b);
    w.add(ref.seriesId, ref.rows, ref.minTs, ref.maxTs, encodeBuckets(buckets));
  }
  r.close();
  await w.finish();
}

/** Strip the sketches of every rollup block in a data dir (the console stopped); their names. */
export async function stripAllSketches(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'tsdb', 'blocks');
  const names = (await readdir(dir)).filter((n) => /^1[mh]-.*\.blk$/.test(n));
  for (const n of names) await stripSketches(join(dir, n));
  return names;
}
