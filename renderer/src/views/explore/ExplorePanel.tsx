// The explorer's chart card: title and badges (live, trend or "no clear trend", the analysis'
// trend when opened from the Trends page), a warning when far fewer series report than
// usual, an HTML legend, the chart, and a footer with tier, step, points and series counted.
import type { PerformanceTrend } from '../../../../shared/analysis';
import type { ThresholdRule } from '../../../../shared/rules';
import type { AxisClamp } from '../../components/chart-line';
import { StaleMarker } from '../../components/stale';
import { TimeSeriesChart, type ChartLine } from '../../components/TimeSeriesChart';
import { formatConfidence, formatMetric, formatR2, formatSlope } from '../../lib/units';
import type { ExploreLines, TrendBadge } from './chart-lines';
import type { ExploreState } from './explore-state';
import type { ExploreData } from './useExploreData';
import type { ExploreOverlays } from './useExploreOverlays';

const MAX_LEGEND = 8;

function scopeText(state: ExploreState, hostname: string | null): string {
  const service = state.service ? `${state.service} agents` : '';
  if (state.scope.kind === 'fleet') return service ? `${service}, whole fleet` : 'whole fleet';
  if (state.scope.kind === 'region')
    return service ? `${service} in region ${state.scope.id}` : `region ${state.scope.id}`;
  return state.scope.id ? `agent ${hostname ?? state.scope.id}` : 'no agent picked';
}

function TrendBadgeView({ trend, unit, many }: { trend: TrendBadge; unit: string; many: boolean }) {
  const { fit, reason } = trend;
  if (!fit || reason !== null) {
    return (
      <span
        className="trend-badge trend-badge--none"
        data-testid="explore-trend"
        data-state="none"
        title={`No trend shown: ${reason}`}
      >
        No clear trend
      </span>
    );
  }
  return (
    <span
      className="trend-badge"
      data-testid="explore-trend"
      data-state="trend"
      data-slope={fit.slopePerHour}
      data-r2={fit.rSquared}
      data-p={fit.pValue}
      title={`Least-squares fit over the ${fit.n} settled points${many ? ' of the first series' : ''} (p = ${fit.pValue.toPrecision(2)})`}
    >
      <span className="trend-badge__key">Trend</span>
      <strong>{formatSlope(fit.slopePerHour, unit)}</strong>
      <span className="trend-badge__sep">·</span>
      R² <strong>{formatR2(fit.rSquared)}</strong>
    </span>
  );
}

function stepText(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  return `${ms / 3_600_000} h`;
}

