// When a fitted line is a trend worth naming: the one rule behind the Trends page's direction
// and the explorer's trend badge, so the two never disagree. Pure; documented in
// docs/operations.md (Queries and analysis).
import { twoSidedPValue } from './student-t.js';

/** The product brief wants at least 10 points before calling a trend. */
export const MIN_TREND_POINTS = 10;
/** A slope is significant below this p-value … */
export const SIGNIFICANCE = 0.05;
/** … and matters if the fitted line moves the value this much (relative to its mean) over the window … */
export const MIN_RELATIVE_CHANGE = 0.02;
/**
 * … or, for a percentage (unit `%`, bounded 0–100), if it moves this many percentage points an
 * hour, whatever the mean: a disk at 60 % growing 0.9 points an hour fills in under two days,
 * although 0.9 is only 1.5 % of 60.
 */
export const MIN_PERCENT_POINTS_PER_HOUR = 0.5;

export type Direction = 'improving' | 'stable' | 'degrading';
export type Polarity = 'lower_is_better' | 'higher_is_better';

/** What a least-squares fit of value over time (x in hours) measured. */
export interface LineStats {
  n: number;
  /** Units per hour. */
  slopePerHour: number;
  /** Hours from the first point to the last. */
  spanHours: number;
  /** Mean of the values. */
  mean: number;
  /** Two-sided p-value of the slope (t test, n − 2 degrees of freedom). */
  pValue: number;
}

/**
 * Two-sided p-value of a least-squares slope `m`, from the residual sum of squares `sse` and
 * the spread of the x values `sxx` (Σ(x − x̄)²) over `n` points.
 */
export function slopePValue(m: number, sse: number, sxx: number, n: number): number {
  if (n < 3 || sxx === 0) return 1;
  const se = Math.sqrt(Math.max(0, sse) / (n - 2) / sxx);
  if (se === 0) return m === 0 ? 1 : 0;
  return twoSidedPValue(m / se, n - 2);
}

/** The fitted change over the span, relative to the mean (0.1 = +10 %). */
export function relativeChangeOf(s: Pick<LineStats, 'slopePerHour' | 'spanHours' | 'mean'>) {
  const change = s.slopePerHour * s.spanHours;
  return s.mean === 0
    ? change === 0
      ? 0
      : Math.sign(change) * Infinity
    : change / Math.abs(s.mean);
}

/** Whether the change is large enough to matter, on the metric's own scale (see the constants). */
export function isMaterialChange(s: LineStats, unit: string): boolean {
  if (Math.abs(relativeChangeOf(s)) >= MIN_RELATIVE_CHANGE) return true;
  return unit === '%' && Math.abs(s.slopePerHour) >= MIN_PERCENT_POINTS_PER_HOUR;
}

/** Why a fit is not a trend, or null when it is one (enough points, significant, material). */
export function whyNoTrend(s: LineStats, unit: string): string | null {
  if (s.n < MIN_TREND_POINTS) return `${s.n} points: a trend needs at least ${MIN_TREND_POINTS}`;
  if (!(s.pValue < SIGNIFICANCE))
    return `the slope is not significant (p = ${s.pValue.toFixed(2)}, needs < ${SIGNIFICANCE})`;
  if (!isMaterialChange(s, unit)) return 'the change is too small to matter';
  return null;
}

/** improving / degrading for a trend (which way is better is the metric's polarity), else stable. */
export function directionOf(s: LineStats, unit: string, polarity: Polarity): Direction {
  if (whyNoTrend(s, unit) !== null) return 'stable';
  const rising = s.slopePerHour > 0;
  return rising === (polarity === 'higher_is_better') ? 'improving' : 'degrading';
}
