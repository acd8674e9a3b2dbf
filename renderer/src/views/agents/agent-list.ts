// Filtering and sorting for the agent table: pure, so the table stays a thin view.
import type { Agent, AgentStatus } from '../../../../shared/model.js';

export type SortKey =
  'status' | 'hostname' | 'region' | 'type' | 'heartbeat' | 'cpu' | 'memory' | 'disk' | 'alerts';

export interface AgentFilter {
  search: string;
  region: string;
  status: AgentStatus | '';
}

export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

const STATUS_ORDER: Record<AgentStatus, number> = { error: 0, offline: 1, online: 2 };

export function matches(agent: Agent, f: AgentFilter, needle: string): boolean {
  if (f.region && agent.regionId !== f.region) return false;
  if (f.status && agent.status !== f.status) return false;
  if (!needle) return true;
  return (
    agent.hostname.toLowerCase().includes(needle) ||
    agent.id.toLowerCase().includes(needle) ||
    agent.ipAddress.includes(needle) ||
    agent.type.includes(needle) ||
    Object.entries(agent.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(needle))
  );
}

const num = (v: number | null | undefined) => (v === undefined || v === null ? -1 : v);

function value(a: Agent, key: SortKey): number | string {
  switch (key) {
    case 'status':
      return STATUS_ORDER[a.status];
    case 'hostname':
      return a.hostname;
    case 'region':
      return a.regionId;
    case 'type':
      return a.type;
    case 'heartbeat':
      return num(a.lastHeartbeat);
    case 'cpu':
      return num(a.latest.cpu_usage);
    case 'memory':
      return num(a.latest.memory_usage);
    case 'disk':
      return num(a.latest.disk_usage);
    case 'alerts':
      return a.alertsCount;
  }
}

export function compareAgents(sort: Sort): (a: Agent, b: Agent) => number {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return (a, b) => {
    const va = value(a, sort.key);
    const vb = value(b, sort.key);
    const c =
      typeof va === 'number' && typeof vb === 'number'
        ? va - vb
        : String(va).localeCompare(String(vb));
    // Ties fall back to the hostname so rows never swap places between updates.
    return c !== 0 ? c * sign : a.hostname.localeCompare(b.hostname);
  };
}

export function visibleAgents(agents: Iterable<Agent>, f: AgentFilter, sort: Sort): Agent[] {
  const needle = f.search.trim().toLowerCase();
  const out: Agent[] = [];
  for (const a of agents) if (matches(a, f, needle)) out.push(a);
  return out.sort(compareAgents(sort));
}

/** Numbers read best largest-first; names alphabetically. */
export function defaultDir(key: SortKey): Sort['dir'] {
  return key === 'hostname' || key === 'region' || key === 'type' || key === 'status'
    ? 'asc'
    : 'desc';
}

/**
 * The rows of a frozen table (the operator is pointing at it): the order and membership from
 * when it froze, each row with the agent's current values. An agent gone since keeps its row,
 * with its last values, until the table follows again.
 */
export function inFrozenOrder(
  frozen: readonly Agent[],
  current: ReadonlyMap<string, Agent>,
): Agent[] {
  return frozen.map((a) => current.get(a.id) ?? a);
}

/**
 * How many rows a frozen table holds back: agents that would be at another place, that would
 * join, or that would leave, were it to follow the live order now.
 */
export function pausedChanges(frozen: readonly Agent[], live: readonly Agent[]): number {
  const liveIndex = new Map<string, number>();
  live.forEach((a, i) => liveIndex.set(a.id, i));
  let changes = 0;
  const seen = new Set<string>();
  frozen.forEach((a, i) => {
    seen.add(a.id);
    if (liveIndex.get(a.id) !== i) changes++;
  });
  for (const a of live) if (!seen.has(a.id)) changes++;
  return changes;
}
