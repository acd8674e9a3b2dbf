// Puts a rollup series on a regular grid, the shape every model needs.
//
// The step is the median spacing of the timestamps (1 min or 1 h rollups; a few missing
// rows do not move a median). Each observation goes to its nearest grid slot (a later one in
// the same slot wins). Missing slots (gaps: agent offline, console down) are filled by
// linear interpolation between the observations either side, and counted: the engine
// reports how many points of the history it made up. Only the most recent `maxPoints` slots
// are kept, so a long history costs no more than a cap.

export interface RegularSeries {
  start: number;
  stepMs: number;
  values: Float64Array;
  /** Observations that fell inside the kept window. */
  observed: number;
  /** Slots filled by interpolation. */
  filled: number;
}

/** Median positive spacing of the timestamps, in ms; 0 with fewer than 2 points. */
export function inferStep(timestamps: ArrayLike<number>): number {
  const diffs: number[] = [];
  for (let i = 1; i < timestamps.length; i++) {
    const d = (timestamps[i] as number) - (timestamps[i - 1] as number);
    if (d > 0) diffs.push(d);
  }
  if (diffs.length === 0) return 0;
  diffs.sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)] as number;
}

export function toRegularGrid(
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  stepMs: number,
  maxPoints: number,
): RegularSeries {
  const n = timestamps.length;
  const last = timestamps[n - 1] as number;
  const first = timestamps[0] as number;
  const slots = Math.min(maxPoints, Math.round((last - first) / stepMs) + 1);
  const start = last - (slots - 1) * stepMs;
  const grid = new Float64Array(slots).fill(NaN);
  let observed = 0;
  for (let i = 0; i < n; i++) {
    const slot = Math.round(((timestamps[i] as number) - start) / stepMs);
    if (slot < 0 || slot >= slots) continue;
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (Number.isNaN(grid[slot] as number)) observed++;
    grid[slot] = v;
  }
  return { start, stepMs, values: grid, observed, filled: fillGaps(grid) };
}

/** Linear interpolation across interior gaps; edges take the nearest observation. */
function fillGaps(grid: Float64Array): number {
  let filled = 0;
  let prev = -1;
  for (let i = 0; i <= grid.length; i++) {
    if (i < grid.length && Number.isNaN(grid[i] as number)) continue;
    const gap = i - prev - 1;
    if (gap > 0) {
      const a = prev >= 0 ? (grid[prev] as number) : (grid[i] as number);
      const b = i < grid.length ? (grid[i] as number) : a;
      for (let k = prev + 1; k < i; k++) grid[k] = a + ((b - a) * (k - prev)) / (i - prev);
      filled += gap;
    }
    prev = i;
  }
  return filled;
}
