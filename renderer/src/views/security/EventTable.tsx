// The event stream: newest first, one row per event, with the fields the filters use; a
// source IP, user or host in a row narrows the page to it.
import type { StoredEvent } from '../../../../shared/model';
import { SECURITY_FIELDS } from '../../../../shared/security-events';
import { useFleet } from '../../api/context';
import { SeverityBadge } from '../../components/badges';
import { formatTimestamp } from '../../lib/format';
import type { SecurityFilters } from './security-filters';

const attr = (e: StoredEvent, key: string): string => {
  const v = e.attributes[key];
  return v === undefined ? '' : String(v);
};

export const eventType = (e: StoredEvent) => attr(e, SECURITY_FIELDS.eventType) || e.source;

export function EventTable({
  events,
  narrow,
}: {
  events: readonly StoredEvent[];
  narrow(patch: Partial<SecurityFilters>): void;
}) {
  const agents = useFleet((s) => s.agents);
  if (events.length === 0)
    return (
      <p className="grid-table__empty" data-testid="security-events-empty">
        No events match.
      </p>
    );
  return (
    <table className="data-table security-events" data-testid="security-events">
      <thead>
        <tr>
          <th>Time</th>
          <th>Severity</th>
          <th>Host</th>
          <th>Type</th>
          <th>User</th>
          <th>Source IP</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const user = attr(e, SECURITY_FIELDS.user);
          const ip = attr(e, SECURITY_FIELDS.srcIp);
          return (
            <tr key={e.id} data-testid="security-event" data-source-ip={ip}>
              <td className="num">{formatTimestamp(e.ts)}</td>
              <td>
                <SeverityBadge severity={e.severity} />
              </td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => narrow({ agent: e.agentId })}
                >
                  {agents.get(e.agentId)?.hostname ?? e.agentId}
                </button>
              </td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => narrow({ type: eventType(e) })}
                >
                  {eventType(e)}
                </button>
              </td>
              <td>
                {user && (
                  <button type="button" className="link-button" onClick={() => narrow({ user })}>
                    {user}
                  </button>
                )}
              </td>
              <td className="num">
                {ip && (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => narrow({ sourceIp: ip })}
                  >
                    {ip}
                  </button>
                )}
              </td>
              <td className="security-events__msg" title={e.message}>
                {e.message}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
