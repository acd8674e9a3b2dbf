// A chart.js line chart over time (linear x axis of epoch ms, our own tick formatter), with
// LTTB decimation, no animation (live data must not wobble), colours from the theme, and the
// chart destroyed on unmount. Lines are replaced in place, so updates never move the layout.
// Steps still filling are drawn dashed with hollow points; the y axis may be clamped (0–100 %).
import type { ChartDataset, ChartOptions, Scale } from 'chart.js';
import { useEffect, useRef } from 'react';
import { Chart, readChartTheme, withAlpha, type ChartTheme } from '../lib/chart-theme';
import { useTheme } from '../lib/theme';
import { formatInstant, formatTick, timeTicks } from '../lib/time-axis';
import { clampedRange, dataExtent, DECIMATION, type AxisClamp, type ChartLine } from './chart-line';

export type { ChartLine } from './chart-line';

interface Props {
  lines: readonly ChartLine[];
  xMin: number;
  xMax: number;
  /** Values in the tooltip. */
  formatY(value: number): string;
  /** Values on the y axis (shorter). */
  formatTick(value: number): string;
  /** Keep the y axis inside these bounds while the data are. */
  clamp?: AxisClamp | null;
  testId?: string;
  /** Where the y axis starts (counts start at 0); by default it fits the data. */
  yMin?: number;
  /** Extra data-* attributes for the container (tests read figures from them). */
  data?: Record<string, string | number>;
}

type LineDataset = ChartDataset<'line', { x: number; y: number }[]> & {
  role?: ChartLine['role'];
  counts?: ChartLine['counts'];
  notes?: string[] | undefined;
  xs?: number[];
};

/** Lines the tooltip speaks of (not trends, thresholds or band edges). */
const TOOLTIP_ROLES: ReadonlySet<ChartLine['role']> = new Set(['series', 'forecast', 'marker']);

/** Index of time x in a line's original points (its data may be decimated: look up by time). */
function indexAt(ds: LineDataset, x: number): number | null {
  const xs = ds.xs;
  if (!xs) return null;
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return xs[lo] === x ? lo : null;
}

/** Series count at time x of a line. */
function countAt(ds: LineDataset, x: number): number | null {
  const i = indexAt(ds, x);
  return i === null || !ds.counts ? null : (ds.counts[i] ?? null);
}

/** A line's note at time x (a marker's description, a forecast's bands). */
function noteAt(ds: LineDataset, x: number): string | null {
  const i = indexAt(ds, x);
  return i === null || !ds.notes ? null : (ds.notes[i] ?? null);
}

export function lineColor(line: ChartLine, theme: ChartTheme): string {
  if (line.role === 'warning') return theme.warning;
  if (line.role === 'critical') return theme.critical;
  if (line.role === 'trend') return theme.trend;
  if (line.marker === 'anomaly') return theme.critical;
  if (line.marker === 'changepoint') return theme.trend;
  if (line.marker === 'crossing') return theme.warning;
  return theme.series[(line.color ?? 0) % theme.series.length]!;
}

function toDataset(line: ChartLine, theme: ChartTheme): LineDataset {
  const color = lineColor(line, theme);
  const base = {
    label: line.label,
    data: line.data,
    role: line.role,
    borderColor: color,
    pointRadius: 0,
    pointHoverRadius: 0,
    fill: false,
    tension: 0,
  };
  if (line.role === 'band') {
    // The upper edge fills down to the lower edge just before it; the wider band is fainter.
    const alpha = (line.band?.level ?? 0.8) >= 0.9 ? 0.12 : 0.22;
    return {
      ...base,
      borderWidth: 0,
      backgroundColor: withAlpha(color, alpha),
      fill: line.band?.edge === 'hi' ? '-1' : false,
      order: 3,
    };
  }
  if (line.role === 'forecast') {
    return {
      ...base,
      notes: line.notes,
      xs: line.notes ? line.data.map((p) => p.x) : undefined,
      borderWidth: 1.8,
      borderDash: [6, 4],
      pointHoverRadius: 3.5,
      order: 1,
    };
  }
  if (line.role === 'marker') {
    return {
      ...base,
      notes: line.notes,
      xs: line.data.map((p) => p.x),
      showLine: false,
      pointRadius: 5,
      pointHoverRadius: 6,
      pointStyle: line.marker === 'changepoint' ? 'rectRot' : 'circle',
      pointBackgroundColor: withAlpha(color, 0.35),
      pointBorderColor: color,
      pointBorderWidth: 2,
      order: -1,
    };
  }
  if (line.role === 'series') {
    const sparse = line.data.length <= 60;
    const partialFrom = line.partialFrom ?? Infinity;
    const partial = (x: number | null | undefined) => x != null && x >= partialFrom;
    return {
      ...base,
      counts: line.counts ?? null,
      xs: line.counts ? line.data.map((p) => p.x) : undefined,
      backgroundColor: line.fill ? withAlpha(color, 0.12) : color,
      fill: line.fill ? 'start' : false,
      borderWidth: 1.6,
      // A step still filling is hollow (and shown even on a dense line): its value is not final.
      pointRadius: (ctx) => (partial(ctx.parsed?.x) ? 3 : sparse ? 2.5 : 0),
      pointBackgroundColor: (ctx) => (partial(ctx.parsed?.x) ? theme.panel : color),
      pointBorderColor: color,
      pointBorderWidth: (ctx) => (partial(ctx.parsed?.x) ? 1.5 : 1),
      pointHoverRadius: 3.5,
      segment: { borderDash: (ctx) => (partial(ctx.p1.parsed.x) ? [3, 3] : undefined) },
      spanGaps: line.spanGaps ?? true,
      order: 2,
    };
  }
  return {
    ...base,
    borderWidth: line.role === 'trend' ? 2 : 1.2,
    borderDash: line.role === 'trend' ? [7, 4] : [4, 4],
    order: line.role === 'trend' ? 0 : 1,
  };
}

