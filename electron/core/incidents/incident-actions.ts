// What operators (and the notifier) do to an incident: acknowledge, resolve, assign, comment,
// and the notifier's timeline entries and escalation step. Acknowledging or resolving an
// incident does the same to its open alerts, under the operator's name (withActor), so the
// alert changes it causes are not reported back into the timeline as news.
import type { Incident, TimelineEntry } from '../../../shared/incidents.js';
import type { Clock } from '../clock.js';
import type { AlertBook } from './alert-book.js';
import { ConflictError } from './incident-errors.js';
import type { IncidentRecorder } from './incident-recorder.js';

export interface IncidentActionsDeps {
  clock: Clock;
  alerts: AlertBook;
  recorder: IncidentRecorder;
}

export class IncidentActions {
  constructor(private readonly deps: IncidentActionsDeps) {}

  acknowledge(id: string, by: string, comment?: string): Incident {
    const { recorder } = this.deps;
    const incident = recorder.index.mustGet(id);
    if (incident.state !== 'open')
      throw new ConflictError(`incident ${id} is ${incident.state}`, 'illegal_transition');
    const now = this.deps.clock.now();
    incident.state = 'acknowledged';
    incident.acknowledgedAt = now;
    incident.acknowledgedBy = by;
    incident.nextEscalationAt = null;
    recorder.add(incident, { at: now, kind: 'acknowledged', by, text: comment ?? '' });
    recorder.withActor(by, () => {
      for (const a of recorder.openAlertsOf(incident))
        if (a.state === 'firing') this.deps.alerts.acknowledge(a.id, by, comment);
    });
    recorder.changed(incident, 'open', incident.severity, 'state');
    return incident;
  }

  /** Resolve every open alert of the incident (the caller made silences for held ones). */
  resolve(id: string, by: string, comment?: string): Incident {
    const { recorder } = this.deps;
    const incident = recorder.index.mustGet(id);
    if (incident.state === 'resolved')
      throw new ConflictError(`incident ${id} is already resolved`, 'illegal_transition');
    recorder.withActor(by, () => {
      for (const a of recorder.openAlertsOf(incident)) this.deps.alerts.resolve(a.id, by, comment);
    });
    // The last alert's resolution resolved it (or it had none open): resolve it now.
    if ((incident.state as Incident['state']) !== 'resolved')
      recorder.resolve(incident, by, comment ?? '');
    else if (comment) recorder.comment(incident, by, comment);
    return incident;
  }

  assign(id: string, owner: string | null, by: string): Incident {
    const { recorder } = this.deps;
    const incident = recorder.index.mustGet(id);
    incident.owner = owner;
    const text = owner ? `assigned to ${owner}` : 'unassigned';
    recorder.add(incident, { at: this.deps.clock.now(), kind: 'assigned', by, text });
    recorder.changed(incident, incident.state, incident.severity, 'assigned');
    return incident;
  }

  comment(id: string, text: string, by: string): Incident {
    const incident = this.deps.recorder.index.mustGet(id);
    this.deps.recorder.comment(incident, by, text);
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
    const { recorder } = this.deps;
    const incident = recorder.index.mustGet(id);
    recorder.add(incident, entry);
    if (escalation) {
      incident.escalationStep = escalation.step;
      incident.nextEscalationAt = escalation.nextAt;
    }
    recorder.changed(incident, incident.state, incident.severity, 'updated');
    return incident;
  }

  /** The notifier's escalation step and when the next one is due (no timeline entry). */
  setEscalation(
    id: string,
    step: number | null,
    nextAt: number | null,
    nextTo?: readonly string[],
  ): void {
    const incident = this.deps.recorder.index.get(id);
    if (!incident) return;
    // Nothing new: no announcement. (A suppressed incident's notifier halts on every change it
    // hears; announcing an unchanged step made that a loop until the stack overflowed.)
    const to = nextAt !== null && nextTo && nextTo.length > 0 ? [...nextTo] : undefined;
    if (
      incident.escalationStep === step &&
      incident.nextEscalationAt === nextAt &&
      (incident.nextEscalationTo ?? []).join() === (to ?? []).join()
    )
      return;
    incident.escalationStep = step;
    incident.nextEscalationAt = nextAt;
    if (nextAt !== null && nextTo && nextTo.length > 0) incident.nextEscalationTo = [...nextTo];
    else delete incident.nextEscalationTo;
    this.deps.recorder.changed(incident, incident.state, incident.severity, 'updated');
  }
}
