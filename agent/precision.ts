/**
 * Round a gauge to the precision its unit means: 0.01 for percentages and ratios, 0.1 ms
 * for latencies, 3 decimals otherwise; counts and byte counters are integers already. A
 * 16-digit cpu percentage carries no information past the second decimal, and full-precision
 * floats cost the console's store ~8 bytes a sample instead of ~1–2.
 */
export function roundForUnit(value: number, unit: string | undefined): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  const digits = unit === '%' ? 2 : unit === 'ms' ? 1 : 3;
  const p = 10 ** digits;
  return Math.round(value * p) / p;
}
