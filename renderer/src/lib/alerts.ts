// Pure helpers over alerts: which are open, where they are, how they sort in the queue.
import type { Agent, Alert, Region, Severity } from '../../../shared/model.js';
import { SEVERITY_RANK } from '../../../shared/model.js';

export type QueueTab = 'firing' | 'acknowledged' | 'resolved';

export const isOpen = (a: Alert): boolean => a.state !== 'resolved';

export function tabOf(a: Alert): QueueTab {
  if (a.state === 'pending' || a.state === 'firing') return 'firing';
  return a.state;
}

/** Firing: worst first, then newest. Acknowledged/resolved: most recently handled first. */
export function compareInTab(tab: QueueTab): (a: Alert, b: Alert) => number {
  if (tab === 'firing') {
    return (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      b.createdAt - a.createdAt ||
      a.id.localeCompare(b.id);
  }
  const at = (x: Alert) =>
    (tab === 'acknowledged' ? x.acknowledgedAt : x.resolvedAt) ?? x.updatedAt;
  return (a, b) => at(b) - at(a) || a.id.localeCompare(b.id);
}

export function queue(alerts: ReadonlyMap<string, Alert>, tab: QueueTab): Alert[] {
  return [...alerts.values()].filter((a) => tabOf(a) === tab).sort(compareInTab(tab));
}

export function tabCounts(alerts: ReadonlyMap<string, Alert>): Record<QueueTab, number> {
  const counts = { firing: 0, acknowledged: 0, resolved: 0 };
  for (const a of alerts.values()) counts[tabOf(a)]++;
  return counts;
}

export interface SeverityCounts {
  critical: number;
  warning: number;
  info: number;
  /** Of those, not yet acknowledged. */
  unacked: { critical: number; warning: number; info: number };
}

export function openCounts(alerts: Iterable<Alert>): SeverityCounts {
  const c: SeverityCounts = {
    critical: 0,
    warning: 0,
    info: 0,
    unacked: { critical: 0, warning: 0, info: 0 },
  };
  for (const a of alerts) {
    if (!isOpen(a)) continue;
    c[a.severity]++;
    if (a.state !== 'acknowledged') c.unacked[a.severity]++;
  }
  return c;
}

const countsByMap = new WeakMap<ReadonlyMap<string, Alert>, SeverityCounts>();

/**
 * The open-alert counts every view shows (KPI tiles, the nav badge): one selector over the
 * store's alerts, memoised per alerts map, so views rendering the same state read the very
 * same numbers. Stable for useFleet: the same map gives the same object.
 */
export function selectAlertCounts(state: { alerts: ReadonlyMap<string, Alert> }): SeverityCounts {
  let counts = countsByMap.get(state.alerts);
  if (!counts) {
    counts = openCounts(state.alerts.values());
    countsByMap.set(state.alerts, counts);
  }
  return counts;
}

export interface AlertBadge {
  /** Open alerts at the worst severity that has any (as its KPI tile counts them). */
  count: number;
  severity: Severity | null;
  /** "59 critical, 3 warning open (2 unacknowledged)". */
  label: string;
}

/** The nav badge: the count at the worst open severity, the same number as that KPI tile. */
export function alertBadge(counts: SeverityCounts): AlertBadge {
  const severity = (['critical', 'warning', 'info'] as const).find((s) => counts[s] > 0) ?? null;
  const unacked = counts.unacked.critical + counts.unacked.warning + counts.unacked.info;
  const parts = (['critical', 'warning', 'info'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`);
  return {
    count: severity ? counts[severity] : 0,
    severity,
    label: parts.length ? `${parts.join(', ')} open (${unacked} unacknowledged)` : 'no open alerts',
  };
}

export function openByRegion(
  alerts: ReadonlyMap<string, Alert>,
): Map<string, { critical: number; warning: number }> {
  const out = new Map<string, { critical: number; warning: number }>();
  for (const a of alerts.values()) {
    if (!isOpen(a) || !a.subject.regionId) continue;
    const entry = out.get(a.subject.regionId) ?? { critical: 0, warning: 0 };
    if (a.severity === 'critical') entry.critical++;
    else if (a.severity === 'warning') entry.warning++;
    out.set(a.subject.regionId, entry);
  }
  return out;
}

export function subjectNames(
  a: Alert,
  agents: ReadonlyMap<string, Agent>,
): { hostname: string | null; region: string | null } {
  const agent = a.subject.agentId ? agents.get(a.subject.agentId) : undefined;
  return {
    hostname: agent?.hostname ?? (a.subject.kind === 'agent' ? a.subject.agentId : null),
    region: a.subject.regionId ?? null,
  };
}

export function regionName(id: string | null, regions: ReadonlyMap<string, Region>): string {
  if (!id) return '—';
  return regions.get(id)?.name ?? id;
}
