// Whether an incident is held quiet: by a silence or maintenance window (every open alert
// that is not an effect is suppressed), or, for an agent's offline alert, inhibited by its
// region's open cause incident. Kept apart from the joiner because silences and windows change
// on their own schedule (suppressionChanged, remind), not only when alerts do.
import type { Incident } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { AlertBook } from './alert-book.js';
import type { AlertRole } from './grouping.js';
import type { IncidentRecorder } from './incident-recorder.js';
import { isOpen } from './lifecycle.js';

export interface IncidentSuppressionDeps {
  clock: Clock;
  events: CoreEvents;
  alerts: AlertBook;
  recorder: IncidentRecorder;
  role(alert: Pick<Alert, 'ruleId'>): AlertRole;
  /** The silence or maintenance window covering the alert now (its id), or null. */
  suppressedBy(alert: Alert): string | null;
}

export class IncidentSuppression {
  constructor(private readonly deps: IncidentSuppressionDeps) {}

  /** Set the alert's `suppressedBy` and `inhibitedBy` before the alert book announces it. */
  annotate(alert: Alert): void {
    alert.suppressedBy = this.deps.suppressedBy(alert);
    const cause = this.openCauseFor(alert);
    if (cause) alert.inhibitedBy = cause.causeAlertId;
  }

  /**
   * Silences or maintenance windows changed: every open alert's `suppressedBy` is looked at
   * again, and each incident's with it (a timeline entry for each change).
   */
  changed(): void {
    const { recorder } = this.deps;
    const touched = new Set<Incident>();
    for (const alert of this.deps.alerts.openAlerts()) {
      const by = this.deps.suppressedBy(alert);
      if ((alert.suppressedBy ?? null) === by) continue;
      alert.suppressedBy = by;
      this.deps.events.emit('alert.revised', { alert });
      const incident = recorder.index.of(alert);
      if (incident) touched.add(incident);
    }
    for (const incident of touched)
      if (this.refresh(incident))
        recorder.changed(incident, incident.state, incident.severity, 'updated');
  }

  /** A silence or window is about to end: say so in the timeline of what it holds quiet. */
  remind(suppressorId: string, text: string): void {
    const { recorder } = this.deps;
    for (const incident of recorder.index.all()) {
      if (incident.state === 'resolved' || incident.suppressedBy !== suppressorId) continue;
      recorder.note(incident, { at: this.deps.clock.now(), kind: 'silenced', by: 'console', text });
    }
  }

  /**
   * Suppressed while every open alert that is not an effect is; true when that changed (with
   * a timeline entry, not yet announced: the caller announces once for all it changed).
   */
  refresh(incident: Incident): boolean {
    const by = this.unsuppressedCauseOpen(incident) ? null : this.suppressor(incident);
    if (by === undefined) return false;
    const was = incident.suppressedBy;
    if (by === was) return false;
    incident.suppressedBy = by;
    this.deps.recorder.add(incident, {
      at: this.deps.clock.now(),
      kind: 'silenced',
      by: 'console',
      text: by
        ? `suppressed by ${by}: recorded, not notified`
        : `no longer suppressed by ${was}: notified again`,
    });
    return true;
  }

  /**
   * Whether an open (firing or acknowledged) alert that is not an effect is not suppressed:
   * then the incident is not suppressed either, whatever the rest. Looked for newest first
   * and without building lists: every alert joining an incident refreshes it, and a long
   * attack's detections put thousands of alerts in one incident (each join was a full scan
   * with an alert-book lookup per alert).
   */
  private unsuppressedCauseOpen(incident: Incident): boolean {
    const refs = incident.alerts;
    let effects: Set<string> | null = null;
    for (const r of refs) if (r.effect) (effects ??= new Set()).add(r.alertId);
    for (let i = refs.length - 1; i >= 0; i--) {
      const id = refs[i]!.alertId;
      if (effects?.has(id)) continue;
      const a = this.deps.alerts.get(id);
      if (a && isOpen(a.state) && a.state !== 'pending' && !a.suppressedBy) return true;
    }
    return false;
  }

  /**
   * What suppresses the incident: the silence or window of its first open alert that is not
   * an effect (of all open ones, if all are effects) when every one of them is suppressed,
   * else null; undefined when no alert is open.
   */
  private suppressor(incident: Incident): string | null | undefined {
    const open = this.deps.recorder.openAlertsOf(incident).filter((a) => a.state !== 'pending');
    // A set, not a search of the incident's alert list per alert: an incident collecting
    // thousands of alerts (a long attack's detections) made each join quadratic.
    const effects = new Set(incident.alerts.filter((r) => r.effect).map((r) => r.alertId));
    const causes = open.filter((a) => !effects.has(a.id));
    const considered = causes.length > 0 ? causes : open;
    if (considered.length === 0) return undefined;
    return considered.every((a) => a.suppressedBy) ? considered[0]!.suppressedBy! : null;
  }

  /** The open incident whose region status alert explains this offline alert, if any. */
  private openCauseFor(alert: Alert): Incident | undefined {
    const { recorder } = this.deps;
    if (this.deps.role(alert) !== 'offline' || !alert.subject.regionId) return undefined;
    for (const i of recorder.index.all())
      if (
        i.state !== 'resolved' &&
        i.grouping === 'region_cause' &&
        i.regionId === alert.subject.regionId &&
        recorder.causeOpen(i)
      )
        return i;
    return undefined;
  }
}
