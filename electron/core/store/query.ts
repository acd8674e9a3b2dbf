import { quantileSorted } from 'simple-statistics';
import type { Retention } from './compactor.js';
import type { RollupTier } from './reader.js';
import type { Bucket } from './rollup.js';
import type { SampleBuffer } from './sample-buffer.js';
import { HOUR_MS, MINUTE_MS, type Series } from './series.js';
import { unsettledFrom } from '../../../shared/api-constants.js';
import { Sketch } from './sketch.js';

/** What a range query reads: the series of a metric, and their samples or buckets. */
export interface QuerySource {
  readonly retention: Retention;
  seriesOf(metric: string): Iterable<Series>;
  raw(series: Series, from: number, to: number): SampleBuffer;
  buckets(series: Series, tier: RollupTier, from: number, to: number): Bucket[];
}

export type Aggregation = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'p50' | 'p95' | 'p99';
export type Tier = 'raw' | '1m' | '1h';

/** The most points a series gets back, whatever the range (decimated server-side). */
export const MAX_POINTS = 2_000;

export interface RangeQuery {
  metric: string;
  /** Series must belong to one of these agents (null: any agent). */
  agentIds: ReadonlySet<string> | null;
  /** Series must carry these label values. */
  labels: Readonly<Record<string, string>>;
  from: number;
  to: number;
  step: number;
  agg: Aggregation;
  /** One line per series (agent scope) or one line for all of them (region, fleet). */
  perSeries: boolean;
}

export interface ResultSeries {
  agentId: string | null;
  labels: Record<string, string>;
  /** [timestamp, value] at the start of each step; null where there is no data. */
  points: [number, number | null][];
  /**
   * For a line that aggregates series (region or fleet scope): how many series had data in
   * each step, aligned with `points`, so a reader can tell an average of 300 hosts from one of 3.
   */
  seriesCounts?: number[];
}

export interface RangeResult {
  tier: Tier;
  step: number;
  from: number;
  to: number;
  /**
   * Start of the first step that may still be filling (it ends less than PARTIAL_SETTLE_MS
   * before `now`, or after it); null when every step is complete. Its values are not final.
   */
  partialFrom: number | null;
  series: ResultSeries[];
}

/** The first step (by its start) not yet settled at `now`, or null if all are. */
function partialStepFrom(from: number, step: number, n: number, now: number): number | null {
  const start = unsettledFrom(from, step, now);
  return start < from + n * step ? start : null;
}

const QUANTILE: Partial<Record<Aggregation, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/**
 * Step after decimation: never more than MAX_POINTS steps. (MAX_POINTS − 1 leaves room for
 * the one extra step that aligning `from` down to a step boundary can add.)
 */
export function effectiveStep(from: number, to: number, step: number): number {
  return Math.max(step, Math.ceil((to - from) / (MAX_POINTS - 1)), 1);
}

/** The coarsest tier whose buckets fit in a step, falling back to coarser ones where a tier's retention ends. */
export function chooseTier(
  step: number,
  from: number,
  now: number,
  store: { readonly retention: Retention },
): Tier {
  const { retention } = store;
  if (step >= HOUR_MS || from < now - retention.minuteMs) return '1h';
  if (step >= MINUTE_MS || from < now - retention.rawMs) return '1m';
  return 'raw';
}

/** Per-step accumulators for one line. */
class StepAccumulator {
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Sum over series of each series' mean in the step (for agg=sum). */
  readonly sumOfMeans: Float64Array;
  /** Series with data in each step. */
  readonly series: Float64Array;
  /** Raw values, or the means of rollup buckets without a sketch (for percentiles). */
  readonly values: number[][] | null;
  /** The sample count behind each of `values` (1 for a raw value). */
  readonly weights: number[][] | null;
  /** Per step, the merged sketches of rollup buckets that have one (latency-like metrics). */
  readonly sketches: (Sketch | null)[] | null;

  constructor(n: number, keepValues: boolean) {
    this.count = new Float64Array(n);
    this.sum = new Float64Array(n);
    this.min = new Float64Array(n).fill(Infinity);
    this.max = new Float64Array(n).fill(-Infinity);
    this.sumOfMeans = new Float64Array(n);
    this.series = new Float64Array(n);
    this.values = keepValues ? Array.from({ length: n }, () => []) : null;
    this.weights = keepValues ? Array.from({ length: n }, () => []) : null;
    this.sketches = keepValues ? new Array<Sketch | null>(n).fill(null) : null;
  }

  /** A rollup bucket's samples, for percentiles: its sketch, or its mean. */
  addDistribution(i: number, b: Bucket): void {
    if (b.sketch) (this.sketches![i] ??= new Sketch()).merge(b.sketch);
    else {
      this.values![i]!.push(b.sum / b.count);
      this.weights![i]!.push(b.count);
    }
  }

  add(i: number, count: number, sum: number, min: number, max: number): void {
    this.count[i]! += count;
    this.sum[i]! += sum;
    if (min < this.min[i]!) this.min[i] = min;
    if (max > this.max[i]!) this.max[i] = max;
  }

