// The explorer's linkable state (#/explore?…), the Trends page's sort and the axis and unit
// formatting the charts use.
import { describe, expect, it } from 'vitest';
import type { PerformanceTrend } from '../../shared/analysis.js';
import {
  canForecast,
  FORECAST_HORIZON,
  formatExploreQuery,
  parseExploreQuery,
  RANGE_MS,
  stepFor,
} from '../../renderer/src/views/explore/explore-state.js';
import { visibleTrends } from '../../renderer/src/views/trends/trend-list.js';
import { formatTick, niceTimeStep, timeTicks } from '../../renderer/src/lib/time-axis.js';
import {
  formatChange,
  formatConfidence,
  formatMetric,
  formatSlope,
  unitFor,
} from '../../renderer/src/lib/units.js';

describe('explore hash query', () => {
  it('parses the documented example', () => {
    expect(parseExploreQuery('metric=cpu_usage&scope=region:eu-west-1&agg=p95&range=1h')).toEqual({
      metric: 'cpu_usage',
      scope: { kind: 'region', id: 'eu-west-1' },
      service: '',
      agg: 'p95',
      range: '1h',
      labels: '',
      trend: null,
      forecast: false,
    });
  });

  it('carries a service (agent type) filter for a region or the fleet, not an agent', () => {
    const query = 'metric=disk_usage&scope=region:eu-west-1&service=database&agg=avg&range=1h';
    const state = parseExploreQuery(query);
    expect(state.service).toBe('database');
    expect(formatExploreQuery(state)).toBe(query);
    expect(parseExploreQuery('service=mainframe').service).toBe('');
    const agent = { ...state, scope: { kind: 'agent' as const, id: 'agt_1' } };
    expect(formatExploreQuery(agent)).not.toContain('service=');
  });

  it('falls back to defaults for missing or unknown values', () => {
    expect(parseExploreQuery('')).toEqual({
      metric: '',
      scope: { kind: 'fleet' },
      service: '',
      agg: 'avg',
      range: '1h',
      labels: '',
      trend: null,
      forecast: false,
    });
    const odd = parseExploreQuery('scope=galaxy:x&agg=median&range=2y&labels=not%20a%20filter');
    expect(odd.scope).toEqual({ kind: 'fleet' });
    expect(odd.agg).toBe('avg');
    expect(odd.range).toBe('1h');
    expect(odd.labels).toBe('');
  });

  it('round-trips agent scope, labels and a trend id, readably', () => {
    const state = {
      metric: 'filesystem_usage',
      scope: { kind: 'agent' as const, id: 'agt_7f3a' },
      service: '' as const,
      agg: 'max' as const,
      range: '6h' as const,
      labels: 'mount=/var/lib,fs=ext4',
      trend: 'eu-west-1/application/latency/1h',
      forecast: true,
    };
    const query = formatExploreQuery(state);
    expect(query).toBe(
      'metric=filesystem_usage&scope=agent:agt_7f3a&agg=max&range=6h&labels=mount=/var/lib,fs=ext4&trend=eu-west-1/application/latency/1h&forecast=1',
    );
    expect(parseExploreQuery(query)).toEqual(state);
  });

  it('keeps the forecast toggle for a region or an agent, not for the fleet', () => {
    const region = parseExploreQuery('metric=disk_usage&scope=region:eu-west-1&forecast=1');
    expect(region.forecast).toBe(true);
    expect(formatExploreQuery(region)).toContain('&forecast=1');
    expect(canForecast(region.scope)).toBe(true);
    const fleet = { ...region, scope: { kind: 'fleet' as const } };
    expect(canForecast(fleet.scope)).toBe(false);
    expect(formatExploreQuery(fleet)).not.toContain('forecast');
    expect(canForecast({ kind: 'agent', id: '' })).toBe(false);
    expect(parseExploreQuery('forecast=yes').forecast).toBe(false);
    // The forecast is as long as the range shown, within the API's 1 h to 30 d.
    expect(FORECAST_HORIZON['15m']).toBe('1h');
    expect(FORECAST_HORIZON['7d']).toBe('7d');
  });

  it('escapes what would break the query string', () => {
    const query = formatExploreQuery({
      ...parseExploreQuery(''),
      metric: 'a&b+c d',
    });
    expect(parseExploreQuery(query).metric).toBe('a&b+c d');
  });

  it('picks round steps of at most ~1,200 points, on rollup boundaries for long ranges', () => {
    expect(stepFor(RANGE_MS['15m'])).toBe(1_000);
    expect(stepFor(RANGE_MS['1h'])).toBe(3_000);
    expect(stepFor(RANGE_MS['6h'])).toBe(20_000);
    expect(stepFor(RANGE_MS['24h'])).toBe(120_000);
    expect(stepFor(RANGE_MS['7d'])).toBe(600_000);
    expect(stepFor(RANGE_MS['30d'])).toBe(3_600_000);
    for (const ms of Object.values(RANGE_MS)) expect(ms / stepFor(ms)).toBeLessThanOrEqual(1_200);
  });
});

