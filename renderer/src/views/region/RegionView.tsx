// The region page (#/regions/<id>?range=1h): where the map marker, the region card and a
// region's alert lead. Its health now and over time, its agents by service and status, its
// open alerts, its top resource users, its trends, and the explorer scoped to it.
import { useCallback, useMemo } from 'react';
import type { RegionHistoryRange } from '../../../../shared/api-constants';
import { useFleet } from '../../api/context';
import { StatusBadge } from '../../components/badges';
import { openByRegion } from '../../lib/alerts';
import { ageSince, formatRatio } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor, navigateTo } from '../../lib/route';
import { exploreHref } from '../explore/ExploreView';
import { RegionAlerts } from './RegionAlerts';
import { RegionServices, RegionTopUsers } from './RegionAgents';
import { RegionHealth } from './RegionHealth';
import { parseRange, trendWindowFor } from './region-summary';
import { RegionTrends } from './RegionTrends';

const EXPLORE_METRICS = [
  { metric: 'cpu_usage', label: 'CPU' },
  { metric: 'memory_usage', label: 'Memory' },
  { metric: 'disk_usage', label: 'Disk' },
  { metric: 'response_time', label: 'Response time' },
  { metric: 'error_rate', label: 'Error rate' },
] as const;

export function RegionView({ regionId, query }: { regionId: string; query: string }) {
  const region = useFleet((s) => s.regions.get(regionId));
  const alerts = useFleet((s) => s.alerts);
  const now = useServerNow();
  const range = parseRange(query);
  const open = useMemo(() => openByRegion(alerts).get(regionId), [alerts, regionId]);
  const setRange = useCallback(
    (r: RegionHistoryRange) =>
      navigateTo(hrefFor('regions', regionId, r === '1h' ? '' : `range=${r}`), { replace: true }),
    [regionId],
  );

  if (!region) {
    return (
      <div className="view region" data-testid="view-region" data-region={regionId}>
        <p className="region__missing" data-testid="region-missing">
          The console knows no region “{regionId}”.{' '}
          <a href={hrefFor('overview')}>Back to the overview</a>
        </p>
      </div>
    );
  }

  return (
    <div
      className="view region"
      data-testid="view-region"
      data-region={region.id}
      data-status={region.status}
    >
      <header className={`panel region__head region__head--${region.status}`}>
        <div className="region__title">
          <a className="region__back" href={hrefFor('overview')}>
            ← Overview
          </a>
          <h1 data-testid="region-name">{region.name}</h1>
          <span className="region__id">{region.id}</span>
          <StatusBadge status={region.status} />
        </div>
        <dl className="region__facts">
          <div>
            <dt>Health</dt>
            <dd data-testid="region-page-health">{formatRatio(region.healthScore)}</dd>
          </div>
          <div>
            <dt>Agents online</dt>
            <dd data-testid="region-page-agents">
              {region.onlineCount}
              <span className="muted"> / {region.agentCount}</span>
            </dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>{region.serviceCount}</dd>
          </div>
          <div title="open alerts: critical · warning">
            <dt>Open alerts</dt>
            <dd>
              <span className={open?.critical ? 'text-critical' : 'muted'}>
                {open?.critical ?? 0}
              </span>
              <span className="muted"> · </span>
              <span className={open?.warning ? 'text-warning' : 'muted'}>{open?.warning ?? 0}</span>
            </dd>
          </div>
          <div>
            <dt>Last heartbeat</dt>
            <dd>{ageSince(region.lastHeartbeat, now)}</dd>
          </div>
        </dl>
        <nav className="region__explore" aria-label="Explore this region">
          <span className="muted">Explore in {region.id}:</span>
          {EXPLORE_METRICS.map((m) => (
            <a
              key={m.metric}
              className="chip region__chip"
              href={exploreHref({ metric: m.metric, scope: { kind: 'region', id: region.id } })}
              data-testid={`region-explore-${m.metric}`}
            >
              {m.label}
            </a>
          ))}
        </nav>
      </header>
      <div className="region__grid">
        <div className="region__col">
          <RegionHealth region={region} range={range} onRange={setRange} />
          <RegionTopUsers regionId={region.id} />
        </div>
        <div className="region__col">
          <RegionAlerts regionId={region.id} regionName={region.name} />
          <RegionServices regionId={region.id} />
        </div>
      </div>
      <RegionTrends regionId={region.id} window={trendWindowFor(range)} />
    </div>
  );
}
