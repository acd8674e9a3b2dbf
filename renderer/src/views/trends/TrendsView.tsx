// Trends (#/trends?window=1h&direction=&region=): the analysis' trends per region, service and
// metric, degrading and most significant first, sortable and filterable; a row opens its
// chart. Beside it, response-time percentiles per service per region.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PerformanceTrend, TrendWindow } from '../../../../shared/analysis';
import { systemClock } from '../../../../shared/clock';
import { useFleet, useServices } from '../../api/context';
import { StaleMarker, useActionBlock } from '../../components/stale';
import { ageSince, plural } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor, navigateTo } from '../../lib/route';
import { PercentilePanel } from './PercentilePanel';
import {
  directionCounts,
  formatTrendsQuery,
  parseTrendsQuery,
  visibleTrends,
  type Direction,
  type Sort,
  type TrendsState,
} from './trend-list';
import { TrendTable } from './TrendTable';

const WINDOWS: TrendWindow[] = ['1h', '24h', '7d'];
const DIRECTIONS: Direction[] = ['degrading', 'improving', 'stable'];
const REFRESH_MS = 60_000;

type TrendsData = { computedAt: number; trends: PerformanceTrend[] };
/**
 * The last answer and when it came (local ms), kept across visits: while the core does not
 * answer, the page shows it marked stale instead of an error and a spinner.
 */
let lastGood: { data: TrendsData; at: number } | null = null;

export function TrendsView({ query }: { query: string }) {
  const { api } = useServices();
  const regions = useFleet((s) => s.regions);
  const live = useFleet((s) => s.connection === 'live');
  const blocked = useActionBlock();
  const now = useServerNow();
  const state = useMemo(() => parseTrendsQuery(query), [query]);
  const [sort, setSort] = useState<Sort>({ key: 'rank', dir: 'asc' });
  const [data, setData] = useState<TrendsData | null>(lastGood?.data ?? null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(lastGood?.at ?? null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);

  const update = useCallback(
    (next: Partial<TrendsState>) =>
      navigateTo(hrefFor('trends', null, formatTrendsQuery({ ...state, ...next })), {
        replace: true,
      }),
    [state],
  );

  const load = useCallback(
    (fresh: boolean) => {
      setBusy(true);
      return api
        .get('GET /api/v1/trends', fresh ? { fresh: '1' } : {})
        .then(
          (r) => {
            const at = systemClock.now();
            lastGood = { data: r, at };
            setData(r);
            setFetchedAt(at);
            setError(null);
          },
          (err: unknown) => setError(String((err as Error)?.message ?? err)),
        )
        .finally(() => setBusy(false));
    },
    [api],
  );

  // On opening, every minute, and at once when the core is back.
  useEffect(() => {
    void load(false);
    const timer = systemClock.setInterval(() => void load(false), REFRESH_MS);
    return () => timer.cancel();
  }, [load, live]);
  const stale = data !== null && (error !== null || !live);

  const recompute = () => {
    void load(true).then(() => setReload((n) => n + 1));
  };

  const rows = useMemo(() => visibleTrends(data?.trends ?? [], state, sort), [data, state, sort]);
  const counts = useMemo(
    () => directionCounts(data?.trends ?? [], state.window, state.region),
    [data, state.window, state.region],
  );

  return (
    <div className="view trends" data-testid="view-trends">
      <div className="toolbar">
        <div className="segmented segmented--compact" role="group" aria-label="Window">
          {WINDOWS.map((w) => (
            <button
              key={w}
              type="button"
              className={`segmented__item${state.window === w ? ' is-active' : ''}`}
              aria-pressed={state.window === w}
              data-testid={`trends-window-${w}`}
              onClick={() => update({ window: w })}
            >
              {w}
            </button>
          ))}
        </div>
        <select
          className="input select"
          value={state.direction}
          aria-label="Direction"
          data-testid="trends-direction"
          onChange={(e) => update({ direction: e.target.value as Direction | '' })}
        >
          <option value="">Any direction</option>
          {DIRECTIONS.map((d) => (
            <option key={d} value={d}>
              {d[0]!.toUpperCase() + d.slice(1)}
            </option>
          ))}
        </select>
        <select
          className="input select"
          value={state.region}
          aria-label="Region"
          data-testid="trends-region"
          onChange={(e) => update({ region: e.target.value })}
        >
          <option value="">All regions</option>
          {[...regions.values()].map((r) => (
            <option key={r.id} value={r.id}>
              {r.id}
            </option>
          ))}
        </select>
        <div className="trend-counts" aria-label="Trends by direction">
          {DIRECTIONS.map((d) => (
            <button
              key={d}
              type="button"
              className={`trend-count trend-count--${d}${state.direction === d ? ' is-active' : ''}`}
              onClick={() => update({ direction: state.direction === d ? '' : d })}
              data-testid={`trends-count-${d}`}
              data-count={counts[d]}
            >
              <strong>{counts[d]}</strong> {d}
            </button>
          ))}
        </div>
        <span className="toolbar__spacer" />
        {stale ? (
          <StaleMarker since={fetchedAt} what="analysis" />
        ) : (
          error && (
            <span className="toolbar__error" data-testid="trends-error">
              Trends unavailable: {error}
            </span>
          )
        )}
        {data && (
          <span className="muted" data-testid="trends-computed">
            {now - data.computedAt < 1_000
              ? 'computed just now'
              : `computed ${ageSince(data.computedAt, now)} ago`}
          </span>
        )}
        <button
          type="button"
          className="btn btn--small"
          onClick={recompute}
          disabled={busy || blocked !== null}
          title={blocked ?? undefined}
          data-testid="trends-refresh"
        >
          Recompute now
        </button>
      </div>
      <div className="trends__body">
        <section className={`panel trends__table dims-when-stale${stale ? ' is-stale' : ''}`}>
          <header className="panel__head">
            <h2>Trends</h2>
            <span className="panel__sub" data-testid="trends-count" data-count={rows.length}>
              {plural(rows.length, 'series', 'series')} · least-squares over the last {state.window}
            </span>
          </header>
          <div className="trends__scroll">
            {rows.length > 0 ? (
              <TrendTable trends={rows} sort={sort} onSort={setSort} />
            ) : (
              <div className="trends__empty" data-testid="trends-empty">
                {data
                  ? `No ${state.direction ? `${state.direction} ` : ''}trends over the last ${state.window}${state.region ? ` in ${state.region}` : ''}. A trend needs at least ten points in its window.`
                  : error
                    ? 'No trends to show until the console answers.'
                    : 'Loading…'}
              </div>
            )}
          </div>
        </section>
        <PercentilePanel window={state.window} reload={reload} />
      </div>
    </div>
  );
}