  value(i: number, agg: Aggregation): number | null {
    if (this.count[i] === 0) return null;
    switch (agg) {
      case 'avg':
        return this.sum[i]! / this.count[i]!;
      case 'min':
        return this.min[i]!;
      case 'max':
        return this.max[i]!;
      case 'sum':
        return this.sumOfMeans[i]!;
      case 'count':
        return this.count[i]!;
      default: {
        const sketch = this.sketches![i];
        if (!sketch) {
          const vs = this.values![i]!.sort((a, b) => a - b);
          return quantileSorted(vs, QUANTILE[agg]!);
        }
        // Sketched buckets give the samples' percentile (±1 %); buckets without one (older
        // blocks) join as their mean, weighted by their samples.
        this.values![i]!.forEach((v, k) => sketch.add(v, this.weights![i]![k]));
        this.values![i]!.length = 0;
        const q = sketch.quantile(QUANTILE[agg]!);
        return Math.min(this.max[i]!, Math.max(this.min[i]!, q));
      }
    }
  }
}

function accumulate(
  source: QuerySource,
  series: Series,
  tier: Tier,
  from: number,
  step: number,
  n: number,
  acc: StepAccumulator,
): void {
  const perStepCount = new Float64Array(n);
  const perStepSum = new Float64Array(n);
  const to = from + step * n;
  if (tier === 'raw') {
    source.raw(series, from, to).forEach((ts, v) => {
      const i = Math.floor((ts - from) / step);
      acc.add(i, 1, v, v, v);
      acc.values?.[i]!.push(v);
      perStepCount[i]!++;
      perStepSum[i]! += v;
    });
  } else {
    for (const b of source.buckets(series, tier, from, to)) {
      const i = Math.floor((b.start - from) / step);
      acc.add(i, b.count, b.sum, b.min, b.max);
      // Rollups keep no raw values: percentiles come from their sketches (latency-like
      // metrics), else from bucket means (documented approximation).
      if (acc.values) acc.addDistribution(i, b);
      perStepCount[i]! += b.count;
      perStepSum[i]! += b.sum;
    }
  }
  for (let i = 0; i < n; i++)
    if (perStepCount[i]! > 0) {
      acc.sumOfMeans[i]! += perStepSum[i]! / perStepCount[i]!;
      acc.series[i]!++;
    }
}

function matches(series: Series, q: RangeQuery): boolean {
  if (q.agentIds && !q.agentIds.has(series.agentId)) return false;
  for (const [k, v] of Object.entries(q.labels)) if (series.labels[k] !== v) return false;
  return true;
}

export function queryRange(store: QuerySource, q: RangeQuery, now: number): RangeResult {
  let step = effectiveStep(q.from, q.to, q.step);
  const tier = chooseTier(step, q.from, now, store);
  // A rollup tier cannot be finer than its buckets.
  if (tier === '1m') step = Math.max(step, MINUTE_MS);
  if (tier === '1h') step = Math.max(step, HOUR_MS);
  // Align to the step so that consecutive queries (live tails) share bucket edges.
  const from = q.from - (q.from % step);
  const n = Math.max(1, Math.ceil((q.to - from) / step));
  const keepValues = QUANTILE[q.agg] !== undefined;
  const lines: { acc: StepAccumulator; agentId: string | null; labels: Record<string, string> }[] =
    [];
  let shared: StepAccumulator | null = null;
  for (const series of store.seriesOf(q.metric)) {
    if (!matches(series, q)) continue;
    let acc: StepAccumulator;
    if (q.perSeries) {
      acc = new StepAccumulator(n, keepValues);
      lines.push({ acc, agentId: series.agentId, labels: { ...series.labels } });
    } else {
      acc = shared ??= new StepAccumulator(n, keepValues);
    }
    accumulate(store, series, tier, from, step, n, acc);
  }
  if (shared) lines.push({ acc: shared, agentId: null, labels: {} });
  return {
    tier,
    step,
    from,
    to: from + n * step,
    partialFrom: partialStepFrom(from, step, n, now),
    series: lines.map(({ acc, agentId, labels }) => ({
      agentId,
      labels,
      points: Array.from(
        { length: n },
        (_, i) => [from + i * step, acc.value(i, q.agg)] as [number, number | null],
      ),
      ...(q.perSeries ? {} : { seriesCounts: Array.from(acc.series) }),
    })),
  };
}

export interface WindowQuery {
  metric: string;
  agentIds: ReadonlySet<string> | null;
  from: number;
  to: number;
  agg: Exclude<Aggregation, 'count'>;
}

/**
 * One figure over exactly [from, to) for every matching series together (a region's p95 over
 * the last 2 min), or null when none had data. Unlike `queryRange` the window is not aligned
 * to a step and, while `from` is inside raw retention, raw samples are read however long the
 * window: an alert rule judges the samples themselves, including the minute still filling.
 */
export function queryWindow(store: QuerySource, q: WindowQuery, now: number): number | null {
  const step = Math.max(1, q.to - q.from);
  const tier: Tier =
    q.from >= now - store.retention.rawMs ? 'raw' : chooseTier(step, q.from, now, store);
  const acc = new StepAccumulator(1, QUANTILE[q.agg] !== undefined);
  const scope: RangeQuery = { ...q, labels: {}, step, perSeries: false };
  for (const series of store.seriesOf(q.metric))
    if (matches(series, scope)) accumulate(store, series, tier, q.from, step, 1, acc);
  return acc.value(0, q.agg);
}
