import type { RegionHistory } from '../../../shared/api.js';
import type { RegionHistoryRange } from '../../../shared/api-constants.js';
import { chooseTier, type QuerySource, type Tier } from '../store/query.js';
import type { MetricStore } from '../store/metric-store.js';
import { HOUR_MS, MINUTE_MS, type Series } from '../store/series.js';
import {
  CONSOLE_SERIES_OWNER,
  REGION_HISTORY_COALESCE_MS,
  REGION_HISTORY_HEARTBEAT_MS,
  REGION_ONLINE_METRIC,
  REGION_REGISTERED_METRIC,
} from './region-history.js';

export const REGION_HISTORY_RANGE_MS: Readonly<Record<RegionHistoryRange, number>> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
};

/** Steps per history: enough for a chart, few enough to send every refresh. */
const POINTS = 240;
/**
 * How long the last point still stands for the region's state. Points come at least every
 * heartbeat, so a longer silence means the console was not running: the history shows a gap.
 */
const CARRY_MS = 2 * REGION_HISTORY_HEARTBEAT_MS + REGION_HISTORY_COALESCE_MS;

type Source = QuerySource & Pick<MetricStore, 'seriesForAgent'>;

/** One point or rollup bucket: its time span, extremes and the value it ended on. */
interface Span {
  start: number;
  end: number;
  min: number;
  max: number;
  last: number;
}

function seriesFor(store: Source, metric: string, regionId: string): Series | undefined {
  for (const s of store.seriesForAgent(CONSOLE_SERIES_OWNER))
    if (s.name === metric && s.labels.region === regionId) return s;
  return undefined;
}

function spans(store: Source, series: Series, tier: Tier, from: number, to: number): Span[] {
  const out: Span[] = [];
  if (tier === 'raw') {
    store
      .raw(series, from, to)
      .forEach((ts, v) => out.push({ start: ts, end: ts, min: v, max: v, last: v }));
    return out;
  }
  const width = tier === '1m' ? MINUTE_MS : HOUR_MS;
  for (const b of store.buckets(series, tier, from, to))
    out.push({ start: b.start, end: b.start + width - 1, min: b.min, max: b.max, last: b.last });
  return out;
}

/**
 * The value of a step-wise series over each step: the worst (`min`) or largest (`max`) value
 * held at any time in it. A point stands until the next one, for at most CARRY_MS.
 */
function column(
  items: readonly Span[],
  from: number,
  step: number,
  n: number,
  pick: 'min' | 'max',
): (number | null)[] {
  const out: (number | null)[] = new Array<number | null>(n).fill(null);
  const better = pick === 'min' ? Math.min : Math.max;
  let i = 0;
  let held: Span | null = null;
  for (let k = 0; k < n; k++) {
    const start = from + k * step;
    const end = start + step;
    // Whatever held at the start of the step counts for it, if it is recent enough.
    while (i < items.length && items[i]!.start < start) held = items[i++]!;
    let value: number | null = held && start - held.end <= CARRY_MS ? held.last : null;
    while (i < items.length && items[i]!.start < end) {
      const item = items[i++]!;
      const v = pick === 'min' ? item.min : item.max;
      value = value === null ? v : better(value, v);
      held = item;
    }
    out[k] = value;
  }
  return out;
}

/** A region's recorded agents online and registered over `range` up to `now`. */
export function readRegionHistory(
  store: Source,
  regionId: string,
  range: RegionHistoryRange,
  now: number,
): RegionHistory {
  const span = REGION_HISTORY_RANGE_MS[range];
  let step = Math.ceil(span / POINTS / 1000) * 1000;
  const tier = chooseTier(step, now - span, now, store);
  // A rollup tier cannot be finer than its buckets: whole buckets per step.
  const bucket = tier === '1m' ? MINUTE_MS : tier === '1h' ? HOUR_MS : 1;
  step = Math.ceil(step / bucket) * bucket;
  const from = now - span - ((now - span) % step);
  const n = Math.ceil((now - from) / step);
  const to = from + n * step;
  const read = (metric: string, pick: 'min' | 'max') => {
    const series = seriesFor(store, metric, regionId);
    const items = series ? spans(store, series, tier, from - CARRY_MS, to) : [];
    return column(items, from, step, n, pick);
  };
  const online = read(REGION_ONLINE_METRIC, 'min');
  const registered = read(REGION_REGISTERED_METRIC, 'max');
  return {
    regionId,
    range,
    from,
    to,
    step,
    points: online.map((v, k) => [from + k * step, v, registered[k]!]),
  };
}
