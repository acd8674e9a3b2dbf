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

interface Group {
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
   * region → last seen, at most MAX_PLACES.
   */
  seen: Map<string, number>;
  /** impossible_travel: region → src_ip of its last match ('' when it had none). */
  sources: Map<string, string>;
  /** temporal_ordered: ts of each completed step, undefined when not reached. */
  steps: (number | undefined)[];
}

/** impossible_travel: places remembered per group (a fleet has few regions). */
const MAX_PLACES = 32;
const srcGetter = fieldGetter('src_ip');

export class CorrelationWindows {
  private readonly groups = new Map<string, Group>();
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
    const values = this.keyGetters.map((g) => fieldText(g(e)));
    const key = values.join('\u0000');
    const ts = e.ts;
    let g = this.groups.get(key);
    if (g) {
      this.groups.delete(key); // re-inserted below: Map order is least recently touched first
      if (ts - g.lastTs > this.rule.timespanMs) this.reset(g, ts);
    } else {
      g = this.newGroup(values, ts);
      if (this.groups.size >= this.maxGroups) {
        const oldest = this.groups.keys().next().value;
        if (oldest !== undefined) this.groups.delete(oldest);
        this.evictions++;
      }
    }
    this.groups.set(key, g);
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

  /** Whether the group (its group-by values) is still live: not yet swept or evicted. */
  has(group: Readonly<Record<string, string>>): boolean {
    return this.groups.has(this.rule.groupBy.map((f) => group[f] ?? '').join('\u0000'));
  }

  /** Forget groups whose last event is older than `timespan` before `now` (event time). */
  sweep(now: number): number {
    let dropped = 0;
    for (const [key, g] of this.groups) {
      if (now - g.lastTs > this.rule.timespanMs) {
        this.groups.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  private countEvent(g: Group, ts: number): WindowFiring | null {
    const t = g.times;
    let i = t.length;
    while (i > 0 && t[i - 1]! > ts) i--; // usually already last: events arrive mostly in order
    t.splice(i, 0, ts);
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
    seen.delete(v);
    seen.set(v, Math.max(prev ?? ts, ts));
    const cutoff = g.lastTs - this.rule.timespanMs;
    for (const [value, at] of seen) {
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
    for (const [other, at] of g.seen) {
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
    g.seen.delete(place);
    g.seen.set(place, Math.max(ts, g.seen.get(place) ?? ts));
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

  private newGroup(values: string[], ts: number): Group {
    return {
      values,
      lastTs: ts,
      runStart: ts,
      runCount: 0,
      inEpisode: false,
      times: [],
      seen: new Map(),
      sources: new Map(),
      steps: [],
    };
  }

  private reset(g: Group, ts: number): void {
    g.runStart = ts;
    g.runCount = 0;
    g.inEpisode = false;
    g.times = [];
    g.seen.clear();
    g.sources.clear();
  }

  private groupOf(g: Group): Record<string, string> {
    const out: Record<string, string> = {};
    this.rule.groupBy.forEach((f, i) => (out[f] = g.values[i]!));
    return out;
  }
}
