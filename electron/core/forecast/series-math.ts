// Small numeric helpers over typed arrays. Closed-form rather than simple-statistics here:
// these run tens of times per series in a batch of 10,000, and taking typed arrays without
// building [x, y] pairs keeps a series' forecast within its few-millisecond budget.

export interface Line {
  intercept: number;
  slope: number;
}

/** Least-squares line of y[from..to) against its index (x = from … to-1). */
export function fitLine(y: ArrayLike<number>, from = 0, to = y.length): Line {
  const n = to - from;
  if (n <= 1) return { intercept: n === 1 ? (y[from] as number) : 0, slope: 0 };
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    const v = y[i] as number;
    sx += i;
    sy += v;
    sxx += i * i;
    sxy += i * v;
  }
  const den = n * sxx - sx * sx;
  const slope = den === 0 ? 0 : (n * sxy - sx * sy) / den;
  return { intercept: (sy - slope * sx) / n, slope };
}

export function detrend(y: Float64Array): Float64Array {
  const { intercept, slope } = fitLine(y);
  return y.map((v, i) => v - intercept - slope * i);
}

/** Autocorrelation of an already centred series at `lag`. */
export function autocorrelation(r: Float64Array, lag: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < r.length; i++) {
    const v = r[i] as number;
    den += v * v;
    if (i >= lag) num += v * (r[i - lag] as number);
  }
  return den === 0 ? 0 : num / den;
}

/** Linear-interpolated quantile (type 7) of an ascending-sorted array. */
export function sortedQuantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (n - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Mean |y[t] − y[t−m]|: the in-sample one-season naive error, MASE's denominator. */
export function naiveScale(y: Float64Array, m: number): number {
  const lag = y.length > m ? m : 1;
  let sum = 0;
  for (let i = lag; i < y.length; i++) sum += Math.abs((y[i] as number) - (y[i - lag] as number));
  return y.length > lag ? sum / (y.length - lag) : 0;
}
