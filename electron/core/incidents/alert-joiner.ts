// Following the alert book: each firing alert goes into an incident (grouping.ts decides
// which), a region's status alert becomes the cause of its agents' offline alerts, a
// resolved incident a related alert fires into reopens, a flapping alert stays in one
// incident, and an incident resolves when its last open alert does. Operator actions are
// elsewhere (incident-actions.ts): here only what the alerts themselves do.
import type { Incident } from '../../../shared/incidents.js';
import type { Alert, AlertState } from '../../../shared/model.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import type { AlertBook } from './alert-book.js';
import { FlapDetector } from './flapping.js';
import { groupingAfterJoin, placeAlert, type AlertRole } from './grouping.js';
import { keyOf } from './incident-index.js';
import type { IncidentOptions } from './incident-options.js';
import type { IncidentRecorder } from './incident-recorder.js';
import type { IncidentSuppression } from './incident-suppression.js';
import { changeReason, listAlert, newIncident, refreshSeverity } from './incident-timeline.js';
import { isOpen } from './lifecycle.js';

export interface AlertJoinerDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  alerts: AlertBook;
  recorder: IncidentRecorder;
  suppression: IncidentSuppression;
  /** What the alert's rule is about: an agent going offline, a region's status, or else. */
  role(alert: Pick<Alert, 'ruleId'>): AlertRole;
}

export type AlertJoinerOptions = Pick<IncidentOptions, 'groupWindowMs' | 'reopenWindowMs' | 'flap'>;

export class AlertJoiner {
  private readonly flap: FlapDetector;

  constructor(
    private readonly deps: AlertJoinerDeps,
    private readonly opts: AlertJoinerOptions,
  ) {
    this.flap = new FlapDetector(opts.flap);
  }

  /**
   * After the alert book has loaded: open alerts no incident holds (the log was behind) are
   * placed; unresolved incidents none of whose alerts is open (resolved while the console was
   * down, or state.json was behind) resolve.
   */
  reconcile(): void {
    const { recorder } = this.deps;
    const { index } = recorder;
    for (const alert of this.deps.alerts.all()) {
      // Only where the alert and the log agree: the rule + subject's last incident.
      const held = index.of(alert);
      if (held && alert.incidentId === held.id) index.remember(alert, held.id);
    }
    for (const alert of this.deps.alerts.openAlerts()) {
      if (alert.state === 'pending') continue;
      if (!index.of(alert)) this.alertChanged(alert, null);
    }
    for (const incident of index.all()) {
      if (incident.state !== 'resolved' && recorder.openAlertsOf(incident).length === 0)
        recorder.resolve(incident, 'console', 'its alerts resolved while the console was down');
    }
  }

  alertChanged(alert: Alert, previousState: AlertState | null): void {
    if (alert.state === 'pending') return;
    const { recorder } = this.deps;
    const incident = recorder.index.of(alert);
    const now = this.deps.clock.now();
    if (!incident) {
      // Resolved before it ever fired (pending → resolved): nothing to triage.
      if (alert.state !== 'resolved') this.place(alert, now);
      return;
    }
    if (alert.state === 'resolved') return this.alertResolved(incident, alert, now);
    if (alert.state === 'acknowledged') {
      if (recorder.acting) return;
      return recorder.note(incident, {
        at: now,
        kind: 'alert_changed',
        by: alert.acknowledgedBy ?? 'operator',
        text: `alert acknowledged: ${alert.message}`,
        alertId: alert.id,
      });
    }
    // Firing again: its severity rose (or it was re-armed after an ack).
    // Looked up only here: a search of thousands of refs per alert change adds up.
    const ref =
      previousState !== null ? incident.alerts.find((r) => r.alertId === alert.id) : undefined;
    if (ref && ref.severity !== alert.severity) {
      ref.severity = alert.severity;
      recorder.add(incident, {
        at: now,
        kind: 'alert_changed',
        by: 'rule',
        text: `alert rose to ${alert.severity}: ${alert.message}`,
        alertId: alert.id,
      });
      const before = { state: incident.state, severity: incident.severity };
      refreshSeverity(incident, now);
      recorder.changed(incident, before.state, before.severity, changeReason(incident, before));
    }
  }

  /** The cause alert's message changed: the incident's title follows it. */
  alertRevised(alert: Alert): void {
    const incident = this.deps.recorder.index.of(alert);
    if (!incident || incident.causeAlertId !== alert.id || incident.title === alert.message) return;
    incident.title = alert.message;
    this.deps.recorder.changed(incident, incident.state, incident.severity, 'updated');
  }

