// The forecast engine's in-thread entry point: regular grid → seasonality → rolling-origin
// backtest of the candidates → the best by MASE, refitted on the whole history → bands
// calibrated on the backtest's out-of-sample errors. Pure: no clock, no I/O beyond loading
// augurs' WASM once.
import { pickBest, planFolds, relativeError, runBacktest } from './backtest.js';
import { calibrate, halfWidth, leaveOneFoldOutCoverages } from './calibration.js';
import { candidatesFor } from './models.js';
import { inferStep, toRegularGrid } from './regular-grid.js';
import { detectSeasonality } from './seasonality.js';
import { fitLine, naiveScale } from './series-math.js';
import { thresholdCrossing } from './threshold.js';
import {
  DAY_MS,
  DEFAULT_HORIZON_MS,
  DEFAULT_LEVELS,
  MAX_HORIZON_MS,
  MIN_HORIZON_MS,
  MIN_POINTS,
  type Band,
  type ForecastOk,
  type ForecastOptions,
  type ForecastResult,
  type SeriesInput,
} from './types.js';

const DEFAULT_MAX_HISTORY = 10_080;

/** Checks options; throws a RangeError naming the bad one. */
export function validateOptions(options: ForecastOptions): void {
  const h = options.horizonMs ?? DEFAULT_HORIZON_MS;
  if (!Number.isFinite(h) || h < MIN_HORIZON_MS || h > MAX_HORIZON_MS) {
    throw new RangeError(`horizon must be from 1 h to 30 d (got ${h} ms)`);
  }
  for (const l of options.levels ?? []) {
    if (!(l > 0 && l < 1))
      throw new RangeError(`interval level must be between 0 and 1 (got ${l})`);
  }
  const folds = options.folds;
  if (folds !== undefined && !(Number.isInteger(folds) && folds >= 2 && folds <= 20)) {
    throw new RangeError(`folds must be an integer from 2 to 20 (got ${folds})`);
  }
}

export function forecastSeries(input: SeriesInput, options: ForecastOptions = {}): ForecastResult {
  validateOptions(options);
  const points = input.timestamps.length;
  if (points < MIN_POINTS) {
    return {
      status: 'insufficient_data',
      points,
      needed: MIN_POINTS,
      reason: `a forecast needs at least ${MIN_POINTS} points of history; this series has ${points}`,
    };
  }
  const effort = options.effort ?? 'full';
  const stepMs = inferStep(input.timestamps);
  const grid = toRegularGrid(
    input.timestamps,
    input.values,
    stepMs,
    options.maxHistoryPoints ?? DEFAULT_MAX_HISTORY,
  );
  if (grid.observed < MIN_POINTS) {
    return {
      status: 'insufficient_data',
      points: grid.observed,
      needed: MIN_POINTS,
      reason: `a forecast needs at least ${MIN_POINTS} points in the kept window; it has ${grid.observed}`,
    };
  }
  const y = grid.values;
  const n = y.length;
  const horizon = Math.max(1, Math.floor((options.horizonMs ?? DEFAULT_HORIZON_MS) / stepMs));
  const levels = [...new Set(options.levels ?? DEFAULT_LEVELS)].sort((a, b) => a - b);
  const seasonality = detectSeasonality(y, stepMs);
  const periods = seasonality.periods;
  const stepsPerDay = DAY_MS / stepMs;
  const candidates = candidatesFor(periods, effort, stepsPerDay);
  const minTrain = Math.min(...candidates.map((c) => c.minTrain));
  const plan = planFolds(n, horizon, options.folds ?? (effort === 'full' ? 3 : 4), minTrain);
  if (plan.origins.length < 2) {
    return {
      status: 'insufficient_data',
      points: grid.observed,
      needed: minTrain + plan.leads + Math.max(1, Math.floor(plan.leads / 2)),
      reason: 'too little history for two backtest folds',
    };
  }
  const oldestOrigin = (c: (typeof candidates)[number]) =>
    plan.origins[Math.max(0, plan.origins.length - (c.recentFolds ?? plan.origins.length))];
  const usable = candidates.filter((c) => c.minTrain <= (oldestOrigin(c) as number));
  const scored = runBacktest(y, plan, usable, periods);
  const best = pickBest(scored);
  if (!best?.errors) return { status: 'failed', reason: 'no candidate model could be fitted' };
  const naive = scored.find((s) => s.candidate.name === 'seasonal_naive');
  const scale = naiveScale(y, periods[0] ?? 1) || Number.EPSILON;

  let point: Float64Array;
  let longRun: Float64Array;
  try {
    // At least two seasons ahead, so growth per day can cancel the cycle; same fit, longer.
    longRun = best.candidate.forecast(y, Math.max(horizon, 2 * (periods[0] ?? 1)), periods);
    point = longRun.subarray(0, horizon);
  } catch (err) {
    return {
      status: 'failed',
      reason: `refitting ${best.candidate.name}: ${(err as Error).message}`,
    };
  }
  const cal = calibrate(best.errors, levels);
  const heldOut = leaveOneFoldOutCoverages(best.errors, [0.95, 0.8]);
  const timestamps = Array.from({ length: horizon }, (_, k) => grid.start + (n + k) * stepMs);
  const bands: Band[] = levels.map((level) => {
    const lower: number[] = [];
    const upper: number[] = [];
    for (let k = 0; k < horizon; k++) {
      const w = halfWidth(cal, level, k);
      lower.push((point[k] as number) - w);
      upper.push((point[k] as number) + w);
    }
    return { level, lower, upper };
  });
  const result: ForecastOk = {
    status: 'ok',
    model: best.candidate.name,
    effort,
    stepMs,
    origin: grid.start + (n - 1) * stepMs,
    lastValue: y[n - 1] as number,
    history: { points, filled: grid.filled, used: n },
    seasonality,
    timestamps,
    point: Array.from(point),
    bands,
    backtest: {
      folds: best.errors.length,
      calibratedSteps: plan.leads,
      mase: best.mae / scale,
      relativeToSeasonalNaive: naive?.errors ? relativeError(best, naive) : 1,
      coverage95: heldOut.get(0.95) as number,
      coverage80: heldOut.get(0.8) as number,
      candidates: scored.map((s) => ({
        model: s.candidate.name,
        // Over the candidate's own folds (the WASM ones: the two most recent).
        mase: s.errors ? s.mae / scale : null,
      })),
    },
    growthPerDay: growthPerStep(longRun, periods[0] ?? 1) * stepsPerDay,
  };
  if (options.threshold) result.threshold = thresholdCrossing(result, options.threshold);
  return result;
}

/**
 * Slope per step of the point forecast: the change between the mean of its first and last
 * whole season, which cancels the cycle exactly (a least-squares line over whole cycles
 * does not: a sine correlates with time). A line when the horizon holds under two seasons.
 */
function growthPerStep(point: Float64Array, season: number): number {
  const seasons = Math.floor(point.length / season);
  if (season <= 1 || seasons < 2) return fitLine(point).slope;
  let first = 0;
  let last = 0;
  const lastStart = (seasons - 1) * season;
  for (let k = 0; k < season; k++) {
    first += point[k] as number;
    last += point[lastStart + k] as number;
  }
  return (last - first) / season / lastStart;
}
