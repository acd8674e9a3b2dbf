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
import { queryRange, type QuerySource } from '../store/query.js';
import { windowPercentiles } from './percentiles.js';
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
 * How stale each window's trends may get before the schedule recomputes them: a 7-day slope
 * does not move in a minute, and reading a week of every series each minute would cost the
 * ingest thread for nothing.
 */
const REFRESH_MS: Record<TrendWindow, number> = {
  '1h': 0,
  '24h': 10 * 60_000,
  '7d': 60 * 60_000,
};

/**
 * Trends per (region, service = agent type, metric) over 1 h / 24 h / 7 d, recomputed on a
 * schedule and on demand; response-time percentiles per service per region.
 */
export class PerformanceAnalysis {
  private readonly cache = new Map<TrendWindow, PerformanceTrend[]>();
  private readonly windowAt = new Map<TrendWindow, number>();
  private computedAt = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly deps: {
      clock: Clock;
      store: QuerySource;
      fleet: Fleet;
      metrics: () => readonly string[];
      /** A metric's unit (its rule's, else from its name): `%` metrics get the percentage-point rule. */
      unitOf: (metric: string) => string;
    },
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = this.deps.clock.setInterval(() => this.recompute(false), this.everyMs);
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** Cached trends; `fresh` recomputes first. */
  trends(fresh = false): { computedAt: number; trends: PerformanceTrend[] } {
    if (fresh || this.computedAt === 0) this.recompute(true);
    return {
      computedAt: this.computedAt,
      trends: TREND_WINDOWS.flatMap((w) => this.cache.get(w) ?? []),
    };
  }

  /** Recompute the windows that are due (all of them with `all`). */
  recompute(all = true): void {
    const now = this.deps.clock.now();
    const due = TREND_WINDOWS.filter(
      (w) => all || now - (this.windowAt.get(w) ?? -Infinity) >= REFRESH_MS[w],
    );
    if (due.length === 0) return;
    const out = new Map<TrendWindow, PerformanceTrend[]>(due.map((w) => [w, []]));
    for (const { regionId, service, agentIds } of this.groups()) {
      for (const metric of this.deps.metrics()) {
        for (const window of due) {
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
          // Settled steps only: the one still filling would tilt the line at its end.
          const settledBefore = result.partialFrom ?? Infinity;
          const points = (result.series[0]?.points ?? []).filter(
            (p): p is [number, number] => p[1] !== null && p[0] < settledBefore,
          );
          const fit = fitTrend(metric, points, this.deps.unitOf(metric));
          if (!fit) continue;
          out.get(window)!.push({
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
    for (const [w, trends] of out) {
      this.cache.set(w, trends);
      this.windowAt.set(w, now);
    }
    // The age of the oldest figure in the answer: a 7-day trend may be up to an hour old.
    this.computedAt = Math.min(...TREND_WINDOWS.map((w) => this.windowAt.get(w) ?? now));
  }

  /**
   * p50/p95/p99 of a metric's samples per service per region over the window: exact within
   * raw retention, from the rollups' sketches beyond it (percentiles.ts).
   */
  percentiles(metric: string, window: TrendWindow): PercentileRow[] {
    const now = this.deps.clock.now();
    const from = now - TREND_WINDOW_MS[window];
    const rows: PercentileRow[] = [];
    const all = [...this.deps.store.seriesOf(metric)];
    for (const { regionId, service, agentIds } of this.groups()) {
      const series = all.filter((s) => agentIds.has(s.agentId));
      const p = windowPercentiles(this.deps.store, series, from, now + 1);
      if (p) rows.push({ regionId, service, metric, window, ...p });
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
