// From the explorer's series to chart lines: one per series, the least-squares trend of the
// first series over what is visible, and the matching rule's warning/critical thresholds.
import type { ThresholdRule } from '../../../../shared/rules';
import { DECIMATION, type ChartLine } from '../../components/TimeSeriesChart';
import { fitLine, valueAt, type LineFit } from '../../lib/least-squares';
import { gapLimit } from '../../lib/series-merge';
import type { ExploreSeries } from './useExploreData';

/** Fewer points than this make no trend worth drawing. */
const MIN_TREND_POINTS = 3;

export function seriesLabel(series: ExploreSeries, metric: string): string {
  const labels = Object.entries(series.labels);
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(', ') : metric;
}

export interface ExploreLines {
  lines: ChartLine[];
  fit: LineFit | null;
  points: number;
}

export function buildLines(opts: {
  series: readonly ExploreSeries[];
  metric: string;
  step: number;
  xMin: number;
  xMax: number;
  rule: ThresholdRule | null;
  showThresholds: boolean;
}): ExploreLines {
  const { series, metric, step, xMin, xMax, rule, showThresholds } = opts;
  const lines: ChartLine[] = series.map((s, i) => ({
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
  }));
  const first = series[0]?.points ?? [];
  const fit = first.length >= MIN_TREND_POINTS ? fitLine(first) : null;
  if (fit) {
    const a = first[0]![0];
    const b = first[first.length - 1]![0];
    lines.push({
      id: 'trend',
      label: series.length > 1 ? `Trend of ${seriesLabel(series[0]!, metric)}` : 'Trend',
      role: 'trend',
      data: [
        { x: a, y: valueAt(fit, a) },
        { x: b, y: valueAt(fit, b) },
      ],
    });
  }
  // Thresholds only beside data: alone they would set the scale of an empty chart.
  if (rule && showThresholds && first.length > 0) {
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
  return { lines, fit, points: series.reduce((n, s) => n + s.points.length, 0) };
}
