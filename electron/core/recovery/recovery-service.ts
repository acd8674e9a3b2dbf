// Guarded auto-recovery: when an alert fires that a runbook answers, a run is proposed for
// (incident, the alert's agent, runbook) — at most one live at a time — and the guardrails
// (guardrails.ts) decide: refuse, defer, hold for an operator, or let it act (run-driver.ts).
// Operators approve or decline held runs; an incident that resolves first cancels what still
// waits. Deferred runs are looked at again when their reason ends (the console's grace
// period, the agent's other run). After a console restart, runs that were acting are
// `interrupted`: recorded and escalated, never sent again. Everything is in the incident's
// timeline and the audit trail (run-records.ts). The safety model is in docs/recovery.md.
import type { Incident, TimelineEntry } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import type { ActionResultMessage, Sample } from '../../../shared/protocol.js';
import type { RecoveryRun, Runbook, RunState } from '../../../shared/recovery.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEventMap, CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import { ConflictError, NotFoundError } from '../incidents/incident-errors.js';
import type { Logger } from '../logger.js';
import type { FetchFn } from '../notify/http-post.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RecoveryIngestSink } from './agent-link.js';
import { decide, IN_FLIGHT, type GuardrailDecision } from './guardrails.js';
import { incidentFigures } from './recovery-figures.js';
import type { RecoveryMetrics } from './recovery-metrics.js';
import type { RunbookBook } from './runbook-book.js';
import { RunDriver } from './run-driver.js';
import { RunRecords } from './run-records.js';
import {
  guardrailInput,
  newRun,
  runbooksFor,
  runContext,
  stepRecords,
  type RunFactsDeps,
} from './run-facts.js';
import { Verifications, type VerificationDeps } from './verification.js';

/** Besides RunFactsDeps (store, agent link, fleet, maintenance, alerts): */
export interface RecoveryServiceDeps extends RunFactsDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  events: CoreEvents;
  book: RunbookBook;
  incidents: {
    get(id: string): Incident | undefined;
    record(id: string, entry: TimelineEntry): void;
  };
  alerts: { get(id: string): Alert | undefined; openAlerts(): readonly Alert[] };
  audit: Pick<AuditLog, 'record'>;
  /** Page through the incident's escalation policy now (notifier.escalateNow). */
  escalate(incidentId: string, text: string, output: string): boolean;
  fetch: FetchFn;
  metrics: RecoveryMetrics;
  /** After the console starts, no run acts for this long (the fleet reports in first). */
  graceMs: number;
  /** Runs that act on one agent within an hour, all runbooks together. */
  maxRunsPerAgentPerHour: number;
  /** The agent's series of a metric the console holds (verification.ts). */
  series?: VerificationDeps['series'];
}

const WAITING = new Set<RunState>(['awaiting_approval', 'deferred', 'queued']);
/** Incidents remembered as counted on the MTTR histogram. */
const MTTR_OBSERVED_KEPT = 10_000;
const DECIDED_STATE = { refuse: 'refused', defer: 'deferred', hold: 'awaiting_approval' } as const;

export class RecoveryService implements RecoveryIngestSink {
  readonly verifications: Verifications;
  readonly records: RunRecords;
  private readonly driver: RunDriver;
  private graceUntil = Infinity;
  private graceTimer: TimerHandle | null = null;
  private readonly off: (() => void)[] = [];
  /** Runs a console restart cut short, escalated once the notifier listens (start). */
  private interrupted: RecoveryRun[] = [];
  /** Resolved incidents whose run was still concluding: their MTTR is counted when it ends. */
  private readonly mttrPending = new Set<string>();
  /**
   * Incidents whose time to recover is on /metrics already: one that reopens and resolves
   * again is counted once (at its first resolution). Bounded, oldest forgotten first: an
   * incident reopens only within its reopen window.
   */
  private readonly mttrObserved = new Set<string>();

  constructor(private readonly deps: RecoveryServiceDeps) {
    const { clock } = deps;
    this.verifications = new Verifications({
      clock,
      agent: (id) => deps.fleet.agent(id),
      alert: (id) => deps.alerts.get(id),
      ...(deps.series ? { series: deps.series } : {}),
    });
    this.records = new RunRecords({
      now: () => clock.now(),
      timeline: (id, entry) => {
        if (deps.incidents.get(id)) deps.incidents.record(id, entry);
      },
      audit: (e) =>
        deps.audit.record(e).then(
          () => {},
          (err: Error) => deps.logger.error('recovery audit write failed', { error: err.message }),
        ),
    });
    this.driver = new RunDriver({
      ...deps,
      records: this.records,
      verifications: this.verifications,
      changed: (run, previous) => this.changed(run, previous),
      context: (run) => runContext(deps, run),
      ended: (run) => {
        if (this.mttrPending.delete(run.incidentId)) {
          const incident = deps.incidents.get(run.incidentId);
          if (incident) this.observeMttr(incident);
        }
        this.retryDeferred((r) => r.agentId === run.agentId);
      },
    });
  }

