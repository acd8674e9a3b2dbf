// When a maintenance window is on: a one-off span, or a weekly start (days + local time +
// duration) in a named time zone. Pure functions of the schedule and an instant.
import { WEEKDAYS, type MaintenanceSchedule } from '../../../shared/silences.js';
import { addDays, zonedParts, zonedToEpoch } from '../../../shared/zoned-time.js';

export interface Occurrence {
  start: number;
  end: number;
}

/** Weekly occurrences whose start falls on a local day from `fromDay` to `toDay` days from now. */
function weeklyOccurrences(
  s: Extract<MaintenanceSchedule, { kind: 'weekly' }>,
  now: number,
  fromDay: number,
  toDay: number,
): Occurrence[] {
  const [hour, minute] = s.time.split(':').map(Number) as [number, number];
  const today = zonedParts(now, s.timeZone);
  const days = new Set(s.days.map((d) => WEEKDAYS.indexOf(d)));
  const out: Occurrence[] = [];
  for (let i = fromDay; i <= toDay; i++) {
    const date = addDays(today, i);
    if (!days.has(date.weekday)) continue;
    const start = zonedToEpoch({ ...date, hour, minute }, s.timeZone);
    out.push({ start, end: start + s.durationMinutes * 60_000 });
  }
  return out;
}

/**
 * The occurrence in force at `now`, else the next one to start; null when there is none (a
 * one-off window that has ended).
 */
export function currentOrNext(s: MaintenanceSchedule, now: number): Occurrence | null {
  if (s.kind === 'once') return now < s.endsAt ? { start: s.startsAt, end: s.endsAt } : null;
  // A window may last up to 7 days, so one that started up to 7 local days ago may be on.
  const list = weeklyOccurrences(s, now, -8, 8);
  // Overlapping occurrences (a duration longer than the gap) join into one span.
  let current: Occurrence | null = null;
  for (const o of list) {
    if (o.end <= now) continue;
    if (current === null) {
      current = { ...o };
      continue;
    }
    if (o.start <= current.end) current.end = Math.max(current.end, o.end);
    else break;
  }
  return current;
}

export function isActive(s: MaintenanceSchedule, now: number): boolean {
  const o = currentOrNext(s, now);
  return o !== null && o.start <= now && now < o.end;
}

/** The next instant after `now` at which the window turns on or off, or null. */
export function nextBoundary(s: MaintenanceSchedule, now: number): number | null {
  const o = currentOrNext(s, now);
  if (!o) return null;
  return o.start > now ? o.start : o.end;
}
