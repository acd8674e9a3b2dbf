// Fleet → Relays (#/relays): each regional relay's link, the agents behind it, its queue and
// lag (GET /api/v1/relays, shared/relays.ts). Polled like the other REST panels, and reloaded
// at once when a relay_unreachable alert opens or clears (the stream carries those), so a
// lost or restored link shows without waiting for the next poll.
import { useCallback, useMemo } from 'react';
import type { Alert } from '../../../../shared/model';
import { useFleet, useServices } from '../../api/context';
import { StreamStaleMarker } from '../../components/stale';
import { isOpen } from '../../lib/alerts';
import { plural } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { usePolled } from '../../lib/use-polled';
import { AgentsNav } from '../agents/AgentsNav';
import { RelayRow } from './RelayRow';
import { RelaysEmpty } from './RelaysEmpty';
import { isLost } from './relay-text';

const RELAY_RULE = 'relay_unreachable';

export function RelaysView() {
  const { api } = useServices();
  const now = useServerNow();
  // The open relay_unreachable alert of each relay (its subject key is the relay's id).
  const alerts = useFleet((s) => s.alerts);
  const relayAlerts = useMemo(() => {
    const byRelay = new Map<string, Alert>();
    for (const a of alerts.values())
      if (a.ruleId === RELAY_RULE && isOpen(a)) byRelay.set(a.subjectKey, a);
    return byRelay;
  }, [alerts]);
  // One string that changes exactly when a relay alert opens or clears; a new one makes a new
  // loader, and usePolled loads again at once.
  const alertKey = [...relayAlerts.values()]
    .map((a) => a.id)
    .sort()
    .join(',');
  const load = useCallback(() => api.get('GET /api/v1/relays'), [api, alertKey]);
  const { data, error } = usePolled(load, 5_000);
  const relays = data?.relays ?? [];
  const lost = relays.filter(isLost).length;
  return (
    <div className="view relays" data-testid="view-relays">
      <div className="toolbar">
        <AgentsNav current="relays" />
        <span className="toolbar__spacer" />
        <StreamStaleMarker />
        {error && <span className="toolbar__error">Relays unavailable: {error}</span>}
        {data && (
          <span className="toolbar__count" data-testid="relay-count" data-count={relays.length}>
            {plural(relays.length, 'relay')}
            {lost > 0 && ` · ${lost} with the link lost`}
          </span>
        )}
      </div>
      <section className="panel relays__panel" data-testid="relays-panel">
        <header className="panel__head">
          <h2>Regional relays</h2>
          <span className="panel__sub">
            {data
              ? 'each collects its region’s agents and forwards them here through its own queue'
              : 'Loading…'}
          </span>
        </header>
        {data && relays.length === 0 && <RelaysEmpty />}
        {relays.length > 0 && (
          <div className="relays__scroll">
            <table className="data-table relays__table">
              <thead>
                <tr>
                  <th scope="col">Relay</th>
                  <th scope="col">Region</th>
                  <th scope="col">Link</th>
                  <th scope="col">Agents</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Lag</th>
                  <th scope="col">Last contact</th>
                  <th scope="col">Received</th>
                  <th scope="col">Last outage</th>
                </tr>
              </thead>
              <tbody>
                {relays.map((r) => (
                  <RelayRow key={r.id} relay={r} alert={relayAlerts.get(r.id) ?? null} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
