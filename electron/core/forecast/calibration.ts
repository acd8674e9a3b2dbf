// Out-of-sample band calibration. From the backtest errors of the chosen model:
// 1. a spread per lead time: the RMS error over all folds at leads between h/2 and 3h/2
//    (neighbouring leads pooled, since a few folds alone are too few per lead), made
//    non-decreasing so bands never narrow with the horizon;
// 2. errors divided by that spread, pooled over folds and leads; their |z| quantile at the
//    band's level is the band's half-width in spreads.
// Past the backtested leads the spread grows as √lead: an assumption (random-walk-like
// drift), flagged by `calibratedSteps`. The reported coverage is leave-one-fold-out: each
// fold's points are checked against bands calibrated on the other folds only.
import { sortedQuantile } from './series-math.js';

export interface Calibration {
  /** Spread per lead (index 0 = one step ahead), over the backtested leads. */
  spread: Float64Array;
  /** |z| quantile per requested level. */
  multipliers: Map<number, number>;
}

function spreadByLead(errors: Float64Array[], leads: number): Float64Array {
  // prefix[k] = sum of squared errors over folds at leads < k
  const prefix = new Float64Array(leads + 1);
  for (let k = 0; k < leads; k++) {
    let s = 0;
    for (const e of errors) s += (e[k] as number) ** 2;
    prefix[k + 1] = (prefix[k] as number) + s;
  }
  const spread = new Float64Array(leads);
  let running = 0;
  for (let k = 0; k < leads; k++) {
    const lead = k + 1;
    const lo = Math.max(1, Math.floor(lead / 2));
    const hi = Math.min(leads, Math.ceil((lead * 3) / 2));
    const count = (hi - lo + 1) * errors.length;
    const rms = Math.sqrt(((prefix[hi] as number) - (prefix[lo - 1] as number)) / count);
    running = Math.max(running, rms);
    spread[k] = running;
  }
  return spread;
}

export function calibrate(errors: Float64Array[], levels: readonly number[]): Calibration {
  const leads = errors[0]?.length ?? 0;
  const spread = spreadByLead(errors, leads);
  // Typed and sorted without a comparator (numeric for typed arrays): this runs five times a
  // series (once, then once per left-out fold), so a boxed array and a JS comparator showed
  // up as the largest cost of a fast-effort forecast.
  const z = new Float64Array(errors.length * leads);
  let j = 0;
  for (const e of errors) {
    for (let k = 0; k < leads; k++) {
      const s = spread[k] as number;
      z[j++] = s > 0 ? Math.abs(e[k] as number) / s : 0;
    }
  }
  z.sort();
  const multipliers = new Map(levels.map((l) => [l, sortedQuantile(z, l)]));
  return { spread, multipliers };
}

/** The band's half-width at lead `k` (0-based) steps ahead. */
export function halfWidth(cal: Calibration, level: number, k: number): number {
  const m = cal.multipliers.get(level) ?? 0;
  const leads = cal.spread.length;
  if (leads === 0) return 0;
  if (k < leads) return m * (cal.spread[k] as number);
  return m * (cal.spread[leads - 1] as number) * Math.sqrt((k + 1) / leads);
}

/**
 * Share of backtest points inside each level's band when each fold is left out in turn
 * (NaN with fewer than two folds). One calibration per left-out fold serves every level.
 */
export function leaveOneFoldOutCoverages(
  errors: Float64Array[],
  levels: readonly number[],
): Map<number, number> {
  const inside = new Map(levels.map((l) => [l, 0]));
  if (errors.length < 2) return new Map(levels.map((l) => [l, NaN]));
  let total = 0;
  errors.forEach((held, f) => {
    const cal = calibrate(
      errors.filter((_, i) => i !== f),
      levels,
    );
    total += held.length;
    for (const level of levels) {
      let n = 0;
      for (let k = 0; k < held.length; k++) {
        if (Math.abs(held[k] as number) <= halfWidth(cal, level, k)) n++;
      }
      inside.set(level, (inside.get(level) as number) + n);
    }
  });
  return new Map(levels.map((l) => [l, (inside.get(l) as number) / total]));
}

/** Share of backtest points inside the `level` band when each fold is left out in turn. */
export function leaveOneFoldOutCoverage(errors: Float64Array[], level: number): number {
  return leaveOneFoldOutCoverages(errors, [level]).get(level) as number;
}
