export const FIELDS = 6; // start, min, max, sum, count, last
const BLOCK_BUCKETS = 256;
const FIRST_BUCKETS = 4;

export interface Bucket {
  start: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
}

/**
 * One rollup tier of one series (1 min or 1 h buckets of min/max/sum/count/last), kept as
 * blocks of a flat Float64Array. The open bucket is updated in place as samples arrive.
 */
export class RollupTier {
  blocks: Float64Array[] = [];
  /** Buckets in the last block. */
  lastBlockLength = 0;

  constructor(readonly bucketMs: number) {}

  /** The open bucket's span, cached: the hot path is one compare, no modulo, no lookup. */
  private openStart = NaN;
  private openEnd = NaN;

  add(ts: number, value: number): void {
    if (ts >= this.openStart && ts < this.openEnd) {
      const block = this.blocks[this.blocks.length - 1]!;
      const at = (this.lastBlockLength - 1) * FIELDS;
      if (value < block[at + 1]!) block[at + 1] = value;
      if (value > block[at + 2]!) block[at + 2] = value;
      block[at + 3]! += value;
      block[at + 4]! += 1;
      block[at + 5] = value;
      return;
    }
    const start = ts - (ts % this.bucketMs);
    this.push({ start, min: value, max: value, sum: value, count: 1, last: value });
  }

  push(b: Bucket): void {
    let block = this.blocks[this.blocks.length - 1];
    if (!block || this.lastBlockLength >= BLOCK_BUCKETS) {
      // Start small and double: most series of a short-lived agent never fill a block.
      block = new Float64Array((this.blocks.length === 0 ? FIRST_BUCKETS : BLOCK_BUCKETS) * FIELDS);
      this.blocks.push(block);
      this.lastBlockLength = 0;
    } else if (this.lastBlockLength * FIELDS === block.length) {
      const grown = new Float64Array(Math.min(BLOCK_BUCKETS, this.lastBlockLength * 2) * FIELDS);
      grown.set(block);
      block = this.blocks[this.blocks.length - 1] = grown;
    }
    const at = this.lastBlockLength * FIELDS;
    block[at] = b.start;
    block[at + 1] = b.min;
    block[at + 2] = b.max;
    block[at + 3] = b.sum;
    block[at + 4] = b.count;
    block[at + 5] = b.last;
    this.lastBlockLength++;
    this.openStart = b.start;
    this.openEnd = b.start + this.bucketMs;
  }

  /**
   * Fold in a sample that arrived after a later one (the out-of-order path, rare): into its
   * bucket, or a new bucket in its place. `newest`: no later sample of the series falls in
   * that bucket, so the bucket's `last` becomes this value.
   */
  insert(ts: number, value: number, newest: boolean): void {
    const start = ts - (ts % this.bucketMs);
    let bi = this.blocks.length - 1;
    while (bi > 0 && this.blocks[bi]![0]! > start) bi--;
    if (bi < 0)
      return this.push({ start, min: value, max: value, sum: value, count: 1, last: value });
    const block = this.blocks[bi]!;
    const n = bi === this.blocks.length - 1 ? this.lastBlockLength : block.length / FIELDS;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (block[mid * FIELDS]! < start) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && block[lo * FIELDS] === start) {
      const at = lo * FIELDS;
      if (value < block[at + 1]!) block[at + 1] = value;
      if (value > block[at + 2]!) block[at + 2] = value;
      block[at + 3]! += value;
      block[at + 4]! += 1;
      if (newest) block[at + 5] = value;
      return;
    }
    // A bucket of its own, between its neighbours: the block is copied one bucket larger.
    const grown = new Float64Array((n + 1) * FIELDS);
    grown.set(block.subarray(0, lo * FIELDS));
    grown.set([start, value, value, value, 1, value], lo * FIELDS);
    grown.set(block.subarray(lo * FIELDS, n * FIELDS), (lo + 1) * FIELDS);
    this.blocks[bi] = grown;
    if (bi === this.blocks.length - 1) this.lastBlockLength = n + 1;
  }

  /** Put back blocks from a checkpoint, re-opening the last bucket for in-place updates. */
  restore(blocks: Float64Array[]): void {
    this.blocks = blocks.filter((b) => b.length > 0);
    const last = this.blocks[this.blocks.length - 1];
    this.lastBlockLength = last ? last.length / FIELDS : 0;
    if (last) {
      this.openStart = last[last.length - FIELDS]!;
      this.openEnd = this.openStart + this.bucketMs;
    }
  }

  /** Visit buckets whose start is in [from, to). */
  forEach(from: number, to: number, fn: (b: Bucket) => void): void {
    for (let bi = 0; bi < this.blocks.length; bi++) {
      const block = this.blocks[bi]!;
      const n = bi === this.blocks.length - 1 ? this.lastBlockLength : block.length / FIELDS;
      if (n === 0 || block[(n - 1) * FIELDS]! < from) continue;
      if (block[0]! >= to) break;
      for (let i = 0; i < n; i++) {
        const at = i * FIELDS;
        const start = block[at]!;
        if (start < from) continue;
        if (start >= to) return;
        fn({
          start,
          min: block[at + 1]!,
          max: block[at + 2]!,
          sum: block[at + 3]!,
          count: block[at + 4]!,
          last: block[at + 5]!,
        });
      }
    }
  }

  /** Drop whole blocks that end before `cutoff`. */
  dropBefore(cutoff: number): void {
    while (this.blocks.length > 1) {
      const block = this.blocks[0]!;
      if (block[block.length - FIELDS]! + this.bucketMs > cutoff) break;
      this.blocks.shift();
    }
  }

  byteSize(): number {
    let bytes = 0;
    for (const b of this.blocks) bytes += b.byteLength;
    return bytes;
  }
}
