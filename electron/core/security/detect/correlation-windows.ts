// Sliding windows of one correlation rule, one per group-by key, in event time.
// Memory is bounded twice: a group keeps at most `threshold` timestamps (or distinct values),
// which is all that deciding "threshold within timespan" needs, and at most `maxGroups` groups
// live at once (the least recently touched is evicted and counted).
// An episode starts when the threshold is reached (one detection) and lasts while the group's
// contributing events keep coming less than `timespan` apart; the next detection for that
// group needs a quiet gap longer than `timespan` first.
import { fieldGetter, fieldText, type FieldGetter } from './event-fields.js';
import type { RegionDistance } from './region-distance.js';
import type { CompiledCorrelationRule, SecurityEvent } from './types.js';

/** What a firing window reports; the engine turns it into a Detection. */
export interface WindowFiring {
  count: number;
  firstTs: number;
  lastTs: number;
  group: Record<string, string>;
  distinctValues?: string[];
}

/** A place in the recency list (least recently touched first). */
interface Link {
  older: Link;
  newer: Link;
}

interface Group extends Link {
  /** Its key in `groups`. */
  key: string;
  values: string[];
  /** Event time of the group's last contributing event. */
  lastTs: number;
  /** First event of the current run (events less than timespan apart). */
  runStart: number;
  /** Events in the current run. */
  runCount: number;
  inEpisode: boolean;
  /** event_count: the latest timestamps, sorted, at most `threshold`. */
  times: number[];
  /**
   * value_count: value → last seen, oldest first, at most `threshold`; impossible_travel:
   * region → last seen, at most MAX_PLACES. The entry keeps its key string so that moving it
   * to the newest end re-inserts the string already held, not the event's copy.
   */
  seen: Map<string, Seen>;
  /** impossible_travel: region → src_ip of its last match ('' when it had none). */
  sources: Map<string, string>;
  /** temporal_ordered: ts of each completed step, undefined when not reached. */
  steps: (number | undefined)[];
}

interface Seen {
  key: string;
  at: number;
}

/**
 * A group's parts its rule's type does not use: shared, always empty (only the matching type's
 * code adds to them; reset only empties them).
 */
const UNUSED_TIMES: number[] = [];
const UNUSED_SEEN = new Map<string, Seen>();
const UNUSED_SOURCES = new Map<string, string>();
const UNUSED_STEPS: (number | undefined)[] = [];

/** impossible_travel: places remembered per group (a fleet has few regions). */
const MAX_PLACES = 32;
const srcGetter = fieldGetter('src_ip');

export class CorrelationWindows {
  private readonly groups = new Map<string, Group>();
  /**
   * The groups by when they were last touched, through links in the groups themselves: moving
   * a group to the newest end touches no Map (a delete and re-insert per event into a Map of
   * 50,000 groups churned its hash table and was this class's main cost).
   */
  private readonly recency: Link = newSentinel();
  private readonly keyGetters: FieldGetter[];
  private readonly valueGetter: FieldGetter | undefined;
  /** Groups dropped because `maxGroups` were live. */
  evictions = 0;

