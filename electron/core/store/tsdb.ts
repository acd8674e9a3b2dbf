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
  accepted: number;
  duplicates: number;
  outOfOrder: number;
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
  ) {}

  /**
   * Store a batch. A sample at the same time as the newest of its series is a duplicate
   * (a batch resent after a lost ack) and is stored once; an older one is out of order and
   * dropped; a sample that would open a series past the agent's cap is refused.
   */
  append(
    agentId: string,
    samples: readonly Sample[],
    onStored?: (series: Series, sample: Sample) => void,
    created?: Series[],
    onDuplicate?: (series: Series, sample: Sample) => void,
  ): AppendOutcome {
    const out: AppendOutcome = { accepted: 0, duplicates: 0, outOfOrder: 0, overLimit: 0 };
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
        // A sample we hold already (a batch resent after a lost ack) vs. one that arrives too late.
        if (sample.ts === series.lastTs || series.has(sample.ts)) {
          out.duplicates++;
          onDuplicate?.(series, sample);
        } else out.outOfOrder++;
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
