// Finding events in the index: newest first (by the order the console stored them), narrowed
// by the smallest posting list among the equality filters, every other filter checked on the
// columns. Only the rows found are read back from disk (event-reader.ts).
import type { StoredEvent } from '../../../shared/model.js';
import type { Severity } from '../../../shared/model.js';
import type { U32Column } from './columns.js';
import {
  CATEGORY_CODES,
  FAILED_ATTEMPT,
  INDEXED_FIELDS,
  SEVERITY_CODES,
  type Dictionaries,
  type IndexedField,
  type SegmentIndex,
} from './segment-index.js';

/** A position in the log: row `row` of segment `seq`. */
export interface LogPosition {
  seq: number;
  row: number;
}

export interface EventMatch {
  /** Event time range, inclusive, epoch ms. */
  from?: number;
  to?: number;
  equals?: Partial<Record<IndexedField, string>>;
  severity?: Severity;
  category?: StoredEvent['category'];
  /** Only rows strictly older than this (a page's cursor). */
  before?: LogPosition;
}

export interface RowRef {
  seg: SegmentIndex;
  row: number;
}

export const encodeCursor = (p: LogPosition) => `${p.seq}.${p.row}`;
export function decodeCursor(cursor: string): LogPosition | null {
  const m = /^([0-9]{1,10})\.([0-9]{1,10})$/.exec(cursor);
  return m ? { seq: Number(m[1]), row: Number(m[2]) } : null;
}

/** Largest index in `list` (ascending rows) whose row is ≤ `max`, or -1. */
function lastAtMost(list: U32Column, max: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list.get(mid) <= max) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Rows matching `m`, newest first, across `segments` (oldest first, as the store holds them). */
export function* matchingRows(
  segments: readonly SegmentIndex[],
  dicts: Dictionaries,
  m: EventMatch,
): Generator<RowRef> {
  const wanted: [IndexedField, number][] = [];
  for (const f of INDEXED_FIELDS) {
    const v = m.equals?.[f];
    if (v === undefined) continue;
    const id = dicts[f].lookup(v);
    if (id < 0) return; // a value never stored matches nothing
    wanted.push([f, id]);
  }
  const from = m.from ?? -Infinity;
  const to = m.to ?? Infinity;
  const severity = m.severity === undefined ? -1 : SEVERITY_CODES[m.severity];
  const category = m.category === undefined ? -1 : CATEGORY_CODES[m.category];
  for (let s = segments.length - 1; s >= 0; s--) {
    const seg = segments[s]!;
    if (m.before && seg.seq > m.before.seq) continue;
    if (seg.rows === 0 || seg.maxTs < from || seg.minTs > to) continue;
    const start = m.before && seg.seq === m.before.seq ? m.before.row - 1 : seg.rows - 1;
    // Drive by the shortest posting list; a value absent from this segment skips it whole.
    let driver: U32Column | null = null;
    let absent = false;
    for (const [f, id] of wanted) {
      const list = seg.postings[f].get(id);
      if (!list) {
        absent = true;
        break;
      }
      if (!driver || list.length < driver.length) driver = list;
    }
    if (absent) continue;
    const matches = (row: number) => {
      const ts = seg.ts.get(row);
      if (ts < from || ts > to) return false;
      for (const [f, id] of wanted) if (seg.columns[f].get(row) !== id) return false;
      if (severity >= 0 && seg.severity(row) !== severity) return false;
      if (category >= 0 && seg.category(row) !== category) return false;
      return true;
    };
    if (driver) {
      for (let i = lastAtMost(driver, start); i >= 0; i--) {
        const row = driver.get(i);
        if (matches(row)) yield { seg, row };
      }
    } else {
      for (let row = start; row >= 0; row--) if (matches(row)) yield { seg, row };
    }
  }
}

export interface TopSource {
  sourceIp: string;
  failures: number;
  hosts: number;
  users: number;
  lastTs: number;
}

/**
 * Source IPs by failed authentication attempts with event time in [from, to]: counted in an
 * array by dictionary id (no map per row), then hosts and users gathered for the top ones only.
 */
export function topFailedSources(
  segments: readonly SegmentIndex[],
  dicts: Dictionaries,
  from: number,
  to: number,
  limit: number,
): TopSource[] {
  const inRange = segments.filter((s) => s.rows > 0 && s.maxTs >= from && s.minTs <= to);
  const failures = new Uint32Array(dicts.sourceIp.size + 1);
  const lastTs = new Float64Array(dicts.sourceIp.size + 1);
  for (const seg of inRange) {
    // The columns' arrays themselves: this looks at every row of a day or more of events.
    const bits = seg.bits.values;
    const ips = seg.columns.sourceIp.values;
    const times = seg.ts.values;
    for (let row = 0, rows = seg.rows; row < rows; row++) {
      if ((bits[row]! & FAILED_ATTEMPT) === 0) continue;
      const ip = ips[row]!;
      const ts = times[row]!;
      if (ip === 0 || ts < from || ts > to) continue;
      failures[ip]!++;
      if (ts > lastTs[ip]!) lastTs[ip] = ts;
    }
  }
  const top: number[] = [];
  for (let ip = 1; ip < failures.length; ip++) if (failures[ip]! > 0) top.push(ip);
  top.sort((a, b) => failures[b]! - failures[a]! || lastTs[b]! - lastTs[a]!);
  top.length = Math.min(top.length, limit);
  const slot = new Map(top.map((ip, i) => [ip, i]));
  const hosts = top.map(() => new Set<number>());
  const users = top.map(() => new Set<number>());
  for (const seg of inRange) {
    for (const [ip, i] of slot) {
      const list = seg.postings.sourceIp.get(ip);
      if (!list) continue;
      for (let k = 0; k < list.length; k++) {
        const row = list.get(k);
        const ts = seg.ts.get(row);
        if (!seg.failedAttempt(row) || ts < from || ts > to) continue;
        hosts[i]!.add(seg.columns.agent.get(row));
        const user = seg.columns.user.get(row);
        if (user !== 0) users[i]!.add(user);
      }
    }
  }
  return top.map((ip, i) => ({
    sourceIp: dicts.sourceIp.value(ip),
    failures: failures[ip]!,
    hosts: hosts[i]!.size,
    users: users[i]!.size,
    lastTs: lastTs[ip]!,
  }));
}