function makeOptions(
  theme: ChartTheme,
  xMin: number,
  xMax: number,
  formatY: (v: number) => string,
  formatYTick: (v: number) => string,
  clamp: { bounds: AxisClamp; extent: { min: number; max: number } } | null,
  yMin: number | undefined,
): ChartOptions<'line'> {
  let tickStep = 60_000;
  const font = { family: theme.font, size: 11 };
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    layout: { padding: { top: 6, right: 8 } },
    plugins: {
      decimation: {
        enabled: true,
        algorithm: 'lttb',
        samples: DECIMATION.samples,
        threshold: DECIMATION.threshold,
      },
      tooltip: {
        filter: (item) => TOOLTIP_ROLES.has((item.dataset as LineDataset).role ?? 'series'),
        backgroundColor: theme.tooltipBg,
        borderColor: theme.border,
        borderWidth: 1,
        titleColor: theme.text,
        bodyColor: theme.text,
        titleFont: { ...font, weight: 600 },
        bodyFont: font,
        padding: 8,
        boxPadding: 4,
        usePointStyle: true,
        callbacks: {
          title: (items) => (items[0] ? formatInstant(items[0].parsed.x ?? 0) : ''),
          label: (item) => ` ${item.dataset.label}: ${formatY(item.parsed.y ?? NaN)}`,
          afterLabel: (item) => {
            const ds = item.dataset as LineDataset;
            const note = noteAt(ds, item.parsed.x ?? NaN);
            if (note !== null) return `   ${note}`;
            const n = countAt(ds, item.parsed.x ?? NaN);
            return n === null ? '' : `   from ${n} series`;
          },
        },
      },
    },
    scales: {
      x: {
        type: 'linear',
        min: xMin,
        max: xMax,
        grid: { color: theme.grid, tickColor: theme.grid },
        border: { color: theme.border },
        afterBuildTicks: (scale: Scale) => {
          const maxTicks = Math.max(3, Math.floor((scale.width || 800) / 110));
          const { step, ticks } = timeTicks(scale.min, scale.max, maxTicks);
          tickStep = step;
          scale.ticks = ticks.map((value) => ({ value }));
        },
        ticks: {
          color: theme.muted,
          font,
          maxRotation: 0,
          autoSkip: false,
          callback: (value) => formatTick(Number(value), tickStep),
        },
      },
      y: {
        ...(yMin !== undefined ? { min: yMin } : {}),
        // With a clamp, the margin is added here instead, and stops at the clamp.
        grace: clamp ? 0 : '8%',
        afterDataLimits: clamp
          ? (scale: Scale) => {
              const r = clampedRange(scale.min, scale.max, clamp.extent, clamp.bounds);
              scale.min = r.min;
              scale.max = r.max;
            }
          : undefined,
        grid: { color: theme.grid, tickColor: 'transparent' },
        border: { display: false },
        ticks: {
          color: theme.muted,
          font,
          maxTicksLimit: 6,
          callback: (v) => formatYTick(Number(v)),
        },
      },
    },
  };
}

export function TimeSeriesChart(props: Props) {
  const { lines, xMin, xMax, formatY, formatTick: formatYTick, testId, data, clamp, yMin } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Chart<'line', { x: number; y: number }[]> | null>(null);
  const [theme] = useTheme();

  useEffect(() => {
    const c = new Chart<'line', { x: number; y: number }[]>(canvas.current!, {
      type: 'line',
      data: { datasets: [] },
    });
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const colours = readChartTheme();
    const bounds = clamp ? { bounds: clamp, extent: dataExtent(lines) } : null;
    c.options = makeOptions(colours, xMin, xMax, formatY, formatYTick, bounds, yMin);
    c.data.datasets = lines.map((l) => toDataset(l, colours));
    c.update('none');
    // Points actually drawn for the series, after decimation, and the y range (for tests).
    const drawn = c.data.datasets.reduce(
      (n, ds) => n + ((ds as LineDataset).role === 'series' ? ds.data.length : 0),
      0,
    );
    if (box.current) {
      box.current.dataset.drawn = String(drawn);
      box.current.dataset.yMin = String(c.scales.y?.min ?? '');
      box.current.dataset.yMax = String(c.scales.y?.max ?? '');
    }
  }, [lines, xMin, xMax, formatY, formatYTick, theme, clamp, yMin]);

  const attrs = Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]),
  );
  return (
    <div className="chart" ref={box} data-testid={testId} {...attrs}>
      <canvas ref={canvas} role="img" aria-label={lines.map((l) => l.label).join(', ')} />
    </div>
  );
}
