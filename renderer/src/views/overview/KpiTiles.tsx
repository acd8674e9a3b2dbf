import { useMemo } from 'react';
import { useFleet } from '../../api/context';
import { Sparkline } from '../../components/Sparkline';
import { selectAlertCounts } from '../../lib/alerts';
import { formatLatency, formatRate, plural } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { navigate } from '../../lib/route';
import { SoonestToFill } from './SoonestToFill';
import { Tile } from './Tile';

export function KpiTiles() {
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const stats = useFleet((s) => s.stats);
  const history = useFleet((s) => s.rateHistory);
  const now = useServerNow();

  const fleet = useMemo(() => {
    let online = 0;
    for (const a of agents.values()) if (a.status === 'online') online++;
    return { online, total: agents.size };
  }, [agents]);
  // The same selector as the nav badge: the two cannot disagree.
  const counts = useFleet(selectAlertCounts);
  const regionStatus = useMemo(() => {
    const list = [...regions.values()];
    return {
      active: list.filter((r) => r.status === 'active').length,
      failed: list.filter((r) => r.status === 'failed').length,
      maintenance: list.filter((r) => r.status === 'maintenance').length,
    };
  }, [regions]);
  const activeRegions = regionStatus.active;
  const offline = fleet.total - fleet.online;

  return (
    <section className="kpis" aria-label="Key figures">
      <Tile
        label="Agents online"
        testId="kpi-agents"
        tone={
          offline === 0
            ? 'ok'
            : fleet.online / Math.max(1, fleet.total) < 0.8
              ? 'critical'
              : 'warning'
        }
        foot={offline === 0 ? 'all reporting' : `${plural(offline, 'agent')} offline`}
        onClick={() => navigate('agents')}
      >
        <span data-testid="kpi-agents-online">{fleet.online.toLocaleString('en')}</span>
        <span className="kpi__of">
          {' / '}
          <span data-testid="kpi-agents-total">{fleet.total.toLocaleString('en')}</span>
        </span>
      </Tile>
      <Tile
        label="Critical alerts"
        testId="kpi-critical"
        tone={counts.critical ? 'critical' : 'muted'}
        foot={`${counts.unacked.critical} unacknowledged`}
        onClick={() => navigate('alerts')}
      >
        <span data-testid="kpi-critical-count">{counts.critical}</span>
      </Tile>
      <Tile
        label="Warning alerts"
        testId="kpi-warning"
        tone={counts.warning ? 'warning' : 'muted'}
        foot={`${counts.unacked.warning} unacknowledged`}
        onClick={() => navigate('alerts')}
      >
        <span data-testid="kpi-warning-count">{counts.warning}</span>
      </Tile>
      <Tile
        label="Regions active"
        testId="kpi-regions"
        tone={
          regionStatus.failed
            ? 'critical'
            : activeRegions + regionStatus.maintenance < regions.size
              ? 'warning'
              : 'ok'
        }
        foot={
          regionStatus.maintenance > 0
            ? `${regions.size - activeRegions - regionStatus.maintenance} degraded or failed, ${regionStatus.maintenance} in maintenance`
            : `${regions.size - activeRegions} degraded or failed`
        }
      >
        {activeRegions}
        <span className="kpi__of"> / {regions.size}</span>
      </Tile>
      <Tile label="Samples / s" testId="kpi-samples" foot={<Sparkline values={history} />}>
        <span data-testid="kpi-samples-value">{formatRate(stats?.samplesPerSecond)}</span>
      </Tile>
      <Tile label="p99 sample → alert" testId="kpi-latency" foot="arrival at core → alert raised">
        <span data-testid="kpi-latency-value">{formatLatency(stats?.sampleToAlertP99Ms)}</span>
      </Tile>
      <SoonestToFill now={now} />
    </section>
  );
}
