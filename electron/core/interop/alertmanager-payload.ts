// One Meridian alert as Alertmanager's API v2 takes it (POST /api/v2/alerts, a list of
// postable alerts). Alertmanager tells alerts apart by their label set, so every label here is
// fixed for the alert's life: the rule, the subject, the alert's own id and its incident.
import type { Alert } from '../../../shared/model.js';
import { labelName } from './exposition.js';

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface PayloadContext {
  now: number;
  /** How often firing alerts are posted again (Prometheus' resend delay). */
  resendDelayMs: number;
  /** The console's address, for generatorURL; empty when not known yet. */
  consoleUrl: string;
  agent(id: string): { hostname: string; regionId: string } | undefined;
}

/**
 * A firing alert ends, unless posted again, this long after it was posted: as Prometheus
 * does (4 × its resend delay), so a console that stops lets Alertmanager resolve the alert
 * by itself after a few missed resends, and not before.
 */
export function firingEndsAt(now: number, resendDelayMs: number): number {
  return now + 4 * resendDelayMs;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function postableAlert(alert: Alert, ctx: PayloadContext): PostableAlert {
  const labels: Record<string, string> = {};
  // The alert's own labels (a detection's technique, src_ip…) first: ours win a clash.
  for (const [k, v] of Object.entries(alert.labels ?? {})) if (v !== '') labels[labelName(k)] = v;
  labels.alertname = alert.ruleId;
  labels.severity = alert.severity;
  labels.alert_id = alert.id;
  const agentId = alert.subject.agentId;
  const agent = agentId ? ctx.agent(agentId) : undefined;
  if (agentId) labels.agent = agentId;
  if (agent) labels.hostname = agent.hostname;
  const region = alert.subject.regionId ?? agent?.regionId ?? null;
  if (region) labels.region = region;
  if (alert.metric) labels.metric = alert.metric;
  if (alert.incidentId) labels.incident = alert.incidentId;

  const annotations: Record<string, string> = {
    summary: alert.message,
    description: describe(alert),
  };
  const resolved = alert.state === 'resolved';
  const fired = alert.history.find((h) => h.to === 'firing')?.at ?? alert.createdAt;
  return {
    labels,
    annotations,
    startsAt: iso(fired),
    endsAt: iso(
      resolved ? (alert.resolvedAt ?? ctx.now) : firingEndsAt(ctx.now, ctx.resendDelayMs),
    ),
    generatorURL: ctx.consoleUrl
      ? `${ctx.consoleUrl}/#/alerts/${encodeURIComponent(alert.id)}`
      : '',
  };
}

/** The message, and the value against its threshold when the alert is about a metric. */
function describe(alert: Alert): string {
  if (alert.metric === null || alert.value === null) return alert.message;
  const threshold = alert.threshold === null ? '' : ` (threshold ${alert.threshold})`;
  return `${alert.message}: ${alert.metric} = ${alert.value}${threshold}`;
}
