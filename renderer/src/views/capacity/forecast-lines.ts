// A forecast as chart lines (pure, unit-tested): the history, the 95 % and 80 % bands as filled
// areas (each band's upper edge fills down to its lower edge), the point forecast, the
// threshold line and the "reaches N %" marker; and, for the explorer, anomaly episodes and
// level shifts as markers. Every forecast line starts at the last point of history, so the
// forecast visibly continues the data.
import type { AnomalyEpisode, Changepoint, ForecastOk } from '../../../../shared/forecast.js';
import type { ChartLine } from '../../components/chart-line.js';
import { formatMetric } from '../../lib/units.js';
import { formatDate, formatDuration, formatLevel } from './capacity-text.js';

type Pt = { x: number; y: number };

export interface ForecastChart {
  lines: ChartLine[];
  xMin: number;
  xMax: number;
}

/**
 * The bands and the forecast line, joined to the history's last point. A percentage cannot
 * leave 0–100: what a model extrapolates past that is drawn at the bound (a full disk stays
 * full), so the axis stays on the scale the operator knows.
 */
export function forecastOverlay(f: ForecastOk, color = 0): ChartLine[] {
  const last = f.history[f.history.length - 1];
  const start = last ? { t: last[0], v: last[1] } : null;
  const bound = f.unit === '%' ? (v: number) => Math.min(100, Math.max(0, v)) : (v: number) => v;
  const edge = (pick: (p: ForecastOk['forecast'][number]) => number): Pt[] => [
    ...(start ? [{ x: start.t, y: start.v }] : []),
    ...f.forecast.map((p) => ({ x: p.t, y: bound(pick(p)) })),
  ];
  const band = (
    level: number,
    e: 'lo' | 'hi',
    pick: (p: ForecastOk['forecast'][number]) => number,
  ) =>
    ({
      id: `band${Math.round(level * 100)}-${e}`,
      label: `${Math.round(level * 100)} % band`,
      role: 'band',
      color,
      band: { edge: e, level },
      data: edge(pick),
    }) satisfies ChartLine;
  const fmt = (v: number) => formatMetric(v, f.unit);
  const notes = [
    ...(start ? ['last measured value'] : []),
    ...f.forecast.map(
      (p) =>
        `80 % band ${fmt(p.lo80)} – ${fmt(p.hi80)} · 95 % band ${fmt(p.lo95)} – ${fmt(p.hi95)}`,
    ),
  ];
  return [
    // The wider band first (drawn beneath); each upper edge right after its lower edge.
    band(0.95, 'lo', (p) => p.lo95),
    band(0.95, 'hi', (p) => p.hi95),
    band(0.8, 'lo', (p) => p.lo80),
    band(0.8, 'hi', (p) => p.hi80),
    {
      id: 'forecast',
      label: 'forecast',
      role: 'forecast',
      color,
      data: edge((p) => p.value),
      notes,
    },
  ];
}

/** The threshold line across the chart and the marker where the forecast reaches it. */
export function thresholdLines(f: ForecastOk, xMin: number, xMax: number): ChartLine[] {
  const c = f.crossing;
  if (!c) return [];
  const level = formatLevel(c.threshold, f.unit);
  const lines: ChartLine[] = [
    {
      id: 'threshold',
      label: `threshold ${level} (${c.source})`,
      role: 'critical',
      data: [
        { x: xMin, y: c.threshold },
        { x: xMax, y: c.threshold },
      ],
    },
  ];
  if (c.likely !== null) {
    const range = [
      c.earliest !== null ? `earliest ${formatDate(c.earliest)}` : null,
      c.latest !== null ? `latest ${formatDate(c.latest)}` : 'latest: not within the horizon',
    ].filter(Boolean);
    lines.push({
      id: 'crossing',
      label: `reaches ${level}`,
      role: 'marker',
      marker: 'crossing',
      data: [{ x: c.likely, y: c.threshold }],
      notes: [`likely ${formatDate(c.likely)} · ${range.join(' · ')}`],
    });
  }
  return lines;
}

