// Stage 1, route: which escalation policy takes an incident. First match wins, in the
// store's order (the operator's policies, then `default`), as in Alertmanager's route tree
// with `continue: false`.
import type { Incident } from '../../../shared/incidents.js';
import type { EscalationPolicy } from '../../../shared/notify.js';

export function matches(policy: EscalationPolicy, incident: Incident): boolean {
  const { severities, regions, rules } = policy.match;
  if (severities?.length && !severities.includes(incident.severity)) return false;
  if (regions?.length && (incident.regionId === null || !regions.includes(incident.regionId)))
    return false;
  if (rules?.length && !incident.alerts.some((a) => rules.includes(a.ruleId))) return false;
  return true;
}

export function routeIncident(
  incident: Incident,
  policies: readonly EscalationPolicy[],
): EscalationPolicy | null {
  return policies.find((p) => matches(p, incident)) ?? null;
}
