// Verification: the one thing that decides whether a recovery worked. A verify step waits, up
// to its window, for its condition to hold; it concludes the moment it does (a sample, an agent
// coming back, the alert resolving), event-driven, never on a polling loop:
//   metric          a sample of the agent's metric that arrived after the step before it ended
//                   satisfies `comparator threshold` (disk_usage < 85);
//   online          the agent came (back) online — a new hello, or offline → online — after the
//                   step before ended (the guardrails already need it online to act on it:
//                   being online is not news);
//   alert_resolved  the alert that started the run has resolved.
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
   * Which series of the metric count: every label here must match. Without it, the series the
   * alert was about when the alert's metric is this one, else any series of the metric.
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
  alert(id: string): Pick<Alert, 'state'> | undefined;
}

interface Pending {
  req: VerifyRequest;
  last: number | null;
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

const COMPARE = {
  '<': (v: number, t: number) => v < t,
  '<=': (v: number, t: number) => v <= t,
  '>': (v: number, t: number) => v > t,
  '>=': (v: number, t: number) => v >= t,
} as const;

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

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
      const arrived = this.arrivedSince(req);
      const now = this.holdsNow(req, arrived);
      if (now) return resolve(now);
      const pending: Pending = {
        req,
        last: arrived.at(-1)?.value ?? null,
        timer: this.deps.clock.setTimeout(() => {
          const c = req.condition;
          const text =
            c.type === 'metric'
              ? pending.last === null
                ? `no ${c.metric} sample after the action within ${Math.round(req.withinMs / 1000)} s`
                : `${c.metric} still ${fmt(pending.last)} (wanted ${c.comparator} ${c.threshold}) after ${Math.round(req.withinMs / 1000)} s`
              : c.type === 'online'
                ? `agent did not come back online (a new hello) within ${Math.round(req.withinMs / 1000)} s`
                : `alert not resolved within ${Math.round(req.withinMs / 1000)} s`;
          pending.finish({ ok: false, text });
        }, req.withinMs),
        finish: (outcome) => {
          pending.timer.cancel();
          this.forget(pending);
          resolve(outcome);
        },
      };
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
    const set = this.byAgent.get(agentId);
    if (!set) return;
    // A waiting verification began after its mark: everything arriving now is after it.
    for (const p of [...set]) {
      const c = p.req.condition;
      if (c.type !== 'metric') continue;
      for (const s of samples) {
        if (s.name !== c.metric || !labelsMatch(p.req, s.labels)) continue;
        p.last = s.value;
        if (COMPARE[c.comparator](s.value, c.threshold)) {
          p.finish({
            ok: true,
            text: `${c.metric} ${fmt(s.value)} ${c.comparator} ${c.threshold}`,
          });
          break;
        }
      }
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

  alertChanged(alert: Pick<Alert, 'id' | 'state'>): void {
    if (alert.state !== 'resolved') return;
    for (const set of this.byAgent.values())
      for (const p of [...set])
        if (p.req.condition.type === 'alert_resolved' && p.req.alertId === alert.id)
          p.finish({ ok: true, text: 'alert resolved' });
  }

  /** Console stopping: nothing concludes (the runs are marked interrupted at the next start). */
  stop(): void {
    for (const set of this.byAgent.values()) for (const p of set) p.timer.cancel();
    this.byAgent.clear();
    this.sinceMark.clear();
  }

  /** Samples of the metric that arrived after the request's mark, before it began listening. */
  private arrivedSince(req: VerifyRequest): Sample[] {
    const c = req.condition;
    const kept = this.sinceMark.get(req.agentId);
    if (c.type !== 'metric' || !kept) return [];
    return kept.batches
      .filter((b) => b.at > req.since)
      .flatMap((b) => b.samples)
      .filter((s) => s.name === c.metric && labelsMatch(req, s.labels));
  }

  private holdsNow(req: VerifyRequest, arrived: readonly Sample[]): VerifyOutcome | null {
    const c = req.condition;
    if (c.type === 'metric') {
      const held = arrived.find((s) => COMPARE[c.comparator](s.value, c.threshold));
      if (held)
        return { ok: true, text: `${c.metric} ${fmt(held.value)} ${c.comparator} ${c.threshold}` };
    }
    const back = this.sinceMark.get(req.agentId)?.cameOnline ?? null;
    if (
      c.type === 'online' &&
      back !== null &&
      back > req.since &&
      this.deps.agent(req.agentId)?.status === 'online'
    )
      return { ok: true, text: 'agent back online' };
    if (c.type === 'alert_resolved' && this.deps.alert(req.alertId)?.state === 'resolved')
      return { ok: true, text: 'alert resolved' };
    return null;
  }

  private forget(p: Pending): void {
    const set = this.byAgent.get(p.req.agentId);
    set?.delete(p);
    if (set?.size === 0) this.byAgent.delete(p.req.agentId);
  }
}
