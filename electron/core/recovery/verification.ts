// Verification: the one thing that decides whether a recovery worked. A verify step waits, up
// to its window, for its condition to hold; it concludes the moment it does (a sample, an agent
// coming back, the alert resolving), event-driven, never on a polling loop:
//   metric          a sample of the agent's metric, taken once the step before it ended,
//                   satisfies `comparator threshold` (disk_usage < 85);
//   online          the agent is online;
//   alert_resolved  the alert that started the run has resolved.
// The window ending first fails it, with the last value seen.
import type { Sample } from '../../../shared/protocol.js';
import type { Alert, Agent } from '../../../shared/model.js';
import type { VerifyCondition } from '../../../shared/recovery.js';
import type { Clock, TimerHandle } from '../clock.js';

export interface VerifyRequest {
  agentId: string;
  alertId: string;
  condition: VerifyCondition;
  /** Only samples taken at or after this count (the end of the step before; ms resolution). */
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
  /**
   * The newest stored sample of each of the agent's series of this metric (the metric store's
   * heads). A sample that arrived after the step before ended but before this verification
   * began listening (one read with the action's result) counts as well.
   */
  latest?(agentId: string, metric: string): Iterable<Pick<Sample, 'ts' | 'value' | 'labels'>>;
}

interface Pending {
  req: VerifyRequest;
  last: number | null;
  timer: TimerHandle;
  finish(outcome: VerifyOutcome): void;
}

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

  constructor(private readonly deps: VerificationDeps) {}

  /** Whether samples of this agent are awaited (ingest hands them over only then). */
  wants(agentId: string): boolean {
    return this.byAgent.has(agentId);
  }

  /** Wait for the condition; resolves when it holds or the window ends. */
  watch(req: VerifyRequest): Promise<VerifyOutcome> {
    return new Promise((resolve) => {
      const stored = this.storedSamples(req);
      const now = this.holdsNow(req, stored);
      if (now) return resolve(now);
      const pending: Pending = {
        req,
        last: stored.at(-1)?.value ?? null,
        timer: this.deps.clock.setTimeout(() => {
          const c = req.condition;
          const text =
            c.type === 'metric'
              ? pending.last === null
                ? `no ${c.metric} sample after the action within ${Math.round(req.withinMs / 1000)} s`
                : `${c.metric} still ${fmt(pending.last)} (wanted ${c.comparator} ${c.threshold}) after ${Math.round(req.withinMs / 1000)} s`
              : c.type === 'online'
                ? `agent not online within ${Math.round(req.withinMs / 1000)} s`
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

  /** An agent's accepted samples (from ingest, after they are stored). */
  samples(agentId: string, samples: readonly Sample[]): void {
    const set = this.byAgent.get(agentId);
    if (!set) return;
    for (const p of [...set]) {
      const c = p.req.condition;
      if (c.type !== 'metric') continue;
      for (const s of samples) {
        if (s.name !== c.metric || s.ts < p.req.since || !labelsMatch(p.req, s.labels)) continue;
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

  agentChanged(agent: Pick<Agent, 'id' | 'status'>): void {
    if (agent.status !== 'online') return;
    for (const p of [...(this.byAgent.get(agent.id) ?? [])])
      if (p.req.condition.type === 'online') p.finish({ ok: true, text: 'agent online' });
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
  }

  /** Stored samples that already count for this verification (taken since `since`). */
  private storedSamples(req: VerifyRequest): Pick<Sample, 'ts' | 'value' | 'labels'>[] {
    const c = req.condition;
    if (c.type !== 'metric' || !this.deps.latest) return [];
    return [...this.deps.latest(req.agentId, c.metric)].filter(
      (s) => s.ts >= req.since && labelsMatch(req, s.labels),
    );
  }

  private holdsNow(
    req: VerifyRequest,
    stored: readonly Pick<Sample, 'ts' | 'value' | 'labels'>[],
  ): VerifyOutcome | null {
    const c = req.condition;
    if (c.type === 'metric') {
      const held = stored.find((s) => COMPARE[c.comparator](s.value, c.threshold));
      if (held)
        return { ok: true, text: `${c.metric} ${fmt(held.value)} ${c.comparator} ${c.threshold}` };
    }
    if (c.type === 'online' && this.deps.agent(req.agentId)?.status === 'online')
      return { ok: true, text: 'agent online' };
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
