import type { Region } from '../../../../shared/model';
import { StatusBadge } from '../../components/badges';
import { ThreatBadge } from '../../components/ThreatBadge';
import { ageSince, formatRatio } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';
import type { ThreatLevels } from './useThreatLevels';

interface Props {
  regions: readonly Region[];
  openAlerts: ReadonlyMap<string, { critical: number; warning: number }>;
  threat: ThreatLevels;
}

export function RegionCards({ regions, openAlerts, threat }: Props) {
  const now = useServerNow();
  return (
    <section className="region-cards" aria-label="Regions">
      {regions.map((r) => {
        const alerts = openAlerts.get(r.id);
        return (
          <article
            key={r.id}
            className={`region-card region-card--${r.status}`}
            data-testid={`region-card-${r.id}`}
            data-status={r.status}
          >
            <header className="region-card__head">
              <div>
                <h3 className="region-card__name">
                  {/* Its box covers the card (region-card__link::after): the card is the link. */}
                  <a
                    className="region-card__link"
                    href={hrefFor('regions', r.id)}
                    data-testid={`region-card-link-${r.id}`}
                  >
                    {r.name}
                  </a>
                </h3>
                <span className="region-card__id">{r.id}</span>
              </div>
              <StatusBadge status={r.status} />
            </header>
            <div className="region-card__health">
              <span className="region-card__pct" data-testid={`region-health-${r.id}`}>
                {formatRatio(r.healthScore)}
              </span>
              <span className="region-card__health-label">health</span>
              <span className="bar" aria-hidden="true">
                <span className="bar__fill" style={{ transform: `scaleX(${r.healthScore})` }} />
              </span>
            </div>
            <dl className="region-card__facts">
              <div>
                <dt>Agents</dt>
                <dd data-testid={`region-agents-${r.id}`}>
                  {r.onlineCount}
                  <span className="muted"> / {r.agentCount}</span>
                </dd>
              </div>
              <div>
                <dt>Services</dt>
                <dd>{r.serviceCount}</dd>
              </div>
              <div title="open alerts: critical · warning">
                <dt>Alerts</dt>
                <dd>
                  <span className={alerts?.critical ? 'text-critical' : 'muted'}>
                    {alerts?.critical ?? 0}
                  </span>
                  <span className="muted"> · </span>
                  <span className={alerts?.warning ? 'text-warning' : 'muted'}>
                    {alerts?.warning ?? 0}
                  </span>
                </dd>
              </div>
              <div>
                <dt>Heartbeat</dt>
                <dd>{ageSince(r.lastHeartbeat, now)}</dd>
              </div>
              <div>
                <dt>Threat</dt>
                <dd>
                  <ThreatBadge
                    threat={threat.byRegion.get(r.id)}
                    stale={threat.error !== null}
                    testId={`region-threat-${r.id}`}
                  />
                </dd>
              </div>
            </dl>
          </article>
        );
      })}
    </section>
  );
}
