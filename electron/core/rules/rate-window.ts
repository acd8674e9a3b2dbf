// A running slope for rate_of_change rules: one point a minute (the minute's last value) over
// the rule's window, so a series at one sample a second keeps at most window/1 min points.
// The preview computes the same slope from the store's minute rollups.
import { MINUTE_MS } from '../store/series.js';

export const HOUR_MS = 3_600_000;

export interface MinutePoint {
  /** Start of the minute. */
  t: number;
  v: number;
}

/**
 * Least-squares slope of the points, in units per hour; null until the points span at least
 * half the window with three points or more (too little to call a trend).
 */
export function slopePerHour(points: readonly MinutePoint[], windowMs: number): number | null {
  const n = points.length;
  if (n < 3) return null;
  const first = points[0]!.t;
  const last = points[n - 1]!.t;
  if (last - first < windowMs / 2) return null;
  let st = 0;
  let sv = 0;
  for (const p of points) {
    st += p.t - first;
    sv += p.v;
  }
  const mt = st / n;
  const mv = sv / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    const dt = p.t - first - mt;
    num += dt * (p.v - mv);
    den += dt * dt;
  }
  return den === 0 ? null : (num / den) * HOUR_MS;
}

/** One series' minute points over a window. */
export class RateWindow {
  readonly points: MinutePoint[] = [];

  constructor(readonly windowMs: number) {}

  /** Take a sample; returns the slope per hour over the window, or null while too short. */
  add(ts: number, value: number): number | null {
    const t = ts - (ts % MINUTE_MS);
    const lastPoint = this.points[this.points.length - 1];
    if (lastPoint && lastPoint.t === t) lastPoint.v = value;
    else if (!lastPoint || t > lastPoint.t) this.points.push({ t, v: value });
    else return slopePerHour(this.points, this.windowMs); // older than the newest minute
    // The window ends at this minute's start: it holds windowMs / 1 min + 1 points.
    const from = t - this.windowMs;
    let drop = 0;
    while (drop < this.points.length && this.points[drop]!.t < from) drop++;
    if (drop > 0) this.points.splice(0, drop);
    return slopePerHour(this.points, this.windowMs);
  }
}
