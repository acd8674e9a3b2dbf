// Filtering and sorting for the agent table: pure, so the table stays a thin view.
import type { Agent, AgentStatus } from '../../../../shared/model';

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
