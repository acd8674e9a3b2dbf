// What an incident is made of, as pure functions on the Incident record: a new incident, its
// bounded timeline and alert list, and its severity derived from its alerts. No clock, no
// events, no I/O (the caller passes `now` and announces the change), so each rule here can be
// read, and tested, on its own.
import type {
  Incident,
  IncidentGrouping,
  IncidentState,
  TimelineEntry,
} from '../../../shared/incidents.js';
import { SEVERITY_RANK, type Alert, type Severity } from '../../../shared/model.js';
import type { CoreEventMap } from '../events.js';

export type ChangeReason = CoreEventMap['incident.changed']['reason'];

/** Timeline entries kept per incident; beyond it the oldest after the first go. */
export const MAX_TIMELINE = 2_000;
/** Alerts listed per incident; a flapping alert's old occurrences go first. */
export const MAX_ALERTS = 5_000;

/** Append to the timeline, keeping the first entry (how it opened) when trimming. */
export function appendEntry(incident: Incident, entry: TimelineEntry): void {
  incident.timeline.push(entry);
  if (incident.timeline.length > MAX_TIMELINE)
    incident.timeline.splice(1, incident.timeline.length - MAX_TIMELINE);
}

/** A new open incident for the alert, with no alerts listed yet (the caller attaches it). */
export function newIncident(
  id: string,
  alert: Alert,
  grouping: IncidentGrouping,
  now: number,
): Incident {
  return {
    id,
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
}

/**
 * List the alert in the incident and note its joining in the timeline (unless it opened the
 * incident). Returns the alert ids pushed out by the bound on alerts, for the caller's index.
 */
export function listAlert(
  incident: Incident,
  alert: Alert,
  effect: boolean,
  now: number,
): string[] {
  incident.alerts.push({
    alertId: alert.id,
    ruleId: alert.ruleId,
    severity: alert.severity,
    effect,
    joinedAt: now,
    agentId: alert.subject.agentId,
  });
  const gone =
    incident.alerts.length > MAX_ALERTS
      ? incident.alerts.splice(0, incident.alerts.length - MAX_ALERTS).map((r) => r.alertId)
      : [];
  alert.incidentId = incident.id;
  if (effect) alert.inhibitedBy = incident.causeAlertId;
  if (incident.timeline.length > 0 && incident.timeline[0]!.alertId === alert.id) return gone;
  const effectNote = effect ? ' (effect of the region alert: not paged on its own)' : '';
  appendEntry(incident, {
    at: now,
    kind: 'alert_joined',
    by: 'rule',
    text: `${alert.severity}: ${alert.message}${effectNote}`,
    alertId: alert.id,
  });
  return gone;
}

/** Severity: the worst of the alerts that are not effects (of all, if all are). */
export function refreshSeverity(incident: Incident, now: number): void {
  // One pass, no lists, newest first, stopping at a critical cause (nothing is worse): every
  // alert joining an incident (thousands in a long attack) runs this.
  let worstCause: Severity | null = null;
  let worstAll: Severity = 'info';
  const refs = incident.alerts;
  for (let i = refs.length - 1; i >= 0; i--) {
    const r = refs[i]!;
    if (SEVERITY_RANK[r.severity] > SEVERITY_RANK[worstAll]) worstAll = r.severity;
    if (r.effect) continue;
    if (worstCause === null || SEVERITY_RANK[r.severity] > SEVERITY_RANK[worstCause])
      worstCause = r.severity;
    if (worstCause === 'critical') break;
  }
  const worst: Severity = worstCause ?? worstAll;
  const rose = SEVERITY_RANK[worst] > SEVERITY_RANK[incident.severity];
  if (worst !== incident.severity)
    appendEntry(incident, {
      at: now,
      kind: 'severity_changed',
      by: 'rule',
      text: `severity ${incident.severity} → ${worst}`,
    });
  incident.severity = worst;
  // A rise needs eyes again, as an alert's does.
  if (rose && incident.state === 'acknowledged') incident.state = 'open';
}

/** Why an incident changed, for the notifier: a new state pages, a new alert may not. */
export function changeReason(
  incident: Incident,
  before: { state: IncidentState; severity: Severity },
): ChangeReason {
  if (incident.state !== before.state) return 'state';
  return incident.severity !== before.severity ? 'severity' : 'alert_joined';
}
