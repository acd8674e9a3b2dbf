// Percentiles of a metric's samples over a window, for a group of series. Within raw retention
// they are exact, from every sample. Beyond it they come from the rollups' sketches (DDSketch,
// ±1 %), merged over the window: whole hours from 1-hour buckets, the partial hours at either
// end from 1-minute buckets; hours not compacted yet (the head, flushes) are rolled up from
// their raw samples on the way, sketches included. A bucket without a sketch (a metric that
// keeps none, or a block written before sketches existed) counts as its mean, weighted by its
// samples, and the result says how much of it that is: never a p99 of means under a p99 label.
import { quantileSorted } from 'simple-statistics';
import {
  keepsSketch,
  SKETCH_RELATIVE_ACCURACY,
  type PercentileSource,
  type WindowPercentiles,
} from '../../../shared/analysis.js';
import type { QuerySource } from '../store/query.js';
import type { Bucket } from '../store/rollup.js';
import { HOUR_MS, type Series } from '../store/series.js';
import { Sketch } from '../store/sketch.js';

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** Exact percentiles over every raw sample of `series` in [from, to). */
function exact(store: QuerySource, series: readonly Series[], from: number, to: number) {
  const values: number[] = [];
  for (const s of series) store.raw(s, from, to).forEach((_t, v) => values.push(v));
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const [p50, p95, p99] = QUANTILES.map((q) => quantileSorted(values, q)) as [
    number,
    number,
    number,
  ];
  const source: PercentileSource = 'raw';
  return { count: values.length, p50, p95, p99, source, fromMeans: 0, relativeAccuracy: 0 };
}

/** Sketches (or means) of buckets merged into one distribution. */
class Distribution {
  readonly sketch = new Sketch();
  count = 0;
  fromMeans = 0;
  min = Infinity;
  max = -Infinity;

  add(b: Bucket): void {
    if (b.count <= 0) return;
    this.count += b.count;
    if (b.min < this.min) this.min = b.min;
    if (b.max > this.max) this.max = b.max;
    if (b.sketch) this.sketch.merge(b.sketch);
    else {
      this.sketch.add(b.sum / b.count, b.count);
      this.fromMeans += b.count;
    }
  }

  /** Add one hour's bucket: its sketch, else its minutes (sketched where they can be). */
  addHour(store: QuerySource, series: Series, hour: Bucket): void {
    if (hour.sketch) return this.add(hour);
    const minutes = store.buckets(series, '1m', hour.start, hour.start + HOUR_MS);
    let n = 0;
    for (const m of minutes) n += m.count;
    // The minutes are gone (past their retention) or do not add up: the hour's mean it is.
    if (n !== hour.count) return this.add(hour);
    for (const m of minutes) this.add(m);
  }

  /** The value at q, never outside the samples' own range (the sketch is ±α). */
  at(q: number): number {
    return Math.min(this.max, Math.max(this.min, this.sketch.quantile(q)));
  }
}

/**
 * p50/p95/p99 of the samples of `series` in [from, to); null when there are none. `to` is
 * exclusive (pass now + 1 to include now).
 */
export function windowPercentiles(
  store: QuerySource,
  series: readonly Series[],
  from: number,
  to: number,
): WindowPercentiles | null {
  // `to` is exclusive: a window of the raw tier's retention is [now − rawMs, now + 1).
  if (to - from <= store.retention.rawMs + 1) return exact(store, series, from, to);
  const d = new Distribution();
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = to - (to % HOUR_MS);
  for (const s of series) {
    if (!keepsSketch(s.name) || firstHour >= lastHour) {
      // No sketches to find: one read of 1-minute buckets (their means) over the window.
      for (const b of store.buckets(s, '1m', from, to)) d.add(b);
      continue;
    }
    for (const b of store.buckets(s, '1m', from, firstHour)) d.add(b);
    for (const h of store.buckets(s, '1h', firstHour, lastHour)) d.addHour(store, s, h);
    for (const b of store.buckets(s, '1m', lastHour, to)) d.add(b);
  }
  if (d.count === 0) return null;
  const [p50, p95, p99] = QUANTILES.map((q) => d.at(q)) as [number, number, number];
  const source: PercentileSource =
    d.fromMeans === 0 ? 'sketch' : d.fromMeans === d.count ? 'means' : 'mixed';
  return {
    count: d.count,
    p50,
    p95,
    p99,
    source,
    fromMeans: d.fromMeans / d.count,
    relativeAccuracy: SKETCH_RELATIVE_ACCURACY,
  };
}
