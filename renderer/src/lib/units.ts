// Units and number formats for metric values, slopes and changes (charts, trends). The unit
// comes from the metric's alert rule when there is one, else from its name (shared/metric-unit).
export { unitFor } from '../../../shared/metric-unit.js';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** A number without unit, as wide as it needs: 1.23, 12.3, 123, 12.3k. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const a = Math.abs(value);
  if (a >= 10_000) return compact.format(value);
  if (a >= 100) return Math.round(value).toLocaleString('en');
  if (a >= 10) return value.toFixed(1);
  if (a >= 0.01 || a === 0) return value.toFixed(2);
  return value.toPrecision(2);
}

function withUnit(text: string, unit: string): string {
  if (!unit) return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/** A value with its unit; milliseconds from a second up read as seconds. */
export function formatMetric(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 'ms' && Math.abs(value) >= 1_000) return `${formatNumber(value / 1_000)} s`;
  return withUnit(formatNumber(value), unit);
}

const axis = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** An axis tick: no trailing zeros ("2%", "2.5%", "1.2k ms" → "1.2 s"). */
export function formatAxis(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '';
  if (unit === 'ms' && Math.abs(value) >= 1_000) return `${axis.format(value / 1_000)} s`;
  return withUnit(Math.abs(value) >= 10_000 ? compact.format(value) : axis.format(value), unit);
}

const MINUS = '\u2212';

function signed(value: number, text: string): string {
  return value > 0 ? `+${text}` : value < 0 ? `${MINUS}${text}` : text;
}

/** A slope per hour: "+1.24 %/h", "−3.1 ms/h", "+12/h". */
export function formatSlope(slopePerHour: number, unit: string): string {
  if (!Number.isFinite(slopePerHour)) return '—';
  const text = formatNumber(Math.abs(slopePerHour));
  return signed(slopePerHour, unit ? `${text} ${unit}/h` : `${text}/h`);
}

/** A relative change: 0.124 → "+12.4%". */
export function formatChange(relative: number): string {
  if (!Number.isFinite(relative)) return '—';
  const pct = Math.abs(relative * 100);
  return signed(relative, `${pct >= 100 ? Math.round(pct) : pct.toFixed(1)}%`);
}

/** R², two decimals. */
export function formatR2(r2: number): string {
  return Number.isFinite(r2) ? r2.toFixed(2) : '—';
}

/** 1 − p as a percentage, capped so it never claims certainty: "> 99.9%". */
export function formatConfidence(confidence: number): string {
  if (!Number.isFinite(confidence)) return '—';
  if (confidence >= 0.999) return '> 99.9%';
  return `${(Math.max(0, confidence) * 100).toFixed(1)}%`;
}