function LiveBadge({ live, error }: { live: ExploreData['live']; error: string | null }) {
  const text = live === 'on' ? 'Live' : live === 'error' ? 'Live paused' : 'Refreshes every minute';
  return (
    <span
      className={`live-badge live-badge--${live}`}
      data-testid="explore-live"
      data-state={live}
      title={error ?? undefined}
    >
      <span className="live-badge__dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** A legend swatch's classes: a dash for lines, a patch for a band, a dot for markers. */
function swatchClass(l: ChartLine): string {
  if (l.role === 'band') return `legend__swatch--band${Math.round((l.band?.level ?? 0.8) * 100)}`;
  if (l.role === 'marker') return `legend__swatch--${l.marker ?? 'crossing'}`;
  return `legend__swatch--dash legend__swatch--${l.role}`;
}

function Legend({ lines }: { lines: readonly ChartLine[] }) {
  const series = lines.filter((l) => l.role === 'series');
  // A band is two edges: named once.
  const others = lines.filter((l) => l.role !== 'series' && l.band?.edge !== 'lo');
  return (
    <ul className="legend" data-testid="explore-legend">
      {series.slice(0, MAX_LEGEND).map((l) => (
        <li key={l.id} className="legend__item">
          <span
            className={`legend__swatch legend__swatch--s${(l.color ?? 0) % 8}`}
            aria-hidden="true"
          />
          {l.label}
        </li>
      ))}
      {series.length > MAX_LEGEND && (
        <li className="legend__item muted">+{series.length - MAX_LEGEND} more</li>
      )}
      {others.map((l) => (
        <li key={l.id} className="legend__item">
          <span className={`legend__swatch ${swatchClass(l)}`} aria-hidden="true" />
          {l.label}
        </li>
      ))}
    </ul>
  );
}

interface Props {
  state: ExploreState;
  data: ExploreData;
  view: ExploreLines;
  unit: string;
  rule: ThresholdRule | null;
  showThresholds: boolean;
  onThresholds(on: boolean): void;
  serverTrend: PerformanceTrend | null;
  hostname: string | null;
  xMin: number;
  xMax: number;
  formatY(v: number): string;
  formatTick(v: number): string;
  clamp: AxisClamp;
  overlays: ExploreOverlays;
  /** The scope can have a forecast (a region or an agent). */
  forecastable: boolean;
  onForecast(on: boolean): void;
}

export function ExplorePanel(p: Props) {
  const { state, data, view, unit, serverTrend } = p;
  const empty = data.status !== 'loading' && view.points === 0;
  const coverage = view.coverage;
  return (
    <section className="panel explore__panel">
      <header className="explore__head">
        <div className="explore__title">
          <h2 data-testid="explore-title">{state.metric || 'Metric explorer'}</h2>
          <span className="panel__sub">
            {state.agg} · {scopeText(state, p.hostname)} · last {state.range}
          </span>
        </div>
        <span className="toolbar__spacer" />
        {view.points > 0 && (
          <TrendBadgeView trend={view.trend} unit={unit} many={data.series.length > 1} />
        )}
        {data.staleSince !== null && <StaleMarker since={data.staleSince} what="chart" />}
        <LiveBadge live={data.live} error={data.liveError} />
        {p.forecastable && (
          <label className="check">
            <input
              type="checkbox"
              checked={state.forecast}
              onChange={(e) => p.onForecast(e.target.checked)}
              data-testid="explore-forecast"
            />
            Forecast
          </label>
        )}
        {p.rule && (
          <label className="check">
            <input
              type="checkbox"
              checked={p.showThresholds}
              onChange={(e) => p.onThresholds(e.target.checked)}
              data-testid="explore-thresholds"
            />
            Thresholds
          </label>
        )}
      </header>
      {serverTrend && (
        <div
          className={`analysis-note analysis-note--${serverTrend.direction}`}
          data-testid="explore-server-trend"
          data-direction={serverTrend.direction}
        >
          <strong>Analysis ({serverTrend.window})</strong>
          <span>
            {serverTrend.service} services in {serverTrend.regionId}:{' '}
            <span className={`dir dir--${serverTrend.direction}`}>{serverTrend.direction}</span>
          </span>
          <span>{formatSlope(serverTrend.slopePerHour, unit)}</span>
          <span>R² {formatR2(serverTrend.rSquared)}</span>
          <span>confidence {formatConfidence(serverTrend.confidence)}</span>
          <span className="muted">fitted on {serverTrend.points} points</span>
        </div>
      )}
      {coverage?.dropped && (
        <div className="coverage-warning" role="status" data-testid="explore-coverage-warning">
          <strong>
            Only {coverage.now} of usually {Math.round(coverage.median)} series report now.
          </strong>{' '}
          This {state.agg} stands for far fewer hosts than before: a jump may be who is counted, not
          a change on the hosts.
        </div>
      )}
      {p.overlays.forecastNote && (
        <div className="analysis-note" role="status" data-testid="explore-forecast-note">
          {p.overlays.forecastNote}
        </div>
      )}
      <Legend lines={view.lines} />
      <div
        className={`explore__chart dims-when-stale${data.staleSince !== null ? ' is-stale' : ''}`}
        data-stale={data.staleSince !== null}
      >
        <TimeSeriesChart
          lines={view.lines}
          xMin={p.xMin}
          xMax={p.xMax}
          formatY={p.formatY}
          formatTick={p.formatTick}
          clamp={p.clamp}
          testId="explore-chart"
          data={{
            points: view.points,
            series: data.series.length,
            status: data.status,
            live: data.live,
            partial: view.partialPoints,
            'partial-from': data.partialFrom ?? '',
            counted: coverage?.now ?? '',
            'counted-median': coverage?.median ?? '',
            forecast: view.lines.filter((l) => l.role === 'forecast').length,
            bands: view.lines.filter((l) => l.band?.edge === 'hi').length,
            anomalies: p.overlays.anomalies?.episodes.length ?? '',
            changepoints: p.overlays.anomalies?.changepoints.length ?? '',
          }}
        />
        {data.status === 'error' && (
          <div className="explore__overlay explore__overlay--error" data-testid="explore-error">
            Could not load this chart: {data.error}.
          </div>
        )}
        {data.status !== 'error' && empty && (
          <div className="explore__overlay" data-testid="explore-empty">
            {data.status === 'idle'
              ? state.scope.kind === 'agent'
                ? 'Pick an agent to chart.'
                : 'Pick a metric to chart.'
              : `No ${state.metric} data for this scope in the last ${state.range}.`}
          </div>
        )}
      </div>
      <footer className="explore__foot" data-testid="explore-meta">
        {data.result ? (
          <>
            <span>
              {data.result.tier === 'raw' ? 'raw samples' : `${data.result.tier} rollups`}
            </span>
            <span>{stepText(data.result.step)} step</span>
            <span>{view.points.toLocaleString('en')} points</span>
            <span>{data.series.length === 1 ? '1 line' : `${data.series.length} lines`}</span>
            {coverage && (
              <span
                data-testid="explore-counted"
                title="Series the latest settled point aggregates"
              >
                from {coverage.now} series now (usually {Math.round(coverage.median)})
              </span>
            )}
            {view.partialPoints > 0 && (
              <span className="muted" title="Steps still filling are drawn dashed and hollow">
                last step still filling
              </span>
            )}
            {p.overlays.anomalies && (
              <span data-testid="explore-anomalies">
                {p.overlays.anomalies.episodes.length === 1
                  ? '1 anomaly'
                  : `${p.overlays.anomalies.episodes.length} anomalies`}
                ,{' '}
                {p.overlays.anomalies.changepoints.length === 1
                  ? '1 level shift'
                  : `${p.overlays.anomalies.changepoints.length} level shifts`}
              </span>
            )}
            {p.overlays.anomalyNote && (
              <span className="muted" data-testid="explore-anomaly-note">
                {p.overlays.anomalyNote}
              </span>
            )}
            {p.rule && (
              <span>
                rule {p.rule.id}: warning {formatMetric(p.rule.warning, unit)}, critical{' '}
                {formatMetric(p.rule.critical, unit)}
              </span>
            )}
          </>
        ) : (
          <span>{data.status === 'loading' ? 'Loading…' : '\u00a0'}</span>
        )}
      </footer>
    </section>
  );
}
