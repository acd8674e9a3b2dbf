// Verification: the one thing that decides whether a recovery worked. A verify step waits, up
// to its window, for its condition to hold; it concludes the moment it does (a sample, an agent
// coming back, the alert resolving), event-driven, never on a polling loop:
//   metric          the agent's metric, as it arrived after the step before it ended,
//                   satisfies `comparator threshold` (disk_usage < 85) on every series of it
//                   that counts (the alert's own series, or those the labels pick, or all);
//   online          the agent came (back) online — a new hello, or offline → online — after the
//                   step before ended (the guardrails already need it online to act on it:
//                   being online is not news);
//   alert_resolved  the alert that started the run has resolved by its condition clearing (an
//                   operator resolving it by hand is not a recovery: that fails the step).
// The window ending first fails it, with the last value seen.
//
// "After the step before ended" is told by the console's own order of arrival, never by the
// agent's clock (which may be minutes off the console's): mark() numbers the moment a step
// ended (for an action, the moment its result arrived) and from then on keeps the batches the
// agent's connection delivers, numbered as they arrive. A sample counts only if its batch
// arrived after the mark — including one read in the same chunk as the result, which comes in
// before the verification itself starts listening.
import type { Sample } from '../../../shared/protocol.js';
import type { Alert, Agent } from '../../../shared/model.js';
import type { VerifyCondition } from '../../../shared/recovery.js';
import type { Clock, TimerHandle } from '../clock.js';

export interface VerifyRequest {
  agentId: string;
  alertId: string;
  condition: VerifyCondition;
  /** Only what arrived after this mark counts (mark(): the step before ended). */
  since: number;
  withinMs: number;
  /**
   * Which series of the metric count: every label here must match (null: every series of it).
   * Every series that counts must satisfy the condition, each by a sample that arrived after
   * the mark.
   */
  labels: Record<string, string> | null;
  /** The labels are the whole series' (the alert's): no other label may be present. */
  exact: boolean;
}

export interface VerifyOutcome {
  ok: boolean;
  /** One line: "disk_usage 62.1 < 85", "still 96.0 after 120 s". */
  text: string;
}

export interface VerificationDeps {
  clock: Clock;
  agent(id: string): Pick<Agent, 'status'> | undefined;
  alert(id: string): Pick<Alert, 'state' | 'resolvedBy'> | undefined;
  /**
   * The agent's series of this metric the console holds (the metric store's heads), with the
   * timestamp of each one's newest sample (the agent's clock). Without it, the series counted
   * are those that report after the mark.
   */
  series?(agentId: string, metric: string): Iterable<Pick<Sample, 'labels'> & { lastTs: number }>;
}

interface Pending {
  req: VerifyRequest;
  /** metric: the series that count (by their labels' key) … */
  known: Set<string>;
  /** … and the newest value of each that arrived after the mark. */
  values: Map<string, number>;
  timer: TimerHandle;
  finish(outcome: VerifyOutcome): void;
}

/** Batches of one agent that arrived since the step before ended, and its last return. */
interface SinceMark {
  mark: number;
  batches: { at: number; samples: readonly Sample[] }[];
  /** When it last came (back) online (a hello, or offline → online), if since the mark. */
  cameOnline: number | null;
}

/** Between a step's end and its verification starting there is one read at most: bounded. */
const MAX_BATCHES_KEPT = 64;
/**
 * A series whose newest sample is this much older than the newest of the metric's other series
 * (both by the agent's clock) is no longer reported (a volume unmounted): it does not count.
 */
const STALE_SERIES_MS = 10 * 60_000;

const seriesKey = (labels: Sample['labels']) =>
  JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));

const COMPARE = {
  '<': (v: number, t: number) => v < t,
  '<=': (v: number, t: number) => v <= t,
  '>': (v: number, t: number) => v > t,
  '>=': (v: number, t: number) => v >= t,
} as const;

/** Who resolves an alert when its condition clears (AlertBook.clear). */
const CONDITION_CLEARED = 'auto';

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * An alert that resolved: a recovery when its condition cleared (the rule resolved it, `auto`),
 * not when someone resolved it by hand — then the verification can never hold: it fails.
 */
