// Escalation: which step of its policy an incident is at, and when the next is due. A new
// (or re-fired, or worse) incident starts at step 0; each step waits its `afterMs`
// unacknowledged; after the last step the policy starts over (repeatAfterMs) until someone
// acknowledges. An ack stops it; a silence or maintenance window keeps it from starting.
//
// Group wait (Alertmanager's group_wait): a new incident is held `groupWaitMs` before its first
// page. The first offline alerts of a region outage fire before the region crosses its quorum;
// held, they are paged as the region's incident once it forms, not on their own. Whatever the
// incident became during the wait (worse, suppressed, acknowledged, resolved) is what pages, or
// not. Later steps keep the incident's own clock: the wait delays the first page only.
import type { Incident, TimelineEntry } from '../../../shared/incidents.js';
import { SEVERITY_RANK } from '../../../shared/model.js';
import type { EscalationPolicy } from '../../../shared/notify.js';
import type { CoreEventMap } from '../events.js';
import type { Clock, TimerHandle } from '../clock.js';
import { routeIncident } from './route.js';

export interface Tracked {
  incident: Incident;
  policyId: string | null;
  /** Bumped at every (re)start, so a restarted escalation's steps page again (dedup keys). */
  generation: number;
  round: number;
  step: number | null;
  nextAt: number | null;
  timer: TimerHandle | null;
  /** Channels paged since the last start, for the resolved message. */
  paged: Set<string>;
  /** The silence/maintenance already noted on the timeline. */
  suppressionNoted: string | null;
  /** In its group wait until then (a new incident, not paged yet); null otherwise. */
  holdUntil: number | null;
  /** How much later than its policy said the first step ran (the wait); the next step makes up for it. */
  lateMs: number;
}

export interface EscalationDeps {
  clock: Clock;
  /** How long a new incident is held before its first page (0: page at once). */
  groupWaitMs: number;
  policies(): readonly EscalationPolicy[];
  /** Send step `step` of `policy` (round `round`) for the incident; `note` says why now. */
  page(t: Tracked, policy: EscalationPolicy, step: number, round: number, note?: Note): void;
  /** More alerts joined: say the new count where that is quiet (desktop), never page. */
  countChanged(t: Tracked): void;
  resolved(t: Tracked): void;
  suppressed(t: Tracked): void;
  recordTimeline(incidentId: string, entry: TimelineEntry): void;
  setEscalation(
    incidentId: string,
    step: number | null,
    nextAt: number | null,
    nextTo?: readonly string[],
  ): void;
}

type Change = CoreEventMap['incident.changed'];

/** Why an escalation runs out of turn (a failed recovery), with what to attach. */
export interface Note {
  text: string;
  output?: string;
}

