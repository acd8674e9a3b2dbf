// Pure helpers for chart series fed by a range query and then a live tail: merge the tail's
// one-second points by timestamp, roll them up to the chart's step, and decide which gaps in
// the line are real (missing data) rather than the sampling interval.

/** [epoch ms, value]; null where the step had no data. */
export type Point = readonly [number, number | null];

/** Index of the first point with t >= `t` (points sorted by time). */
function lowerBound(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merge `incoming` into `current` by timestamp (both sorted). A point for a time already
 * present replaces it (the console re-sends the last seconds as late samples arrive), except
 * that a null never wipes out a value. Returns `current` itself when nothing changed.
 */
export function mergeByTimestamp(current: readonly Point[], incoming: readonly Point[]): Point[] {
  let out: Point[] | null = null;
  for (const p of incoming) {
    const list: readonly Point[] = out ?? current;
    const i = lowerBound(list, p[0]);
    const existing = list[i];
    if (existing && existing[0] === p[0]) {
      if (p[1] === null || p[1] === existing[1]) continue;
      out ??= [...current];
      out[i] = p;
    } else {
      out ??= [...current];
      out.splice(i, 0, p);
    }
  }
  return out ?? (current as Point[]);
}

/** Points at or after `t` (sorted input). */
export function dropBefore(points: readonly Point[], t: number): Point[] {
  const i = lowerBound(points, t);
  return i === 0 ? (points as Point[]) : points.slice(i);
}

export type RollupAgg = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'p50' | 'p95' | 'p99';

/**
 * Roll one-second points up into `step`-wide buckets on the grid that starts at `origin`
 * (the range query's), so a live tail continues a coarser chart seamlessly. Percentiles and
 * sums are approximated by the mean of the seconds; counts add up; min/max are exact.
 */
export function rollUp(points: readonly Point[], origin: number, step: number, agg: RollupAgg) {
  if (step <= 1_000) return points.filter((p) => p[1] !== null) as [number, number][];
  const out: [number, number][] = [];
  let bucket = NaN;
  let acc = 0;
  let n = 0;
  const flush = () => {
    if (n > 0)
      out.push([bucket, agg === 'min' || agg === 'max' || agg === 'count' ? acc : acc / n]);
  };
  for (const [t, v] of points) {
    if (v === null) continue;
    const b = origin + Math.floor((t - origin) / step) * step;
    if (b !== bucket) {
      flush();
      bucket = b;
      acc = agg === 'min' ? Infinity : agg === 'max' ? -Infinity : 0;
      n = 0;
    }
    acc = agg === 'min' ? Math.min(acc, v) : agg === 'max' ? Math.max(acc, v) : acc + v;
    n++;
  }
  flush();
  return out;
}

/**
 * The longest gap (ms) a line should still bridge: three times the median distance between
 * consecutive points, so a series sampled once a minute on a one-second grid stays a line
 * while an agent that went quiet for a while leaves a visible hole. When the chart decimates
 * to `samples` points, kept points lie up to two buckets apart: the limit widens to match.
 */
export function gapLimit(
  points: readonly (readonly [number, number])[],
  step: number,
  samples = Infinity,
): number {
  if (points.length < 3) return Infinity;
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i]![0] - points[i - 1]![0]);
  gaps.sort((a, b) => a - b);
  const median = gaps[gaps.length >> 1]!;
  const thinning = Math.max(1, (2 * points.length) / samples);
  return 3 * Math.max(step, median) * thinning;
}
