// Ticks and labels for a linear chart axis holding epoch ms (no date adapter needed): round
// steps, aligned to the viewer's local clock, labelled as precisely as the step requires.

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const STEPS = [S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M];
const LONG_STEPS = [H, 2 * H, 3 * H, 6 * H, 12 * H, D, 2 * D, 7 * D, 14 * D];

/** The smallest round step that gives at most `maxTicks` ticks over `span` ms. */
export function niceTimeStep(span: number, maxTicks: number): number {
  const wanted = span / Math.max(1, maxTicks);
  return [...STEPS, ...LONG_STEPS].find((s) => s >= wanted) ?? Math.ceil(wanted / D) * D;
}

/** Local time minus UTC at `t`, ms (positive east of Greenwich). */
export function localOffsetMs(t: number): number {
  return -new Date(t).getTimezoneOffset() * M;
}

/** Tick positions between min and max on multiples of a round step in local time. */
export function timeTicks(
  min: number,
  max: number,
  maxTicks: number,
  offsetMs = localOffsetMs(min),
): { step: number; ticks: number[] } {
  const step = niceTimeStep(max - min, maxTicks);
  const ticks: number[] = [];
  let t = Math.ceil((min + offsetMs) / step) * step - offsetMs;
  for (; t <= max && ticks.length <= maxTicks + 1; t += step) ticks.push(t);
  return { step, ticks };
}

const two = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dayLabel(d: Date): string {
  return `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

/** A tick label: seconds only when the step needs them; the date at midnight and for day steps. */
export function formatTick(t: number, step: number): string {
  const d = new Date(t);
  if (step >= D) return dayLabel(d);
  if (d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0) return dayLabel(d);
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return step < M ? `${hm}:${two(d.getSeconds())}` : hm;
}

/** The full time for a tooltip: "27 Nov 14:03:21". */
export function formatInstant(t: number): string {
  const d = new Date(t);
  return `${dayLabel(d)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
