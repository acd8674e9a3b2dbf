// Incidents: what the operator triages. Follows the alert book ('alert.changed'), puts each
// firing alert into an incident (grouping.ts), keeps the incident's severity, state, owner and
// timeline, and announces every change as 'incident.changed' for the notification pipeline and
// the stream. Incidents live in the incident log (incident-log.ts), not in state.json.
import type { Incident, IncidentState, TimelineEntry } from '../../../shared/incidents.js';
import {
  SEVERITY_RANK,
  type Alert,
  type AlertState,
  type Severity,
} from '../../../shared/model.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEventMap, CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { AlertBook } from './alert-book.js';
import { FlapDetector } from './flapping.js';
import { groupingAfterJoin, placeAlert, type AlertRole } from './grouping.js';
import { ConflictError, NotFoundError } from './incident-errors.js';
import { IncidentLog } from './incident-log.js';
import type { IncidentOptions } from './incident-options.js';
import { searchIncidents, type IncidentFilter } from './incident-search.js';
import { isOpen } from './lifecycle.js';

export interface IncidentManagerDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  logger: Logger;
  dataDir: string;
  alerts: AlertBook;
  /** What the alert's rule is about: an agent going offline, a region's status, or else. */
  role(alert: Pick<Alert, 'ruleId'>): AlertRole;
  /** The silence or maintenance window covering the alert now (its id), or null. */
  suppressedBy(alert: Alert): string | null;
}

type Reason = CoreEventMap['incident.changed']['reason'];

/** Timeline entries kept per incident; beyond it the oldest after the first go. */
const MAX_TIMELINE = 2_000;
/** Alerts listed per incident; a flapping alert's old occurrences go first. */
const MAX_ALERTS = 5_000;
const keyOf = (a: Pick<Alert, 'ruleId' | 'subjectKey'>) => `${a.ruleId}|${a.subjectKey}`;

