// Incidents: what the operator triages. An incident groups related alerts (same region and
// time window, same agent, or a cause and its effects); alerts keep their own lifecycle.
// The incident manager (electron/core/incidents/) owns them; the notification pipeline
// (electron/core/notify/) pages per incident, not per alert, and escalates an incident
// until it is acknowledged. Plain types, shared by core, API and renderer.
import type { Severity } from './model.js';

export type IncidentState = 'open' | 'acknowledged' | 'resolved';

/** Why alerts were put together (the first alert's reason stands for the incident). */
export type IncidentGrouping =
  /** A region degraded or failed, with its agents' offline alerts as effects (inhibited). */
  | 'region_cause'
  /** Alerts of one agent within the grouping window. */
  | 'same_agent'
  /** Alerts of one region within the grouping window. */
  | 'same_region'
  /** One alert (nothing related yet). */
  | 'single';

export interface IncidentAlertRef {
  alertId: string;
  ruleId: string;
  severity: Severity;
  /** An effect of the incident's cause: recorded, shown, never paged on its own. */
  effect: boolean;
  joinedAt: number;
  /** The alert's agent (null for a region or console alert): incidents are searched by it. */
  agentId?: string | null;
}

export type TimelineKind =
  | 'opened'
  | 'alert_joined'
  | 'alert_changed'
  | 'severity_changed'
  | 'acknowledged'
  | 'assigned'
  | 'commented'
  | 'resolved'
  | 'reopened'
  | 'notified'
  | 'notify_failed'
  | 'escalated'
  | 'silenced'
  | 'flapping'
  /** Guarded auto-recovery (electron/core/recovery/, docs/recovery.md). */
  | 'recovery_proposed'
  | 'recovery_approved'
  | 'recovery_declined'
  | 'recovery_deferred'
  | 'recovery_held'
  | 'recovery_refused'
  | 'recovery_dispatched'
  | 'recovery_result'
  | 'recovery_verified'
  | 'recovery_failed'
  | 'recovery_cancelled'
  | 'would_have_run';

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  /** Operator name, or `rule` / `console` for the console's own doings. */
  by: string;
  text: string;
  alertId?: string;
  /** For notifications: the channel, the result and the latency. */
  channelId?: string;
  ok?: boolean;
  latencyMs?: number;
  /** Recovery entries: the run, and the action's output (cut to a bound) where there was one. */
  runId?: string;
  output?: string;
}

export interface Incident {
  id: string;
  title: string;
  /** The worst severity of its alerts that are not effects (all of them if all are). */
  severity: Severity;
  state: IncidentState;
  grouping: IncidentGrouping;
  regionId: string | null;
  agentId: string | null;
  /** The alert that explains the rest (a region's status alert), when there is one. */
  causeAlertId: string | null;
  alerts: IncidentAlertRef[];
  owner: string | null;
  openedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  /** Index of the escalation step reached (0: the first notification), null before any. */
  escalationStep: number | null;
  /** Epoch ms the next escalation step is due, null when none is (acked, resolved, last step). */
  nextEscalationAt: number | null;
  /** The channels the next escalation step notifies (ids), when one is due. */
  nextEscalationTo?: string[];
  /** Some alert in it keeps firing and resolving (see docs/operations.md: flapping). */
  flapping: boolean;
  /** Matched by a silence or maintenance window: recorded, not notified. */
  suppressedBy: string | null;
  timeline: TimelineEntry[];
}
