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

export interface PercentileRow {
  regionId: string;
  service: AgentType;
  metric: string;
  window: TrendWindow;
  count: number;
  p50: number;
  p95: number;
  p99: number;
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