function resolution(alert: Pick<Alert, 'resolvedBy'>): VerifyOutcome {
  if (alert.resolvedBy === CONDITION_CLEARED) return { ok: true, text: 'alert resolved' };
  return {
    ok: false,
    text: `alert resolved by ${alert.resolvedBy ?? 'someone'} by hand, not by its condition clearing`,
  };
}

function labelsMatch(req: VerifyRequest, got: Sample['labels']): boolean {
  const want = req.labels;
  if (want === null) return true;
  const have = got ?? {};
  if (req.exact && Object.keys(have).length !== Object.keys(want).length) return false;
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

export class Verifications {
  private readonly byAgent = new Map<string, Set<Pending>>();
  /** Arrivals (batches, results, marks) numbered in the order the console saw them. */
  private arrivals = 0;
  private readonly sinceMark = new Map<string, SinceMark>();

  constructor(private readonly deps: VerificationDeps) {}

  /** Whether samples of this agent are awaited (ingest hands them over only then). */
  wants(agentId: string): boolean {
    return this.byAgent.has(agentId) || this.sinceMark.has(agentId);
  }

  /**
   * A step of a run on this agent ended now (an action: its result just arrived): what
   * arrives from here on counts for the verification after it. Returns the mark.
   */
  mark(agentId: string): number {
    const mark = ++this.arrivals;
    this.sinceMark.set(agentId, { mark, batches: [], cameOnline: null });
    return mark;
  }

  /** The run on this agent ended: nothing more to keep for it. */
  release(agentId: string): void {
    this.sinceMark.delete(agentId);
  }

  /** Wait for the condition; resolves when it holds or the window ends. */
  watch(req: VerifyRequest): Promise<VerifyOutcome> {
    return new Promise((resolve) => {
      const within = `${Math.round(req.withinMs / 1000)} s`;
      const pending: Pending = {
        req,
        known: this.knownSeries(req),
        values: new Map(),
        timer: this.deps.clock.setTimeout(() => {
          const c = req.condition;
          const text =
            c.type === 'metric'
              ? this.metricShortfall(pending, within)
              : c.type === 'online'
                ? `agent did not come back online (a new hello) within ${within}`
                : `alert not resolved within ${within}`;
          pending.finish({ ok: false, text });
        }, req.withinMs),
        finish: (outcome) => {
          pending.timer.cancel();
          this.forget(pending);
          resolve(outcome);
        },
      };
      // What arrived after the mark, before this began listening (read with the result).
      const kept = this.sinceMark.get(req.agentId);
      for (const b of kept?.batches ?? []) if (b.at > req.since) this.take(pending, b.samples);
      const now = this.metricHolds(pending) ?? this.holdsNow(req);
      if (now) return pending.finish(now);
      let set = this.byAgent.get(req.agentId);
      if (!set) this.byAgent.set(req.agentId, (set = new Set()));
      set.add(pending);
    });
  }

  /** An agent's accepted samples (from ingest, once stored), in the order they arrived. */
  samples(agentId: string, samples: readonly Sample[]): void {
    const at = ++this.arrivals;
    const kept = this.sinceMark.get(agentId);
    if (kept) {
      kept.batches.push({ at, samples });
      if (kept.batches.length > MAX_BATCHES_KEPT) kept.batches.shift();
    }
    // A waiting verification began after its mark: everything arriving now is after it.
    for (const p of [...(this.byAgent.get(agentId) ?? [])]) {
      if (p.req.condition.type !== 'metric') continue;
      this.take(p, samples);
      const held = this.metricHolds(p);
      if (held) p.finish(held);
    }
  }

  /**
   * An agent changed. `connected`: a hello (a new connection). Coming (back) online — a hello,
   * or offline → online — is what an `online` verification waits for.
   */
  agentChanged(
    agent: Pick<Agent, 'id' | 'status'>,
    previousStatus: Agent['status'] | null,
    connected: boolean,
  ): void {
    if (agent.status !== 'online' || (!connected && previousStatus === 'online')) return;
    const at = ++this.arrivals;
    const kept = this.sinceMark.get(agent.id);
    if (kept) kept.cameOnline = at;
    for (const p of [...(this.byAgent.get(agent.id) ?? [])])
      if (p.req.condition.type === 'online') p.finish({ ok: true, text: 'agent back online' });
  }

  alertChanged(alert: Pick<Alert, 'id' | 'state' | 'resolvedBy'>): void {
    if (alert.state !== 'resolved') return;
    for (const set of this.byAgent.values())
      for (const p of [...set])
        if (p.req.condition.type === 'alert_resolved' && p.req.alertId === alert.id)
          p.finish(resolution(alert));
  }

  /** Console stopping: nothing concludes (the runs are marked interrupted at the next start). */
  stop(): void {
    for (const set of this.byAgent.values()) for (const p of set) p.timer.cancel();
    this.byAgent.clear();
    this.sinceMark.clear();
  }

  /** The series of the metric that count, as the console holds them now (fresh ones only). */
  private knownSeries(req: VerifyRequest): Set<string> {
    const c = req.condition;
    if (c.type !== 'metric' || !this.deps.series) return new Set();
    const all = [...this.deps.series(req.agentId, c.metric)].filter((s) =>
      Number.isFinite(s.lastTs),
    );
    const newest = Math.max(-Infinity, ...all.map((s) => s.lastTs));
    return new Set(
      all
        .filter((s) => s.lastTs >= newest - STALE_SERIES_MS && labelsMatch(req, s.labels))
        .map((s) => seriesKey(s.labels)),
    );
  }

  /** Samples that arrived after the mark: each matching series' newest value. */
  private take(p: Pending, samples: readonly Sample[]): void {
    const c = p.req.condition;
    if (c.type !== 'metric') return;
    for (const s of samples) {
      if (s.name !== c.metric || !labelsMatch(p.req, s.labels)) continue;
      const key = seriesKey(s.labels);
      p.known.add(key);
      p.values.set(key, s.value);
    }
  }

  /** Every series that counts has a value after the mark, and each satisfies the condition. */
  private metricHolds(p: Pending): VerifyOutcome | null {
    const c = p.req.condition;
    if (c.type !== 'metric' || p.known.size === 0) return null;
    const values: number[] = [];
    for (const key of p.known) {
      const v = p.values.get(key);
      if (v === undefined || !COMPARE[c.comparator](v, c.threshold)) return null;
      values.push(v);
    }
    const rule = `${c.comparator} ${c.threshold}`;
    return {
      ok: true,
      text:
        values.length === 1
          ? `${c.metric} ${fmt(values[0]!)} ${rule}`
          : `${c.metric} ${rule} on all ${values.length} series (${values.map(fmt).join(', ')})`,
    };
  }

  /** Why a metric verification did not hold by the end of its window. */
  private metricShortfall(p: Pending, within: string): string {
    const c = p.req.condition;
    if (c.type !== 'metric') return '';
    if (p.values.size === 0) return `no ${c.metric} sample after the action within ${within}`;
    const keys = [...p.known];
    const failing = keys.filter((k) => {
      const v = p.values.get(k);
      return v !== undefined && !COMPARE[c.comparator](v, c.threshold);
    });
    const of = keys.length > 1 ? ` on ${failing.length} of ${keys.length} series` : '';
    if (failing.length > 0)
      return `${c.metric} still ${fmt(p.values.get(failing[0]!)!)} (wanted ${c.comparator} ${c.threshold}) after ${within}${of}`;
    const silent = keys.length - p.values.size;
    return `${c.metric}: ${silent} of its ${keys.length} series sent no sample after the action within ${within}`;
  }

  /** online and alert_resolved: whether they hold already. */
  private holdsNow(req: VerifyRequest): VerifyOutcome | null {
    const c = req.condition;
    const back = this.sinceMark.get(req.agentId)?.cameOnline ?? null;
    if (
      c.type === 'online' &&
      back !== null &&
      back > req.since &&
      this.deps.agent(req.agentId)?.status === 'online'
    )
      return { ok: true, text: 'agent back online' };
    const alert = c.type === 'alert_resolved' ? this.deps.alert(req.alertId) : undefined;
    if (alert?.state === 'resolved') return resolution(alert);
    return null;
  }

  private forget(p: Pending): void {
    const set = this.byAgent.get(p.req.agentId);
    set?.delete(p);
    if (set?.size === 0) this.byAgent.delete(p.req.agentId);
  }
}
