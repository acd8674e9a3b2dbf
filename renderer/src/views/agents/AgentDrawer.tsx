import { useEffect, useMemo } from 'react';
import { useFleet } from '../../api/context';
import { SeverityBadge, StateBadge, StatusBadge } from '../../components/badges';
import { Meter } from '../../components/Meter';
import { StreamStaleMarker } from '../../components/stale';
import { compareInTab, isOpen } from '../../lib/alerts';
import { ageSince, formatTimestamp } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';
import { AgentPosture } from '../compliance/AgentPosture';
import { AgentActions } from './AgentActions';
import { AgentCapacity } from './AgentCapacity';
import { AgentKeys } from './AgentKeys';
import { AgentSecurity } from './AgentSecurity';
import { AgentSparklines } from './AgentSparklines';
import { DecommissionAgent } from './DecommissionAgent';

export function AgentDrawer({ agentId, onClose }: { agentId: string; onClose(): void }) {
  const agent = useFleet((s) => s.agents.get(agentId));
  const regions = useFleet((s) => s.regions);
  const alerts = useFleet((s) => s.alerts);
  const now = useServerNow();
  const open = useMemo(
    () =>
      [...alerts.values()]
        .filter((a) => a.subject.agentId === agentId && isOpen(a))
        .sort(compareInTab('firing')),
    [alerts, agentId],
  );

  const down = agent !== undefined && agent.status !== 'online';

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <aside className="drawer" data-testid="agent-drawer" aria-label="Agent details">
      <header className="drawer__head">
        <div className="drawer__title">
          <h2 data-testid="agent-drawer-hostname">{agent?.hostname ?? agentId}</h2>
          <span className="drawer__id">{agentId}</span>
        </div>
        <button
          type="button"
          className="btn btn--icon"
          onClick={onClose}
          aria-label="Close"
          data-testid="agent-drawer-close"
        >
          ✕
        </button>
      </header>
      {!agent ? (
        <p className="drawer__empty">This agent is no longer registered.</p>
      ) : (
        <div className="drawer__body">
          <StreamStaleMarker />
          <div className="drawer__status">
            <StatusBadge status={agent.status} />
            <span className="muted">
              since {ageSince(agent.statusChangedAt, now)} ago · heartbeat{' '}
              {ageSince(agent.lastHeartbeat, now)}
            </span>
          </div>
          <section className="drawer__section">
            <h3>{down ? 'Last values' : 'Latest values'}</h3>
            {down && (
              <p className="muted" data-testid="agent-drawer-last-seen">
                Not reporting: last seen {ageSince(agent.lastHeartbeat, now)} ago. These are the
                last values it sent.
              </p>
            )}
            <div className="drawer__meters" data-testid="agent-drawer-latest">
              <label>CPU</label>
              <Meter value={agent.latest.cpu_usage} wide stale={down} />
              <label>Memory</label>
              <Meter value={agent.latest.memory_usage} wide stale={down} />
              <label>Disk</label>
              <Meter value={agent.latest.disk_usage} wide stale={down} />
            </div>
          </section>
          <section className="drawer__section">
            <h3>Last hour</h3>
            <AgentSparklines agentId={agentId} />
          </section>
          <section className="drawer__section">
            <h3>Days until full</h3>
            <AgentCapacity agentId={agentId} />
          </section>
          <AgentPosture agentId={agentId} />
          <section className="drawer__section">
            <h3>Details</h3>
            <dl className="facts">
              <dt>Region</dt>
              <dd>
                {regions.get(agent.regionId)?.name ?? agent.regionId}{' '}
                <span className="muted">({agent.regionId})</span>
              </dd>
              {agent.labels.relay !== undefined && (
                <>
                  <dt>Reports</dt>
                  <dd data-testid="agent-drawer-relay">
                    via relay <a href={hrefFor('relays')}>{agent.labels.relay}</a>
                  </dd>
                </>
              )}
              <dt>Type</dt>
              <dd>{agent.type}</dd>
              <dt>IP address</dt>
              <dd className="num" data-testid="agent-drawer-ip">
                {agent.ipAddress}
              </dd>
              <dt>Version</dt>
              <dd>{agent.version}</dd>
              <dt>Registered</dt>
              <dd>{formatTimestamp(agent.registeredAt)}</dd>
              <dt>Samples received</dt>
              <dd className="num">{agent.metricsCount.toLocaleString('en')}</dd>
            </dl>
          </section>
          <section className="drawer__section">
            <h3>Labels</h3>
            <div className="chips">
              {Object.entries(agent.labels).length === 0 && <span className="muted">none</span>}
              {Object.entries(agent.labels).map(([k, v]) => (
                <span className="chip" key={k}>
                  {k}=<strong>{v}</strong>
                </span>
              ))}
            </div>
          </section>
          <section className="drawer__section">
            <h3>Open alerts ({open.length})</h3>
            {open.length === 0 ? (
              <p className="muted">No open alerts.</p>
            ) : (
              <ul className="drawer__alerts" data-testid="agent-drawer-alerts">
                {open.map((a) => (
                  <li key={a.id}>
                    <a
                      className={`drawer__alert sevbar sevbar--${a.severity}`}
                      href={hrefFor('alerts', a.id)}
                    >
                      <span className="drawer__alert-top">
                        <SeverityBadge severity={a.severity} />
                        <StateBadge state={a.state} />
                        <span className="muted num">{ageSince(a.createdAt, now)}</span>
                      </span>
                      <span className="drawer__alert-msg">{a.message}</span>
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <AgentActions agentId={agentId} status={agent.status} />
          <AgentKeys agentId={agentId} hostname={agent.hostname} />
          <AgentSecurity agentId={agentId} />
          <DecommissionAgent
            agent={agent}
            regionName={regions.get(agent.regionId)?.name ?? agent.regionId}
            onDone={onClose}
          />
        </div>
      )}
    </aside>
  );
}
