// Performance analysis results, as the API returns them.
import type { AgentType } from './model.js';

export type TrendWindow = '1h' | '24h' | '7d';
export const TREND_WINDOWS: readonly TrendWindow[] = ['1h', '24h', '7d'];
export const TREND_WINDOW_MS: Readonly<Record<TrendWindow, number>> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

export interface PerformanceTrend {
  /** region/service/metric/window */
  id: string;
  regionId: string;
  service: AgentType;
  metric: string;
  window: TrendWindow;
  windowStart: number;
  windowEnd: number;
  points: number;
  slopePerHour: number;
  intercept: number;
  rSquared: number;
  /** Two-sided p-value of the slope; confidence = 1 − pValue. */
  pValue: number;
  confidence: number;
  /** Change over the window relative to the mean (0.1 = +10 %). */
  relativeChange: number;
  direction: 'improving' | 'stable' | 'degrading';
  polarity: 'lower_is_better' | 'higher_is_better';
}

/**
 * The relative accuracy of percentiles taken from rollup sketches (DDSketch): a figure is
 * within ±1 % of the sample at that rank.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * Metrics whose 1-minute and 1-hour rollups keep a DDSketch of their samples, so that
 * percentiles over any window are of the samples, not of bucket means: latency-like metrics,
 * whose percentiles the console shows (`response_time`, `latency`, `*_latency`,
 * `*_duration`, `*_ms`, `*_seconds`). Other metrics keep min/max/sum/count/last only: a
 * sketch per bucket costs ~15–30 bytes, more than the rest of the bucket (docs/storage.md).
 */
export function keepsSketch(metric: string): boolean {
  return /(^|_)(latency|response_time|duration)(_|$)|_(ms|seconds)$/.test(metric);
}

/**
 * How a row's percentiles were taken:
 * - `raw`: exactly, from every sample (windows within raw retention);
 * - `sketch`: from the rollups' sketches merged over the window (within ±`relativeAccuracy`);
 * - `mixed`: sketches where the rollups have them, bucket means elsewhere (older blocks);
 * - `means`: from bucket means only (a metric without sketches): a p99 of means, which
 *   understates the tail.
 */
export type PercentileSource = 'raw' | 'sketch' | 'mixed' | 'means';

export interface PercentileRow extends WindowPercentiles {
  regionId: string;
  service: AgentType;
  metric: string;
  window: TrendWindow;
}

/** p50/p95/p99 of a window's samples, and how they were taken. */
export interface WindowPercentiles {
  /** Samples in the window. */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  source: PercentileSource;
  /** Share of `count` (0–1) known only as bucket means (1-minute, or 1-hour where older). */
  fromMeans: number;
  /** Relative accuracy of the figures (0 when exact; 0.01 = ±1 %). */
  relativeAccuracy: number;
}

export interface QueryRangeResult {
  metric: string;
  tier: 'raw' | '1m' | '1h';
  step: number;
  from: number;
  to: number;
  agg: string;
  /**
   * Start of the first step that may still be filling (it ended less than PARTIAL_SETTLE_MS
   * ago, or has not ended): its values are not final. Null when every step is complete.
   */
  partialFrom: number | null;
  series: {
    agentId: string | null;
    labels: Record<string, string>;
    points: [number, number | null][];
    /** For a line aggregating several series (region or fleet scope): how many had data in each step, aligned with `points`. */
    seriesCounts?: number[];
  }[];
}
