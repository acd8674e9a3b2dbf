import { linearRegression, linearRegressionLine, mean, rSquared } from 'simple-statistics';
import { polarityOf } from './polarity.js';
import { twoSidedPValue } from './student-t.js';

export type Direction = 'improving' | 'stable' | 'degrading';

/** The product brief wants at least 10 points before calling a trend. */
export const MIN_TREND_POINTS = 10;
/** A slope is significant below this p-value … */
export const SIGNIFICANCE = 0.05;
/** … and matters only if it moves the value this much (relative to its mean) over the window. */
export const MIN_RELATIVE_CHANGE = 0.02;

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

/** Least-squares fit of value over time (x in hours) with significance and a direction that respects polarity. */
export function fitTrend(metric: string, points: readonly [number, number][]): Fit | null {
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
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const pValue = sxx === 0 ? 1 : se === 0 ? (m === 0 ? 1 : 0) : twoSidedPValue(m / se, n - 2);
  const span = xs[n - 1]! - xs[0]!;
  const yMean = mean(data.map((d) => d[1]));
  const relativeChange = yMean === 0 ? (m === 0 ? 0 : Infinity) : (m * span) / Math.abs(yMean);
  let direction: Direction = 'stable';
  if (pValue < SIGNIFICANCE && Math.abs(relativeChange) >= MIN_RELATIVE_CHANGE) {
    const rising = m > 0;
    direction = rising === (polarityOf(metric) === 'higher_is_better') ? 'improving' : 'degrading';
  }
  return {
    points: n,
    slopePerHour: m,
    intercept: b,
    rSquared: Number.isFinite(r2) ? r2 : 0,
    pValue,
    relativeChange,
    direction,
  };
}
