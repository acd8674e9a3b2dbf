// A local wall-clock time in a named time zone → epoch ms, with Intl (Node ships the zone
// data). Classic syslog lines carry neither year nor offset; the agent's own zone fills them.
// (The core has its own copy in electron/core/incidents/zoned-time.ts: the agent may not import it.)

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function zonedParts(epochMs: number, timeZone: string): LocalTime {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(epochMs)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

const asUtc = (t: LocalTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/** The zone's offset from UTC at that instant, ms (east positive). */
function offsetAt(epochMs: number, timeZone: string): number {
  return asUtc(zonedParts(epochMs, timeZone)) - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant a local time in the zone stands for. Around a daylight-saving change the
 * second round settles the offset; an ambiguous autumn hour gets one of its two readings.
 */
export function zonedToEpoch(local: LocalTime, timeZone: string): number {
  const utc = asUtc(local);
  const first = utc - offsetAt(utc, timeZone);
  return utc - offsetAt(first, timeZone);
}
