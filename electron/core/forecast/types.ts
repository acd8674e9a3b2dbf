// The forecast engine's public types: what callers (API, capacity table, rules, CLI, UI)
// pass in and get back. Plain data, structured-clone safe, so results cross worker threads.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The product brief: no forecast from fewer than 24 points. */
export const MIN_POINTS = 24;
export const MIN_HORIZON_MS = HOUR_MS;
export const MAX_HORIZON_MS = 30 * DAY_MS;
export const DEFAULT_HORIZON_MS = 7 * DAY_MS;
export const DEFAULT_LEVELS: readonly number[] = [0.8, 0.95];

export type ModelName =
  'mstl_ets' | 'auto_ets' | 'linear_trend' | 'damped_trend' | 'seasonal_naive';

/**
 * `full` backtests every candidate, augurs' MSTL+ETS and AutoETS included (aggregates, CLI,
 * on-request forecasts). `fast` backtests only the closed-form candidates (linear, damped,
 * seasonal naive), for thousands of per-agent series per run.
 */
export type Effort = 'full' | 'fast';

export interface SeriesInput {
  /** Epoch ms, strictly increasing; roughly regular (1 min or 1 h rollups), gaps allowed. */
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface ThresholdSpec {
  value: number;
  /** Default: towards the threshold from the last observed value. */
  direction?: 'rising' | 'falling';
  /** Which band gives earliest/latest; default the widest requested level. */
  level?: number;
}

export interface ForecastOptions {
  /** 1 h to 30 d, default 7 d; forecast in steps of the input's interval. */
  horizonMs?: number;
  /** Central band levels in (0, 1); default 0.8 and 0.95. */
  levels?: readonly number[];
  effort?: Effort;
  /** Rolling-origin folds; default 4 (fast) or 3 (full). */
  folds?: number;
  /** Only the most recent points are used; default 10,080 (7 d of 1 min rollups). */
  maxHistoryPoints?: number;
  threshold?: ThresholdSpec;
}

export interface Band {
  level: number;
  lower: number[];
  upper: number[];
}

export interface CandidateScore {
  model: ModelName;
  /** Mean absolute backtest error over the in-sample one-season naive error; null if it failed. */
  mase: number | null;
}

export interface BacktestSummary {
  folds: number;
  /** Lead times (steps) the backtest measured; bands beyond grow as √lead from there. */
  calibratedSteps: number;
  /** MASE of the chosen model (scale: in-sample seasonal-naive one-step error). */
  mase: number;
  /** Chosen model's backtest MAE over seasonal naive's on the same folds (< 1: beats it). */
  relativeToSeasonalNaive: number;
  /** Share of held-out backtest points inside the 95 % / 80 % band (leave-one-fold-out). */
  coverage95: number;
  coverage80: number;
  candidates: CandidateScore[];
}

export interface Seasonality {
  /** Detected periods in steps (daily first), as the models use them. */
  periods: number[];
  daily: boolean;
  weekly: boolean;
  /** Autocorrelation of the detrended series at the daily / weekly lag. */
  dailyStrength: number | null;
  weeklyStrength: number | null;
}

export interface Crossing {
  /** Epoch ms, interpolated between steps. */
  at: number;
  /** Days from the last observation (the forecast origin). */
  days: number;
}

export interface ThresholdCrossing {
  threshold: number;
  direction: 'rising' | 'falling';
  level: number;
  /** The last observed value is already at or past the threshold. */
  alreadyCrossed: boolean;
  /** null: not within the horizon. Earliest from the outer band edge, latest from the inner. */
  earliest: Crossing | null;
  likely: Crossing | null;
  latest: Crossing | null;
}

export interface ForecastOk {
  status: 'ok';
  model: ModelName;
  effort: Effort;
  stepMs: number;
  /** Last observed timestamp: forecasts start one step after it. */
  origin: number;
  lastValue: number;
  history: { points: number; filled: number; used: number };
  seasonality: Seasonality;
  timestamps: number[];
  point: number[];
  /** One band per requested level, ascending. */
  bands: Band[];
  backtest: BacktestSummary;
  /** Slope of the point forecast, per day (whole seasons, so the cycle does not bias it). */
  growthPerDay: number;
  threshold?: ThresholdCrossing;
}

export interface ForecastInsufficient {
  status: 'insufficient_data';
  points: number;
  needed: number;
  reason: string;
}

export interface ForecastFailed {
  status: 'failed';
  reason: string;
}

export type ForecastResult = ForecastOk | ForecastInsufficient | ForecastFailed;