  private place(alert: Alert, now: number): void {
    const { recorder } = this.deps;
    const flapping = this.flap.fired(keyOf(alert), now);
    const placement = placeAlert(alert, {
      now,
      windowMs: this.opts.groupWindowMs,
      // A flapping alert's incident takes it back for as long as it keeps flapping.
      reopenWindowMs: flapping ? this.flap.windowMs : this.opts.reopenWindowMs,
      role: this.deps.role,
      previous: recorder.index.lastOf(alert) ?? null,
      candidates: this.candidates(now),
      causeOpen: (i) => recorder.causeOpen(i),
    });
    const incident = placement.incident
      ? this.join(placement.incident, alert, placement.effect, placement.promote, now)
      : this.create(alert, placement.grouping, now);
    if (flapping && !incident.flapping) {
      incident.flapping = true;
      recorder.note(incident, {
        at: now,
        kind: 'flapping',
        by: 'console',
        text: `alert fired more than ${this.opts.flap.maxFires} times in ${Math.round(this.flap.windowMs / 60_000)} min: flapping`,
        alertId: alert.id,
      });
    }
  }

  private create(alert: Alert, grouping: Incident['grouping'], now: number): Incident {
    const incident = newIncident(this.deps.ids('inc'), alert, grouping, now);
    this.deps.recorder.index.add(incident);
    this.attach(incident, alert, false, now);
    this.deps.suppression.refresh(incident);
    this.deps.recorder.changed(incident, null, null, 'opened');
    return incident;
  }

  private join(
    incident: Incident,
    alert: Alert,
    effect: boolean,
    promote: boolean,
    now: number,
  ): Incident {
    const { recorder } = this.deps;
    const before = { state: incident.state, severity: incident.severity };
    const role = this.deps.role(alert);
    this.attach(incident, alert, effect, now);
    if (role === 'region' && (promote || !recorder.causeOpen(incident)))
      this.makeCause(incident, alert);
    else incident.grouping = groupingAfterJoin(incident, alert);
    if (incident.agentId !== alert.subject.agentId) incident.agentId = null;
    if (incident.regionId !== alert.subject.regionId) incident.regionId = null;
    if (incident.state === 'resolved') {
      incident.state = 'open';
      incident.resolvedAt = null;
      incident.acknowledgedAt = null;
      incident.acknowledgedBy = null;
      recorder.add(incident, { at: now, kind: 'reopened', by: 'rule', text: alert.message });
    }
    recorder.cancelQuiet(incident);
    refreshSeverity(incident, now);
    // An alert joining an incident already suppressed (a re-fire under the same silence) is
    // recorded and not notified, and the timeline says so: nothing is dropped without trace.
    if (!this.deps.suppression.refresh(incident) && alert.suppressedBy && incident.suppressedBy) {
      recorder.add(incident, {
        at: now,
        kind: 'silenced',
        by: 'console',
        alertId: alert.id,
        text: `${alert.message}: suppressed by ${alert.suppressedBy}, recorded, not notified`,
      });
    }
    recorder.changed(incident, before.state, before.severity, changeReason(incident, before));
    return incident;
  }

  private attach(incident: Incident, alert: Alert, effect: boolean, now: number): void {
    const { index } = this.deps.recorder;
    index.unlink(listAlert(incident, alert, effect, now));
    index.link(alert, incident.id);
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
    const { recorder } = this.deps;
    if (!recorder.acting)
      recorder.add(incident, {
        at: now,
        kind: 'alert_changed',
        by: alert.resolvedBy ?? 'rule',
        text: `alert resolved: ${alert.message}`,
        alertId: alert.id,
      });
    if (incident.state === 'resolved' || recorder.openAlertsOf(incident).length > 0)
      return recorder.changed(incident, incident.state, incident.severity, 'updated');
    if (incident.flapping && !recorder.acting && !recorder.waitingQuiet(incident)) {
      // A flapping incident resolves only once its alerts have stayed quiet a whole window.
      recorder.awaitQuiet(incident, this.flap.windowMs, () => {
        if (incident.state !== 'resolved' && recorder.openAlertsOf(incident).length === 0)
          recorder.resolve(incident, 'rule', 'quiet for a whole flapping window');
      });
      return recorder.changed(incident, incident.state, incident.severity, 'updated');
    }
    recorder.resolve(incident, recorder.acting?.by ?? alert.resolvedBy ?? 'rule', '');
  }

  /** Unresolved incidents and those resolved within a reopen window, newest first. */
  private candidates(now: number): Incident[] {
    const out: Incident[] = [];
    const reopen = Math.max(this.opts.reopenWindowMs, this.flap.windowMs);
    for (const i of this.deps.recorder.index.all())
      if (i.state !== 'resolved' || now - (i.resolvedAt ?? 0) <= reopen) out.push(i);
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }
}
