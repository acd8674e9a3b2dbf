// What TimeSeriesChart draws, as plain data (no chart.js, no React), so the views that build
// lines are unit-tested in Node.

export interface ChartLine {
  id: string;
  label: string;
  /**
   * `forecast`: a model's point forecast (dashed, in the series' colour). `band`: an interval's
   * edge; a band's upper edge comes right after its lower edge and fills down to it. `marker`:
   * single points (anomalies, level shifts, a threshold crossing), drawn without a line.
   */
  role: 'series' | 'trend' | 'warning' | 'critical' | 'forecast' | 'band' | 'marker';
  /** Palette slot for series lines. */
  color?: number;
  data: { x: number; y: number }[];
  /** Points further apart than this (ms) are not joined. */
  spanGaps?: number;
  /** Shade the area under the line (single-series charts). */
  fill?: boolean;
  /** Points from this time on are of steps still filling: drawn dashed and hollow. */
  partialFrom?: number | null;
  /** Series each point aggregates, aligned with `data` (shown in the tooltip). */
  counts?: number[] | null;
  /** A band's edge: which edge, and the interval's level (0.8, 0.95: the wider, the fainter). */
  band?: { edge: 'lo' | 'hi'; level: number };
  /** A marker's look: an anomaly, a level shift, or where a forecast crosses its threshold. */
  marker?: 'anomaly' | 'changepoint' | 'crossing';
  /** A marker's tooltip text per point, aligned with `data`. */
  notes?: string[];
}

/** Series longer than `threshold` points are drawn as `samples` points (LTTB keeps the shape). */
export const DECIMATION = { samples: 600, threshold: 1_000 } as const;

/** Hard limits for the y axis, each kept only while the data stay inside it (percent: 0–100). */
export interface AxisClamp {
  min: number;
  max: number;
}

/** Smallest and largest y of the series (and threshold) lines: what the data need shown. */
export function dataExtent(lines: readonly ChartLine[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const l of lines) {
    // A band may run past a clamp (a 95 % band above 100 %): the axis stays on the data.
    if (l.role === 'trend' || l.role === 'band') continue;
    for (const p of l.data) {
      if (p.y < min) min = p.y;
      if (p.y > max) max = p.y;
    }
  }
  return { min, max };
}

/**
 * The y range for data limits [lo, hi] (the chart's, trend line included): 4 % of the range
 * added each side (chart.js's 8 % grace), but never past a clamp the data stay inside.
 */
export function clampedRange(
  lo: number,
  hi: number,
  extent: { min: number; max: number },
  clamp: AxisClamp,
): { min: number; max: number } {
  const pad = (hi - lo) * 0.04;
  let min = lo - pad;
  let max = hi + pad;
  if (extent.min >= clamp.min) min = Math.max(min, clamp.min);
  if (extent.max <= clamp.max) max = Math.min(max, clamp.max);
  return { min, max };
}
