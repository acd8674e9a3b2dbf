// Pure helpers over incidents: triage order, the escalation countdown, the nav badge, and the
// sentences a row and its timeline show. No React, no clock: `now` is passed in.
import type { Incident, IncidentGrouping, TimelineEntry } from '../../../shared/incidents.js';
import { SEVERITY_RANK } from '../../../shared/model.js';

export type IncidentTab = 'open' | 'acknowledged' | 'resolved';

const STATE_RANK: Record<Incident['state'], number> = { open: 2, acknowledged: 1, resolved: 0 };

/**
 * Triage order: open before acknowledged before resolved; then worst severity; then the one
 * that escalates soonest; then newest. Resolved ones: most recently resolved first.
 */
export function compareIncidents(a: Incident, b: Incident): number {
  const byState = STATE_RANK[b.state] - STATE_RANK[a.state];
  if (byState) return byState;
  if (a.state === 'resolved') return (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0) || cmpId(a, b);
  const bySeverity = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  if (bySeverity) return bySeverity;
  const due = (x: Incident) => x.nextEscalationAt ?? Number.POSITIVE_INFINITY;
  const byDue = due(a) - due(b);
  if (byDue) return byDue;
  return b.openedAt - a.openedAt || cmpId(a, b);
}

const cmpId = (a: Incident, b: Incident) => a.id.localeCompare(b.id);

export function incidentsIn(all: ReadonlyMap<string, Incident>, tab: IncidentTab): Incident[] {
  return [...all.values()].filter((i) => i.state === tab).sort(compareIncidents);
}

export function incidentCounts(all: ReadonlyMap<string, Incident>): Record<IncidentTab, number> {
  const counts = { open: 0, acknowledged: 0, resolved: 0 };
  for (const i of all.values()) counts[i.state]++;
  return counts;
}

/** `m:ss` (or `h:mm:ss`) of a span, rounded up to the second, never negative. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The escalation cell: where the incident stands and, while it counts down, how long is left. */
export function escalationText(i: Incident, now: number): string {
  if (i.state === 'resolved') return 'resolved';
  const step = i.escalationStep === null ? null : `step ${i.escalationStep + 1}`;
  if (i.state === 'acknowledged') return step ? `${step} · stopped (acknowledged)` : 'acknowledged';
  if (i.suppressedBy) return `suppressed by ${i.suppressedBy}`;
  if (i.nextEscalationAt === null) return step ? `${step} · last step` : 'not escalating';
  const left = i.nextEscalationAt - now;
  // No step yet: a new incident held in its group wait before the first page.
  if (!step) return left <= 0 ? 'paging now' : `first page in ${countdown(left)}`;
  if (left <= 0) return `${step} · escalating now`;
  const to = i.nextEscalationTo?.length ? ` to ${i.nextEscalationTo.join(', ')}` : '';
  return `${step} · escalates${to} in ${countdown(left)}`;
}

/** The alerts that page (causes), and those that are effects (recorded, not paged). */
export function alertSplit(i: Incident): { causes: number; effects: number } {
  const effects = i.alerts.filter((a) => a.effect).length;
  return { causes: i.alerts.length - effects, effects };
}

const GROUPING: Record<IncidentGrouping, string> = {
  region_cause: 'region cause',
  same_agent: 'one agent',
  same_region: 'one region',
  single: 'single alert',
};

/** "Region eu-west-1 is the cause · 57 effects" — why these alerts are one incident. */
export function causeText(i: Incident): string {
  const { effects } = alertSplit(i);
  if (i.grouping === 'region_cause') {
    const region = i.regionId ?? 'a region';
    return `region ${region} is the cause${effects ? ` · ${effects} ${effects === 1 ? 'effect' : 'effects'}` : ''}`;
  }
  if (i.grouping === 'same_agent') return `agent ${i.agentId ?? '?'}`;
  if (i.grouping === 'same_region') return `alerts in ${i.regionId ?? 'one region'}`;
  return GROUPING.single;
}

export function groupingLabel(g: IncidentGrouping): string {
  return GROUPING[g];
}

/**
 * A timeline entry's kind as a label: every underscore a space ("recovery proposed", "notify
 * failed"). Kinds this viewer does not know yet (a newer core's) read the same way.
 */
export function timelineKindLabel(kind: string): string {
  return kind.replace(/_/g, ' ');
}

/** A timeline line: what happened, by whom; notifications with channel, result and latency. */
export function timelineText(e: TimelineEntry): string {
  if (e.kind === 'notified' || e.kind === 'notify_failed') {
    const channel = e.channelId ? `via ${e.channelId}` : '';
    const result = e.ok === false || e.kind === 'notify_failed' ? 'failed' : 'delivered';
    const latency = e.latencyMs !== undefined ? ` in ${Math.round(e.latencyMs)} ms` : '';
    return [e.text, channel, `${result}${latency}`].filter(Boolean).join(' · ');
  }
  return e.by && e.by !== 'console' && e.by !== 'rule' ? `${e.text} · by ${e.by}` : e.text;
}

/** The nav badge: incidents not yet acknowledged (the ones waiting for someone). */
export function openIncidentBadge(all: ReadonlyMap<string, Incident>): {
  count: number;
  critical: boolean;
  label: string;
} {
  let count = 0;
  let critical = false;
  let acked = 0;
  for (const i of all.values()) {
    if (i.state === 'open') {
      count++;
      if (i.severity === 'critical') critical = true;
    } else if (i.state === 'acknowledged') acked++;
  }
  return {
    count,
    critical,
    label: `${count} open ${count === 1 ? 'incident' : 'incidents'}, ${acked} acknowledged`,
  };
}
