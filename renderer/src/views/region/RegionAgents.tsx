// The region's agents by service and status, and its top resource users (online agents).
import { useMemo } from 'react';
import type { Agent, AgentStatus } from '../../../../shared/model';
import { useFleet } from '../../api/context';
import { Meter } from '../../components/Meter';
import { hrefFor } from '../../lib/route';
import { byServiceAndStatus, RESOURCES, topUsers } from './region-summary';

const STATUSES: AgentStatus[] = ['online', 'offline', 'error'];
const TOP = 5;

export function RegionServices({ regionId }: { regionId: string }) {
  const agents = useFleet((s) => s.agents);
  const rows = useMemo(() => byServiceAndStatus(agents.values(), regionId), [agents, regionId]);
  return (
    <section className="panel region-services" data-testid="region-services">
      <header className="panel__head">
        <h2>Agents by service</h2>
      </header>
      {rows.length === 0 ? (
        <p className="region__none">No agents in this region.</p>
      ) : (
        <table className="data-table region-services__table">
          <thead>
            <tr>
              <th scope="col">Service</th>
              {STATUSES.map((s) => (
                <th key={s} scope="col" className="is-right">
                  {s}
                </th>
              ))}
              <th scope="col" className="is-right">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.service} data-testid="region-service-row" data-service={r.service}>
                <th scope="row">{r.service}</th>
                {STATUSES.map((s) => (
                  <td
                    key={s}
                    className={`num is-right${r.counts[s] === 0 ? ' muted' : s === 'online' ? '' : ' text-critical'}`}
                    data-status={s}
                  >
                    {r.counts[s]}
                  </td>
                ))}
                <td className="num is-right cell-strong">{r.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function UserList({ agents, resource }: { agents: Agent[]; resource: (typeof RESOURCES)[number] }) {
  return (
    <div className="top-users__col" data-testid={`region-top-${resource.key}`}>
      <h3>{resource.label}</h3>
      {agents.length === 0 ? (
        <p className="muted">No values</p>
      ) : (
        <ol className="top-users__list">
          {agents.map((a) => (
            <li key={a.id}>
              <a
                className="top-users__host"
                href={hrefFor('agents', a.id)}
                title={a.hostname}
                data-testid="region-top-host"
              >
                {a.hostname}
              </a>
              <Meter value={a.latest[resource.key]} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function RegionTopUsers({ regionId }: { regionId: string }) {
  const agents = useFleet((s) => s.agents);
  const lists = useMemo(
    () => RESOURCES.map((r) => ({ r, top: topUsers(agents.values(), regionId, r.key, TOP) })),
    [agents, regionId],
  );
  return (
    <section className="panel top-users" data-testid="region-top-users">
      <header className="panel__head">
        <h2>Top resource users</h2>
        <span className="panel__sub">online agents, latest values</span>
      </header>
      <div className="top-users__grid">
        {lists.map(({ r, top }) => (
          <UserList key={r.key} agents={top} resource={r} />
        ))}
      </div>
    </section>
  );
}
