// The candidate models. Each maps a training history to `h` point forecasts; intervals come
// later, from the backtest's out-of-sample errors, the same way for every model.
import { autoEtsForecast, mstlEtsForecast } from './augurs.js';
import { fitLine } from './series-math.js';
import type { Effort, ModelName } from './types.js';

export type PointForecaster = (train: Float64Array, h: number, periods: number[]) => Float64Array;

/** Share of the history the damped trend fits its local line on. */
const DAMPED_WINDOW = 1 / 3;
/** Damped trend: the slope's effect halves every this many days' worth of steps. */
const DAMPED_HALF_LIFE_DAYS = 3;

interface Profile {
  p: number;
  values: Float64Array;
}

/**
 * Seasonal profiles (one per period, shortest first) of y minus a line, centred on 0. Plain
 * loops over typed arrays (no per-element closures or modulo): the backtest calls this
 * about twenty times per series.
 */
function profiles(y: Float64Array, periods: number[], slope: number, intercept: number) {
  const n = y.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = (y[i] as number) - intercept - slope * i;
  const out: Profile[] = [];
  periods.forEach((p, index) => {
    const sum = new Float64Array(p);
    const count = new Float64Array(p);
    for (let i = 0, k = 0; i < n; i++) {
      sum[k] = (sum[k] as number) + (r[i] as number);
      count[k] = (count[k] as number) + 1;
      if (++k === p) k = 0;
    }
    const values = new Float64Array(p);
    let total = 0;
    for (let k = 0; k < p; k++) {
      const c = count[k] as number;
      values[k] = c ? (sum[k] as number) / c : 0;
      total += values[k] as number;
    }
    const mean = total / p;
    for (let k = 0; k < p; k++) values[k] = (values[k] as number) - mean;
    // The next (longer) period's profile is taken of what this one leaves.
    if (index < periods.length - 1) {
      for (let i = 0, k = 0; i < n; i++) {
        r[i] = (r[i] as number) - (values[k] as number);
        if (++k === p) k = 0;
      }
    }
    out.push({ p, values });
  });
  return out;
}

function seasonalAt(profs: Profile[], i: number): number {
  let s = 0;
  for (const { p, values } of profs) s += values[i % p] as number;
  return s;
}

/**
 * Line plus seasonal profile, fitted twice: the line on the raw history (an incomplete last
 * day biases it a little), then again on the deseasonalised history.
 */
function decompose(y: Float64Array, periods: number[], from: number) {
  let line = fitLine(y, from);
  let profs = profiles(y, periods, line.slope, line.intercept);
  if (periods.length > 0) {
    const deseasoned = new Float64Array(y.length);
    for (let i = from; i < y.length; i++) deseasoned[i] = (y[i] as number) - seasonalAt(profs, i);
    line = fitLine(deseasoned, from);
    profs = profiles(y, periods, line.slope, line.intercept);
  }
  return { line, profs };
}

const linearTrend: PointForecaster = (y, h, periods) => {
  const { line, profs } = decompose(y, periods, 0);
  const n = y.length;
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const i = n + k;
    out[k] = line.intercept + line.slope * i + seasonalAt(profs, i);
  }
  return out;
};

function dampedTrendFor(stepsPerDay: number): PointForecaster {
  const phi = Math.pow(0.5, 1 / Math.max(1, DAMPED_HALF_LIFE_DAYS * stepsPerDay));
  return (y, h, periods) => {
    const n = y.length;
    const minWindow = Math.max(6, 2 * (periods[0] ?? 0));
    const from = Math.max(0, n - Math.max(minWindow, Math.floor(n * DAMPED_WINDOW)));
    const { line, profs } = decompose(y, periods, from);
    const level = line.intercept + line.slope * (n - 1);
    const out = new Float64Array(h);
    let damp = 0;
    let pow = 1;
    for (let k = 0; k < h; k++) {
      pow *= phi;
      damp += pow;
      out[k] = level + line.slope * damp + seasonalAt(profs, n + k);
    }
    return out;
  };
}

/** Repeats the last full season (the shortest detected one); the last value if none. */
export const seasonalNaive: PointForecaster = (y, h, periods) => {
  const n = y.length;
  const m = Math.min(periods[0] ?? 1, n);
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) out[k] = y[n - m + (k % m)] as number;
  return out;
};

/** MSTL+ETS and AutoETS fit this many days at most (or three of the longest season): their
 * cost grows with the history (a WASM ETS fit is 10–30 ms), and an ETS state forgets old
 * history anyway. */
const ETS_MAX_DAYS = 14;
/**
 * The WASM candidates are backtested on the two most recent folds only (and compared with the
 * others on those): a fit costs as much as everything else in a forecast together, and two
 * folds kept their held-out accuracy and coverage on seeded series (docs/forecasting.md).
 */
const ETS_FOLDS = 2;

function mstlEtsFor(maxTrain: number): PointForecaster {
  return (y, h, periods) =>
    mstlEtsForecast(y.subarray(Math.max(0, y.length - maxTrain)), periods, h);
}
function autoEtsFor(maxTrain: number): PointForecaster {
  return (y, h) => autoEtsForecast(y.subarray(Math.max(0, y.length - maxTrain)), h);
}

export interface Candidate {
  name: ModelName;
  forecast: PointForecaster;
  /** Shortest training history it can fit. */
  minTrain: number;
  /** Backtested on at most this many folds, the most recent; default all of the plan's. */
  recentFolds?: number;
}

/**
 * The candidates for a series. MSTL+ETS when a season was detected (it models the season);
 * AutoETS when none was (its seasonal forms are MSTL's job here). Both only at full effort:
 * a WASM ETS fit costs tens of milliseconds, the closed-form ones well under one.
 */
export function candidatesFor(periods: number[], effort: Effort, stepsPerDay: number): Candidate[] {
  const season = Math.max(0, ...periods);
  const list: Candidate[] = [
    { name: 'seasonal_naive', forecast: seasonalNaive, minTrain: Math.max(2, periods[0] ?? 1) },
    { name: 'linear_trend', forecast: linearTrend, minTrain: Math.max(6, season) },
    { name: 'damped_trend', forecast: dampedTrendFor(stepsPerDay), minTrain: Math.max(6, season) },
  ];
  if (effort === 'full') {
    const maxTrain = Math.max(Math.round(ETS_MAX_DAYS * stepsPerDay), 3 * season);
    const forecast = periods.length > 0 ? mstlEtsFor(maxTrain) : autoEtsFor(maxTrain);
    list.push({
      name: periods.length > 0 ? 'mstl_ets' : 'auto_ets',
      forecast,
      minTrain: periods.length > 0 ? 2 * season : 12,
      recentFolds: ETS_FOLDS,
    });
  }
  return list;
}
