// Small robust statistics shared by the batch analyses (changepoints, fleet outliers).

export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The noise σ of a series from its first differences (1.4826 × their MAD / √2): a level
 * shift or a trend barely moves it, unlike the series' own standard deviation.
 */
export function noiseSigma(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 3) return 0;
  const diffs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) diffs[i - 1] = values[i]! - values[i - 1]!;
  const m = median(diffs);
  for (let i = 0; i < diffs.length; i++) diffs[i] = Math.abs(diffs[i]! - m);
  return (1.4826 * median(diffs)) / Math.SQRT2;
}

/** The series less its seasonal shape: each phase of `period` steps less that phase's median. */
export function deseasonalize(values: ArrayLike<number>, period: number): Float64Array {
  const out = Float64Array.from(values);
  if (period < 2 || values.length < 2 * period) return out;
  for (let phase = 0; phase < period; phase++) {
    const same: number[] = [];
    for (let i = phase; i < values.length; i += period) same.push(values[i]!);
    const m = median(same);
    for (let i = phase; i < values.length; i += period) out[i] = values[i]! - m;
  }
  return out;
}
