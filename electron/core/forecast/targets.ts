// What gets a forecast: every region's average of the resource metrics, and every agent's
// series of the capacity metrics (disk, memory, and filesystem usage per mount). Each target
// is a group of store series whose buckets are merged into one input.
import { CAPACITY_METRICS, type ForecastTarget } from '../../../shared/forecast.js';
import { unitFor } from '../../../shared/metric-unit.js';
import type { Rule } from '../../../shared/rules.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Series } from '../store/series.js';

/** Region averages forecast besides the capacity metrics: cpu is a resource too. */
export const REGION_METRICS: readonly string[] = ['cpu_usage', ...CAPACITY_METRICS];

export interface SeriesCatalogue {
  seriesOf(metric: string): Iterable<Series>;
}

export interface ForecastGroup {
  key: string;
  target: ForecastTarget;
  series: Series[];
}

export function targetKey(t: ForecastTarget): string {
  if (t.kind === 'region') return `region/${t.regionId}/${t.metric}`;
  const labels = Object.entries(t.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `agent/${t.agentId}/${t.metric}${labels ? `{${labels}}` : ''}`;
}

/** Every region × resource metric that has series, one group each. */
export function regionGroups(
  store: SeriesCatalogue,
  fleet: Fleet,
  only?: { regionId?: string; metric?: string },
): ForecastGroup[] {
  const out: ForecastGroup[] = [];
  const metrics = only?.metric ? [only.metric] : REGION_METRICS;
  for (const metric of metrics) {
    const byRegion = new Map<string, Series[]>();
    for (const s of store.seriesOf(metric)) {
      const agent = fleet.agent(s.agentId);
      if (!agent || (only?.regionId && agent.regionId !== only.regionId)) continue;
      const list = byRegion.get(agent.regionId) ?? [];
      list.push(s);
      byRegion.set(agent.regionId, list);
    }
    for (const [regionId, series] of byRegion) {
      const target: ForecastTarget = { kind: 'region', regionId, metric };
      out.push({ key: targetKey(target), target, series });
    }
  }
  return out;
}

/** Every registered agent's capacity series (one per mount for filesystem_usage). */
export function agentGroups(
  store: SeriesCatalogue,
  fleet: Fleet,
  only?: { agentId?: string; metric?: string; labels?: Record<string, string> },
): ForecastGroup[] {
  const out: ForecastGroup[] = [];
  const metrics = only?.metric ? [only.metric] : CAPACITY_METRICS;
  for (const metric of metrics) {
    for (const s of store.seriesOf(metric)) {
      if (only?.agentId && s.agentId !== only.agentId) continue;
      if (only?.labels && !Object.entries(only.labels).every(([k, v]) => s.labels[k] === v))
        continue;
      const agent = fleet.agent(s.agentId);
      if (!agent) continue;
      const target: ForecastTarget = {
        kind: 'agent',
        regionId: agent.regionId,
        agentId: agent.id,
        hostname: agent.hostname,
        service: agent.type,
        metric,
        labels: { ...s.labels },
      };
      out.push({ key: targetKey(target), target, series: [s] });
    }
  }
  return out;
}

/** The metric's unit, from its threshold rule when there is one. */
export function unitOf(metric: string, rules: readonly Rule[]): string {
  const rule = rules.find((r) => r.kind === 'threshold' && r.metric === metric);
  return unitFor(metric, rule?.kind === 'threshold' ? rule.unit : null);
}

/**
 * The level "full" means for days-until-full: the metric's critical threshold when a rule
 * rises to one, else 100 for a percentage; null for a metric with no such level.
 */
export function capacityLevel(
  metric: string,
  rules: readonly Rule[],
): { value: number; source: string } | null {
  for (const r of rules) {
    if (r.kind === 'threshold' && r.enabled && r.metric === metric && r.comparator === 'gt') {
      if (r.critical !== null) return { value: r.critical, source: `rule ${r.id} (critical)` };
    }
  }
  return unitOf(metric, rules) === '%' ? { value: 100, source: '100 %' } : null;
}
