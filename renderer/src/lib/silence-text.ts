// Silences and maintenance windows in words, and the matcher editor's parsing. Pure.
import type {
  MaintenanceView,
  Matcher,
  MatchOp,
  SilenceView,
  Weekday,
} from '../../../shared/silences.js';
import { WEEKDAYS } from '../../../shared/silences.js';

const OPS: readonly MatchOp[] = ['=~', '!~', '!=', '='];
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export type ParsedMatchers = { ok: true; matchers: Matcher[] } | { ok: false; error: string };

/**
 * Matchers as typed, Alertmanager style: `region=eu-west-1, rule=~cpu.*` (commas or new lines
 * between them). The first error names the matcher it is about.
 */
export function parseMatchers(text: string): ParsedMatchers {
  const parts = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0)
    return { ok: false, error: 'Add at least one matcher, e.g. region=eu-west-1' };
  const matchers: Matcher[] = [];
  for (const part of parts) {
    const op = OPS.map((o) => ({ o, i: part.indexOf(o) }))
      .filter((x) => x.i > 0)
      .sort((a, b) => a.i - b.i || b.o.length - a.o.length)[0];
    if (!op) return { ok: false, error: `"${part}": say name=value (or !=, =~, !~)` };
    const name = part.slice(0, op.i).trim();
    const value = part
      .slice(op.i + op.o.length)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (!NAME.test(name)) return { ok: false, error: `"${part}": "${name}" is not a label name` };
    if (op.o === '=~' || op.o === '!~') {
      try {
        new RegExp(`^(?:${value})$`);
      } catch {
        return { ok: false, error: `"${part}": not a valid regular expression` };
      }
    }
    matchers.push({ name, op: op.o, value });
  }
  return { ok: true, matchers };
}

export function matcherText(m: Matcher): string {
  return `${m.name}${m.op}${/[\s,"]/.test(m.value) || m.value === '' ? JSON.stringify(m.value) : m.value}`;
}

export function matchersText(ms: readonly Matcher[]): string {
  return ms.map(matcherText).join(', ');
}

export type SilenceGroup = 'active' | 'upcoming' | 'expired';

/** Active (ending soonest first), upcoming (starting soonest first), expired (latest first). */
export function groupSilences(list: readonly SilenceView[]): Record<SilenceGroup, SilenceView[]> {
  const out: Record<SilenceGroup, SilenceView[]> = { active: [], upcoming: [], expired: [] };
  for (const s of list) {
    out[s.state === 'pending' ? 'upcoming' : s.state].push(s);
  }
  out.active.sort((a, b) => a.endsAt - b.endsAt || a.id.localeCompare(b.id));
  out.upcoming.sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id));
  out.expired.sort((a, b) => b.endsAt - a.endsAt || a.id.localeCompare(b.id));
  return out;
}

/** A silence's remaining time: "ends in 42 min", "starts in 2 h 5 min", "ended 3 h ago". */
export function silenceWhen(s: SilenceView, now: number): string {
  if (s.state === 'pending') return `starts in ${span(s.startsAt - now)}`;
  if (s.state === 'active') return `ends in ${span(s.endsAt - now)}`;
  return `ended ${span(now - s.endsAt)} ago`;
}

/** An active silence this close to its end gets a reminder. */
export const EXPIRY_REMINDER_MS = 15 * 60_000;

export function endsSoon(s: SilenceView, now: number): boolean {
  return s.state === 'active' && s.endsAt - now <= EXPIRY_REMINDER_MS;
}

/** "3 d 4 h", "2 h 5 min", "42 min", "30 s". */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const DAY_NAMES: Record<Weekday, string> = {
  sun: 'Sun',
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
};

/** "every Mon, Thu at 02:00 Europe/Berlin for 2 h" or "once, 2 h". */
export function scheduleText(w: MaintenanceView): string {
  const s = w.schedule;
  if (s.kind === 'once') return `once, for ${span(s.endsAt - s.startsAt)}`;
  const days = [...s.days].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b));
  const which =
    days.length === 7 ? 'every day' : `every ${days.map((d) => DAY_NAMES[d]).join(', ')}`;
  return `${which} at ${s.time} ${s.timeZone} for ${span(s.durationMinutes * 60_000)}`;
}

export function scopeText(w: Pick<MaintenanceView, 'regions' | 'agents'>): string {
  const parts = [];
  if (w.regions.length) parts.push(`regions ${w.regions.join(', ')}`);
  if (w.agents.length)
    parts.push(`${w.agents.length === 1 ? 'agent' : 'agents'} ${w.agents.join(', ')}`);
  return parts.join(' · ') || 'nothing';
}

export interface CalendarDay {
  /** Local date key `YYYY-MM-DD`. */
  day: string;
  entries: { window: MaintenanceView; start: number; end: number }[];
}

function localDay(ts: number): string {
  const d = new Date(ts);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * The calendar-like list: windows on now or to come, by the local day of their next start,
 * soonest first. Windows with no occurrence left are left out (they show as past).
 */
export function calendar(windows: readonly MaintenanceView[]): CalendarDay[] {
  const withNext = windows
    .filter((w) => w.nextStart !== null && w.nextEnd !== null)
    .map((w) => ({ window: w, start: w.nextStart!, end: w.nextEnd! }))
    .sort((a, b) => a.start - b.start || a.window.id.localeCompare(b.window.id));
  const days: CalendarDay[] = [];
  for (const e of withNext) {
    const day = localDay(e.start);
    const last = days[days.length - 1];
    if (last && last.day === day) last.entries.push(e);
    else days.push({ day, entries: [e] });
  }
  return days;
}