export class IncidentManager {
  private readonly incidents = new Map<string, Incident>();
  private readonly byAlert = new Map<string, string>();
  /** The incident each alert (rule + subject) was last in: flapping alerts stay in one. */
  private readonly byKey = new Map<string, string>();
  private readonly flap: FlapDetector;
  private readonly log: IncidentLog;
  private readonly quiet = new Map<string, TimerHandle>();
  /** An operator action in progress: the alert changes it causes are theirs, not news. */
  private acting: { by: string } | null = null;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly deps: IncidentManagerDeps,
    private readonly opts: IncidentOptions,
  ) {
    this.flap = new FlapDetector(opts.flap);
    this.log = new IncidentLog(
      { ...deps, lookup: (id) => this.incidents.get(id) },
      { retentionMs: opts.retentionMs, maxBytes: opts.maxBytes, debounceMs: opts.debounceMs },
    );
    this.off.push(
      deps.events.on('alert.changed', (e) => this.onAlertChanged(e.alert, e.previousState)),
      deps.events.on('alert.revised', ({ alert }) => this.onAlertRevised(alert)),
    );
  }

  get logPath(): string {
    return this.log.path;
  }

  /** Load the incident log (before the alert book loads, so restored alerts find theirs). */
  async open(): Promise<void> {
    const { incidents, stats } = await this.log.open();
    for (const i of incidents) this.index(i);
    if (stats.corrupt + stats.invalid > 0)
      this.deps.logger.warn('incident log lines skipped', { ...stats });
    this.prune();
  }

  /**
   * After the alert book has loaded: open alerts no incident holds (the log was behind) are
   * placed; unresolved incidents none of whose alerts is open (resolved while the console was
   * down, or state.json was behind) resolve.
   */
  reconcile(): void {
    for (const alert of this.deps.alerts.all()) {
      const id = alert.incidentId && this.incidents.has(alert.incidentId) ? alert.incidentId : null;
      if (id && this.byAlert.get(alert.id) === id) this.byKey.set(keyOf(alert), id);
    }
    for (const alert of this.deps.alerts.openAlerts()) {
      if (alert.state === 'pending') continue;
      const id = this.byAlert.get(alert.id);
      if (!id || !this.incidents.has(id)) this.onAlertChanged(alert, null);
    }
    for (const incident of this.incidents.values()) {
      if (incident.state !== 'resolved' && this.openAlertsOf(incident).length === 0)
        this.resolveIncident(incident, 'console', 'its alerts resolved while the console was down');
    }
  }

  async close(): Promise<void> {
    this.off.forEach((f) => f());
    for (const t of this.quiet.values()) t.cancel();
    this.quiet.clear();
    await this.log.close();
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  get(id: string): Incident | undefined {
    return this.incidents.get(id);
  }

  list(filter: IncidentFilter = {}): Incident[] {
    return searchIncidents(this.incidents.values(), filter, this.deps.clock.now());
  }

  /** Unresolved incidents and the `resolved` most recently resolved (the stream's snapshot). */
  current(resolved: number): Incident[] {
    const open = this.list({ state: 'unresolved' });
    return [...open, ...this.list({ state: 'resolved', limit: resolved })];
  }

  /** The incident's alerts the alert book still holds. */
  alertsOf(incident: Incident): Alert[] {
    return incident.alerts.flatMap((r) => this.deps.alerts.get(r.alertId) ?? []);
  }

  openAlertsOf(incident: Incident): Alert[] {
    return this.alertsOf(incident).filter((a) => isOpen(a.state));
  }

  /** Set the alert's `suppressedBy` and `inhibitedBy` before the alert book announces it. */
  annotate(alert: Alert): void {
    alert.suppressedBy = this.deps.suppressedBy(alert);
    const cause = this.openCauseFor(alert);
    if (cause) alert.inhibitedBy = cause.causeAlertId;
  }

  acknowledge(id: string, by: string, comment?: string): Incident {
    const incident = this.mustGet(id);
    if (incident.state !== 'open')
      throw new ConflictError(`incident ${id} is ${incident.state}`, 'illegal_transition');
    const now = this.deps.clock.now();
    incident.state = 'acknowledged';
    incident.acknowledgedAt = now;
    incident.acknowledgedBy = by;
    incident.nextEscalationAt = null;
    this.add(incident, { at: now, kind: 'acknowledged', by, text: comment ?? '' });
    this.withActor(by, () => {
      for (const a of this.openAlertsOf(incident))
        if (a.state === 'firing') this.deps.alerts.acknowledge(a.id, by, comment);
    });
    this.changed(incident, 'open', incident.severity, 'state');
    return incident;
  }

  /** Resolve every open alert of the incident (the caller made silences for held ones). */
  resolve(id: string, by: string, comment?: string): Incident {
    const incident = this.mustGet(id);
    if (incident.state === 'resolved')
      throw new ConflictError(`incident ${id} is already resolved`, 'illegal_transition');
    this.withActor(by, () => {
      for (const a of this.openAlertsOf(incident)) this.deps.alerts.resolve(a.id, by, comment);
    });
    // The last alert's resolution resolved it (or it had none open): resolve it now.
    if ((incident.state as Incident['state']) !== 'resolved')
      this.resolveIncident(incident, by, comment ?? '');
    else if (comment) this.commentOn(incident, by, comment);
    return incident;
  }

  assign(id: string, owner: string | null, by: string): Incident {
    const incident = this.mustGet(id);
    incident.owner = owner;
    const text = owner ? `assigned to ${owner}` : 'unassigned';
    this.add(incident, { at: this.deps.clock.now(), kind: 'assigned', by, text });
    this.changed(incident, incident.state, incident.severity, 'assigned');
    return incident;
  }

  comment(id: string, text: string, by: string): Incident {
    const incident = this.mustGet(id);
    this.commentOn(incident, by, text);
    return incident;
  }

  /**
   * An entry from outside (the notifier: 'notified', 'notify_failed', 'escalated'), with the
   * escalation step it reached. Announced with reason 'updated', which pages nobody.
   */
  record(
    id: string,
    entry: TimelineEntry,
    escalation?: { step: number | null; nextAt: number | null },
  ): Incident {
    const incident = this.mustGet(id);
    this.add(incident, entry);
    if (escalation) {
      incident.escalationStep = escalation.step;
      incident.nextEscalationAt = escalation.nextAt;
    }
    this.changed(incident, incident.state, incident.severity, 'updated');
    return incident;
  }

  /**
   * Silences or maintenance windows changed: every open alert's `suppressedBy` is looked at
   * again, and each incident's with it (a timeline entry for each change).
   */
  suppressionChanged(): void {
    const touched = new Set<Incident>();
    for (const alert of this.deps.alerts.openAlerts()) {
      const by = this.deps.suppressedBy(alert);
      if ((alert.suppressedBy ?? null) === by) continue;
      alert.suppressedBy = by;
      this.deps.events.emit('alert.revised', { alert });
      const incident = this.incidentOf(alert);
      if (incident) touched.add(incident);
    }
    for (const incident of touched)
      if (this.refreshSuppression(incident))
        this.changed(incident, incident.state, incident.severity, 'updated');
  }

  /** A silence or window is about to end: say so in the timeline of what it holds quiet. */
  remind(suppressorId: string, text: string): void {
    for (const incident of this.incidents.values()) {
      if (incident.state === 'resolved' || incident.suppressedBy !== suppressorId) continue;
      this.add(incident, { at: this.deps.clock.now(), kind: 'silenced', by: 'console', text });
      this.changed(incident, incident.state, incident.severity, 'updated');
    }
  }

  incidentOf(alert: Pick<Alert, 'id'>): Incident | undefined {
    const id = this.byAlert.get(alert.id);
    return id ? this.incidents.get(id) : undefined;
  }

  // ── following the alert book ──────────────────────────────────────────────────────────────

  private onAlertChanged(alert: Alert, previousState: AlertState | null): void {
    if (alert.state === 'pending') return;
    const incident = this.incidentOf(alert);
    const now = this.deps.clock.now();
    if (!incident) {
      // Resolved before it ever fired (pending → resolved): nothing to triage.
      if (alert.state !== 'resolved') this.place(alert, now);
      return;
    }
    const ref = incident.alerts.find((r) => r.alertId === alert.id);
    if (alert.state === 'resolved') return this.alertResolved(incident, alert, now);
    if (alert.state === 'acknowledged') {
      if (this.acting) return;
      this.add(incident, {
        at: now,
        kind: 'alert_changed',
        by: alert.acknowledgedBy ?? 'operator',
        text: `alert acknowledged: ${alert.message}`,
        alertId: alert.id,
      });
      return this.changed(incident, incident.state, incident.severity, 'updated');
    }
    // Firing again: its severity rose (or it was re-armed after an ack).
    if (ref && previousState !== null && ref.severity !== alert.severity) {
      ref.severity = alert.severity;
      this.add(incident, {
        at: now,
        kind: 'alert_changed',
        by: 'rule',
        text: `alert rose to ${alert.severity}: ${alert.message}`,
        alertId: alert.id,
      });
      const before = { state: incident.state, severity: incident.severity };
      this.refreshSeverity(incident, now);
      this.changed(incident, before.state, before.severity, this.reasonFor(incident, before));
    }
  }

  private onAlertRevised(alert: Alert): void {
    const incident = this.incidentOf(alert);
    if (!incident || incident.causeAlertId !== alert.id || incident.title === alert.message) return;
    incident.title = alert.message;
    this.changed(incident, incident.state, incident.severity, 'updated');
  }

  private place(alert: Alert, now: number): void {
    const key = keyOf(alert);
    const flapping = this.flap.fired(key, now);
    const previousId = this.byKey.get(key);
    const placement = placeAlert(alert, {
      now,
      windowMs: this.opts.groupWindowMs,
      // A flapping alert's incident takes it back for as long as it keeps flapping.
      reopenWindowMs: flapping ? this.flap.windowMs : this.opts.reopenWindowMs,
      role: this.deps.role,
      previous: previousId ? (this.incidents.get(previousId) ?? null) : null,
      candidates: this.candidates(now),
      causeOpen: (i) => this.causeOpen(i),
    });
    const incident = placement.incident
      ? this.join(placement.incident, alert, placement.effect, placement.promote, now)
      : this.create(alert, placement.grouping, now);
    if (flapping && !incident.flapping) {
      incident.flapping = true;
      this.add(incident, {
        at: now,
        kind: 'flapping',
        by: 'console',
        text: `alert fired more than ${this.opts.flap.maxFires} times in ${Math.round(this.flap.windowMs / 60_000)} min: flapping`,
        alertId: alert.id,
      });
      this.changed(incident, incident.state, incident.severity, 'updated');
    }
  }

  private create(alert: Alert, grouping: Incident['grouping'], now: number): Incident {
    const incident: Incident = {
      id: this.deps.ids('inc'),
      title: alert.message,
      severity: alert.severity,
      state: 'open',
      grouping,
      regionId: alert.subject.regionId,
      agentId: alert.subject.agentId,
      causeAlertId: grouping === 'region_cause' ? alert.id : null,
      alerts: [],
      owner: null,
      openedAt: now,
      updatedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      escalationStep: null,
      nextEscalationAt: null,
      flapping: false,
      suppressedBy: null,
      timeline: [{ at: now, kind: 'opened', by: 'rule', text: alert.message, alertId: alert.id }],
    };
    this.incidents.set(incident.id, incident);
    this.attach(incident, alert, false, now);
    this.refreshSuppression(incident);
    this.changed(incident, null, null, 'opened');
    return incident;
  }

  private join(
    incident: Incident,
    alert: Alert,
    effect: boolean,
    promote: boolean,
    now: number,
  ): Incident {
    const before = { state: incident.state, severity: incident.severity };
    const role = this.deps.role(alert);
    this.attach(incident, alert, effect, now);
    if (role === 'region' && (promote || !this.causeOpen(incident)))
      this.makeCause(incident, alert);
    else incident.grouping = groupingAfterJoin(incident, alert);
    if (incident.agentId !== alert.subject.agentId) incident.agentId = null;
    if (incident.regionId !== alert.subject.regionId) incident.regionId = null;
    if (incident.state === 'resolved') {
      incident.state = 'open';
      incident.resolvedAt = null;
      incident.acknowledgedAt = null;
      incident.acknowledgedBy = null;
      this.add(incident, { at: now, kind: 'reopened', by: 'rule', text: alert.message });
    }
    this.quiet.get(incident.id)?.cancel();
    this.quiet.delete(incident.id);
    this.refreshSeverity(incident, now);
    // An alert joining an incident already suppressed (a re-fire under the same silence) is
    // recorded and not notified, and the timeline says so: nothing is dropped without trace.
    if (!this.refreshSuppression(incident) && alert.suppressedBy && incident.suppressedBy) {
      this.add(incident, {
        at: now,
        kind: 'silenced',
        by: 'console',
        alertId: alert.id,
        text: `${alert.message}: suppressed by ${alert.suppressedBy}, recorded, not notified`,
      });
    }
    this.changed(incident, before.state, before.severity, this.reasonFor(incident, before));
    return incident;
  }

  private attach(incident: Incident, alert: Alert, effect: boolean, now: number): void {
    incident.alerts.push({
      alertId: alert.id,
      ruleId: alert.ruleId,
      severity: alert.severity,
      effect,
      joinedAt: now,
      agentId: alert.subject.agentId,
    });
    if (incident.alerts.length > MAX_ALERTS) {
      const gone = incident.alerts.splice(0, incident.alerts.length - MAX_ALERTS);
      for (const r of gone) this.byAlert.delete(r.alertId);
    }
    this.byAlert.set(alert.id, incident.id);
    this.byKey.set(keyOf(alert), incident.id);
    alert.incidentId = incident.id;
    if (effect) alert.inhibitedBy = incident.causeAlertId;
    if (incident.timeline.length > 0 && incident.timeline[0]!.alertId === alert.id) return;
    const effectNote = effect ? ' (effect of the region alert: not paged on its own)' : '';
    this.add(incident, {
      at: now,
      kind: 'alert_joined',
      by: 'rule',
      text: `${alert.severity}: ${alert.message}${effectNote}`,
      alertId: alert.id,
    });
  }

  /** The region's status alert explains the rest: its agents' offline alerts become effects. */
  private makeCause(incident: Incident, cause: Alert): void {
    incident.grouping = 'region_cause';
    incident.causeAlertId = cause.id;
    incident.title = cause.message;
    for (const ref of incident.alerts) {
      if (ref.alertId === cause.id || this.deps.role(ref) !== 'offline') continue;
      const alert = this.deps.alerts.get(ref.alertId);
      if (!alert || alert.subject.regionId !== cause.subject.regionId) continue;
      ref.effect = true;
      if (!isOpen(alert.state)) continue;
      alert.inhibitedBy = cause.id;
      this.deps.events.emit('alert.revised', { alert });
    }
    const ref = incident.alerts.find((r) => r.alertId === cause.id);
    if (ref) ref.effect = false;
  }

  private alertResolved(incident: Incident, alert: Alert, now: number): void {
    if (!this.acting)
      this.add(incident, {
        at: now,
        kind: 'alert_changed',
        by: alert.resolvedBy ?? 'rule',
        text: `alert resolved: ${alert.message}`,
        alertId: alert.id,
      });
    if (incident.state === 'resolved' || this.openAlertsOf(incident).length > 0)
      return this.changed(incident, incident.state, incident.severity, 'updated');
    if (incident.flapping && !this.acting && !this.quiet.has(incident.id)) {
      // A flapping incident resolves only once its alerts have stayed quiet a whole window.
      this.quiet.set(
        incident.id,
        this.deps.clock.setTimeout(() => {
          this.quiet.delete(incident.id);
          if (incident.state !== 'resolved' && this.openAlertsOf(incident).length === 0)
            this.resolveIncident(incident, 'rule', 'quiet for a whole flapping window');
        }, this.flap.windowMs),
      );
      return this.changed(incident, incident.state, incident.severity, 'updated');
    }
    this.resolveIncident(incident, this.acting?.by ?? alert.resolvedBy ?? 'rule', '');
  }

  private resolveIncident(incident: Incident, by: string, text: string): void {
    const previous = incident.state;
    const now = this.deps.clock.now();
    incident.state = 'resolved';
    incident.resolvedAt = now;
    incident.nextEscalationAt = null;
    this.quiet.get(incident.id)?.cancel();
    this.quiet.delete(incident.id);
    this.add(incident, { at: now, kind: 'resolved', by, text });
    this.changed(incident, previous, incident.severity, 'state');
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────────────────────

  private commentOn(incident: Incident, by: string, text: string): void {
    this.add(incident, { at: this.deps.clock.now(), kind: 'commented', by, text });
    this.changed(incident, incident.state, incident.severity, 'updated');
  }

  /** Severity: the worst of the alerts that are not effects (of all, if all are). */
  private refreshSeverity(incident: Incident, now: number): void {
    const causes = incident.alerts.filter((r) => !r.effect);
    const refs = causes.length > 0 ? causes : incident.alerts;
    let worst: Severity = 'info';
    for (const r of refs) if (SEVERITY_RANK[r.severity] > SEVERITY_RANK[worst]) worst = r.severity;
    const rose = SEVERITY_RANK[worst] > SEVERITY_RANK[incident.severity];
    if (worst !== incident.severity)
      this.add(incident, {
        at: now,
        kind: 'severity_changed',
        by: 'rule',
        text: `severity ${incident.severity} → ${worst}`,
      });
    incident.severity = worst;
    // A rise needs eyes again, as an alert's does.
    if (rose && incident.state === 'acknowledged') incident.state = 'open';
  }

  /** Suppressed while every open alert that is not an effect is; true when that changed. */
  private refreshSuppression(incident: Incident): boolean {
    const open = this.openAlertsOf(incident).filter((a) => a.state !== 'pending');
    const causes = open.filter((a) => !incident.alerts.find((r) => r.alertId === a.id)?.effect);
    const considered = causes.length > 0 ? causes : open;
    if (considered.length === 0) return false;
    const by = considered.every((a) => a.suppressedBy) ? considered[0]!.suppressedBy! : null;
    const was = incident.suppressedBy;
    if (by === was) return false;
    incident.suppressedBy = by;
    this.add(incident, {
      at: this.deps.clock.now(),
      kind: 'silenced',
      by: 'console',
      text: by
        ? `suppressed by ${by}: recorded, not notified`
        : `no longer suppressed by ${was}: notified again`,
    });
    return true;
  }

  private reasonFor(incident: Incident, before: { state: IncidentState; severity: Severity }) {
    if (incident.state !== before.state) return 'state';
    return incident.severity !== before.severity ? 'severity' : 'alert_joined';
  }

  private changed(
    incident: Incident,
    previousState: IncidentState | null,
    previousSeverity: Severity | null,
    reason: Reason,
  ): void {
    incident.updatedAt = this.deps.clock.now();
    this.log.changed(incident.id);
    this.deps.events.emit('incident.changed', {
      incident,
      previousState,
      previousSeverity,
      reason,
    });
  }

  private add(incident: Incident, entry: TimelineEntry): void {
    incident.timeline.push(entry);
    if (incident.timeline.length > MAX_TIMELINE)
      incident.timeline.splice(1, incident.timeline.length - MAX_TIMELINE);
  }

  private causeOpen(incident: Incident): boolean {
    if (!incident.causeAlertId) return false;
    const cause = this.deps.alerts.get(incident.causeAlertId);
    return cause !== undefined && isOpen(cause.state);
  }

  private openCauseFor(alert: Alert): Incident | undefined {
    if (this.deps.role(alert) !== 'offline' || !alert.subject.regionId) return undefined;
    for (const i of this.incidents.values())
      if (
        i.state !== 'resolved' &&
        i.grouping === 'region_cause' &&
        i.regionId === alert.subject.regionId &&
        this.causeOpen(i)
      )
        return i;
    return undefined;
  }

  private candidates(now: number): Incident[] {
    const out: Incident[] = [];
    const reopen = Math.max(this.opts.reopenWindowMs, this.flap.windowMs);
    for (const i of this.incidents.values())
      if (i.state !== 'resolved' || now - (i.resolvedAt ?? 0) <= reopen) out.push(i);
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  private withActor(by: string, fn: () => void): void {
    const outer = this.acting;
    this.acting = { by };
    try {
      fn();
    } finally {
      this.acting = outer;
    }
  }

  private index(incident: Incident): void {
    this.incidents.set(incident.id, incident);
    for (const r of incident.alerts) this.byAlert.set(r.alertId, incident.id);
  }

  /** Drop incidents past retention or the size bound (at start, and daily from the core). */
  prune(): void {
    for (const id of this.log.prune(this.incidents.values())) {
      const incident = this.incidents.get(id);
      this.incidents.delete(id);
      for (const r of incident?.alerts ?? []) this.byAlert.delete(r.alertId);
    }
  }

  /** The notifier's escalation step and when the next one is due (no timeline entry). */
  setEscalation(id: string, step: number | null, nextAt: number | null): void {
    const incident = this.incidents.get(id);
    if (!incident) return;
    incident.escalationStep = step;
    incident.nextEscalationAt = nextAt;
    this.changed(incident, incident.state, incident.severity, 'updated');
  }

  private mustGet(id: string): Incident {
    const incident = this.incidents.get(id);
    if (!incident) throw new NotFoundError(`no incident ${id}`);
    return incident;
  }
}