  /** Load runbooks and run history; runs that were acting when the console stopped are interrupted. */
  async open(): Promise<void> {
    await this.deps.book.load();
    await this.deps.store.open();
    const now = this.deps.clock.now();
    for (const run of this.deps.store.allRuns()) {
      if (!IN_FLIGHT.has(run.state)) continue;
      run.state = 'interrupted';
      run.endedAt = now;
      run.reason =
        'the console stopped while it ran: its outcome is unknown, and it is never sent again';
      for (const s of run.steps) if (s.state === 'running') s.state = 'failed';
      this.deps.store.putRun(run);
      this.interrupted.push(run);
    }
  }

  /** Follow alerts and incidents; the grace period starts now. */
  start(): void {
    const { events, clock } = this.deps;
    this.graceUntil = clock.now() + this.deps.graceMs;
    this.off.push(
      events.on('alert.changed', ({ alert }) => {
        this.verifications.alertChanged(alert);
        if (alert.state === 'firing') this.alertFiring(alert);
        else if (alert.state === 'resolved') this.alertResolved(alert);
      }),
      events.on('incident.changed', (c) => this.incidentChanged(c)),
      events.on('agent.changed', ({ agent, previousStatus, connected }) =>
        this.verifications.agentChanged(agent, previousStatus, connected === true),
      ),
    );
    this.graceTimer = clock.setTimeout(() => {
      this.graceTimer = null;
      this.retryDeferred(() => true);
    }, this.deps.graceMs);
    for (const run of this.interrupted.splice(0)) {
      const output = this.deps.store.actionsOf(run.id).at(-1)?.output ?? '';
      this.deps.metrics.runs.inc({ outcome: 'interrupted' });
      this.records.ended(run, { text: run.reason!, output });
      this.escalate(run, `recovery ${run.runbookName} interrupted: ${run.reason}`, output);
      this.changed(run, run.state);
    }
  }

  async stop(): Promise<void> {
    this.off.splice(0).forEach((f) => f());
    this.graceTimer?.cancel();
    this.driver.stop();
    this.verifications.stop();
    await this.deps.store.close();
  }

  // ── ingest ─────────────────────────────────────────────────────────────────────────────────

  actionResult(agentId: string, msg: ActionResultMessage): Promise<void> {
    return this.driver.result(agentId, msg);
  }

  wantsSamples(agentId: string): boolean {
    return this.verifications.wants(agentId);
  }

  samples(agentId: string, samples: readonly Sample[]): void {
    this.verifications.samples(agentId, samples);
  }

  // ── operators ──────────────────────────────────────────────────────────────────────────────

  /**
   * Approve the incident's held runs (or one): each is looked at again by the guardrails (and
   * acts if they allow it). Only a run approved by its id while held for the blast radius goes
   * past it; approving an incident's runs together re-applies the blast radius across the runs
   * it releases, oldest first: those over it stay held, saying so, for an approval of their
   * own (by id) or a later one once others have ended. Resolves, with the runs as they are
   * then, once the approvals are durable in the audit trail.
   */
  async approve(
    incidentId: string,
    by: string,
    runId?: string,
    comment?: string,
  ): Promise<RecoveryRun[]> {
    const audited: Promise<void>[] = [];
    const runs = this.held(incidentId, runId).map((run) => {
      const pastBlastRadius = runId !== undefined && run.guardrail === 'blast_radius';
      run.approvedBy = by;
      run.approvedAt = this.deps.clock.now();
      audited.push(this.records.approved(run, by, comment));
      this.evaluate(run, { pastBlastRadius, announce: true });
      return structuredClone(run);
    });
    await Promise.all(audited);
    return runs;
  }

  async decline(
    incidentId: string,
    by: string,
    runId?: string,
    comment?: string,
  ): Promise<RecoveryRun[]> {
    const audited: Promise<void>[] = [];
    const runs = this.held(incidentId, runId).map((run) => {
      this.end(run, 'declined', `declined by ${by}${comment ? `: ${comment}` : ''}`);
      audited.push(this.records.declined(run, by, comment));
      return structuredClone(run);
    });
    await Promise.all(audited);
    return runs;
  }

