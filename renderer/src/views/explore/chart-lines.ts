// From the explorer's series to chart lines: one per series (steps still filling marked
// partial), the least-squares trend of the first series over its settled points when it is a
// trend (shared/trend-rule.ts: enough points, significant, material), the matching rule's
// thresholds when the aggregation is in the rule's unit, and how many series the line stands
// for, with a warning when that count falls sharply.
import { MIN_RELATIVE_CHANGE, whyNoTrend } from '../../../../shared/trend-rule.js';
import type { ThresholdRule } from '../../../../shared/rules.js';
import { DECIMATION, type AxisClamp, type ChartLine } from '../../components/chart-line.js';
import { fitLine, valueAt, type LineFit } from '../../lib/least-squares.js';
import { gapLimit } from '../../lib/series-merge.js';
import type { Agg } from './explore-state.js';

/** One line of the explorer's data: the query's points, then the live tail's. */
export interface ExploreSeries {
  key: string;
  labels: Record<string, string>;
  points: [number, number][];
  /** Series each point aggregates (region or fleet scope), aligned with `points`; else null. */
  counts: number[] | null;
}

/**
 * Aggregations whose values are in the metric's own unit, so a rule's thresholds (and a
 * percentage's 0–100 bounds) apply. A sum of percentages or a count of samples is not.
 */
const IN_METRIC_UNIT: ReadonlySet<Agg> = new Set(['avg', 'min', 'max', 'p50', 'p95', 'p99']);

export function inMetricUnit(agg: Agg): boolean {
  return IN_METRIC_UNIT.has(agg);
}

/** The y axis bounds for a chart: never below 0 for data that are not; 0–100 for percentages. */
export function axisClamp(unit: string, agg: Agg): AxisClamp {
  return { min: 0, max: unit === '%' && inMetricUnit(agg) ? 100 : Infinity };
}

/** The count now has fallen below this share of its median over the window: say so. */
export const COVERAGE_DROP = 0.5;

export function seriesLabel(series: ExploreSeries, metric: string): string {
  const labels = Object.entries(series.labels);
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(', ') : metric;
}

export interface TrendBadge {
  /** The fit over the settled points, if two or more. */
  fit: LineFit | null;
  /** Why it is not shown as a trend ("no clear trend"), or null when it is. */
  reason: string | null;
}

/** How many series the (aggregated) first line stands for, now and usually. */
export interface Coverage {
  now: number;
  median: number;
  /** `now` is below COVERAGE_DROP of the median: the aggregate covers far fewer hosts. */
  dropped: boolean;
}

export interface ExploreLines {
  lines: ChartLine[];
  trend: TrendBadge;
  coverage: Coverage | null;
  points: number;
  /** Points drawn as partial (steps still filling). */
  partialPoints: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function coverageOf(counts: readonly number[]): Coverage | null {
  if (counts.length === 0) return null;
  const m = median(counts);
  const now = counts[counts.length - 1]!;
  return { now, median: m, dropped: now < COVERAGE_DROP * m };
}

/**
 * Whether the series behind a line changed enough to move it by themselves: a sum or count
 * moves with their number (by more than the 2 % a trend needs once it varies by 2 %); an
 * average, extreme or percentile when most of them come or go (under half of the most).
 */
function membershipChanged(counts: readonly number[], agg: Agg): boolean {
  if (counts.length === 0) return false;
  const most = Math.max(...counts);
  const least = Math.min(...counts);
  return inMetricUnit(agg)
    ? least < COVERAGE_DROP * most
    : most - least >= MIN_RELATIVE_CHANGE * most;
}

function trendOf(series: ExploreSeries | undefined, settled: number, agg: Agg, unit: string) {
  const all = series?.points ?? [];
  let n = all.findIndex(([t]) => t >= settled);
  if (n < 0) n = all.length;
  const points = all.slice(0, n);
  const fit = fitLine(points);
  let reason: string | null;
  if (!fit) reason = `${points.length} points: a trend needs at least 10`;
  else if (membershipChanged(series?.counts?.slice(0, n) ?? [], agg))
    // Agents joining or leaving move the line: that is not a trend of the metric.
    reason = 'the number of series behind the line changed over the range';
  else reason = whyNoTrend(fit, inMetricUnit(agg) ? unit : '');
  return { fit, reason };
}

export function buildLines(opts: {
  series: readonly ExploreSeries[];
  metric: string;
  agg: Agg;
  unit: string;
  step: number;
  xMin: number;
  xMax: number;
  rule: ThresholdRule | null;
  showThresholds: boolean;
  partialFrom: number | null;
}): ExploreLines {
  const { series, metric, agg, step, xMin, xMax, rule, showThresholds } = opts;
  const settled = opts.partialFrom ?? Infinity;
  let partialPoints = 0;
  const lines: ChartLine[] = series.map((s, i) => {
    for (let k = s.points.length - 1; k >= 0 && s.points[k]![0] >= settled; k--) partialPoints++;
    return {
      id: `series-${s.key}`,
      label: seriesLabel(s, metric),
      role: 'series',
      color: i,
      data: s.points.map(([x, y]) => ({ x, y })),
      spanGaps: gapLimit(
        s.points,
        step,
        s.points.length > DECIMATION.threshold ? DECIMATION.samples : Infinity,
      ),
      fill: series.length === 1,
      partialFrom: opts.partialFrom,
      counts: s.counts,
    };
  });
  const first = series[0];
  const trend = trendOf(first, settled, agg, opts.unit);
  if (trend.fit && trend.reason === null) {
    const fit = trend.fit;
    const a = fit.x0;
    const b = fit.x0 + fit.spanHours * 3_600_000;
    lines.push({
      id: 'trend',
      label: series.length > 1 ? `Trend of ${seriesLabel(first!, metric)}` : 'Trend',
      role: 'trend',
      data: [
        { x: a, y: valueAt(fit, a) },
        { x: b, y: valueAt(fit, b) },
      ],
    });
  }
  // Thresholds only in the rule's unit, and only beside data (alone they would set the scale).
  if (rule && showThresholds && inMetricUnit(agg) && (first?.points.length ?? 0) > 0) {
    for (const level of ['warning', 'critical'] as const) {
      const y = rule[level];
      if (y === null) continue;
      lines.push({
        id: level,
        label: `${level === 'warning' ? 'Warning' : 'Critical'} threshold`,
        role: level,
        data: [
          { x: xMin, y },
          { x: xMax, y },
        ],
      });
    }
  }
  // Settled steps only: one still filling has not heard from every series yet.
  const counts = first?.counts?.filter((_c, k) => first.points[k]![0] < settled) ?? null;
  return {
    lines,
    trend,
    coverage: series.length === 1 && counts ? coverageOf(counts) : null,
    points: series.reduce((n, s) => n + s.points.length, 0),
    partialPoints,
  };
}
