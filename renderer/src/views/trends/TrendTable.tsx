// The trends table: one row per (region, service, metric) for the chosen window, sortable by
// any column; a row opens the explorer on that region, service and metric with the trend shown.
import type { PerformanceTrend } from '../../../../shared/analysis';
import { navigateTo } from '../../lib/route';
import { formatChange, formatConfidence, formatR2, formatSlope, unitFor } from '../../lib/units';
import { exploreHref } from '../explore/ExploreView';
import { defaultDir, type Sort, type SortKey } from './trend-list';

const COLUMNS: { key: SortKey; label: string; align?: 'right'; title?: string }[] = [
  { key: 'region', label: 'Region' },
  { key: 'service', label: 'Service' },
  { key: 'metric', label: 'Metric' },
  { key: 'direction', label: 'Direction' },
  { key: 'slope', label: 'Slope / h', align: 'right' },
  {
    key: 'change',
    label: 'Change',
    align: 'right',
    title: 'Change over the window, relative to the mean',
  },
  { key: 'r2', label: 'R²', align: 'right', title: 'How well a straight line fits (0–1)' },
  { key: 'confidence', label: 'Confidence', align: 'right', title: '1 − p-value of the slope' },
];

export function trendHref(t: PerformanceTrend): string {
  return exploreHref({
    metric: t.metric,
    scope: { kind: 'region', id: t.regionId },
    // The trend is of this service's agents only: so is the chart.
    service: t.service,
    agg: 'avg',
    range: t.window,
    trend: t.id,
  });
}

/** The arrow says which way the value moves; the colour says whether that is good or bad. */
export function DirectionBadge({ trend }: { trend: PerformanceTrend }) {
  const arrow = trend.direction === 'stable' ? '→' : trend.slopePerHour > 0 ? '↗' : '↘';
  const movement = trend.slopePerHour > 0 ? 'rising' : 'falling';
  const why =
    trend.direction === 'stable'
      ? 'no significant change'
      : `${movement}; ${trend.polarity === 'lower_is_better' ? 'lower' : 'higher'} is better`;
  return (
    <span className={`dir dir--${trend.direction}`} title={why} data-testid="trend-direction">
      <span className="dir__arrow" aria-hidden="true">
        {arrow}
      </span>
      {trend.direction}
    </span>
  );
}

interface Props {
  trends: readonly PerformanceTrend[];
  sort: Sort;
  onSort(sort: Sort): void;
}

export function TrendTable({ trends, sort, onSort }: Props) {
  const sortBy = (key: SortKey) =>
    onSort(
      sort.key === key
        ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: defaultDir(key) },
    );
  return (
    <table className="data-table trends-table" data-testid="trends-table">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th
              key={c.key}
              className={c.align === 'right' ? 'is-right' : undefined}
              aria-sort={
                sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined
              }
            >
              <button
                type="button"
                className={`th${c.align === 'right' ? ' th--right' : ''}${sort.key === c.key ? ' is-sorted' : ''}`}
                onClick={() => sortBy(c.key)}
                title={c.title}
                data-testid={`trends-sort-${c.key}`}
              >
                {c.label}
                <span className="th__arrow" aria-hidden="true">
                  {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {trends.map((t) => {
          const href = trendHref(t);
          const unit = unitFor(t.metric);
          return (
            <tr
              key={t.id}
              className={`trend-row trend-row--${t.direction}`}
              data-testid="trend-row"
              data-trend-id={t.id}
              data-metric={t.metric}
              data-region={t.regionId}
              data-direction={t.direction}
              tabIndex={0}
              onClick={() => navigateTo(href)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') navigateTo(href);
              }}
            >
              <td>{t.regionId}</td>
              <td className="cell-muted">{t.service}</td>
              <td>
                <a href={href} className="cell-strong" onClick={(e) => e.stopPropagation()}>
                  {t.metric}
                </a>
              </td>
              <td>
                <DirectionBadge trend={t} />
              </td>
              <td className="num is-right">{formatSlope(t.slopePerHour, unit)}</td>
              <td className={`num is-right change--${t.direction}`}>
                {formatChange(t.relativeChange)}
              </td>
              <td className="num is-right">
                <span className="r2">
                  <span className="r2__bar" aria-hidden="true">
                    <span
                      style={{ transform: `scaleX(${Math.max(0, Math.min(1, t.rSquared))})` }}
                    />
                  </span>
                  {formatR2(t.rSquared)}
                </span>
              </td>
              <td className="num is-right">{formatConfidence(t.confidence)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
