// Reading the store for the fleet-wide detectors: peers' minute rollups on a common grid for
// fleet outliers (which host is the odd one out in its region and service), and one series'
// rollups for its changepoints (level shifts, drawn as markers).
import type { Changepoint, OutlierRow } from '../../../shared/forecast.js';
import type { AgentType } from '../../../shared/model.js';
import type { Fleet } from '../fleet/fleet.js';
import type { RollupTier } from '../store/reader.js';
import type { Bucket } from '../store/rollup.js';
import type { Series } from '../store/series.js';
import { detectChangepoints } from './changepoints.js';
import { fleetOutliers } from './fleet-outliers.js';

export interface RollupSource {
  seriesOf(metric: string): Iterable<Series>;
  seriesForAgent(agentId: string): Iterable<Series>;
  bucketsOfMany(list: readonly Series[], tier: RollupTier, from: number, to: number): Bucket[][];
}

/** Metrics compared between peers. */
export const OUTLIER_METRICS: readonly string[] = [
  'cpu_usage',
  'memory_usage',
  'response_time',
  'error_rate',
];
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** The window compared: the last hour of whole minutes. */
export const OUTLIER_WINDOW_MS = HOUR_MS;
/**
 * An agent is the odd one out when it differed from its peers for at least this share of the
 * window: a few minutes apart (a spike) is the anomaly detector's business, not an outlier.
 */
export const MIN_OUTLYING_SHARE = 0.2;

/** Every (region, service, metric) group's outlying agents over the last hour. */
export function scanOutliers(store: RollupSource, fleet: Fleet, now: number): OutlierRow[] {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const start = end - OUTLIER_WINDOW_MS;
  const grid = Array.from(
    { length: OUTLIER_WINDOW_MS / MINUTE_MS },
    (_, i) => start + i * MINUTE_MS,
  );
  const rows: OutlierRow[] = [];
  for (const metric of OUTLIER_METRICS) {
    const groups = new Map<string, { regionId: string; service: AgentType; series: Series[] }>();
    for (const s of store.seriesOf(metric)) {
      if (Object.keys(s.labels).length > 0) continue;
      const agent = fleet.agent(s.agentId);
      if (!agent) continue;
      const key = `${agent.regionId}|${agent.type}`;
      const g = groups.get(key) ?? { regionId: agent.regionId, service: agent.type, series: [] };
      g.series.push(s);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      if (g.series.length < 3) continue;
      const buckets = store.bucketsOfMany(g.series, '1m', start, end);
      const agents = g.series.map((s, i) => {
        const values = new Float64Array(grid.length).fill(NaN);
        for (const b of buckets[i]!) {
          const k = (b.start - start) / MINUTE_MS;
          if (k >= 0 && k < grid.length && b.count > 0) values[k] = b.sum / b.count;
        }
        return { agentId: s.agentId, values };
      });
      const found = fleetOutliers({ timestamps: grid, agents });
      for (const o of found.outliers) {
        if (o.score < MIN_OUTLYING_SHARE) continue;
        const agent = fleet.agent(o.agentId);
        rows.push({
          regionId: g.regionId,
          service: g.service,
          metric,
          agentId: o.agentId,
          hostname: agent?.hostname ?? o.agentId,
          score: o.score,
          from: o.intervals[0]?.start ?? start,
          to: o.intervals[o.intervals.length - 1]?.end ?? end,
          peers: g.series.length - 1,
        });
      }
    }
  }
  return rows.sort((a, b) => b.score - a.score);
}

/**
 * Level shifts of an agent's (unlabelled) series over [from, to]: from minute rollups up to
 * two days, hourly beyond (with the daily cycle taken out).
 */
export function changepointsOf(
  store: RollupSource,
  agentId: string,
  metric: string,
  from: number,
  to: number,
): Changepoint[] {
  const series = [...store.seriesForAgent(agentId)].find(
    (s) => s.name === metric && Object.keys(s.labels).length === 0,
  );
  if (!series) return [];
  const hourly = to - from > 2 * 24 * HOUR_MS;
  const [buckets] = store.bucketsOfMany([series], hourly ? '1h' : '1m', from, to);
  const ts: number[] = [];
  const vs: number[] = [];
  for (const b of buckets ?? []) {
    if (b.count === 0) continue;
    ts.push(b.start);
    vs.push(b.sum / b.count);
  }
  return detectChangepoints(ts, vs, hourly ? { period: 24 } : {}).map((c) => ({
    t: c.ts,
    before: c.before,
    after: c.after,
  }));
}
