const FIRST_CAPACITY = 16;
const MAX_OFFSET = 0xffff_ffff;

/**
 * The open run of raw samples of one series, in typed arrays: times as uint32 ms offsets
 * from the chunk's base (4 bytes) and values as float64 (8 bytes). Arrays grow by doubling
 * from a small start, so that sparse series stay small. Closed chunks are encoded
 * (codec.ts); only the newest, still growing one lives here.
 */
export class Chunk {
  offsets: Uint32Array;
  values: Float64Array;
  length = 0;

  constructor(
    /** Moves back only when an out-of-order sample lands before the chunk's first. */
    public base: number,
    capacity = FIRST_CAPACITY,
  ) {
    this.offsets = new Uint32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Empty the chunk for reuse from `base` (its arrays stay: no allocation per chunk). */
  reset(base: number): void {
    this.base = base;
    this.length = 0;
  }

  get firstTs(): number {
    return this.base + this.offsets[0]!;
  }

  get lastTs(): number {
    return this.base + this.offsets[this.length - 1]!;
  }

  /** False when `ts` is too far from the chunk's base; start a new chunk then. */
  tryAppend(ts: number, value: number): boolean {
    const offset = ts - this.base;
    if (offset > MAX_OFFSET || offset < 0) return false;
    if (this.length === this.offsets.length) this.growTo(this.length * 2);
    this.offsets[this.length] = offset;
    this.values[this.length] = value;
    this.length++;
    return true;
  }

  /**
   * Put a sample older than the chunk's newest into its place (the out-of-order path, rare).
   * The caller has checked that no sample at `ts` is held. False when `ts` is too far from
   * the chunk's samples to be held as a uint32 offset.
   */
  insert(ts: number, value: number): boolean {
    if (this.length === 0) {
      this.base = ts;
      return this.tryAppend(ts, value);
    }
    if (ts < this.base) {
      const shift = this.base - ts;
      if (this.lastTs - ts > MAX_OFFSET) return false;
      for (let i = 0; i < this.length; i++) this.offsets[i]! += shift;
      this.base = ts;
    } else if (ts - this.base > MAX_OFFSET) return false;
    const at = this.lowerBound(ts);
    if (this.length === this.offsets.length) this.growTo(this.length * 2);
    this.offsets.copyWithin(at + 1, at, this.length);
    this.values.copyWithin(at + 1, at, this.length);
    this.offsets[at] = ts - this.base;
    this.values[at] = value;
    this.length++;
    return true;
  }

  tsAt(i: number): number {
    return this.base + this.offsets[i]!;
  }

  /** Index of the first sample with ts >= `ts` (binary search). */
  lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.length;
    const target = ts - this.base;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(ts: number): boolean {
    const i = this.lowerBound(ts);
    return i < this.length && this.tsAt(i) === ts;
  }

  /** The timestamps as absolute ms (for encoding). */
  times(): Float64Array {
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.base + this.offsets[i]!;
    return out;
  }

  byteSize(): number {
    return this.offsets.byteLength + this.values.byteLength;
  }

  private growTo(capacity: number): void {
    const offsets = new Uint32Array(capacity);
    offsets.set(this.offsets.subarray(0, this.length));
    const values = new Float64Array(capacity);
    values.set(this.values.subarray(0, this.length));
    this.offsets = offsets;
    this.values = values;
  }
}
