// Capacity forecasts, anomalies, fleet outliers and level shifts, as the API returns them
// (GET /api/v1/forecasts, /capacity, /anomalies, /outliers). Plain types and the few constants
// both sides need; the models themselves live in electron/core/forecast/ and anomaly/.
import type { AgentType } from './model.js';

/** Horizon bounds (ms): 1 h to 30 d, 7 d unless asked otherwise. */
export const FORECAST_HORIZON_MIN_MS = 3_600_000;
export const FORECAST_HORIZON_MAX_MS = 30 * 86_400_000;
export const FORECAST_HORIZON_DEFAULT_MS = 7 * 86_400_000;
/** Fewer points than this and there is no forecast ("insufficient data"). */
export const FORECAST_MIN_POINTS = 24;

/** Metrics that fill up: they get days-until-full and a row in the capacity table. */
export const CAPACITY_METRICS = ['disk_usage', 'memory_usage', 'filesystem_usage'] as const;

/** What a forecast is of: a region's average of a metric, or one agent's series. */
export type ForecastTarget =
  | { kind: 'region'; regionId: string; metric: string }
  | {
      kind: 'agent';
      regionId: string;
      agentId: string;
      hostname: string;
      service: AgentType;
      metric: string;
      /** The series' labels (e.g. `mount` for filesystem_usage); empty for none. */
      labels: Record<string, string>;
    };

/** One future step: the point forecast and its 80 % and 95 % bands. */
export interface ForecastPoint {
  t: number;
  value: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

/** How the chosen model did on rolling-origin backtests over the series' own history. */
export interface BacktestFigures {
  /** Mean absolute scaled error against seasonal naive (< 1: better than repeating the past). */
  mase: number | null;
  /** Share of held-out points inside the 95 % band (the band is honest near 0.95). */
  coverage95: number | null;
  coverage80: number | null;
  /** Held-out points the figures come from. */
  points: number;
  /** Span of history (ms) the backtest folds covered. */
  spanMs: number;
}

/**
 * When the series reaches `threshold` (epoch ms), read from the bands: `earliest` from the
 * pessimistic edge of the 95 % band, `likely` from the point forecast, `latest` from the
 * optimistic edge. null: not within the horizon.
 */
export interface ThresholdCrossing {
  threshold: number;
  /** Where the threshold comes from: a rule's critical level, or the metric's 100 %. */
  source: string;
  earliest: number | null;
  likely: number | null;
  latest: number | null;
}

export interface ForecastOk {
  status: 'ok';
  target: ForecastTarget;
  unit: string;
  /** Input: the rollup tier and its step. */
  tier: '1m' | '1h';
  stepMs: number;
  /** Epoch ms the forecast was computed, and of its newest input point. */
  computedAt: number;
  dataUntil: number;
  horizonMs: number;
  history: Array<[number, number]>;
  forecast: ForecastPoint[];
  /** The model the backtest chose, e.g. `mstl_ets`, `auto_ets`, `damped_linear`, `seasonal_naive`. */
  model: string;
  /** Detected seasonal periods, in steps (24 = daily at 1 h); empty for none. */
  seasonalPeriods: number[];
  backtest: BacktestFigures;
  /** Newest value, the model's growth per day, and the point forecast at the horizon. */
  current: number;
  growthPerDay: number;
  atHorizon: number;
  crossing: ThresholdCrossing | null;
}

export interface ForecastInsufficient {
  status: 'insufficient_data';
  target: ForecastTarget;
  unit: string;
  computedAt: number;
  /** Points there are, and points a forecast needs. */
  havePoints: number;
  needPoints: number;
  reason: string;
}

export type ForecastResult = ForecastOk | ForecastInsufficient;

/** A row of the fleet capacity table: one forecast, the figures an operator sorts by. */
export interface CapacityRow {
  target: ForecastTarget;
  unit: string;
  current: number;
  growthPerDay: number;
  atHorizon: number;
  crossing: ThresholdCrossing | null;
  model: string;
  backtest: BacktestFigures;
  computedAt: number;
}

export interface CapacityReport {
  horizonMs: number;
  /** When the newest forecast run finished (null: none has yet). */
  computedAt: number | null;
  /** A forecast run is under way (figures may be of the previous run). */
  running: boolean;
  /** Every region × capacity metric, soonest crossing first. */
  regions: CapacityRow[];
  /** The agents soonest to cross, soonest first. */
  agents: CapacityRow[];
  /** Series that could not be forecast yet, with why (e.g. insufficient data). */
  pending: Array<{ target: ForecastTarget; reason: string }>;
}

/** An episode of anomalous samples on one series: repeated anomalies are one episode. */
export interface AnomalyEpisode {
  id: string;
  regionId: string;
  agentId: string;
  hostname: string;
  metric: string;
  labels: Record<string, string>;
  start: number;
  /** null while it lasts. */
  end: number | null;
  peakScore: number;
  peakValue: number;
  /** The baseline (expected value at that time of day/week) at the peak. */
  expected: number;
}

/** An agent whose recent behaviour differs from its peers (same region and service). */
export interface OutlierRow {
  regionId: string;
  service: AgentType;
  metric: string;
  agentId: string;
  hostname: string;
  /** 0–1: how far it sits from its peers. */
  score: number;
  /** The window compared. */
  from: number;
  to: number;
  peers: number;
}

/** A level shift on a series: the mean before and after. */
export interface Changepoint {
  t: number;
  before: number;
  after: number;
}
