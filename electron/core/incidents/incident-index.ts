// The incidents held in memory and the two lookups the manager needs on every alert change:
// which incident holds an alert, and which incident an alert's rule + subject was last in
// (so a flapping alert keeps returning to one incident). Plain maps, no clock, no I/O: the
// recorder and the joiner keep them in step with the incident log.
import type { Incident } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import { NotFoundError } from './incident-errors.js';

/** An alert's identity across firings: its rule and subject. */
export const keyOf = (a: Pick<Alert, 'ruleId' | 'subjectKey'>) => `${a.ruleId}|${a.subjectKey}`;

export class IncidentIndex {
  private readonly incidents = new Map<string, Incident>();
  private readonly byAlert = new Map<string, string>();
  /** The incident each alert (rule + subject) was last in: flapping alerts stay in one. */
  private readonly byKey = new Map<string, string>();

  get(id: string): Incident | undefined {
    return this.incidents.get(id);
  }

  has(id: string): boolean {
    return this.incidents.has(id);
  }

  mustGet(id: string): Incident {
    const incident = this.incidents.get(id);
    if (!incident) throw new NotFoundError(`no incident ${id}`);
    return incident;
  }

  all(): IterableIterator<Incident> {
    return this.incidents.values();
  }

  /** The incident holding the alert now. */
  of(alert: Pick<Alert, 'id'>): Incident | undefined {
    const id = this.byAlert.get(alert.id);
    return id ? this.incidents.get(id) : undefined;
  }

  /** The incident the alert's rule + subject was last in, if still held. */
  lastOf(alert: Pick<Alert, 'ruleId' | 'subjectKey'>): Incident | undefined {
    const id = this.byKey.get(keyOf(alert));
    return id ? this.incidents.get(id) : undefined;
  }

  /** A restored or new incident, with the alerts it lists. */
  add(incident: Incident): void {
    this.incidents.set(incident.id, incident);
    for (const r of incident.alerts) this.byAlert.set(r.alertId, incident.id);
  }

  /** The alert is now in the incident (and its rule + subject with it). */
  link(alert: Pick<Alert, 'id' | 'ruleId' | 'subjectKey'>, incidentId: string): void {
    this.byAlert.set(alert.id, incidentId);
    this.remember(alert, incidentId);
  }

  /** Only the rule + subject's last incident (restoring it after a restart). */
  remember(alert: Pick<Alert, 'ruleId' | 'subjectKey'>, incidentId: string): void {
    this.byKey.set(keyOf(alert), incidentId);
  }

  /** Alerts an incident no longer lists (its bound on alerts pushed them out). */
  unlink(alertIds: Iterable<string>): void {
    for (const id of alertIds) this.byAlert.delete(id);
  }

  /** Forget an incident (pruned) and its alerts. */
  drop(id: string): void {
    const incident = this.incidents.get(id);
    this.incidents.delete(id);
    for (const r of incident?.alerts ?? []) this.byAlert.delete(r.alertId);
  }
}