/** What the chart's time axis covers after the history: the whole horizon, or up to the crossing. */
export type ForecastSpan = 'horizon' | 'crossing';

/**
 * Where the time axis ends. Over the whole horizon a few hours of history are a sliver beside
 * seven days of forecast; up to the crossing, the axis ends a quarter of the shown span after
 * the latest crossing edge (the likely one when the latest is beyond the horizon), so the
 * history, the bands' spread and the crossing are all readable. Without a crossing: the horizon.
 */
export function forecastXMax(f: ForecastOk, span: ForecastSpan): number {
  const horizonEnd = Math.max(
    f.forecast[f.forecast.length - 1]?.t ?? f.dataUntil,
    f.dataUntil + f.horizonMs,
  );
  const c = f.crossing;
  const until = c?.latest ?? c?.likely ?? null;
  if (span === 'horizon' || until === null) return horizonEnd;
  const xMin = f.history.length ? f.history[0]![0] : f.dataUntil;
  return Math.min(horizonEnd, until + Math.max(f.stepMs, (until - xMin) * 0.25));
}

/** The whole forecast chart: history, bands, forecast, threshold and crossing. */
export function forecastChart(f: ForecastOk, span: ForecastSpan = 'horizon'): ForecastChart {
  const xMin = f.history.length ? f.history[0]![0] : f.dataUntil;
  const xMax = forecastXMax(f, span);
  const history: ChartLine = {
    id: 'history',
    label: 'measured',
    role: 'series',
    color: 0,
    data: f.history.map(([x, y]) => ({ x, y })),
    spanGaps: f.stepMs * 3,
  };
  return {
    lines: [history, ...forecastOverlay(f), ...thresholdLines(f, xMin, xMax)],
    xMin,
    xMax,
  };
}

/** Where a series stood at time t (the nearest point), for placing markers on its line. */
export function valueNear(points: readonly [number, number][], t: number): number | null {
  if (points.length === 0) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  const after = points[lo]!;
  const before = points[Math.max(0, lo - 1)]!;
  return Math.abs(before[0] - t) <= Math.abs(after[0] - t) ? before[1] : after[1];
}

/** Anomaly episodes as markers at their start, on the line when it is known. */
export function anomalyMarkers(
  episodes: readonly AnomalyEpisode[],
  unit: string,
  now: number,
  points: readonly [number, number][] = [],
): ChartLine | null {
  if (episodes.length === 0) return null;
  const sorted = [...episodes].sort((a, b) => a.start - b.start);
  return {
    id: 'anomalies',
    label: 'anomaly',
    role: 'marker',
    marker: 'anomaly',
    data: sorted.map((e) => ({ x: e.start, y: valueNear(points, e.start) ?? e.peakValue })),
    notes: sorted.map(
      (e) =>
        `score ${e.peakScore.toFixed(2)} · peak ${formatMetric(e.peakValue, unit)} where ${formatMetric(e.expected, unit)} was usual · ${e.end === null ? `ongoing for ${formatDuration(now - e.start)}` : `lasted ${formatDuration(e.end - e.start)}`}`,
    ),
  };
}

/** Level shifts as markers at the new level. */
export function changepointMarkers(
  changepoints: readonly Changepoint[],
  unit: string,
): ChartLine | null {
  if (changepoints.length === 0) return null;
  const sorted = [...changepoints].sort((a, b) => a.t - b.t);
  return {
    id: 'changepoints',
    label: 'level shift',
    role: 'marker',
    marker: 'changepoint',
    data: sorted.map((c) => ({ x: c.t, y: c.after })),
    notes: sorted.map(
      (c) => `mean ${formatMetric(c.before, unit)} before, ${formatMetric(c.after, unit)} after`,
    ),
  };
}
