// What the alert detail says about an alert's value: in the metric's unit, and "now" only from
// a live value (the agent's latest reading while the alert is open); a region alert says how
// many of its agents are online now.
import type { Agent, Alert, LatestValues, Region } from '../../../shared/model.js';
import { formatRatio } from './format.js';
import { formatMetric, unitFor } from './units.js';

export interface ValueFact {
  label: string;
  text: string;
}

/** The metric region alerts carry: online ÷ registered agents, a ratio from 0 to 1. */
const REGION_HEALTH = 'region_health';

/**
 * The agent's current reading of the alert's series, or null when there is none to trust:
 * the alert is resolved, the agent is not online, or the series is not one the stream keeps
 * current (labelled series, metrics other than cpu/memory/disk).
 */
export function liveValue(alert: Alert, agent: Agent | undefined): number | null {
  if (alert.state === 'resolved' || !alert.metric || !agent || agent.status !== 'online')
    return null;
  if (alert.subject.agentId !== agent.id || alert.subjectKey !== `${agent.id}/${alert.metric}`)
    return null;
  const value = agent.latest[alert.metric as keyof LatestValues];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function alertValueFact(
  alert: Alert,
  agent: Agent | undefined,
  region: Region | undefined,
): ValueFact | null {
  if (!alert.metric) return null;
  if (alert.metric === REGION_HEALTH) {
    const threshold =
      alert.threshold === null ? '' : ` (threshold ${formatRatio(alert.threshold)})`;
    if (alert.state !== 'resolved' && region)
      return { label: 'Online', text: `${region.onlineCount}/${region.agentCount}${threshold}` };
    const health = alert.value === null ? '—' : formatRatio(alert.value);
    return { label: 'Health', text: `${health}${threshold}` };
  }
  const unit = unitFor(alert.metric);
  const parts = [`threshold ${formatMetric(alert.threshold, unit)}`];
  const now = liveValue(alert, agent);
  if (now !== null) parts.push(`now ${formatMetric(now, unit)}`);
  return { label: 'Value', text: `${formatMetric(alert.value, unit)} (${parts.join(', ')})` };
}
