// The agent drawer's Security section: recent authentication events, file integrity changes
// and listening ports, from the events API filtered by this agent and type. Each part says
// "none" when the agent sends no such events (an agent without FIM or port collection).
// A Posture part (compliance facts) goes after these.
import { useCallback } from 'react';
import type { StoredEvent } from '../../../../shared/model';
import {
  FIM_EVENT_TYPES,
  PORT_EVENT_TYPES,
  SECURITY_FIELDS,
  SECURITY_SOURCES,
} from '../../../../shared/security-events';
import { useServices } from '../../api/context';
import { formatTimestamp } from '../../lib/format';
import { hrefFor } from '../../lib/route';
import { usePolled } from '../../lib/use-polled';

const [PORT_OPEN, PORT_CLOSE] = PORT_EVENT_TYPES;

/** Ports listening now, as the port events tell (the newest event per port wins). */
function openPorts(events: readonly StoredEvent[]): StoredEvent[] {
  const latest = new Map<string, StoredEvent>();
  for (const e of events) {
    const key = `${String(e.attributes[SECURITY_FIELDS.proto] ?? '')}/${String(e.attributes[SECURITY_FIELDS.port] ?? '')}`;
    if (!latest.has(key)) latest.set(key, e); // newest first
  }
  return [...latest.values()].filter((e) => e.attributes[SECURITY_FIELDS.eventType] === PORT_OPEN);
}

function EventLines({ events, testId }: { events: readonly StoredEvent[]; testId: string }) {
  if (events.length === 0)
    return (
      <p className="muted" data-testid={`${testId}-none`}>
        None recorded.
      </p>
    );
  return (
    <ul className="agent-security__list" data-testid={testId}>
      {events.map((e) => (
        <li key={e.id}>
          <span className="muted num">{formatTimestamp(e.ts)}</span>
          <span>{e.message}</span>
        </li>
      ))}
    </ul>
  );
}

export function AgentSecurity({ agentId }: { agentId: string }) {
  const { api } = useServices();
  const load = useCallback(async () => {
    const get = (query: Record<string, string>) =>
      api
        .request('GET /api/v1/events', { query: { agent: agentId, ...query } })
        .then((p) => p.events);
    const [auth, fim, portOpens, portCloses] = await Promise.all([
      get({ category: 'security', limit: '8' }).then((l) =>
        l.filter((e) => e.source === SECURITY_SOURCES.auth),
      ),
      get({ type: FIM_EVENT_TYPES[0], limit: '8' }),
      get({ type: PORT_OPEN!, limit: '200' }),
      get({ type: PORT_CLOSE!, limit: '200' }),
    ]);
    const ports = openPorts(
      [...portOpens, ...portCloses].sort((a, b) => b.ts - a.ts || b.receivedAt - a.receivedAt),
    );
    return { auth, fim, ports };
  }, [api, agentId]);
  const { data, error } = usePolled(load, 10_000);
  return (
    <section className="drawer__section" data-testid="agent-security">
      <h3>
        Security{' '}
        <a
          className="muted"
          href={hrefFor('security', null, `agent=${encodeURIComponent(agentId)}`)}
        >
          all events
        </a>
      </h3>
      {!data ? (
        <p className="muted">{error ? `Not loaded: ${error}` : 'Loading…'}</p>
      ) : (
        <>
          {error && (
            <p className="muted" data-testid="agent-security-stale">
              Stale: the console did not answer ({error}).
            </p>
          )}
          <h4>Recent authentication</h4>
          <EventLines events={data.auth} testId="agent-security-auth" />
          <h4>File integrity changes</h4>
          <EventLines events={data.fim} testId="agent-security-fim" />
          <h4>Listening ports (opened, not closed since)</h4>
          <EventLines events={data.ports} testId="agent-security-ports" />
        </>
      )}
    </section>
  );
}
