import { quantileSorted } from 'simple-statistics';
import {
  TREND_WINDOW_MS,
  TREND_WINDOWS,
  type PercentileRow,
  type PerformanceTrend,
  type TrendWindow,
} from '../../../shared/analysis.js';
import { AGENT_TYPES, type AgentType } from '../../../shared/model.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Fleet } from '../fleet/fleet.js';
import { queryRange } from '../store/query.js';
import type { TimeSeriesStore } from '../store/tsdb.js';
import { polarityOf } from './polarity.js';
import { fitTrend } from './regression.js';

/** Points a trend is fitted on, per window (each well above the brief's minimum of 10). */
const TREND_STEPS = 60;
export const DEFAULT_TREND_METRICS = [
  'cpu_usage',
  'memory_usage',
  'disk_usage',
  'response_time',
  'error_rate',
  'latency',
];

/**
 * Trends per (region, service = agent type, metric) over 1 h / 24 h / 7 d, recomputed on a
 * schedule and on demand; response-time percentiles per service per region.
 */
export class PerformanceAnalysis {
  private cache: PerformanceTrend[] = [];
  private computedAt = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly deps: {
      clock: Clock;
      store: TimeSeriesStore;
      fleet: Fleet;
      metrics: () => readonly string[];
    },
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = this.deps.clock.setInterval(() => this.recompute(), this.everyMs);
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** Cached trends; `fresh` recomputes first. */
  trends(fresh = false): { computedAt: number; trends: PerformanceTrend[] } {
    if (fresh || this.computedAt === 0) this.recompute();
    return { computedAt: this.computedAt, trends: this.cache };
  }

  recompute(): void {
    const now = this.deps.clock.now();
    const out: PerformanceTrend[] = [];
    for (const { regionId, service, agentIds } of this.groups()) {
      for (const metric of this.deps.metrics()) {
        for (const window of TREND_WINDOWS) {
          const span = TREND_WINDOW_MS[window];
          const result = queryRange(
            this.deps.store,
            {
              metric,
              agentIds,
              labels: {},
              from: now - span,
              to: now,
              step: Math.floor(span / TREND_STEPS),
              agg: 'avg',
              perSeries: false,
            },
            now,
          );
          const points = (result.series[0]?.points ?? []).filter(
            (p): p is [number, number] => p[1] !== null,
          );
          const fit = fitTrend(metric, points);
          if (!fit) continue;
          out.push({
            id: `${regionId}/${service}/${metric}/${window}`,
            regionId,
            service,
            metric,
            window,
            windowStart: points[0]![0],
            windowEnd: points[points.length - 1]![0],
            ...fit,
            confidence: 1 - fit.pValue,
            polarity: polarityOf(metric),
          });
        }
      }
    }
    this.cache = out;
    this.computedAt = now;
  }

  percentiles(metric: string, window: TrendWindow): PercentileRow[] {
    const now = this.deps.clock.now();
    const from = now - TREND_WINDOW_MS[window];
    const rows: PercentileRow[] = [];
    for (const { regionId, service, agentIds } of this.groups()) {
      const values: number[] = [];
      for (const series of this.deps.store.seriesOf(metric)) {
        if (!agentIds.has(series.agentId)) continue;
        // Raw samples where the raw tier still covers the window; 1-minute means beyond it.
        if (TREND_WINDOW_MS[window] <= this.deps.store.retention.rawMs) {
          series.forEachRaw(from, now + 1, (_t, v) => values.push(v));
        } else series.minute.forEach(from, now + 1, (b) => values.push(b.sum / b.count));
      }
      if (values.length === 0) continue;
      values.sort((a, b) => a - b);
      rows.push({
        regionId,
        service,
        metric,
        window,
        count: values.length,
        p50: quantileSorted(values, 0.5),
        p95: quantileSorted(values, 0.95),
        p99: quantileSorted(values, 0.99),
      });
    }
    return rows;
  }

  private *groups(): Generator<{ regionId: string; service: AgentType; agentIds: Set<string> }> {
    for (const region of this.deps.fleet.regions()) {
      const agents = this.deps.fleet.listAgents({ regionId: region.id });
      for (const service of AGENT_TYPES) {
        const agentIds = new Set(agents.filter((a) => a.type === service).map((a) => a.id));
        if (agentIds.size > 0) yield { regionId: region.id, service, agentIds };
      }
    }
  }
}
