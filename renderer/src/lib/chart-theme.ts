// chart.js, set up once for the console: only the pieces a line chart needs (tree-shaken),
// and colours read from the theme's CSS variables so charts follow dark/light.
import {
  Chart,
  Decimation,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Filler, Decimation);

export { Chart };

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  border: string;
  panel: string;
  tooltipBg: string;
  warning: string;
  critical: string;
  trend: string;
  series: string[];
  font: string;
}

const SERIES_VARS = 8;

/** Current theme colours (call again after the theme changes). */
export function readChartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: v('--text-2'),
    muted: v('--text-3'),
    grid: v('--chart-grid'),
    border: v('--border-strong'),
    panel: v('--panel'),
    tooltipBg: v('--panel-2'),
    warning: v('--warn'),
    critical: v('--crit'),
    trend: v('--chart-trend'),
    series: Array.from({ length: SERIES_VARS }, (_, i) => v(`--series-${i + 1}`)),
    font: getComputedStyle(document.body).fontFamily,
  };
}

/** `#rrggbb` (or `#rgb`) with an alpha, for fills under a line. */
export function withAlpha(color: string, alpha: number): string {
  const hex = color.replace('#', '');
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) return color;
  const n = parseInt(full, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
