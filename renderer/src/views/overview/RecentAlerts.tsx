import { useMemo } from 'react';
import { useFleet } from '../../api/context';
import { SeverityBadge } from '../../components/badges';
import { MiddleTruncate } from '../../components/MiddleTruncate';
import { queue, regionName, subjectNames } from '../../lib/alerts';
import { ageSince } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';

const SHOWN = 7;

/** The head of the firing queue, so the overview answers "what needs me now?". */
export function RecentAlerts() {
  const alerts = useFleet((s) => s.alerts);
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const now = useServerNow();
  const firing = useMemo(() => queue(alerts, 'firing'), [alerts]);
  return (
    <section className="panel recent" data-testid="overview-alerts">
      <header className="panel__head">
        <h2>Firing alerts</h2>
        <a className="panel__link" href={hrefFor('alerts')}>
          {firing.length > SHOWN ? `All ${firing.length} →` : 'Queue →'}
        </a>
      </header>
      {firing.length === 0 ? (
        <div className="recent__empty">
          <span className="ok-mark" aria-hidden="true">
            ✓
          </span>
          Nothing firing
        </div>
      ) : (
        <ul className="recent__list">
          {firing.slice(0, SHOWN).map((a) => {
            const names = subjectNames(a, agents);
            return (
              <li key={a.id}>
                <a
                  className={`recent__item sevbar sevbar--${a.severity}`}
                  href={hrefFor('alerts', a.id)}
                >
                  <span className="recent__top">
                    <SeverityBadge severity={a.severity} />
                    {/* The host number is what tells these apart: cut the middle, not the end. */}
                    <MiddleTruncate
                      text={names.hostname ?? regionName(names.region, regions)}
                      className="recent__who"
                      testId="recent-alert-who"
                    />
                    <span className="recent__age">{ageSince(a.createdAt, now)}</span>
                  </span>
                  <span className="recent__msg">{a.message}</span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
