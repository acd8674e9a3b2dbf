import { linearRegression, linearRegressionLine, mean, rSquared } from 'simple-statistics';
import {
  directionOf,
  MIN_TREND_POINTS,
  relativeChangeOf,
  slopePValue,
  type Direction,
} from '../../../shared/trend-rule.js';
import { polarityOf } from './polarity.js';

export type { Direction } from '../../../shared/trend-rule.js';
export {
  MIN_PERCENT_POINTS_PER_HOUR,
  MIN_RELATIVE_CHANGE,
  MIN_TREND_POINTS,
  SIGNIFICANCE,
} from '../../../shared/trend-rule.js';

export interface Fit {
  points: number;
  /** Units per hour. */
  slopePerHour: number;
  intercept: number;
  rSquared: number;
  /** Two-sided p-value of the slope (t test, n − 2 degrees of freedom). */
  pValue: number;
  /** Change the fitted line makes over the window, relative to the mean. */
  relativeChange: number;
  direction: Direction;
}

/**
 * Least-squares fit of value over time (x in hours) with significance and a direction that
 * respects polarity and the metric's scale (`unit`: `%` adds the percentage-point rule of
 * shared/trend-rule.ts).
 */
export function fitTrend(
  metric: string,
  points: readonly [number, number][],
  unit = '',
): Fit | null {
  if (points.length < MIN_TREND_POINTS) return null;
  const t0 = points[0]![0];
  const data = points.map(([t, v]) => [(t - t0) / 3_600_000, v] as [number, number]);
  const { m, b } = linearRegression(data);
  const line = linearRegressionLine({ m, b });
  const r2 = rSquared(data, line);
  const n = data.length;
  const xs = data.map((d) => d[0]);
  const xMean = mean(xs);
  const sxx = xs.reduce((s, x) => s + (x - xMean) ** 2, 0);
  const sse = data.reduce((s, [x, y]) => s + (y - line(x)) ** 2, 0);
  const stats = {
    n,
    slopePerHour: m,
    spanHours: xs[n - 1]! - xs[0]!,
    mean: mean(data.map((d) => d[1])),
    pValue: slopePValue(m, sse, sxx, n),
  };
  return {
    points: n,
    slopePerHour: m,
    intercept: b,
    rSquared: Number.isFinite(r2) ? r2 : 0,
    pValue: stats.pValue,
    relativeChange: relativeChangeOf(stats),
    direction: directionOf(stats, unit, polarityOf(metric)),
  };
}
