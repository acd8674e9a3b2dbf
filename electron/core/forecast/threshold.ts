// Days until a threshold, read off a forecast's bands. For a rising series the outer (upper)
// edge crosses first, so it gives the earliest date, the point forecast the likely one and
// the inner (lower) edge the latest; for a falling series (free space towards a floor) the
// roles swap. A crossing is interpolated between the two steps around it; null means "not
// within the horizon".
import {
  DAY_MS,
  type Crossing,
  type ForecastOk,
  type ThresholdCrossing,
  type ThresholdSpec,
} from './types.js';

function firstCrossing(
  origin: number,
  start: number,
  times: number[],
  values: number[],
  threshold: number,
  rising: boolean,
): Crossing | null {
  let prevT = origin;
  let prevV = start;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = times[i] as number;
    if (rising ? v >= threshold : v <= threshold) {
      const frac = v === prevV ? 1 : Math.min(1, Math.max(0, (threshold - prevV) / (v - prevV)));
      const at = prevT + (t - prevT) * frac;
      return { at, days: (at - origin) / DAY_MS };
    }
    prevT = t;
    prevV = v;
  }
  return null;
}

export function thresholdCrossing(f: ForecastOk, spec: ThresholdSpec): ThresholdCrossing {
  const direction = spec.direction ?? (f.lastValue <= spec.value ? 'rising' : 'falling');
  const rising = direction === 'rising';
  const level = spec.level ?? f.bands[f.bands.length - 1]?.level ?? 0;
  const band = f.bands.find((b) => b.level === level);
  if (!band) throw new RangeError(`no ${level} band in this forecast`);
  const alreadyCrossed = rising ? f.lastValue >= spec.value : f.lastValue <= spec.value;
  if (alreadyCrossed) {
    const now = { at: f.origin, days: 0 };
    return {
      threshold: spec.value,
      direction,
      level,
      alreadyCrossed,
      earliest: now,
      likely: now,
      latest: now,
    };
  }
  const cross = (values: number[]) =>
    firstCrossing(f.origin, f.lastValue, f.timestamps, values, spec.value, rising);
  return {
    threshold: spec.value,
    direction,
    level,
    alreadyCrossed,
    earliest: cross(rising ? band.upper : band.lower),
    likely: cross(f.point),
    latest: cross(rising ? band.lower : band.upper),
  };
}