  /**
   * A runbook changed or went: what waits on it follows. Runs still waiting (deferred, held,
   * queued) under another mode are decided again under the new one, oldest first — a real run
   * deferred before the switch to dry_run acts as a dry run, one deferred before the switch to
   * approval waits for an operator. A new mode also re-proposes.
   */
  runbookChanged(id: string, runbook: Runbook | null): void {
    const waiting = [...this.deps.store.allRuns()]
      .filter((r) => r.runbookId === id && WAITING.has(r.state))
      .sort((a, b) => a.createdAt - b.createdAt);
    if (!runbook || !runbook.enabled) {
      for (const run of waiting)
        this.cancel(run, runbook ? 'its runbook was disabled' : 'its runbook was deleted');
      return;
    }
    for (const run of waiting)
      if (WAITING.has(run.state) && run.mode !== runbook.mode) this.evaluate(run);
    // A dry run done, the runbook now acts: the alerts still firing get a real proposal.
    if (runbook.mode !== 'dry_run')
      for (const alert of this.deps.alerts.openAlerts())
        if (alert.state === 'firing') this.alertFiring(alert, id);
  }

  // ── triggers ───────────────────────────────────────────────────────────────────────────────

  private alertFiring(alert: Alert, onlyRunbook?: string): void {
    const agentId = alert.subject.agentId;
    const incidentId = alert.incidentId;
    if (!agentId || !incidentId) return;
    for (const runbook of runbooksFor(alert, this.deps.book.all()))
      if (onlyRunbook === undefined || runbook.id === onlyRunbook)
        this.propose(runbook, alert, incidentId, agentId);
  }

  /** Runs still waiting on an alert that resolved have nothing left to repair. */
  private alertResolved(alert: Alert): void {
    if (!alert.incidentId) return;
    for (const run of this.deps.store.runsOf(alert.incidentId))
      if (run.alertId === alert.id && WAITING.has(run.state))
        this.cancel(run, 'its alert resolved before it ran');
  }

  private incidentChanged({
    incident,
    previousState,
    reason,
  }: CoreEventMap['incident.changed']): void {
    if (incident.state === 'resolved') {
      if (previousState === 'resolved') return;
      for (const run of this.deps.store.runsOf(incident.id))
        if (WAITING.has(run.state)) this.cancel(run, 'the incident resolved before it ran');
      this.observeMttr(incident);
      return;
    }
    // An alert joined (or the incident opened, or reopened): the newest alert may be one to act on.
    if (reason !== 'opened' && reason !== 'alert_joined' && reason !== 'state') return;
    const ref = incident.alerts.at(-1);
    const alert = ref && this.deps.alerts.get(ref.alertId);
    if (alert?.state === 'firing') this.alertFiring(alert);
  }

  private propose(runbook: Runbook, alert: Alert, incidentId: string, agentId: string): void {
    const { store, clock, fleet } = this.deps;
    if (store.liveFor(incidentId, agentId, runbook.id)) return;
    // One proposal per alert and runbook; a dry run done does not stand in for a real one.
    const latest = store.latestFor(alert.id, runbook.id);
    if (latest && !(latest.mode === 'dry_run' && runbook.mode !== 'dry_run')) return;
    const agent = fleet.agent(agentId);
    const run = newRun(this.deps.ids('run'), runbook, alert, incidentId, agentId, {
      now: clock.now(),
      regionId: agent?.regionId ?? '',
    });
    this.records.proposed(run, agent?.hostname ?? agentId);
    this.evaluate(run, { isNew: true });
  }

  // ── decisions ──────────────────────────────────────────────────────────────────────────────

