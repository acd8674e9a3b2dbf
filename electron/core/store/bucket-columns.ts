// Rollup buckets as columns: one Float64Array per field instead of an object per bucket. The
// forecasting input is 30 days of hourly buckets for a thousand series or more (720,000
// buckets): as objects, their allocation and collection cost more than reading them. Columns
// carry no sketches (percentiles read buckets as objects, rollup.ts).
import { ByteReader, ColumnScratch, decodeColumnsInto } from './codec.js';
import type { Bucket } from './rollup.js';

/** A series' buckets, in time order: row i of every column is bucket i. */
export interface BucketColumns {
  readonly length: number;
  readonly start: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly count: Float64Array;
  readonly last: Float64Array;
}

/** The first byte of a v2 rollup chunk (rollup.ts): the v1 columns follow, then sketches. */
const ROLLUP_V2 = 0x82;
const FIELDS = 6;

/** The v1 part of a rollup chunk (its five value columns); a v2 chunk's sketches are skipped. */
function v1Part(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== ROLLUP_V2) return bytes;
  const r = new ByteReader(bytes);
  r.byte();
  const length = r.uvarint();
  const rest = r.rest();
  if (length + 1 > rest.length) throw new Error('rollup chunk truncated');
  return rest.subarray(0, length);
}

const scratch = new ColumnScratch();

/** Builds one series' columns: appended in time order, then `finish()`. */
export class BucketColumnsBuilder {
  length = 0;
  /** start, min, max, sum, count, last. */
  private cols: Float64Array[];

  constructor(capacity = 32) {
    // One allocation for the six columns.
    const size = Math.max(1, capacity);
    const all = new Float64Array(FIELDS * size);
    this.cols = Array.from({ length: FIELDS }, (_, c) => all.subarray(c * size, (c + 1) * size));
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.cols[0]!.length) return;
    const size = Math.max(need, this.cols[0]!.length * 2);
    this.cols = this.cols.map((c) => {
      const grown = new Float64Array(size);
      grown.set(c.subarray(0, this.length));
      return grown;
    });
  }

  /** The buckets of a rollup chunk (v1 or v2) whose start is in [from, to). */
  addChunk(bytes: Uint8Array, from: number, to: number): void {
    const { rows, count } = decodeColumnsInto(v1Part(bytes), scratch);
    if (count !== FIELDS - 1) throw new Error(`a rollup chunk has 5 columns, not ${count}`);
    const ts = scratch.ts;
    let a = 0;
    while (a < rows && ts[a]! < from) a++;
    let b = a;
    while (b < rows && ts[b]! < to) b++;
    if (b === a) return;
    this.reserve(b - a);
    this.cols[0]!.set(ts.subarray(a, b), this.length);
    for (let c = 1; c < FIELDS; c++)
      this.cols[c]!.set(scratch.columns[c - 1]!.subarray(a, b), this.length);
    this.length += b - a;
  }

  add(start: number, min: number, max: number, sum: number, count: number, last: number): void {
    this.reserve(1);
    const i = this.length++;
    const [s, mn, mx, sm, ct, ls] = this.cols as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    s[i] = start;
    mn[i] = min;
    mx[i] = max;
    sm[i] = sum;
    ct[i] = count;
    ls[i] = last;
  }

  addBucket(b: Bucket): void {
    this.add(b.start, b.min, b.max, b.sum, b.count, b.last);
  }

  addColumns(cols: BucketColumns): void {
    const { start, min, max, sum, count, last } = cols;
    for (let i = 0; i < cols.length; i++)
      this.add(start[i]!, min[i]!, max[i]!, sum[i]!, count[i]!, last[i]!);
  }

  /** Fold finer buckets (in time order) into buckets of `bucketMs`, keeping starts in [from, to). */
  addCoarsened(finer: BucketColumns, bucketMs: number, from: number, to: number): void {
    const { start, min, max, sum, count, last } = finer;
    let i = 0;
    while (i < finer.length) {
      const s = start[i]! - (start[i]! % bucketMs);
      let mn = min[i]!;
      let mx = max[i]!;
      let sm = sum[i]!;
      let ct = count[i]!;
      let ls = last[i]!;
      for (i++; i < finer.length && start[i]! - (start[i]! % bucketMs) === s; i++) {
        if (min[i]! < mn) mn = min[i]!;
        if (max[i]! > mx) mx = max[i]!;
        sm += sum[i]!;
        ct += count[i]!;
        ls = last[i]!;
      }
      if (s >= from && s < to) this.add(s, mn, mx, sm, ct, ls);
    }
  }

  /** The columns (views of the builder's arrays: add nothing after this). */
  finish(): BucketColumns {
    const [start, min, max, sum, count, last] = this.cols.map((c) => c.subarray(0, this.length));
    return {
      length: this.length,
      start: start!,
      min: min!,
      max: max!,
      sum: sum!,
      count: count!,
      last: last!,
    };
  }
}
