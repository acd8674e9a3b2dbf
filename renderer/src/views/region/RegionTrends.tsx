// The region's performance trends (GET /api/v1/trends?region=), degrading first; a row opens its
// chart in the explorer, and the whole list is one click away on the Trends page.
import { useEffect, useState } from 'react';
import type { PerformanceTrend, TrendWindow } from '../../../../shared/analysis';
import { systemClock } from '../../../../shared/clock';
import { useServices } from '../../api/context';
import { plural } from '../../lib/format';
import { hrefFor } from '../../lib/route';
import { formatChange, formatSlope, unitFor } from '../../lib/units';
import { formatTrendsQuery } from '../trends/trend-list';
import { DirectionBadge, trendHref } from '../trends/TrendTable';

const SHOWN = 8;
const REFRESH_MS = 60_000;

export function RegionTrends({ regionId, window }: { regionId: string; window: TrendWindow }) {
  const { api } = useServices();
  const [trends, setTrends] = useState<PerformanceTrend[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api.get('GET /api/v1/trends', { region: regionId, window }).then(
        (r) => {
          if (cancelled) return;
          setTrends(r.trends);
          setError(null);
        },
        (err: unknown) => !cancelled && setError(String((err as Error)?.message ?? err)),
      );
    void load();
    const timer = systemClock.setInterval(() => void load(), REFRESH_MS);
    return () => {
      cancelled = true;
      timer.cancel();
    };
  }, [api, regionId, window]);

  const all = hrefFor(
    'trends',
    null,
    formatTrendsQuery({ window, direction: '', region: regionId }),
  );
  return (
    <section className="panel region-trends" data-testid="region-trends">
      <header className="panel__head">
        <h2>Trends</h2>
        <span className="panel__sub">
          {trends ? `${plural(trends.length, 'series', 'series')} · last ${window}` : ''}
        </span>
        <a className="panel__link" href={all} data-testid="region-trends-all">
          All trends in this region →
        </a>
      </header>
      {!trends ? (
        <p className="region__none">{error ?? 'Loading…'}</p>
      ) : trends.length === 0 ? (
        <p className="region__none">No trends yet: a trend needs at least 10 points.</p>
      ) : (
        <table className="data-table region-trends__table">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Metric</th>
              <th scope="col">Direction</th>
              <th scope="col" className="is-right">
                Slope / h
              </th>
              <th scope="col" className="is-right">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {trends.slice(0, SHOWN).map((t) => (
              <tr key={t.id} data-testid="region-trend-row" data-direction={t.direction}>
                <td className="cell-muted">{t.service}</td>
                <td>
                  <a href={trendHref(t)} className="cell-strong">
                    {t.metric}
                  </a>
                </td>
                <td>
                  <DirectionBadge trend={t} />
                </td>
                <td className="num is-right">{formatSlope(t.slopePerHour, unitFor(t.metric))}</td>
                <td className={`num is-right change--${t.direction}`}>
                  {formatChange(t.relativeChange)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
