import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { Agent, AgentStatus } from '../../../../shared/model';
import { useFleet } from '../../api/context';
import { StreamStaleMarker } from '../../components/stale';
import { plural } from '../../lib/format';
import { navigate } from '../../lib/route';
import { AgentDrawer } from './AgentDrawer';
import { AgentsNav } from './AgentsNav';
import { AgentTable } from './AgentTable';
import {
  inFrozenOrder,
  pausedChanges,
  visibleAgents,
  type AgentFilter,
  type Sort,
} from './agent-list';

const STATUSES: AgentStatus[] = ['online', 'offline', 'error'];

export function AgentsView({ agentId }: { agentId: string | null }) {
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const [filter, setFilter] = useState<AgentFilter>({ search: '', region: '', status: '' });
  const [sort, setSort] = useState<Sort>({ key: 'status', dir: 'asc' });
  const search = useDeferredValue(filter.search);

  const live = useMemo(
    () => visibleAgents(agents.values(), { ...filter, search }, sort),
    [agents, filter, search, sort],
  );
  // While the pointer is over the rows or a row has the focus, the order and membership hold
  // still (values still update in place): what is aimed at stays where it is.
  const viewKey = JSON.stringify([filter.region, filter.status, search, sort]);
  const [frozen, setFrozen] = useState<{ key: string; rows: readonly Agent[] } | null>(null);
  const holding = frozen !== null && frozen.key === viewKey;
  const rows = useMemo(
    () => (holding ? inFrozenOrder(frozen.rows, agents) : live),
    [holding, frozen, agents, live],
  );
  const paused = useMemo(
    () => (holding ? pausedChanges(frozen.rows, live) : 0),
    [holding, frozen, live],
  );
  // A new filter or sort while held: hold the new order instead.
  useEffect(() => {
    if (frozen && frozen.key !== viewKey) setFrozen({ key: viewKey, rows: live });
  }, [frozen, viewKey, live]);
  const hold = useCallback(
    (on: boolean) => setFrozen((f) => (on ? (f ?? { key: viewKey, rows: live }) : null)),
    [viewKey, live],
  );
  const filtered = rows.length !== agents.size;
  const close = useCallback(() => navigate('agents', null, { replace: true }), []);
  const open = useCallback((id: string) => navigate('agents', id), []);

  return (
    <div className="view agents" data-testid="view-agents">
      <div className="toolbar">
        <AgentsNav current="agents" />
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
        <StreamStaleMarker />
        {holding && (
          <span
            className="paused-note"
            role="status"
            data-testid="agents-paused"
            data-count={paused}
            title="The order holds while the pointer is over the table or a row has the focus; values still update."
          >
            <span className="paused-note__icon" aria-hidden="true">
              ❚❚
            </span>
            {paused === 1 ? '1 update paused' : `${paused.toLocaleString('en')} updates paused`}
          </span>
        )}
        <span className="toolbar__count" data-testid="agent-count" data-count={rows.length}>
          {filtered
            ? `${rows.length.toLocaleString('en')} of ${agents.size.toLocaleString('en')} agents`
            : plural(agents.size, 'agent')}
        </span>
      </div>
      <div className="agents__body">
        <AgentTable
          agents={rows}
          sort={sort}
          onSort={setSort}
          selectedId={agentId}
          onOpen={open}
          onHold={hold}
        />
        {agentId && <AgentDrawer agentId={agentId} onClose={close} />}
      </div>
    </div>
  );
}
