// Ordinary least squares of value over time, for the trend line drawn over a chart. Pure (only
// shared/ imports) so it is unit-tested in Node; x is in hours from the first point, as the
// core's analysis reports slopes, and the slope's p-value comes from the same t test.
import { slopePValue, type LineStats } from '../../../shared/trend-rule.js';

const HOUR_MS = 3_600_000;

export interface LineFit extends LineStats {
  /** Epoch ms the intercept is at (the first point). */
  x0: number;
  /** Value units per hour. */
  slopePerHour: number;
  /** Fitted value at x0. */
  intercept: number;
  /** Share of the variance the line explains, 0..1 (1 when every value is equal). */
  rSquared: number;
}

/** Fit y = intercept + slope·(t − t0) over [epoch ms, value] points; null below two distinct times. */
export function fitLine(points: readonly (readonly [number, number])[]): LineFit | null {
  const n = points.length;
  if (n < 2) return null;
  const x0 = points[0]![0];
  let sx = 0;
  let sy = 0;
  for (const [t, y] of points) {
    sx += (t - x0) / HOUR_MS;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [t, y] of points) {
    const dx = (t - x0) / HOUR_MS - mx;
    const dy = y - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  // A flat series is explained perfectly by a flat line.
  const rSquared = syy === 0 ? 1 : Math.min(1, Math.max(0, (sxy * sxy) / (sxx * syy)));
  const spanHours = (points[n - 1]![0] - x0) / HOUR_MS;
  return {
    n,
    x0,
    slopePerHour: slope,
    intercept: my - slope * mx,
    rSquared,
    spanHours,
    mean: my,
    pValue: slopePValue(slope, syy - slope * sxy, sxx, n),
  };
}

/** The fitted value at epoch ms `t`. */
export function valueAt(fit: LineFit, t: number): number {
  return fit.intercept + fit.slopePerHour * ((t - fit.x0) / HOUR_MS);
}
