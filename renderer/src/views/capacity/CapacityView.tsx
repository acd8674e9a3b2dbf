// Capacity (#/capacity, #/capacity/<target key>): the fleet capacity table from the
// forecasting service, every region × resource and the agents soonest to fill, soonest
// exhaustion first; a row opens its forecast chart above the tables. The state of the
// forecast run (computed when, a run under way, series still gathering data) is said in words.
import { useMemo } from 'react';
import { StaleMarker } from '../../components/stale';
import { plural } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { capacityHref, CapacityTable } from './CapacityTable';
import {
  formatHorizon,
  runStateText,
  sortBySoonest,
  targetKey,
  targetName,
  unavailableText,
} from './capacity-text';
import { ForecastDetail } from './ForecastDetail';
import { useCapacity } from './useCapacity';

/** Series without a forecast listed by name; the rest are counted. */
const PENDING_SHOWN = 20;

export function CapacityView({ selected }: { selected: string | null }) {
  const now = useServerNow();
  const { report, error, stale, fetchedAt, loading } = useCapacity();
  const regions = useMemo(() => sortBySoonest(report?.regions ?? []), [report]);
  const agents = useMemo(() => sortBySoonest(report?.agents ?? []), [report]);
  const horizon = report ? formatHorizon(report.horizonMs) : '';
  const crossing = agents.filter((r) => r.crossing?.likely != null).length;

  return (
    <div className="view capacity" data-testid="view-capacity">
      <div className="toolbar">
        <span className="muted" data-testid="capacity-state" data-running={report?.running ?? ''}>
          {report
            ? `Forecasts ${horizon} ahead · ${runStateText(report, now)}`
            : error
              ? 'No capacity forecasts'
              : 'Loading forecasts…'}
        </span>
        <span className="toolbar__spacer" />
        {stale && <StaleMarker since={fetchedAt} what="capacity table" />}
        {report && error && !stale && (
          <span className="toolbar__error" data-testid="capacity-error">
            {unavailableText(error.status, error.message)}
          </span>
        )}
      </div>
      {selected && <ForecastDetail key={selected} targetKey={selected} />}
      {!report && error ? (
        <section
          className="panel capacity__empty"
          data-testid="capacity-unavailable"
          data-status={error.status}
        >
          <h2>{unavailableText(error.status, error.message)}</h2>
          <p className="muted">
            {error.status === 503
              ? 'Capacity forecasts come from the forecasting service; this console was started without it. Charts and alerts on measured values work as before.'
              : 'The table appears as soon as the console answers.'}
          </p>
        </section>
      ) : (
        <div className={`capacity__tables dims-when-stale${stale ? ' is-stale' : ''}`}>
          <section className="panel capacity__panel">
            <header className="panel__head">
              <h2>Agents soonest to fill</h2>
              <span
                className="panel__sub"
                data-testid="capacity-agents-count"
                data-count={agents.length}
              >
                {report
                  ? `${plural(crossing, 'series', 'series')} likely to cross within ${horizon} · soonest first`
                  : ''}
              </span>
            </header>
            <div className="capacity__scroll">
              {agents.length > 0 ? (
                <CapacityTable
                  rows={agents}
                  caption="Agents soonest to fill, soonest first"
                  testId="capacity-agents"
                  now={now}
                  horizonMs={report!.horizonMs}
                  selected={selected}
                />
              ) : (
                <p className="capacity__none">
                  {loading && !report ? 'Loading…' : 'No agent series has a forecast yet.'}
                </p>
              )}
            </div>
          </section>
          <section className="panel capacity__panel">
            <header className="panel__head">
              <h2>Regions</h2>
              <span className="panel__sub">average of each region's agents, per resource</span>
            </header>
            <div className="capacity__scroll">
              {regions.length > 0 ? (
                <CapacityTable
                  rows={regions}
                  caption="Regions by resource, soonest to fill first"
                  testId="capacity-regions"
                  now={now}
                  horizonMs={report!.horizonMs}
                  selected={selected}
                />
              ) : (
                <p className="capacity__none">
                  {loading && !report ? 'Loading…' : 'No region has a forecast yet.'}
                </p>
              )}
            </div>
          </section>
          {report && report.pending.length > 0 && (
            <section className="panel capacity__panel" data-testid="capacity-pending">
              <header className="panel__head">
                <h2>Not forecast yet</h2>
                <span className="panel__sub">
                  {plural(report.pending.length, 'series', 'series')}
                </span>
              </header>
              <ul className="capacity__pending">
                {report.pending.slice(0, PENDING_SHOWN).map((p) => (
                  <li key={targetKey(p.target)}>
                    <a href={capacityHref(p)}>
                      {p.target.metric} · {targetName(p.target)}
                    </a>{' '}
                    <span className="muted">{p.reason}</span>
                  </li>
                ))}
                {report.pending.length > PENDING_SHOWN && (
                  <li className="muted">and {report.pending.length - PENDING_SHOWN} more</li>
                )}
              </ul>
            </section>
          )}
        </div>
      )}
    </div>
  );
}
