// Where a newly firing alert goes: into an incident already about the same thing, or a new
// one. Pure: the manager passes the incidents and the clock reading.
//
// In order: the incident the same alert (rule + subject) was last in, while it is open or
// was resolved within the reopen window (flapping alerts stay in one incident); the open
// incident of a region whose status alert is firing, for that region's offline alerts
// (effects: inhibited, never paged on their own); for a region's status alert, the open
// incident of that region's recent alerts, which it becomes the cause of; the open incident of
// the same agent; the open incident of the same region that gained an alert within the
// grouping window; the same two among incidents resolved within the reopen window (reopened).
import type { Incident, IncidentGrouping } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';

export type AlertRole = 'offline' | 'region' | 'other';

export interface GroupingContext {
  now: number;
  windowMs: number;
  reopenWindowMs: number;
  role(alert: Pick<Alert, 'ruleId'>): AlertRole;
  /** The incident this alert's rule + subject was last in, if any. */
  previous: Incident | null;
  /** Unresolved incidents and those resolved within the reopen window, newest first. */
  candidates: readonly Incident[];
  /** Whether the incident's cause alert is still open. */
  causeOpen(incident: Incident): boolean;
}

export type Placement =
  | { incident: Incident; effect: boolean; promote: boolean }
  | { incident: null; grouping: IncidentGrouping };

/**
 * Whether an alert joined the incident (or it opened) at `since` or later: newest first with
 * an early stop instead of a pass over thousands of alerts for the latest join.
 */
function joinedSince(incident: Incident, since: number): boolean {
  if (incident.openedAt >= since) return true;
  const refs = incident.alerts;
  for (let i = refs.length - 1; i >= 0; i--) if (refs[i]!.joinedAt >= since) return true;
  return false;
}

const unresolved = (i: Incident) => i.state !== 'resolved';

function recentlyResolved(i: Incident, ctx: GroupingContext): boolean {
  return i.state === 'resolved' && ctx.now - (i.resolvedAt ?? 0) <= ctx.reopenWindowMs;
}

function isEffect(incident: Incident, alert: Alert, ctx: GroupingContext): boolean {
  return (
    ctx.role(alert) === 'offline' &&
    incident.grouping === 'region_cause' &&
    incident.regionId === alert.subject.regionId &&
    ctx.causeOpen(incident)
  );
}

export function placeAlert(alert: Alert, ctx: GroupingContext): Placement {
  const { agentId, regionId } = alert.subject;
  const role = ctx.role(alert);
  const join = (incident: Incident, promote = false) => ({
    incident,
    effect: !promote && isEffect(incident, alert, ctx),
    promote,
  });
  const prev = ctx.previous;
  if (prev && (unresolved(prev) || recentlyResolved(prev, ctx))) return join(prev);

  if (role === 'offline' && regionId) {
    const cause = ctx.candidates.find(
      (i) =>
        unresolved(i) &&
        i.grouping === 'region_cause' &&
        i.regionId === regionId &&
        ctx.causeOpen(i),
    );
    if (cause) return join(cause);
  }
  if (role === 'region' && regionId) {
    // The region's recent alerts (the offline ones that tipped it over) become its effects.
    const group = ctx.candidates
      .filter(
        (i) =>
          unresolved(i) &&
          i.regionId === regionId &&
          (i.grouping !== 'region_cause' || !ctx.causeOpen(i)) &&
          joinedSince(i, ctx.now - ctx.windowMs),
      )
      .sort((a, b) => b.alerts.length - a.alerts.length)[0];
    if (group) return join(group, true);
    return { incident: null, grouping: 'region_cause' };
  }
  const sameAgent = (i: Incident) => agentId !== null && i.agentId === agentId;
  const sameRegion = (i: Incident) =>
    regionId !== null && i.regionId === regionId && joinedSince(i, ctx.now - ctx.windowMs);
  for (const pick of [unresolved, (i: Incident) => recentlyResolved(i, ctx)]) {
    const byAgent = ctx.candidates.find((i) => pick(i) && sameAgent(i));
    if (byAgent) return join(byAgent);
    const byRegion = ctx.candidates.find((i) => pick(i) && sameRegion(i));
    if (byRegion) return join(byRegion);
  }
  return { incident: null, grouping: 'single' };
}

/** The grouping an incident has once `alert` joins it (promotion aside). */
export function groupingAfterJoin(incident: Incident, alert: Alert): IncidentGrouping {
  if (incident.grouping === 'region_cause') return 'region_cause';
  if (incident.agentId !== null && incident.agentId === alert.subject.agentId) return 'same_agent';
  return 'same_region';
}
