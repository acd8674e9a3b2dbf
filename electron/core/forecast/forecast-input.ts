// The forecasting input, read from the store's rollups: one agent series' bucket means, or a
// region's average (Σ sums / Σ counts of its agents' buckets). The tier is chosen by how much
// history there is: hourly buckets once there are enough of them, else minute buckets,
// coarsened to 5 min when that still leaves enough points (a 7 d horizon is 2,016 steps of
// 5 min rather than 10,080 of 1 min). The bucket still filling is left out: its mean is of a
// part of the step and would bend the forecast's origin.
import type { BucketColumns } from '../store/bucket-columns.js';
import type { RollupTier } from '../store/reader.js';
import type { Series } from '../store/series.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Hourly buckets read: 30 days, the span the 1 h tier is for. */
export const HOURLY_SPAN_MS = 30 * DAY_MS;
/** Minute buckets read when there are too few hourly ones: 2 days. */
export const MINUTE_SPAN_MS = 2 * DAY_MS;
/** Points a tier must give to be chosen over the finer one. */
export const POINTS_FOR_TIER = 48;
export const COARSE_MINUTE_STEP_MS = 5 * MINUTE_MS;

export interface ForecastSource {
  /** Buckets as columns (no object per bucket: 30 days × thousands of series is a lot). */
  bucketColumnsOfMany(
    list: readonly Series[],
    tier: RollupTier,
    from: number,
    to: number,
  ): BucketColumns[];
}

export interface ForecastInput {
  timestamps: Float64Array;
  values: Float64Array;
  tier: RollupTier;
  stepMs: number;
}

/** Bucket means in time order, buckets of several series at the same start merged first. */
export function meansOf(
  lists: readonly BucketColumns[],
  before: number,
): [Float64Array, Float64Array] {
  if (lists.length === 1) {
    // One series (every agent target): straight from the columns.
    const c = lists[0]!;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < c.length; i++) {
      if (c.start[i]! >= before || c.count[i] === 0) continue;
      ts.push(c.start[i]!);
      vs.push(c.sum[i]! / c.count[i]!);
    }
    return [Float64Array.from(ts), Float64Array.from(vs)];
  }
  const sums = new Map<number, { sum: number; count: number }>();
  for (const c of lists) {
    for (let i = 0; i < c.length; i++) {
      const start = c.start[i]!;
      if (start >= before || c.count[i] === 0) continue;
      const acc = sums.get(start);
      if (acc) {
        acc.sum += c.sum[i]!;
        acc.count += c.count[i]!;
      } else sums.set(start, { sum: c.sum[i]!, count: c.count[i]! });
    }
  }
  const starts = [...sums.keys()].sort((x, y) => x - y);
  const ts = new Float64Array(starts.length);
  const vs = new Float64Array(starts.length);
  starts.forEach((start, i) => {
    const acc = sums.get(start)!;
    ts[i] = start;
    vs[i] = acc.sum / acc.count;
  });
  return [ts, vs];
}

/** Means of `stepMs` steps (on the epoch grid) of a finer regular series. */
export function coarsen(
  ts: Float64Array,
  vs: Float64Array,
  stepMs: number,
): [Float64Array, Float64Array] {
  const outT: number[] = [];
  const outV: number[] = [];
  let start = NaN;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < ts.length; i++) {
    const s = Math.floor(ts[i]! / stepMs) * stepMs;
    if (s !== start) {
      if (n > 0) {
        outT.push(start);
        outV.push(sum / n);
      }
      start = s;
      sum = 0;
      n = 0;
    }
    sum += vs[i]!;
    n++;
  }
  if (n > 0) {
    outT.push(start);
    outV.push(sum / n);
  }
  return [Float64Array.from(outT), Float64Array.from(outV)];
}

/**
 * The input for each group of series (one group: an agent's series, or a region's agents'
 * series of one metric), hourly where there is enough hourly history, else from minutes.
 * Reads every group's hourly buckets in one pass, then minute buckets only for groups that
 * need them.
 */
export function readInputs(
  source: ForecastSource,
  groups: readonly (readonly Series[])[],
  now: number,
): ForecastInput[] {
  const flat = groups.flat();
  const hourly = source.bucketColumnsOfMany(flat, '1h', now - HOURLY_SPAN_MS, now);
  const out: ForecastInput[] = [];
  const needMinutes: number[] = [];
  let at = 0;
  groups.forEach((group, g) => {
    const [ts, vs] = meansOf(hourly.slice(at, at + group.length), hourStart(now));
    at += group.length;
    out[g] = { timestamps: ts, values: vs, tier: '1h', stepMs: HOUR_MS };
    if (ts.length < POINTS_FOR_TIER) needMinutes.push(g);
  });
  if (needMinutes.length === 0) return out;
  const minuteGroups = needMinutes.map((g) => groups[g]!);
  const minutes = source.bucketColumnsOfMany(minuteGroups.flat(), '1m', now - MINUTE_SPAN_MS, now);
  at = 0;
  needMinutes.forEach((g, k) => {
    const size = minuteGroups[k]!.length;
    const [ts, vs] = meansOf(minutes.slice(at, at + size), Math.floor(now / MINUTE_MS) * MINUTE_MS);
    at += size;
    const [cts, cvs] = coarsen(ts, vs, COARSE_MINUTE_STEP_MS);
    // The last 5-minute step may hold only part of its minutes: leave it out too.
    const settled = cts.length > 0 && cts[cts.length - 1]! + COARSE_MINUTE_STEP_MS > now ? -1 : 0;
    const coarse = settled === 0 ? [cts, cvs] : [cts.subarray(0, -1), cvs.subarray(0, -1)];
    if (coarse[0]!.length >= POINTS_FOR_TIER) {
      out[g] = {
        timestamps: coarse[0]!,
        values: coarse[1]!,
        tier: '1m',
        stepMs: COARSE_MINUTE_STEP_MS,
      };
    } else if (ts.length > out[g]!.timestamps.length) {
      out[g] = { timestamps: ts, values: vs, tier: '1m', stepMs: MINUTE_MS };
    }
  });
  return out;
}

const hourStart = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
