// Detects daily and weekly seasonality rather than assuming it. augurs' periodogram proposes
// periods; a proposal near one day (or one week) of steps is snapped to it, since a
// periodogram's frequency bins rarely land on exactly 24 (it reported 23 on a clean 24-hour
// cycle). The autocorrelation of the detrended series at that lag confirms it, so white
// noise, whose periodogram always has some highest peak, is not called seasonal; a very
// strong autocorrelation counts without the periodogram, which then is not computed.
import { detectPeriods } from './augurs.js';
import { autocorrelation, detrend } from './series-math.js';
import { DAY_MS, type Seasonality } from './types.js';

/** Periodogram proposal must be this close to the calendar period (share of it). */
const SNAP_TOLERANCE = 0.1;
/** Autocorrelation a periodogram proposal needs to count. */
const CONFIRM_ACF = 0.15;
/** Autocorrelation that counts on its own (a cycle strong enough to be plain). */
const STRONG_ACF = 0.4;

export function detectSeasonality(y: Float64Array, stepMs: number): Seasonality {
  const daily = Math.round(DAY_MS / stepMs);
  const weekly = daily * 7;
  const none: Seasonality = {
    periods: [],
    daily: false,
    weekly: false,
    dailyStrength: null,
    weeklyStrength: null,
  };
  // A cycle needs two full turns in the data to be seen at all; weekly needs two weeks.
  if (daily < 2 || y.length < 2 * daily) return none;
  const r = detrend(y);
  const canWeekly = y.length >= 2 * weekly;
  const maxPeriod = Math.min(
    Math.floor(y.length / 2),
    Math.ceil((canWeekly ? weekly : daily) * (1 + SNAP_TOLERANCE)),
  );
  const minPeriod = Math.max(2, Math.floor(daily * (1 - SNAP_TOLERANCE)));
  // The periodogram (most of this function's cost) is asked only when an autocorrelation
  // falls between "too weak to count" and "counts on its own", where its proposal decides.
  let proposed: number[] | null = null;
  const propose = (): number[] => {
    if (proposed) return proposed;
    try {
      proposed = detectPeriods(r, minPeriod, maxPeriod);
    } catch {
      proposed = [];
    }
    return proposed;
  };
  const near = (p: number, target: number) =>
    Math.abs(p - target) <= Math.max(1, target * SNAP_TOLERANCE);
  const dailyStrength = autocorrelation(r, daily);
  const weeklyStrength = canWeekly ? autocorrelation(r, weekly) : null;
  const found = (target: number, acf: number) =>
    acf >= STRONG_ACF || (acf >= CONFIRM_ACF && propose().some((p) => near(p, target)));
  // A cycle peaks at its period and dips at half of it; a slow drift the line missed
  // correlates at every lag, more so at shorter ones.
  const halfDay = autocorrelation(r, Math.floor(daily / 2));
  const hasDaily = dailyStrength - halfDay >= CONFIRM_ACF && found(daily, dailyStrength);
  // Weekly must add something beyond the daily cycle, which repeats at 7 days too.
  const hasWeekly =
    weeklyStrength !== null &&
    (!hasDaily || weeklyStrength - dailyStrength >= CONFIRM_ACF) &&
    found(weekly, weeklyStrength);
  const periods = [...(hasDaily ? [daily] : []), ...(hasWeekly ? [weekly] : [])];
  return { periods, daily: hasDaily, weekly: hasWeekly, dailyStrength, weeklyStrength };
}