  constructor(
    readonly rule: CompiledCorrelationRule,
    private readonly maxGroups: number,
    /** impossible_travel: km between two regions (none known: never fires). */
    private readonly distanceKm: RegionDistance = () => undefined,
  ) {
    this.keyGetters = rule.groupBy.map(fieldGetter);
    this.valueGetter = rule.field !== undefined ? fieldGetter(rule.field) : undefined;
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * The event matched the rules at `steps` (indices into rule.rules; for event_count and
   * value_count any non-empty list). Returns a firing when this event starts an episode.
   */
  offer(e: SecurityEvent, steps: readonly number[]): WindowFiring | null {
    const key = this.keyOf(e);
    const ts = e.ts;
    let g = this.groups.get(key);
    if (g) {
      unlink(g); // linked again below, at the newest end
      if (ts - g.lastTs > this.rule.timespanMs) this.reset(g, ts);
    } else {
      g = this.newGroup(
        key,
        this.keyGetters.map((get) => fieldText(get(e))),
        ts,
      );
      if (this.groups.size >= this.maxGroups) {
        const oldest = this.recency.newer;
        if (oldest !== this.recency) this.drop(oldest as Group);
        this.evictions++;
      }
      this.groups.set(key, g);
    }
    linkNewest(this.recency, g);
    g.lastTs = Math.max(g.lastTs, ts);
    g.runCount++;
    switch (this.rule.type) {
      case 'event_count':
        return this.countEvent(g, ts);
      case 'value_count':
        return this.countValue(g, e, ts);
      case 'temporal_ordered':
        return this.stepSequence(g, steps, ts);
      case 'impossible_travel':
        return this.travel(g, e, ts);
    }
  }

  /** The group-by values joined by NUL; one value is its own key (no list, no join). */
  private keyOf(e: SecurityEvent): string {
    const getters = this.keyGetters;
    if (getters.length === 1) return fieldText(getters[0]!(e));
    let key = fieldText(getters[0]?.(e));
    for (let i = 1; i < getters.length; i++) key += `\u0000${fieldText(getters[i]!(e))}`;
    return key;
  }

  /** Whether the group (its group-by values) is still live: not yet swept or evicted. */
  has(group: Readonly<Record<string, string>>): boolean {
    return this.groups.has(this.rule.groupBy.map((f) => group[f] ?? '').join('\u0000'));
  }

  /** Forget groups whose last event is older than `timespan` before `now` (event time). */
  sweep(now: number): number {
    let dropped = 0;
    for (const g of this.groups.values()) {
      if (now - g.lastTs > this.rule.timespanMs) {
        this.drop(g);
        dropped++;
      }
    }
    return dropped;
  }

  private countEvent(g: Group, ts: number): WindowFiring | null {
    const t = g.times;
    let i = t.length;
    while (i > 0 && t[i - 1]! > ts) i--; // usually already last: events arrive mostly in order
    if (i === t.length) t.push(ts);
    else t.splice(i, 0, ts);
    const cutoff = t[t.length - 1]! - this.rule.timespanMs;
    while (t.length > 0 && t[0]! < cutoff) t.shift();
    if (t.length > this.rule.threshold) t.shift();
    if (g.inEpisode || t.length < this.rule.threshold) return null;
    g.inEpisode = true;
    return { count: t.length, firstTs: t[0]!, lastTs: t[t.length - 1]!, group: this.groupOf(g) };
  }

  private countValue(g: Group, e: SecurityEvent, ts: number): WindowFiring | null {
    const v = fieldText(this.valueGetter?.(e));
    if (v === '') return null;
    const seen = g.seen;
    const prev = seen.get(v);
    if (prev) {
      seen.delete(prev.key);
      prev.at = Math.max(prev.at, ts);
      seen.set(prev.key, prev);
    } else seen.set(v, { key: v, at: ts });
    const cutoff = g.lastTs - this.rule.timespanMs;
    for (const [value, { at }] of seen) {
      if (at >= cutoff) break;
      seen.delete(value);
    }
    if (seen.size > this.rule.threshold) seen.delete(seen.keys().next().value!);
    if (g.inEpisode || seen.size < this.rule.threshold) return null;
    g.inEpisode = true;
    return {
      count: g.runCount,
      firstTs: g.runStart,
      lastTs: g.lastTs,
      group: this.groupOf(g),
      distinctValues: [...seen.keys()],
    };
  }

  /**
   * A match from `place` at `ts`: fires when another place of this group, seen within the
   * timespan of `ts` (either side: events may arrive out of order), lies at least
   * `threshold` km away, and the two logins came from different sources (`src_ip`): one
   * administrator reaching hosts in several regions from one workstation is not travel.
   */
  private travel(g: Group, e: SecurityEvent, ts: number): WindowFiring | null {
    const place = fieldText(this.valueGetter?.(e));
    if (place === '') return null;
    const src = fieldText(srcGetter(e));
    const span = this.rule.timespanMs;
    let far: { place: string; at: number } | null = null;
    for (const [other, { at }] of g.seen) {
      if (Math.abs(ts - at) > span) {
        g.seen.delete(other);
        g.sources.delete(other);
        continue;
      }
      if (other === place || far) continue;
      const otherSrc = g.sources.get(other) ?? '';
      if (src !== '' && otherSrc === src) continue;
      const km = this.distanceKm(place, other);
      if (km !== undefined && km >= this.rule.threshold) far = { place: other, at };
    }
    const here = g.seen.get(place);
    if (here) {
      g.seen.delete(here.key);
      here.at = ts;
      g.seen.set(here.key, here);
    } else g.seen.set(place, { key: place, at: ts });
    g.sources.set(place, src);
    if (g.seen.size > MAX_PLACES) {
      const oldest = g.seen.keys().next().value!;
      g.seen.delete(oldest);
      g.sources.delete(oldest);
    }
    if (g.inEpisode || !far) return null;
    g.inEpisode = true;
    return {
      count: g.runCount,
      firstTs: Math.min(far.at, ts),
      lastTs: Math.max(far.at, ts),
      group: this.groupOf(g),
      distinctValues: far.at <= ts ? [far.place, place] : [place, far.place],
    };
  }

  private stepSequence(g: Group, steps: readonly number[], ts: number): WindowFiring | null {
    const last = this.rule.rules.length - 1;
    // Highest step first, so one event cannot complete two steps of the same sequence.
    for (const i of [...steps].sort((a, b) => b - a)) {
      if (i === 0) {
        g.steps = [ts];
        g.runStart = ts;
        g.runCount = 1;
        continue;
      }
      const before = g.steps[i - 1];
      const start = g.steps[0];
      if (before === undefined || start === undefined || ts < before) continue;
      if (ts - start > this.rule.timespanMs) continue;
      g.steps[i] = ts;
      if (i === last) {
        g.steps = [];
        return { count: g.runCount, firstTs: start, lastTs: ts, group: this.groupOf(g) };
      }
    }
    return null;
  }

  private drop(g: Group): void {
    unlink(g);
    this.groups.delete(g.key);
  }

  private newGroup(key: string, values: string[], ts: number): Group {
    return {
      older: this.recency,
      newer: this.recency,
      key,
      values,
      lastTs: ts,
      runStart: ts,
      runCount: 0,
      inEpisode: false,
      // Only what the rule's type uses: groups come and go by the tens of thousands, and two
      // Maps and two lists apiece made them most of what the console kept per event.
      times: this.rule.type === 'event_count' ? [] : UNUSED_TIMES,
      seen:
        this.rule.type === 'value_count' || this.rule.type === 'impossible_travel'
          ? new Map()
          : UNUSED_SEEN,
      sources: this.rule.type === 'impossible_travel' ? new Map() : UNUSED_SOURCES,
      steps: this.rule.type === 'temporal_ordered' ? [] : UNUSED_STEPS,
    };
  }

  private reset(g: Group, ts: number): void {
    g.runStart = ts;
    g.runCount = 0;
    g.inEpisode = false;
    g.times.length = 0;
    g.seen.clear();
    g.sources.clear();
  }

  private groupOf(g: Group): Record<string, string> {
    const out: Record<string, string> = {};
    this.rule.groupBy.forEach((f, i) => (out[f] = g.values[i]!));
    return out;
  }
}

function newSentinel(): Link {
  const s = {} as Link;
  s.older = s;
  s.newer = s;
  return s;
}

function unlink(l: Link): void {
  l.older.newer = l.newer;
  l.newer.older = l.older;
}

function linkNewest(list: Link, l: Link): void {
  l.older = list.older;
  l.newer = list;
  list.older.newer = l;
  list.older = l;
}
