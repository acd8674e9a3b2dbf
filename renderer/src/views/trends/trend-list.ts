// The Trends page's state (in the hash, so a filtered view is a link), filtering and sorting.
// Pure and unit-tested.
import type { PerformanceTrend, TrendWindow } from '../../../../shared/analysis.js';

export type Direction = PerformanceTrend['direction'];
export type SortKey =
  'rank' | 'region' | 'service' | 'metric' | 'direction' | 'slope' | 'change' | 'r2' | 'confidence';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export interface TrendsState {
  window: TrendWindow;
  direction: Direction | '';
  region: string;
}

const WINDOWS: readonly TrendWindow[] = ['1h', '24h', '7d'];
const DIRECTIONS: readonly Direction[] = ['degrading', 'improving', 'stable'];
const DIRECTION_RANK: Record<Direction, number> = { degrading: 0, improving: 1, stable: 2 };

export function parseTrendsQuery(query: string): TrendsState {
  const q = new URLSearchParams(query);
  return {
    window: WINDOWS.find((w) => w === q.get('window')) ?? '1h',
    direction: DIRECTIONS.find((d) => d === q.get('direction')) ?? '',
    region: q.get('region') ?? '',
  };
}

export function formatTrendsQuery(state: TrendsState): string {
  const q = new URLSearchParams({ window: state.window });
  if (state.direction) q.set('direction', state.direction);
  if (state.region) q.set('region', state.region);
  return q.toString();
}

/** Numbers first-click sorts descending (biggest first); text ascending. */
export function defaultDir(key: SortKey): Sort['dir'] {
  return key === 'slope' || key === 'change' || key === 'r2' || key === 'confidence'
    ? 'desc'
    : 'asc';
}

/**
 * The 'rank' order is the console's: degrading first, then most significant (smallest
 * p-value), then the biggest change. Other keys break ties the same way.
 */
export function compareRank(a: PerformanceTrend, b: PerformanceTrend): number {
  return (
    DIRECTION_RANK[a.direction] - DIRECTION_RANK[b.direction] ||
    a.pValue - b.pValue ||
    Math.abs(b.relativeChange) - Math.abs(a.relativeChange) ||
    a.id.localeCompare(b.id)
  );
}

function value(t: PerformanceTrend, key: SortKey): number | string {
  switch (key) {
    case 'region':
      return t.regionId;
    case 'service':
      return t.service;
    case 'metric':
      return t.metric;
    case 'direction':
      return DIRECTION_RANK[t.direction];
    case 'slope':
      return t.slopePerHour;
    case 'change':
      return Number.isFinite(t.relativeChange)
        ? t.relativeChange
        : Math.sign(t.relativeChange) * 1e9;
    case 'r2':
      return t.rSquared;
    case 'confidence':
      return t.confidence;
    default:
      return 0;
  }
}

export function visibleTrends(
  trends: readonly PerformanceTrend[],
  state: TrendsState,
  sort: Sort,
): PerformanceTrend[] {
  const rows = trends.filter(
    (t) =>
      t.window === state.window &&
      (!state.direction || t.direction === state.direction) &&
      (!state.region || t.regionId === state.region),
  );
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    if (sort.key === 'rank') return sign * compareRank(a, b);
    const va = value(a, sort.key);
    const vb = value(b, sort.key);
    const c =
      typeof va === 'string' ? va.localeCompare(vb as string) : (va as number) - (vb as number);
    return sign * c || compareRank(a, b);
  });
}

/** How many trends of the window go each way (for the summary chips). */
export function directionCounts(
  trends: readonly PerformanceTrend[],
  window: TrendWindow,
  region: string,
): Record<Direction, number> {
  const counts: Record<Direction, number> = { degrading: 0, improving: 0, stable: 0 };
  for (const t of trends) {
    if (t.window === window && (!region || t.regionId === region)) counts[t.direction]++;
  }
  return counts;
}
