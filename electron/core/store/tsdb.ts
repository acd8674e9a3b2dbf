import type { Sample } from '../../../shared/protocol.js';
import { seriesKey } from './series-key.js';
import { Chunk, CHUNK_SAMPLES } from './chunk.js';
import { RollupTier } from './rollup.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export interface Retention {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

export const DEFAULT_RETENTION: Retention = {
  rawMs: 6 * HOUR_MS,
  minuteMs: 30 * 24 * HOUR_MS,
  hourMs: 365 * 24 * HOUR_MS,
};

/** One series: agent + metric name + labels. */
export class Series {
  readonly raw: Chunk[] = [];
  readonly minute = new RollupTier(MINUTE_MS);
  readonly hour = new RollupTier(HOUR_MS);
  lastTs = -Infinity;
  lastValue = NaN;

  constructor(
    /** Numeric id, stable across restarts (the WAL refers to series by it). */
    readonly id: number,
    readonly key: string,
    readonly agentId: string,
    readonly name: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  append(ts: number, value: number): void {
    let chunk = this.raw[this.raw.length - 1];
    if (!chunk || !chunk.tryAppend(ts, value)) {
      // Later chunks of a steady series start at full size; the first starts small.
      chunk = new Chunk(ts, this.raw.length === 0 ? undefined : CHUNK_SAMPLES);
      chunk.tryAppend(ts, value);
      this.raw.push(chunk);
    }
    this.minute.add(ts, value);
    this.hour.add(ts, value);
    this.lastTs = ts;
    this.lastValue = value;
  }

  /**
   * Put a sample older than the newest into its place: the out-of-order path (a resend after
   * newer batches, within the window) and WAL replay (which applies what live ingest logged,
   * in whatever order it was logged). False when a sample at `ts` is held already.
   */
  insert(ts: number, value: number): boolean {
    if (ts > this.lastTs) {
      this.append(ts, value);
      return true;
    }
    if (ts === this.lastTs || this.has(ts)) return false;
    let ci = this.raw.length - 1;
    while (ci > 0 && this.raw[ci]!.firstTs > ts) ci--;
    const chunk = this.raw[ci];
    if (!chunk?.insert(ts, value)) {
      const own = new Chunk(ts);
      own.tryAppend(ts, value);
      this.raw.splice(chunk && chunk.firstTs < ts ? ci + 1 : Math.max(ci, 0), 0, own);
    }
    const next = this.nextRawTs(ts);
    this.minute.insert(ts, value, next >= ts - (ts % MINUTE_MS) + MINUTE_MS);
    this.hour.insert(ts, value, next >= ts - (ts % HOUR_MS) + HOUR_MS);
    return true;
  }

  /** The time of the first raw sample after `ts`, or Infinity. */
  private nextRawTs(ts: number): number {
    for (const chunk of this.raw) {
      if (chunk.length === 0 || chunk.lastTs <= ts) continue;
      const i = chunk.lowerBound(ts + 1);
      if (i < chunk.length) return chunk.tsAt(i);
    }
    return Infinity;
  }

  /** Visit raw samples with ts in [from, to). */
  forEachRaw(from: number, to: number, fn: (ts: number, value: number) => void): void {
    for (const chunk of this.raw) {
      if (chunk.length === 0 || chunk.lastTs < from) continue;
      if (chunk.firstTs >= to) break;
      for (let i = chunk.lowerBound(from); i < chunk.length; i++) {
        const ts = chunk.tsAt(i);
        if (ts >= to) return;
        fn(ts, chunk.values[i]!);
      }
    }
  }

  /** True when a raw sample at exactly `ts` is held. */
  has(ts: number): boolean {
    for (let c = this.raw.length - 1; c >= 0; c--) {
      const chunk = this.raw[c]!;
      if (chunk.length === 0 || chunk.firstTs > ts) continue;
      const i = chunk.lowerBound(ts);
      return i < chunk.length && chunk.tsAt(i) === ts;
    }
    return false;
  }

  get firstRawTs(): number {
    return this.raw[0]?.firstTs ?? Infinity;
  }

  rawCount(): number {
    let n = 0;
    for (const c of this.raw) n += c.length;
    return n;
  }

  byteSize(): number {
    let bytes = this.minute.byteSize() + this.hour.byteSize();
    for (const c of this.raw) bytes += c.byteSize();
    return bytes;
  }
}

export type AppendOutcome = {
  /** Newer than their series' newest: stored (and judged by the rules). */
  accepted: number;
  /** Older than their series' newest, within the out-of-order window: stored in place. */
  late: number;
  /** Held already (a resend): stored once. */
  duplicates: number;
  /** Older than the out-of-order window allows: refused. */
  tooOld: number;
  overLimit: number;
};

/**
 * The time-series store's in-memory head: every series with its raw chunks and rollups,
 * indexed by key, by agent (for the per-agent series cap) and by metric name (for queries).
 */
export class TimeSeriesStore {
  private readonly byKey = new Map<string, Series>();
  private readonly byAgent = new Map<string, Map<string, Series>>();
  private readonly byMetric = new Map<string, Set<Series>>();
  private readonly byId: Series[] = [];
  private nextId = 0;