  /**
   * Ask the guardrails, then act on the answer. `pastBlastRadius`: an operator approved this
   * very run past the blast radius. `announce`: write the decision to the timeline even when it
   * is the one the run already had (an approval that did not release it says why).
   */
  private evaluate(
    run: RecoveryRun,
    opts: { isNew?: boolean; pastBlastRadius?: boolean; announce?: boolean } = {},
  ): void {
    const isNew = opts.isNew ?? false;
    // A run acts on its alert: one that resolved (or is gone) while the run waited leaves
    // nothing to repair, and acting then would count as a recovery it never was.
    const alert = this.deps.alerts.get(run.alertId);
    if (!isNew && (!alert || alert.state === 'resolved'))
      return this.cancel(
        run,
        alert ? 'its alert resolved before it ran' : 'its alert is gone: nothing to act on',
      );
    const runbook = this.deps.book.get(run.runbookId);
    // One mode for the decision and the execution: the runbook's as it is now (it may have
    // been switched while the run waited). The executor reads the same field.
    const modeChanged = runbook !== undefined && runbook.mode !== run.mode;
    if (runbook) run.mode = runbook.mode;
    const decision: GuardrailDecision = runbook
      ? decide(
          guardrailInput(this.deps, run, runbook, {
            graceUntil: this.graceUntil,
            maxRunsPerAgentPerHour: this.deps.maxRunsPerAgentPerHour,
            pastBlastRadius: opts.pastBlastRadius ?? false,
          }),
        )
      : { verdict: 'refuse', code: 'runbook_disabled', reason: 'its runbook was deleted' };
    const previous = isNew ? null : run.state;
    if (decision.verdict === 'allow') {
      run.guardrail = null;
      run.reason = null;
      run.state = 'queued';
      // The runbook as it is now (it may have been edited while the run waited).
      run.steps = stepRecords(runbook!);
      this.changed(run, previous);
      return this.driver.begin(run, runbook!);
    }
    const state = DECIDED_STATE[decision.verdict];
    const same =
      run.state === state &&
      run.guardrail === decision.code &&
      !isNew &&
      !modeChanged &&
      !opts.announce;
    run.state = state;
    run.guardrail = decision.code;
    run.reason = decision.reason;
    this.deps.metrics.guardrails.inc({
      guardrail: decision.code ?? 'mode',
      decision: decision.verdict,
    });
    if (state === 'refused') {
      run.endedAt = this.deps.clock.now();
      this.deps.metrics.runs.inc({ outcome: 'refused' });
    }
    this.changed(run, previous);
    if (!same) this.records.decided(run, previous);
  }

  /** Deferred runs matching `which`, oldest first, looked at again. */
  private retryDeferred(which: (run: RecoveryRun) => boolean): void {
    const deferred = [...this.deps.store.allRuns()]
      .filter((r) => r.state === 'deferred' && which(r))
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const run of deferred) if (run.state === 'deferred') this.evaluate(run);
  }

  private held(incidentId: string, runId: string | undefined): RecoveryRun[] {
    if (!this.deps.incidents.get(incidentId)) throw new NotFoundError(`no incident ${incidentId}`);
    const runs = this.deps.store.runsOf(incidentId);
    if (runId !== undefined) {
      const run = runs.find((r) => r.id === runId);
      if (!run) throw new NotFoundError(`no recovery run ${runId} on incident ${incidentId}`);
      if (run.state !== 'awaiting_approval')
        throw new ConflictError(
          `run ${runId} is ${run.state}, not awaiting approval`,
          'not_awaiting_approval',
        );
      return [run];
    }
    const waiting = runs.filter((r) => r.state === 'awaiting_approval');
    if (waiting.length === 0)
      throw new ConflictError(
        `no recovery run of incident ${incidentId} awaits approval`,
        'not_awaiting_approval',
      );
    return waiting;
  }

  private cancel(run: RecoveryRun, why: string): void {
    const previous = run.state;
    this.end(run, 'cancelled', why);
    this.records.cancelled(run, previous);
  }

  private end(run: RecoveryRun, state: 'cancelled' | 'declined', reason: string): void {
    const previous = run.state;
    run.state = state;
    run.reason = reason;
    run.endedAt = this.deps.clock.now();
    this.deps.metrics.runs.inc({ outcome: state });
    this.changed(run, previous);
  }

  // ── bookkeeping ────────────────────────────────────────────────────────────────────────────

  private changed(run: RecoveryRun, previous: RunState | null): void {
    this.deps.store.putRun(run);
    this.deps.events.emit('recovery.changed', { run, previousState: previous });
  }

  private escalate(run: RecoveryRun, text: string, output: string): void {
    const paged = this.deps.escalate(run.incidentId, text, output);
    run.escalated = true;
    this.records.escalated(run, text, paged);
  }

  /** Once the incident's runs have concluded (a verification may settle after the resolve). */
  private observeMttr(incident: Incident): void {
    const runs = this.deps.store
      .runsOf(incident.id)
      .filter((r) => r.mode !== 'dry_run' && r.dispatchedAt !== null);
    if (runs.length === 0 || incident.resolvedAt === null) return;
    if (runs.some((r) => IN_FLIGHT.has(r.state))) return void this.mttrPending.add(incident.id);
    if (this.mttrObserved.has(incident.id)) return;
    this.mttrObserved.add(incident.id);
    if (this.mttrObserved.size > MTTR_OBSERVED_KEPT)
      this.mttrObserved.delete(this.mttrObserved.values().next().value!);
    const first = incident.alerts[0] && this.deps.alerts.get(incident.alerts[0].alertId);
    const { automatic } = incidentFigures(incident, runs, first?.createdAt ?? null);
    this.deps.metrics.mttrSeconds.observe(
      { automatic: String(automatic) },
      (incident.resolvedAt - incident.openedAt) / 1000,
    );
  }
}
