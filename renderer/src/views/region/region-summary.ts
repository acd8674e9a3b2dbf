// What the region page shows about a region's agents and alerts, from the live fleet state.
// Pure and unit-tested.
import type { RegionHistory } from '../../../../shared/api.js';
import type { TrendWindow } from '../../../../shared/analysis.js';
import {
  AGENT_TYPES,
  SEVERITY_RANK,
  type Agent,
  type AgentStatus,
  type AgentType,
  type Alert,
  type LatestValues,
} from '../../../../shared/model.js';
import {
  REGION_HISTORY_RANGES,
  type RegionHistoryRange,
} from '../../../../shared/api-constants.js';

export interface ServiceRow {
  service: AgentType;
  counts: Record<AgentStatus, number>;
  total: number;
}

/** Agents of the region per service (agent type) and status; services with no agent left out. */
export function byServiceAndStatus(agents: Iterable<Agent>, regionId: string): ServiceRow[] {
  const rows = new Map<AgentType, ServiceRow>();
  for (const a of agents) {
    if (a.regionId !== regionId) continue;
    let row = rows.get(a.type);
    if (!row) {
      row = { service: a.type, counts: { online: 0, offline: 0, error: 0 }, total: 0 };
      rows.set(a.type, row);
    }
    row.counts[a.status]++;
    row.total++;
  }
  return AGENT_TYPES.flatMap((t) => rows.get(t) ?? []);
}

export type Resource = keyof LatestValues;
export const RESOURCES: readonly { key: Resource; label: string }[] = [
  { key: 'cpu_usage', label: 'CPU' },
  { key: 'memory_usage', label: 'Memory' },
  { key: 'disk_usage', label: 'Disk' },
];

/**
 * The region's online agents using the most of a resource, most first. Offline agents are left
 * out: their last values are stale.
 */
export function topUsers(
  agents: Iterable<Agent>,
  regionId: string,
  resource: Resource,
  n: number,
): Agent[] {
  const out: Agent[] = [];
  for (const a of agents) {
    if (a.regionId === regionId && a.status === 'online' && a.latest[resource] !== undefined)
      out.push(a);
  }
  out.sort(
    (a, b) => b.latest[resource]! - a.latest[resource]! || a.hostname.localeCompare(b.hostname),
  );
  return out.slice(0, n);
}

/** The region's open alerts: worst first, unacknowledged before acknowledged, then newest. */
export function openAlertsOf(alerts: Iterable<Alert>, regionId: string): Alert[] {
  const out: Alert[] = [];
  for (const a of alerts)
    if (a.state !== 'resolved' && a.subject.regionId === regionId) out.push(a);
  const acked = (a: Alert) => (a.state === 'acknowledged' ? 1 : 0);
  return out.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      acked(a) - acked(b) ||
      b.createdAt - a.createdAt ||
      a.id.localeCompare(b.id),
  );
}

export function parseRange(query: string): RegionHistoryRange {
  const wanted = new URLSearchParams(query).get('range');
  return REGION_HISTORY_RANGES.find((r) => r === wanted) ?? '1h';
}

/** The trend window that matches a history range best (trends exist for 1h, 24h and 7d). */
export function trendWindowFor(range: RegionHistoryRange): TrendWindow {
  return range === '24h' ? '24h' : range === '7d' ? '7d' : '1h';
}

export interface HistoryLow {
  online: number;
  registered: number;
  at: number;
}

/** The step with the fewest agents online (the earliest such), or null with no data. */
export function lowestPoint(history: RegionHistory): HistoryLow | null {
  let low: HistoryLow | null = null;
  for (const [at, online, registered] of history.points) {
    if (online === null || registered === null) continue;
    if (!low || online < low.online) low = { online, registered, at };
  }
  return low;
}