describe('trends table order', () => {
  const trend = (id: string, direction: PerformanceTrend['direction'], pValue: number, slope = 1) =>
    ({
      id,
      regionId: id,
      service: 'application',
      metric: 'latency',
      window: '1h',
      direction,
      pValue,
      confidence: 1 - pValue,
      slopePerHour: slope,
      relativeChange: slope / 10,
      rSquared: 0.5,
    }) as PerformanceTrend;
  const trends = [
    trend('a', 'stable', 0.4),
    trend('b', 'degrading', 0.01),
    trend('c', 'improving', 0.001, -3),
    trend('d', 'degrading', 0.0001, 5),
  ];
  const all = { window: '1h' as const, direction: '' as const, region: '' };

  it('defaults to degrading first, most significant first', () => {
    const ids = visibleTrends(trends, all, { key: 'rank', dir: 'asc' }).map((t) => t.id);
    expect(ids).toEqual(['d', 'b', 'c', 'a']);
  });

  it('sorts by a column and filters by direction', () => {
    expect(visibleTrends(trends, all, { key: 'slope', dir: 'desc' }).map((t) => t.id)).toEqual([
      'd',
      'b',
      'a',
      'c',
    ]);
    expect(
      visibleTrends(trends, { ...all, direction: 'degrading' }, { key: 'rank', dir: 'asc' }).map(
        (t) => t.id,
      ),
    ).toEqual(['d', 'b']);
  });
});

describe('time axis and units', () => {
  it('chooses round tick steps and aligns ticks to them', () => {
    expect(niceTimeStep(15 * 60_000, 8)).toBe(2 * 60_000);
    expect(niceTimeStep(3_600_000, 8)).toBe(10 * 60_000);
    expect(niceTimeStep(7 * 86_400_000, 8)).toBe(86_400_000);
    const { step, ticks } = timeTicks(1_000_030_000, 1_000_030_000 + 3_600_000, 8, 0);
    expect(step).toBe(600_000);
    expect(ticks.every((t) => t % 600_000 === 0)).toBe(true);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
  });

  it('labels ticks with seconds only when the step needs them', () => {
    const t = new Date(2026, 10, 27, 14, 5, 30).getTime();
    expect(formatTick(t, 10_000)).toBe('14:05:30');
    expect(formatTick(t, 300_000)).toBe('14:05');
    expect(formatTick(new Date(2026, 10, 27).getTime(), 3_600_000)).toBe('27 Nov');
  });

  it('formats values, slopes and changes with units', () => {
    expect(unitFor('cpu_usage')).toBe('%');
    expect(unitFor('response_time')).toBe('ms');
    expect(unitFor('db_connections')).toBe('');
    expect(unitFor('cpu_usage', 'pct')).toBe('pct');
    expect(formatMetric(42.345, '%')).toBe('42.3%');
    expect(formatMetric(1_250, 'ms')).toBe('1.25 s');
    expect(formatSlope(1.234, '%')).toBe('+1.23 %/h');
    expect(formatSlope(-150, 'ms')).toBe('\u2212150 ms/h');
    expect(formatSlope(0.5, '')).toBe('+0.50/h');
    expect(formatChange(0.124)).toBe('+12.4%');
    expect(formatChange(Infinity)).toBe('—');
    expect(formatConfidence(0.9999)).toBe('> 99.9%');
    expect(formatConfidence(0.953)).toBe('95.3%');
  });
});
