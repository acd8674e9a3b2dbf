// Log line formats → (time, program, pid, message), then → an auth AgentEvent:
// classic syslog (`Nov 30 08:12:01 host sshd[1234]: …`, no year, local time), rsyslog's
// RFC 3339 file format (`2026-11-30T08:12:01.123456+00:00 host sshd[1234]: …`), RFC 5424
// (`<38>1 2026-11-30T08:12:01Z host sshd 1234 - - …`) and `journalctl -o json` records.

import type { AgentEvent } from '../../shared/protocol.js';
import { toAgentEvent } from './auth-event.js';
import { parseAuthMessage } from './auth-patterns.js';
import { zonedParts, zonedToEpoch } from '../../shared/zoned-time.js';

export interface LogLine {
  ts: number;
  host?: string;
  /** Program name: syslog ident / SYSLOG_IDENTIFIER. */
  ident: string;
  pid?: number;
  message: string;
}

/** How to date a classic syslog line: the agent's zone, and its clock's now to pick the year. */
export interface SyslogDating {
  timeZone: string;
  /** Epoch ms, from the injected clock. */
  now: number;
  /** The year, when known; otherwise the year of `now`, or the one before for a line "from the future" (December read in January). */
  year?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

const CLASSIC =
  /^(?<mon>[A-Z][a-z]{2}) {1,2}(?<day>\d{1,2}) (?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2}) (?<host>\S+) (?<ident>[^\s[:]+)(?:\[(?<pid>\d+)\])?: ?(?<msg>.*)$/;
const RFC3339_FILE =
  /^(?<ts>\d{4}-\d{2}-\d{2}T\S+) (?<host>\S+) (?<ident>[^\s[:]+)(?:\[(?<pid>\d+)\])?: ?(?<msg>.*)$/;
const RFC5424 =
  /^<\d{1,3}>1 (?<ts>\S+) (?<host>\S+) (?<ident>\S+) (?<pid>\S+) \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: \uFEFF?(?<msg>.*))?$/;
const ISO =
  /^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})T(?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(?:\.(?<frac>\d{1,9}))?(?<z>Z|[+-]\d{2}:?\d{2})$/;

/** An RFC 3339 timestamp (any number of fraction digits) → epoch ms, or null. */
export function parseIsoTimestamp(text: string): number | null {
  const g = ISO.exec(text)?.groups;
  if (!g) return null;
  const ms = g.frac ? Math.floor(Number(g.frac.padEnd(3, '0').slice(0, 3))) : 0;
  const utc = Date.UTC(+g.y!, +g.mo! - 1, +g.d!, +g.h!, +g.mi!, +g.s!, ms);
  if (Number.isNaN(utc)) return null;
  if (g.z === 'Z') return utc;
  const sign = g.z!.startsWith('-') ? -1 : 1;
  const digits = g.z!.slice(1).replace(':', '');
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  return utc - sign * offset;
}

const pidOf = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : undefined);

function line(
  ts: number,
  g: Record<string, string | undefined>,
  ident: string = g.ident!,
): LogLine {
  const pid = pidOf(g.pid);
  return {
    ts,
    host: g.host!,
    ident,
    ...(pid !== undefined ? { pid } : {}),
    message: g.msg ?? '',
  };
}

/** One line of /var/log/auth.log or /var/log/secure, in any of the three text formats, or null. */
export function parseSyslogLine(text: string, dating: SyslogDating): LogLine | null {
  let g = CLASSIC.exec(text)?.groups;
  if (g) {
    const month = MONTHS.indexOf(g.mon!) + 1;
    if (month === 0) return null;
    const local = {
      month,
      day: +g.day!,
      hour: +g.h!,
      minute: +g.mi!,
      second: +g.s!,
    };
    const year = dating.year ?? zonedParts(dating.now, dating.timeZone).year;
    let ts = zonedToEpoch({ year, ...local }, dating.timeZone);
    if (dating.year === undefined && ts > dating.now + DAY_MS)
      ts = zonedToEpoch({ year: year - 1, ...local }, dating.timeZone);
    return line(ts, g);
  }
  g = RFC5424.exec(text)?.groups;
  if (g) {
    const ts = parseIsoTimestamp(g.ts!);
    return ts === null ? null : line(ts, g);
  }
  g = RFC3339_FILE.exec(text)?.groups;
  if (g) {
    const ts = parseIsoTimestamp(g.ts!);
    return ts === null ? null : line(ts, g);
  }
  return null;
}

/**
 * A journald field as `journalctl -o json` writes it: a string; an array of byte values when
 * it is not valid UTF-8 (or has control characters); an array of those when the field repeats
 * (the first is taken); null when it was too large to show.
 */
function journalField(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
      return Buffer.from(v as number[]).toString('utf8');
    return v.length > 0 ? journalField(v[0]) : undefined;
  }
  return undefined;
}

/** One `journalctl -o json` record (already parsed JSON), or null when it lacks what a line needs. */
export function parseJournalRecord(rec: unknown): LogLine | null {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return null;
  const r = rec as Record<string, unknown>;
  const micros = journalField(r.__REALTIME_TIMESTAMP);
  const ident = journalField(r.SYSLOG_IDENTIFIER) ?? journalField(r._COMM);
  const message = journalField(r.MESSAGE);
  if (!micros || !/^\d+$/.test(micros) || !ident || message === undefined) return null;
  const pid = pidOf(journalField(r._PID) ?? journalField(r.SYSLOG_PID));
  const host = journalField(r._HOSTNAME);
  return {
    ts: Math.floor(Number(micros) / 1000),
    ident,
    message,
    ...(host ? { host } : {}),
    ...(pid !== undefined ? { pid } : {}),
  };
}

/** One line of `journalctl -o json` output, or null (not JSON, not a record). */
export function parseJournalJson(text: string): LogLine | null {
  try {
    return parseJournalRecord(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The auth event a log line stands for, or null when it is not one. */
export function authEventFromLine(l: LogLine): AgentEvent | null {
  const m = parseAuthMessage(l.ident, l.message);
  return m ? toAgentEvent(m, l) : null;
}