  constructor(
    private readonly maxSeriesPerAgent: number,
    readonly retention: Retention = DEFAULT_RETENTION,
    /** How far behind its series' newest sample a sample may arrive and still be stored. */
    readonly outOfOrderWindowMs = 0,
  ) {}

  /**
   * Store a batch. A sample newer than its series' newest is appended (`onStored`). An older
   * one already held is a duplicate (a resend); one not held is stored in place when it is
   * within the out-of-order window (`onLate`), refused when older still. A sample that would
   * open a series past the agent's cap is refused. Duplicates and late samples are reported
   * so the WAL can log them: an ack must never rest on a write that may have failed.
   */
  append(
    agentId: string,
    samples: readonly Sample[],
    onStored?: (series: Series, sample: Sample) => void,
    created?: Series[],
    onDuplicate?: (series: Series, sample: Sample) => void,
    onLate?: (series: Series, sample: Sample) => void,
  ): AppendOutcome {
    const out: AppendOutcome = { accepted: 0, late: 0, duplicates: 0, tooOld: 0, overLimit: 0 };
    let agentSeries = this.byAgent.get(agentId);
    for (const sample of samples) {
      const local = seriesKey(sample.name, sample.labels);
      let series = agentSeries?.get(local);
      if (!series) {
        if (!agentSeries) this.byAgent.set(agentId, (agentSeries = new Map()));
        if (agentSeries.size >= this.maxSeriesPerAgent) {
          out.overLimit++;
          continue;
        }
        series = this.create(agentId, local, sample);
        created?.push(series);
      }
      if (sample.ts <= series.lastTs) {
        // A sample we hold already (a batch resent after a lost ack), one that arrived after a
        // newer one (a resend after a pause, within the window), or one too late to take.
        if (sample.ts === series.lastTs || series.has(sample.ts)) {
          out.duplicates++;
          onDuplicate?.(series, sample);
        } else if (sample.ts >= series.lastTs - this.outOfOrderWindowMs) {
          series.insert(sample.ts, sample.value);
          out.late++;
          onLate?.(series, sample);
        } else out.tooOld++;
        continue;
      }
      series.append(sample.ts, sample.value);
      out.accepted++;
      onStored?.(series, sample);
    }
    return out;
  }

  seriesById(id: number): Series | undefined {
    return this.byId[id];
  }

  seriesOf(metric: string): Iterable<Series> {
    return this.byMetric.get(metric) ?? [];
  }

  metricNames(): string[] {
    return [...this.byMetric.keys()].sort();
  }

  seriesForAgent(agentId: string): Iterable<Series> {
    return this.byAgent.get(agentId)?.values() ?? [];
  }

  seriesCount(agentId?: string): number {
    return agentId === undefined ? this.byKey.size : (this.byAgent.get(agentId)?.size ?? 0);
  }

  all(): Iterable<Series> {
    return this.byKey.values();
  }

  /** Drop whole chunks and rollup blocks past their tier's retention. */
  applyRetention(now: number): void {
    for (const s of this.byKey.values()) {
      while (s.raw.length > 1 && s.raw[0]!.lastTs < now - this.retention.rawMs) s.raw.shift();
      if (s.raw.length === 1 && s.raw[0]!.lastTs < now - this.retention.rawMs) s.raw.length = 0;
      s.minute.dropBefore(now - this.retention.minuteMs);
      s.hour.dropBefore(now - this.retention.hourMs);
    }
  }

  stats(): { series: number; samples: number; bytes: number } {
    let samples = 0;
    let bytes = 0;
    for (const s of this.byKey.values()) {
      samples += s.rawCount();
      bytes += s.byteSize();
    }
    return { series: this.byKey.size, samples, bytes };
  }

  /** Put back a series from a checkpoint. */
  restore(series: Series): void {
    this.byId[series.id] = series;
    if (series.id >= this.nextId) this.nextId = series.id + 1;
    this.byKey.set(`${series.agentId}/${series.key}`, series);
    let agentSeries = this.byAgent.get(series.agentId);
    if (!agentSeries) this.byAgent.set(series.agentId, (agentSeries = new Map()));
    agentSeries.set(series.key, series);
    this.index(series);
  }

  private create(agentId: string, local: string, sample: Sample): Series {
    const series = new Series(
      this.nextId++,
      local,
      agentId,
      sample.name,
      sample.labels ? { ...sample.labels } : {},
    );
    this.restore(series);
    return series;
  }

  private index(series: Series): void {
    let set = this.byMetric.get(series.name);
    if (!set) this.byMetric.set(series.name, (set = new Set()));
    set.add(series);
  }
}
