import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepsSketch } from '../../../shared/analysis.js';
import type { QuerySource } from '../../../electron/core/store/query.js';
import { bucketize, coarsen, type Bucket } from '../../../electron/core/store/rollup.js';
import { SampleBuffer } from '../../../electron/core/store/sample-buffer.js';
import { HOUR_MS, MINUTE_MS, type Series } from '../../../electron/core/store/series.js';
import type { TimeSeriesStore } from '../../../electron/core/store/tsdb.js';

/** Shared set-up for the on-disk store unit tests (store-checkpoint, store-metric-store). */

/** Hour-aligned. */
export const T0 = 1_699_999_200_000;

/**
 * A fresh temporary directory for each test of the calling file, removed after it.
 * Call at the top level of a test file; the returned getter gives the current test's directory.
 */
export function useTempDir(prefix = 'meridian-checkpoint-'): () => string {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** A series' samples held in the head (open, closed, late), in time order. */
export function headRaw(series: Series, from = -Infinity, to = Infinity): SampleBuffer {
  const buf = new SampleBuffer();
  series.collectHead(from, to, buf);
  buf.sortDedup();
  return buf;
}

/** [ts, value] pairs of a series' head, in time order. */
export function headPairs(series: Series): [number, number][] {
  const out: [number, number][] = [];
  headRaw(series).forEach((ts, v) => out.push([ts, v]));
  return out;
}

/** Rollup buckets of a series computed from its head (no block files involved). */
export function headBuckets(
  series: Series,
  tier: '1m' | '1h',
  from = -Infinity,
  to = Infinity,
): Bucket[] {
  const raw = headRaw(series);
  const minutes: Bucket[] = [];
  const sketch = keepsSketch(series.name);
  bucketize(raw.ts, raw.values, raw.length, MINUTE_MS, (b) => minutes.push(b), sketch);
  let out = minutes;
  if (tier === '1h') {
    out = [];
    coarsen(minutes, HOUR_MS, (b) => out.push(b));
  }
  return out.filter((b) => b.start >= from && b.start < to);
}

/**
 * A query source over a bare head (no block files): for tests of the query and analysis
 * maths, where where samples are stored does not matter.
 */
export function headSource(store: TimeSeriesStore): QuerySource {
  return {
    retention: store.retention,
    seriesOf: (metric) => store.seriesOf(metric),
    raw: (series, from, to) => headRaw(series, from, to),
    buckets: (series, tier, from, to) => headBuckets(series, tier, from, to),
  };
}
