// Pure helpers for chart series fed by a range query and then a live tail: merge the tail's
// points (at the chart's step, re-sent while they may change) by timestamp, splice them onto
// the query's, and decide which gaps in the line are real (missing data) rather than the
// sampling interval.

/** [epoch ms, value, series counted]; value null where the step had no data. */
export type Point = readonly [number, number | null, number?];

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
      if (p[1] === null || (p[1] === existing[1] && p[2] === existing[2])) continue;
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

/**
 * The query's points up to where the tail begins, then the tail's (it re-sends the steps that
 * were still filling when the query ran, so those are replaced by their final values). Nulls
 * (steps without data) are left out; `counts` is aligned with `points` when either source has
 * series counts.
 */
export function spliceTail(
  query: readonly Point[],
  tail: readonly Point[],
  from = -Infinity,
): { points: [number, number][]; counts: number[] | null } {
  const cut = tail[0]?.[0] ?? Infinity;
  const points: [number, number][] = [];
  const counts: number[] = [];
  let counted = false;
  const take = (p: Point) => {
    if (p[1] === null || p[0] < from) return;
    points.push([p[0], p[1]]);
    counts.push(p[2] ?? 0);
    if (p[2] !== undefined) counted = true;
  };
  for (const p of query) if (p[0] < cut) take(p);
  for (const p of tail) take(p);
  return { points, counts: counted ? counts : null };
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
