// What the detector knows of the day of the week: how much the level steps when one day
// gives way to the next (a quiet weekend steps down on Saturday and back up on Monday).
// It learns, per weekday, the change from the previous day's mean to this day's mean, and at
// each midnight predicts the step into the new day as that day's change less the typical
// change (the median over the week: a growing series changes every day, and that is trend,
// not a weekday). So a steady growth predicts no steps, and a weekly pattern predicts its own.
//
// State per series lives in the detector's profile row: 7 learnt changes and their counts.

/** Offsets of the 7 changes and 7 counts inside a series' block. */
export const STEP_VALUES = 0;
export const STEP_COUNTS = 7;
export const STEP_BLOCK = 14;

/** Memory of a weekday's change: its last few weeks. */
const MIN_WEEKS = 4;

/** Learn weekday `day`'s change from the day before (`change` = its mean − the day before's). */
export function learnChange(p: Float32Array, base: number, day: number, change: number): void {
  const n = p[base + STEP_COUNTS + day]!;
  const a = Math.max(1 / (n + 1), 1 / MIN_WEEKS);
  p[base + STEP_VALUES + day] =
    n === 0 ? change : p[base + STEP_VALUES + day]! + a * (change - p[base + STEP_VALUES + day]!);
  if (n < 1_000) p[base + STEP_COUNTS + day] = n + 1;
}

const scratch = new Float64Array(7);

/**
 * The step to expect going into weekday `day`. A day not learnt yet is 0 — unless the other
 * six are all known: a week goes round, so its change is what brings the others back.
 */
export function expectedStep(p: Float32Array, base: number, day: number): number {
  let seen = 0;
  for (let d = 0; d < 7; d++)
    if (p[base + STEP_COUNTS + d]! > 0) scratch[seen++] = p[base + STEP_VALUES + d]!;
  if (seen === 0) return 0;
  const typical = median(scratch, seen);
  if (p[base + STEP_COUNTS + day]! > 0) return p[base + STEP_VALUES + day]! - typical;
  if (seen < 6) return 0;
  let others = 0;
  for (let i = 0; i < seen; i++) others += scratch[i]! - typical;
  return -others;
}

function median(values: Float64Array, n: number): number {
  const sorted = Array.from(values.subarray(0, n)).sort((x, y) => x - y);
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
