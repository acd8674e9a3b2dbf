import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { AgentStatus } from '../../../../shared/model';
import { useFleet } from '../../api/context';
import { plural } from '../../lib/format';
import { navigate } from '../../lib/route';
import { AgentDrawer } from './AgentDrawer';
import { AgentTable } from './AgentTable';
import { visibleAgents, type AgentFilter, type Sort } from './agent-list';

const STATUSES: AgentStatus[] = ['online', 'offline', 'error'];

export function AgentsView({ agentId }: { agentId: string | null }) {
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const [filter, setFilter] = useState<AgentFilter>({ search: '', region: '', status: '' });
  const [sort, setSort] = useState<Sort>({ key: 'status', dir: 'asc' });
  const search = useDeferredValue(filter.search);

  const rows = useMemo(
    () => visibleAgents(agents.values(), { ...filter, search }, sort),
    [agents, filter, search, sort],
  );
  const filtered = rows.length !== agents.size;
  const close = useCallback(() => navigate('agents', null, { replace: true }), []);
  const open = useCallback((id: string) => navigate('agents', id), []);

  return (
    <div className="view agents" data-testid="view-agents">
      <div className="toolbar">
        <div className="search">
          <svg className="icon search__icon" viewBox="0 0 16 16" aria-hidden="true">
            <circle cx="7" cy="7" r="4.5" />
            <path d="m10.5 10.5 3.5 3.5" />
          </svg>
          <input
            type="search"
            className="input search__input"
            placeholder="Search hostname, IP, id, label…"
            value={filter.search}
            onChange={(e) => setFilter({ ...filter, search: e.target.value })}
            data-testid="agent-search"
            aria-label="Search agents"
          />
        </div>
        <select
          className="input select"
          value={filter.region}
          onChange={(e) => setFilter({ ...filter, region: e.target.value })}
          data-testid="agent-region-filter"
          aria-label="Region"
        >
          <option value="">All regions</option>
          {[...regions.values()].map((r) => (
            <option key={r.id} value={r.id} title={r.name}>
              {r.id}
            </option>
          ))}
        </select>
        <select
          className="input select"
          value={filter.status}
          onChange={(e) => setFilter({ ...filter, status: e.target.value as AgentStatus | '' })}
          data-testid="agent-status-filter"
          aria-label="Status"
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {(filter.search || filter.region || filter.status) && (
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => setFilter({ search: '', region: '', status: '' })}
          >
            Clear filters
          </button>
        )}
        <span className="toolbar__spacer" />
        <span className="toolbar__count" data-testid="agent-count" data-count={rows.length}>
          {filtered
            ? `${rows.length.toLocaleString('en')} of ${agents.size.toLocaleString('en')} agents`
            : plural(agents.size, 'agent')}
        </span>
      </div>
      <div className="agents__body">
        <AgentTable agents={rows} sort={sort} onSort={setSort} selectedId={agentId} onOpen={open} />
        {agentId && <AgentDrawer agentId={agentId} onClose={close} />}
      </div>
    </div>
  );
}
