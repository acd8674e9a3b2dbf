/** Samples per full chunk; retention drops whole chunks. */
export const CHUNK_SAMPLES = 1_024;
const FIRST_CAPACITY = 64;
const MAX_OFFSET = 0xffff_ffff;

/**
 * A run of raw samples of one series in typed arrays: times as uint32 ms offsets from the
 * chunk's base (4 bytes) and values as float64 (8 bytes), 12 bytes a sample. Arrays grow by
 * doubling up to CHUNK_SAMPLES so that sparse series stay small.
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

  get full(): boolean {
    return this.length >= CHUNK_SAMPLES;
  }

  get firstTs(): number {
    return this.base + this.offsets[0]!;
  }

  get lastTs(): number {
    return this.base + this.offsets[this.length - 1]!;
  }

  /** False when the chunk is full or `ts` is too far from its base; start a new chunk then. */
  tryAppend(ts: number, value: number): boolean {
    const offset = ts - this.base;
    if (this.length >= CHUNK_SAMPLES || offset > MAX_OFFSET || offset < 0) return false;
    if (this.length === this.offsets.length) this.grow();
    this.offsets[this.length] = offset;
    this.values[this.length] = value;
    this.length++;
    return true;
  }

  /**
   * Put a sample older than the chunk's newest into its place (the out-of-order path, rare).
   * The caller has checked that no sample at `ts` is held. False when `ts` is too far from
   * the chunk's samples to be held as a uint32 offset: the caller starts a chunk of its own.
   * A chunk may grow past CHUNK_SAMPLES this way; appends then go to a new chunk.
   */
  insert(ts: number, value: number): boolean {
    if (this.length === 0) return this.tryAppend(ts, value);
    if (ts < this.base) {
      const shift = this.base - ts;
      if (this.lastTs - ts > MAX_OFFSET) return false;
      for (let i = 0; i < this.length; i++) this.offsets[i]! += shift;
      this.base = ts;
    } else if (ts - this.base > MAX_OFFSET) return false;
    const at = this.lowerBound(ts);
    if (this.length === this.offsets.length) this.growTo(this.length + 1);
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

  byteSize(): number {
    return this.offsets.byteLength + this.values.byteLength;
  }

  private grow(): void {
    this.growTo(Math.min(CHUNK_SAMPLES, Math.max(FIRST_CAPACITY, this.offsets.length * 2)));
  }

  private growTo(capacity: number): void {
    const offsets = new Uint32Array(capacity);
    offsets.set(this.offsets);
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.offsets = offsets;
    this.values = values;
  }

  /** Shrink to the used length (before a checkpoint or when sealed). */
  seal(): void {
    if (this.length === this.offsets.length) return;
    this.offsets = this.offsets.slice(0, this.length);
    this.values = this.values.slice(0, this.length);
  }

  static restore(base: number, offsets: Uint32Array, values: Float64Array): Chunk {
    const chunk = new Chunk(base, 1);
    chunk.offsets = offsets;
    chunk.values = values;
    chunk.length = offsets.length;
    return chunk;
  }
}
