/**
 * A growable run of (timestamp, value) pairs, gathered from several sources (block files,
 * chunks waiting for a flush, the head) and then put in time order with one sample per
 * timestamp. The first source to bring a timestamp wins: sources are added oldest first.
 */
export class SampleBuffer {
  ts: Float64Array;
  values: Float64Array;
  length = 0;

  constructor(capacity = 256) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(ts: number, value: number): void {
    if (this.length === this.ts.length) this.grow();
    this.ts[this.length] = ts;
    this.values[this.length] = value;
    this.length++;
  }

  /** Add the samples of decoded arrays with ts in [from, to). */
  pushRange(ts: ArrayLike<number>, values: ArrayLike<number>, from: number, to: number): void {
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t >= from && t < to) this.push(t, values[i]!);
    }
  }

  /** Sort by time (stable: earlier sources first) and keep the first sample of each timestamp. */
  sortDedup(): void {
    const n = this.length;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if (this.ts[i]! <= this.ts[i - 1]!) {
        sorted = false;
        break;
      }
    }
    if (sorted) return;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => this.ts[a]! - this.ts[b]! || a - b);
    const ts = new Float64Array(Math.max(n, 1));
    const values = new Float64Array(Math.max(n, 1));
    let m = 0;
    for (const i of order) {
      if (m > 0 && ts[m - 1] === this.ts[i]) continue;
      ts[m] = this.ts[i]!;
      values[m] = this.values[i]!;
      m++;
    }
    this.ts = ts;
    this.values = values;
    this.length = m;
  }

  forEach(fn: (ts: number, value: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.ts[i]!, this.values[i]!);
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    ts.set(this.ts);
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.ts = ts;
    this.values = values;
  }
}
