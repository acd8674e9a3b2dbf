// Rollup buckets (1 min, 1 h): min, max, sum, count and last of each, and for latency-like
// metrics (shared/analysis.ts keepsSketch) a DDSketch of the samples (sketch.ts).
//
// A rollup chunk is either
//   v1  a codec chunk (codec.ts) of five columns: min, max, sum, count, last
//   v2  byte 0x82 (a codec chunk's first byte is 0 or 1), uvarint length of the v1 part, the
//       v1 part, then the sketch column: byte flags (bit 0: deflated), its bytes (sketch.ts)
// v2 is written only when a bucket of the chunk has a sketch; both are read, so blocks written
// before sketches existed stay readable (their buckets have none: percentiles over them are
// of means, and say so). v2 sketches are at ±1 % (SKETCH_RELATIVE_ACCURACY): bins of another
// accuracy would not merge with them, so a change of accuracy needs a new marker byte.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ByteReader, ByteWriter, decodeColumns, encodeColumns } from './codec.js';
import { decodeSketches, encodeSketches, Sketch } from './sketch.js';

export interface Bucket {
  start: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  /** The bucket's samples, for percentiles (latency-like metrics only). */
  sketch?: Sketch;
}

const ROLLUP_V2 = 0x82;

/**
 * Roll time-ordered samples up into buckets of `bucketMs` (1 min, 1 h): min, max, sum,
 * count and the last value of each, and with `sketch` a sketch of the samples. `fn` gets
 * them in time order.
 */
export function bucketize(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  n: number,
  bucketMs: number,
  fn: (b: Bucket) => void,
  sketch = false,
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
      b.sketch?.add(v);
      continue;
    }
    if (b) fn(b);
    b = { start, min: v, max: v, sum: v, count: 1, last: v };
    if (sketch) (b.sketch = new Sketch()).add(v);
  }
  if (b) fn(b);
}

/** Add `x` into `into` (same start or coarser): a sketch survives only if both have one. */
export function addBucket(into: Bucket, x: Bucket): void {
  if (x.min < into.min) into.min = x.min;
  if (x.max > into.max) into.max = x.max;
  into.sum += x.sum;
  into.count += x.count;
  into.last = x.last;
  if (into.sketch && x.sketch) into.sketch.merge(x.sketch);
  else delete into.sketch;
}

/** A copy of `x` at `start` that can be added into without touching `x`. */
export function copyBucket(x: Bucket, start = x.start): Bucket {
  const b: Bucket = { start, min: x.min, max: x.max, sum: x.sum, count: x.count, last: x.last };
  if (x.sketch) b.sketch = x.sketch.clone();
  return b;
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
      addBucket(b, x);
      continue;
    }
    if (b) fn(b);
    b = copyBucket(x, start);
  }
  if (b) fn(b);
}

/** Buckets in one chunk: start times plus five value columns, and sketches if any (v2). */
export function encodeBuckets(buckets: readonly Bucket[]): Uint8Array {
  const columns = encodeBucketColumns(buckets);
  if (!buckets.some((b) => b.sketch)) return columns;
  let sketches = encodeSketches(buckets.map((b) => b.sketch));
  let flags = 0;
  const packed = deflateRawSync(sketches);
  if (packed.length < sketches.length) {
    sketches = packed;
    flags = 1;
  }
  const w = new ByteWriter();
  w.byte(ROLLUP_V2);
  w.uvarint(columns.length);
  w.bytes(columns);
  w.byte(flags);
  w.bytes(sketches);
  return w.done();
}

function encodeBucketColumns(buckets: readonly Bucket[]): Uint8Array {
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
  if (bytes[0] !== ROLLUP_V2) return decodeBucketColumns(bytes);
  const r = new ByteReader(bytes);
  r.byte();
  const length = r.uvarint();
  const rest = r.rest();
  if (length + 1 > rest.length) throw new Error('rollup chunk truncated');
  const buckets = decodeBucketColumns(rest.subarray(0, length));
  const flags = rest[length]!;
  if (flags > 1) throw new Error(`unknown sketch column flags ${flags}`);
  const column = rest.subarray(length + 1);
  const sketches = decodeSketches(flags ? inflateRawSync(column) : column, buckets.length);
  buckets.forEach((b, i) => {
    const s = sketches[i];
    if (s) b.sketch = s;
  });
  return buckets;
}

function decodeBucketColumns(bytes: Uint8Array): Bucket[] {
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