export class Escalations {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly deps: EscalationDeps) {}

  get(id: string): Tracked | undefined {
    return this.tracked.get(id);
  }

  get size(): number {
    return this.tracked.size;
  }

  onChange({ incident, previousState, previousSeverity, reason }: Change): void {
    let t = this.tracked.get(incident.id);
    const known = t !== undefined;
    if (!t) this.tracked.set(incident.id, (t = newTracked(incident)));
    const before = t.incident;
    t.incident = incident;
    if (incident.state === 'resolved') return this.finish(t);
    if (incident.suppressedBy !== null) return this.suppress(t);
    t.suppressionNoted = null;
    if (incident.state === 'acknowledged') return this.halt(t);
    // Open from here on. Held: the wait's end pages the incident as it is then.
    if (t.holdUntil !== null) return;
    if (!known && reason === 'opened' && this.deps.groupWaitMs > 0) return this.hold(t);
    const rose =
      previousSeverity !== null &&
      SEVERITY_RANK[incident.severity] > SEVERITY_RANK[previousSeverity];
    const refired = previousState === 'resolved' || previousState === 'acknowledged';
    if (!known && reason !== 'opened' && incident.escalationStep !== null && !rose && !refired)
      return this.resume(t);
    if (t.policyId === null || t.generation === 0 || rose || refired)
      return this.start(t, rose ? 'severity rose' : refired ? 'fired again' : null);
    if (incident.alerts.length !== before.alerts.length) this.deps.countChanged(t);
  }

  stop(): void {
    for (const t of this.tracked.values()) t.timer?.cancel();
    this.tracked.clear();
  }

  /**
   * Run the incident's next escalation step now, out of turn (a recovery failed): its first
   * page if none went out yet (a group wait is cut short), else the step after the one reached
   * (the last step again, as a new round, when there is none). Later steps follow from here
   * while the incident stays open; an acknowledged one is paged this once. Not for a resolved
   * or suppressed incident, or one no policy routes. Returns whether a step ran.
   */
  escalateNow(incident: Incident, note: Note): boolean {
    if (incident.state === 'resolved') return false;
    let t = this.tracked.get(incident.id);
    if (!t) this.tracked.set(incident.id, (t = newTracked(incident)));
    t.incident = incident;
    const policy = routeIncident(incident, this.deps.policies());
    if (incident.suppressedBy !== null || !policy) {
      const why = policy
        ? `suppressed by ${incident.suppressedBy}`
        : 'no escalation policy routes it';
      this.timeline(t, 'escalated', `${note.text}: not paged (${why})`, note.output);
      return false;
    }
    t.timer?.cancel();
    t.timer = null;
    t.holdUntil = null;
    t.lateMs = 0;
    if (t.policyId !== policy.id || t.generation === 0) {
      t.policyId = policy.id;
      t.generation++;
      t.round = 0;
      t.step = null;
      t.paged.clear();
    }
    const next =
      t.step === null
        ? { step: 0, round: t.round }
        : (this.nextOf(policy, t.step, t.round) ?? {
            step: policy.steps.length - 1,
            round: t.round + 1,
          });
    this.runStep(t, next.step, next.round, note);
    return true;
  }

  /** A new incident: its first page waits for what else joins it within groupWaitMs. */
  private hold(t: Tracked): void {
    const wait = this.deps.groupWaitMs;
    t.holdUntil = this.deps.clock.now() + wait;
    t.timer = this.deps.clock.setTimeout(() => {
      t.timer = null;
      t.holdUntil = null;
      // Every alert of it became an effect of a cause paged elsewhere: nothing of its own to say.
      if (t.incident.alerts.length > 0 && t.incident.alerts.every((a) => a.effect))
        return this.setNext(t, null, null);
      this.start(t, null, wait);
    }, wait);
    // "First page in 0:08" only where a policy pages it (as it stands now).
    const routed = routeIncident(t.incident, this.deps.policies()) != null;
    this.setNext(t, null, routed ? t.holdUntil : null);
  }

  /** Step 0 of the incident's policy, now or after its afterMs (less what it was held). */
  private start(t: Tracked, why: string | null, heldMs = 0): void {
    t.timer?.cancel();
    t.timer = null;
    t.holdUntil = null;
    const policy = routeIncident(t.incident, this.deps.policies());
    t.generation++;
    t.round = 0;
    t.step = null;
    t.paged.clear();
    t.policyId = policy?.id ?? '';
    if (!policy) return this.setNext(t, null, null);
    if (why)
      this.timeline(t, 'escalated', `${why}: escalation restarts from step 1 (${policy.name})`);
    const first = policy.steps[0]!.afterMs;
    t.lateMs = Math.max(0, heldMs - first);
    this.schedule(t, 0, 0, Math.max(0, first - heldMs));
  }

  /** After a console restart: carry on from the step the incident records, no page again. */
  private resume(t: Tracked): void {
    const policy = routeIncident(t.incident, this.deps.policies());
    t.generation = 1;
    t.policyId = policy?.id ?? '';
    t.step = t.incident.escalationStep;
    const at = t.incident.nextEscalationAt;
    if (!policy || at === null || t.step === null) return;
    const next = this.nextOf(policy, t.step, 0);
    if (next) this.schedule(t, next.step, next.round, Math.max(0, at - this.deps.clock.now()));
  }

  private schedule(t: Tracked, step: number, round: number, delayMs: number): void {
    t.timer?.cancel();
    const run = () => this.runStep(t, step, round);
    if (delayMs <= 0) {
      t.timer = null;
      run();
      return;
    }
    t.timer = this.deps.clock.setTimeout(run, delayMs);
    t.nextAt = this.deps.clock.now() + delayMs;
    // Who the step will notify, so the console can say "escalates to oncall-mail in 3:12".
    const to = routeIncident(t.incident, this.deps.policies())?.steps[step]?.channelIds ?? [];
    this.deps.setEscalation(t.incident.id, t.step, t.nextAt, to);
  }

  private runStep(t: Tracked, step: number, round: number, note?: Note): void {
    t.timer = null;
    const policy = this.deps.policies().find((p) => p.id === t.policyId);
    if (!policy || step >= policy.steps.length) return this.setNext(t, t.step, null);
    t.step = step;
    t.round = round;
    if (step > 0 || round > 0 || note) {
      const names = policy.steps[step]!.channelIds.join(', ');
      const why = note ? note.text : 'not acknowledged';
      this.timeline(
        t,
        'escalated',
        `${why}: step ${step + 1}${round > 0 ? ` (round ${round + 1})` : ''} of ${policy.name}, notifying ${names}`,
        note?.output,
      );
    }
    this.deps.page(t, policy, step, round, note);
    // Paged out of turn while acknowledged: this once, no further steps.
    if (t.incident.state === 'acknowledged') return this.setNext(t, step, null);
    const next = this.nextOf(policy, step, round);
    const late = t.lateMs;
    t.lateMs = 0;
    if (!next) return this.setNext(t, step, null);
    this.schedule(t, next.step, next.round, Math.max(0, next.delayMs - late));
  }

  private nextOf(policy: EscalationPolicy, step: number, round: number) {
    if (step + 1 < policy.steps.length)
      return { step: step + 1, round, delayMs: policy.steps[step + 1]!.afterMs };
    if (policy.repeatAfterMs === null) return null;
    return { step: 0, round: round + 1, delayMs: policy.repeatAfterMs };
  }

  private halt(t: Tracked): void {
    t.timer?.cancel();
    t.timer = null;
    t.holdUntil = null;
    // The next re-fire or severity rise starts a new escalation.
    this.setNext(t, t.step, null);
  }

  private suppress(t: Tracked): void {
    this.halt(t);
    // Lifted later, the incident pages then, from step 0.
    t.generation = 0;
    const by = t.incident.suppressedBy!;
    if (t.suppressionNoted === by) return;
    t.suppressionNoted = by;
    this.timeline(t, 'silenced', `not notified: suppressed by ${by}`);
    this.deps.suppressed(t);
  }

  private finish(t: Tracked): void {
    t.timer?.cancel();
    this.tracked.delete(t.incident.id);
    if (t.nextAt !== null) this.setNext(t, t.step, null);
    this.deps.resolved(t);
  }

  private setNext(t: Tracked, step: number | null, nextAt: number | null): void {
    const changed = t.step !== step || t.nextAt !== nextAt;
    t.step = step;
    t.nextAt = nextAt;
    if (changed || nextAt === null) this.deps.setEscalation(t.incident.id, step, nextAt);
  }

  private timeline(t: Tracked, kind: TimelineEntry['kind'], text: string, output?: string): void {
    this.deps.recordTimeline(t.incident.id, {
      at: this.deps.clock.now(),
      kind,
      by: 'console',
      text,
      ...(output ? { output } : {}),
    });
  }
}

function newTracked(incident: Incident): Tracked {
  return {
    incident,
    policyId: null,
    generation: 0,
    round: 0,
    step: null,
    nextAt: null,
    timer: null,
    paged: new Set(),
    suppressionNoted: null,
    holdUntil: null,
    lateMs: 0,
  };
}
