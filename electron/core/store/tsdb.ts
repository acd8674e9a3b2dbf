import type { Sample } from '../../../shared/protocol.js';
import { Interner } from './interner.js';
import { seriesKey } from './series-key.js';
import { HeadTables, HOUR_MS, MINUTE_MS, NO_LABELS, Series } from './series.js';

export { HOUR_MS, MINUTE_MS, Series };

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
 * Every series the store knows, indexed by id, by agent (for the per-agent series cap) and
 * by metric name (for queries), with the rules for taking a batch into their heads. Each
 * series is held once: by id, in its agent's map under its key (name plus labels, the only
 * string a series has of its own) and in its metric's list; names, agent ids and labels are
 * interned.
 */
export class TimeSeriesStore {
  private readonly byAgent = new Map<string, Map<string, Series>>();
  private readonly byMetric = new Map<string, Series[]>();
  private readonly byId: (Series | undefined)[] = [];
  private count = 0;
  private nextId = 0;
  /** The heads' state of every series (typed-array tables, see series.ts). */
  readonly heads = new HeadTables();
  readonly strings = new Interner();
  /**
   * Whether a sample at `ts` is held outside the head (flushed to a block): a resend of a
   * batch flushed since is then a duplicate, not a late sample. Set by the metric store.
   */
  heldOutsideHead: ((series: Series, ts: number) => boolean) | null = null;

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
    // Consecutive samples with the same name and the same labels object (a remote-write
    // series' samples share one) are one series: its key is built and looked up once.
    let prevName: string | null = null;
    let prevLabels: Readonly<Record<string, string>> | undefined;
    let series: Series | undefined;
    for (const sample of samples) {
      if (!series || sample.name !== prevName || sample.labels !== prevLabels) {
        prevName = sample.name;
        prevLabels = sample.labels;
        const local = seriesKey(sample.name, sample.labels);
        series = agentSeries?.get(local);
        if (!series) {
          if ((agentSeries?.size ?? 0) >= this.maxSeriesPerAgent) {
            out.overLimit++;
            continue;
          }
          series = this.define(
            this.nextId,
            agentId,
            sample.name,
            sample.labels ?? NO_LABELS,
            local,
          );
          agentSeries ??= this.byAgent.get(agentId);
          created?.push(series);
        }
      }
      if (sample.ts <= series.lastTs) {
        // A sample we hold already (a batch resent after a lost ack), one that arrived after a
        // newer one (a resend after a pause, within the window), or one too late to take.
        if (
          sample.ts === series.lastTs ||
          series.has(sample.ts) ||
          this.heldOutsideHead?.(series, sample.ts)
        ) {
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

  seriesOf(metric: string): readonly Series[] {
    return this.byMetric.get(metric) ?? [];
  }

  metricNames(): string[] {
    return [...this.byMetric.keys()].sort();
  }

  seriesForAgent(agentId: string): Iterable<Series> {
    return this.byAgent.get(agentId)?.values() ?? [];
  }

  seriesCount(agentId?: string): number {
    return agentId === undefined ? this.count : (this.byAgent.get(agentId)?.size ?? 0);
  }

  /** Every series, by id. */
  *all(): IterableIterator<Series> {
    for (const s of this.byId) if (s) yield s;
  }

  /** What the heads hold: active series (with samples in memory), rows and bytes. */
  headStats(): { series: number; active: number; rows: number; bytes: number } {
    let active = 0;
    let rows = 0;
    let bytes = 0;
    for (const s of this.all()) {
      const r = s.headRows();
      if (r === 0) continue;
      active++;
      rows += r;
      bytes += s.headBytes();
    }
    return { series: this.count, active, rows, bytes };
  }

  /**
   * A series with this id (from the catalogue, the WAL or a new sample), its strings and
   * labels interned; the one held already when the id is known.
   */
  define(
    id: number,
    agentId: string,
    name: string,
    labels: Readonly<Record<string, string>>,
    key = seriesKey(name, labels),
  ): Series {
    const held = this.byId[id];
    if (held) return held;
    const interned = Object.keys(labels).length ? this.strings.labels(labels) : NO_LABELS;
    // Without labels the key is the name: the interned one.
    const n = this.strings.string(name);
    const series = new Series(
      id,
      interned === NO_LABELS ? n : key,
      this.strings.string(agentId),
      n,
      interned,
    );
    this.restore(series);
    return series;
  }

  /** Put back a known series (from the catalogue or the WAL). */
  restore(series: Series): void {
    const held = this.byId[series.id];
    if (held === series) return;
    series.attach(this.heads);
    this.byId[series.id] = series;
    if (series.id >= this.nextId) this.nextId = series.id + 1;
    let agentSeries = this.byAgent.get(series.agentId);
    if (!agentSeries) this.byAgent.set(series.agentId, (agentSeries = new Map()));
    agentSeries.set(series.key, series);
    let list = this.byMetric.get(series.name);
    if (!list) this.byMetric.set(series.name, (list = []));
    if (!held) {
      this.count++;
      list.push(series);
      return;
    }
    // Another object with this id (rare): it takes the place of the one held.
    const at = list.indexOf(held);
    if (at >= 0) list[at] = series;
    else list.push(series);
  }
}
