// The region's open alerts (on its agents and on the region itself), worst first; each opens in
// the alert queue.
import { useMemo } from 'react';
import { useFleet } from '../../api/context';
import { SeverityBadge } from '../../components/badges';
import { subjectNames } from '../../lib/alerts';
import { ageSince } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';
import { openAlertsOf } from './region-summary';

const SHOWN = 8;

export function RegionAlerts({ regionId, regionName }: { regionId: string; regionName: string }) {
  const alerts = useFleet((s) => s.alerts);
  const agents = useFleet((s) => s.agents);
  const now = useServerNow();
  const open = useMemo(() => openAlertsOf(alerts.values(), regionId), [alerts, regionId]);
  return (
    <section className="panel recent region-alerts" data-testid="region-alerts">
      <header className="panel__head">
        <h2>Open alerts</h2>
        <span className="panel__sub" data-testid="region-alerts-count" data-count={open.length}>
          {open.length}
        </span>
        <a className="panel__link" href={hrefFor('alerts')}>
          Queue →
        </a>
      </header>
      {open.length === 0 ? (
        <div className="recent__empty">
          <span className="ok-mark" aria-hidden="true">
            ✓
          </span>
          Nothing open
        </div>
      ) : (
        <ul className="recent__list">
          {open.slice(0, SHOWN).map((a) => (
            <li key={a.id}>
              <a
                className={`recent__item sevbar sevbar--${a.severity}`}
                href={hrefFor('alerts', a.id)}
                data-testid="region-alert"
                data-alert-id={a.id}
              >
                <span className="recent__top">
                  <SeverityBadge severity={a.severity} />
                  <span className="recent__who">
                    {subjectNames(a, agents).hostname ?? regionName}
                  </span>
                  <span className="recent__age">{ageSince(a.createdAt, now)}</span>
                </span>
                <span className="recent__msg">
                  {a.state === 'acknowledged' && <span className="muted">acknowledged · </span>}
                  {a.message}
                </span>
              </a>
            </li>
          ))}
          {open.length > SHOWN && (
            <li className="muted region-alerts__more">
              and {open.length - SHOWN} more in the queue
            </li>
          )}
        </ul>
      )}
    </section>
  );
}
