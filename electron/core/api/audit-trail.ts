// What the audit log keeps of an operator action on an incident, alert or silence: the few
// fields the action changes, snapshotted before and after (the books hand out live objects,
// so "before" must be copied before the call). Rules record themselves (rule-book.ts);
// incident, alert, silence, channel and policy actions are recorded by their routes here.
import type { Incident } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import type { SilenceView } from '../../../shared/silences.js';
import type { AuditLog } from '../audit/audit-log.js';

export const incidentFacts = (i: Incident | undefined) =>
  i ? { state: i.state, owner: i.owner, acknowledgedBy: i.acknowledgedBy } : null;

export const alertFacts = (a: Alert | undefined) =>
  a ? { state: a.state, acknowledgedBy: a.acknowledgedBy, resolvedBy: a.resolvedBy } : null;

/** A silence made along the way (a manual resolve of a condition that still holds). */
export function recordSilenceMade(
  audit: AuditLog,
  silence: SilenceView | undefined | null,
): Promise<unknown> {
  if (!silence) return Promise.resolve();
  return audit.record({
    by: silence.createdBy,
    action: 'silence.create',
    target: silence.id,
    before: null,
    after: silence,
  });
}
