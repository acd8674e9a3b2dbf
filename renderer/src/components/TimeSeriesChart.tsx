// A chart.js line chart over time (linear x axis of epoch ms, our own tick formatter), with
// LTTB decimation, no animation (live data must not wobble), colours from the theme, and the
// chart destroyed on unmount. Lines are replaced in place, so updates never move the layout.
import type { ChartDataset, ChartOptions, Scale } from 'chart.js';
import { useEffect, useRef } from 'react';
import { Chart, readChartTheme, withAlpha, type ChartTheme } from '../lib/chart-theme';
import { useTheme } from '../lib/theme';
import { formatInstant, formatTick, timeTicks } from '../lib/time-axis';

export interface ChartLine {
  id: string;
  label: string;
  role: 'series' | 'trend' | 'warning' | 'critical';
  /** Palette slot for series lines. */
  color?: number;
  data: { x: number; y: number }[];
  /** Points further apart than this (ms) are not joined. */
  spanGaps?: number;
  /** Shade the area under the line (single-series charts). */
  fill?: boolean;
}

interface Props {
  lines: readonly ChartLine[];
  xMin: number;
  xMax: number;
  /** Values in the tooltip. */
  formatY(value: number): string;
  /** Values on the y axis (shorter). */
  formatTick(value: number): string;
  testId?: string;
  /** Where the y axis starts (counts start at 0); by default it fits the data. */
  yMin?: number;
  /** Extra data-* attributes for the container (tests read figures from them). */
  data?: Record<string, string | number>;
}

/** Series longer than `threshold` points are drawn as `samples` points (LTTB keeps the shape). */
export const DECIMATION = { samples: 600, threshold: 1_000 } as const;

type LineDataset = ChartDataset<'line', { x: number; y: number }[]> & { role?: ChartLine['role'] };

export function lineColor(line: ChartLine, theme: ChartTheme): string {
  if (line.role === 'warning') return theme.warning;
  if (line.role === 'critical') return theme.critical;
  if (line.role === 'trend') return theme.trend;
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
  if (line.role === 'series') {
    const sparse = line.data.length <= 60;
    return {
      ...base,
      backgroundColor: line.fill ? withAlpha(color, 0.12) : color,
      fill: line.fill ? 'start' : false,
      borderWidth: 1.6,
      pointRadius: sparse ? 2.5 : 0,
      pointBackgroundColor: color,
      pointHoverRadius: 3.5,
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
        filter: (item) => (item.dataset as LineDataset).role === 'series',
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
        grace: '8%',
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
  const { lines, xMin, xMax, formatY, formatTick: formatYTick, testId, data, yMin } = props;
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
    c.options = makeOptions(colours, xMin, xMax, formatY, formatYTick, yMin);
    c.data.datasets = lines.map((l) => toDataset(l, colours));
    c.update('none');
    // Points actually drawn for the series, after decimation (for tests and curiosity).
    const drawn = c.data.datasets.reduce(
      (n, ds) => n + ((ds as LineDataset).role === 'series' ? ds.data.length : 0),
      0,
    );
    if (box.current) box.current.dataset.drawn = String(drawn);
  }, [lines, xMin, xMax, formatY, formatYTick, yMin, theme]);

  const attrs = Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]),
  );
  return (
    <div className="chart" ref={box} data-testid={testId} {...attrs}>
      <canvas ref={canvas} role="img" aria-label={lines.map((l) => l.label).join(', ')} />
    </div>
  );
}
