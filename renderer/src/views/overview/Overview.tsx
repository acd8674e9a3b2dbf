import { useMemo } from 'react';
import { useFleet } from '../../api/context';
import { useStreamStale, StaleMarker } from '../../components/stale';
import { openByRegion } from '../../lib/alerts';
import { KpiTiles } from './KpiTiles';
import { RecentAlerts } from './RecentAlerts';
import { RegionCards } from './RegionCards';
import { useThreatLevels } from './useThreatLevels';
import { WorldMap } from './WorldMap';

export function Overview() {
  const regionMap = useFleet((s) => s.regions);
  const alerts = useFleet((s) => s.alerts);
  const regions = useMemo(() => [...regionMap.values()], [regionMap]);
  const byRegion = useMemo(() => openByRegion(alerts), [alerts]);
  const { stale, since } = useStreamStale();
  const threat = useThreatLevels();
  return (
    <div className="view overview" data-testid="view-overview">
      {stale && (
        <div className="toolbar overview__stale">
          <StaleMarker since={since} />
          <span className="muted">Figures, ages and alerts are the last the console sent.</span>
        </div>
      )}
      <KpiTiles />
      <div className="overview__middle">
        <section className="panel overview__map">
          <header className="panel__head">
            <h2>Regions</h2>
            <span className="panel__sub">
              {regions.length} regions · hover a marker for details, click for its page
            </span>
          </header>
          <WorldMap regions={regions} openAlerts={byRegion} threat={threat} />
        </section>
        <RecentAlerts />
      </div>
      <RegionCards regions={regions} openAlerts={byRegion} threat={threat} />
    </div>
  );
}
