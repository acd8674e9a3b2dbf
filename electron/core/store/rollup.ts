import { decodeColumns, encodeColumns } from './codec.js';

export interface Bucket {
  start: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
}

/**
 * Roll time-ordered samples up into buckets of `bucketMs` (1 min, 1 h): min, max, sum,
 * count and the last value of each. `fn` gets them in time order.
 */
export function bucketize(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  n: number,
  bucketMs: number,
  fn: (b: Bucket) => void,
): void {
  let b: Bucket | null = null;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    const v = values[i]!;
    const start = t - (t % bucketMs);
    if (b && b.start === start) {
      if (v < b.min) b.min = v;
      if (v > b.max) b.max = v;
      b.sum += v;
      b.count++;
      b.last = v;
      continue;
    }
    if (b) fn(b);
    b = { start, min: v, max: v, sum: v, count: 1, last: v };
  }
  if (b) fn(b);
}

/** Fold time-ordered finer buckets into coarser ones (1 min → 1 h). */
export function coarsen(
  buckets: readonly Bucket[],
  bucketMs: number,
  fn: (b: Bucket) => void,
): void {
  let b: Bucket | null = null;
  for (const x of buckets) {
    const start = x.start - (x.start % bucketMs);
    if (b && b.start === start) {
      if (x.min < b.min) b.min = x.min;
      if (x.max > b.max) b.max = x.max;
      b.sum += x.sum;
      b.count += x.count;
      b.last = x.last;
      continue;
    }
    if (b) fn(b);
    b = { ...x, start };
  }
  if (b) fn(b);
}

/** Buckets in one chunk: start times plus five value columns. */
export function encodeBuckets(buckets: readonly Bucket[]): Uint8Array {
  const n = buckets.length;
  const col = (f: (b: Bucket) => number) => Float64Array.from(buckets, f);
  return encodeColumns(
    col((b) => b.start),
    [
      col((b) => b.min),
      col((b) => b.max),
      col((b) => b.sum),
      col((b) => b.count),
      col((b) => b.last),
    ],
    n,
  );
}

export function decodeBuckets(bytes: Uint8Array): Bucket[] {
  const { ts, columns } = decodeColumns(bytes);
  if (columns.length !== 5) throw new Error(`a rollup chunk has 5 columns, not ${columns.length}`);
  const [min, max, sum, count, last] = columns as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return Array.from(ts, (start, i) => ({
    start,
    min: min[i]!,
    max: max[i]!,
    sum: sum[i]!,
    count: count[i]!,
    last: last[i]!,
  }));
}
