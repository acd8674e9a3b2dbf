// A capacity row opened: the forecast chart (history, 80 % and 95 % bands, forecast line,
// threshold and the "reaches N %" marker) and, beside it, what to make of it: the model, its
// backtest error (MASE) and its 95 % band's coverage, in plain words, every number in its unit.
import { useCallback, useMemo, useState } from 'react';
import type { ForecastOk } from '../../../../shared/forecast';
import { StaleMarker } from '../../components/stale';
import { TimeSeriesChart } from '../../components/TimeSeriesChart';
import { useServerNow } from '../../lib/now';
import { navigate } from '../../lib/route';
import { formatAxis, formatMetric } from '../../lib/units';
import {
  coverageSentence,
  crossingCells,
  formatDate,
  formatDuration,
  formatGrowth,
  formatHorizon,
  formatLevel,
  formatPredicted,
  insufficientText,
  maseSentence,
  modelName,
  queryOfKey,
  reachesText,
  targetName,
  unavailableText,
} from './capacity-text';
import { forecastChart, type ForecastSpan } from './forecast-lines';
import { useForecast } from './useForecast';

const PERCENT_CLAMP = { min: 0, max: 100 };
const ZERO_CLAMP = { min: 0, max: Infinity };

function ForecastFacts({ f, now }: { f: ForecastOk; now: number }) {
  const cells = crossingCells(f.crossing, now, f.horizonMs);
  const fmt = (v: number) => formatMetric(v, f.unit);
  return (
    <div className="forecast-facts" data-testid="forecast-facts">
      <p className="forecast-facts__headline" data-testid="forecast-reaches">
        {reachesText(f.crossing, f.unit, f.horizonMs)}
      </p>
      <dl className="facts">
        <dt>Now</dt>
        <dd className="num">{fmt(f.current)}</dd>
        <dt>Growth</dt>
        <dd className="num">{formatGrowth(f.growthPerDay, f.unit)}</dd>
        <dt>In {formatHorizon(f.horizonMs)}</dt>
        <dd className="num">{formatPredicted(f.atHorizon, f.unit)}</dd>
        {f.crossing && (
          <>
            <dt>Reaches {formatLevel(f.crossing.threshold, f.unit)}</dt>
            <dd data-testid="forecast-crossing">
              likely <strong>{cells.likely}</strong>
              <br />
              <span className="muted">
                earliest {cells.earliest} · latest {cells.latest}
              </span>
            </dd>
          </>
        )}
        <dt>Model</dt>
        <dd data-testid="forecast-model">
          {modelName(f.model)}
          {f.seasonalPeriods.length > 0 && (
            <span className="muted">
              {' '}
              · seasons of {f.seasonalPeriods.map((p) => formatDuration(p * f.stepMs)).join(', ')}
            </span>
          )}
        </dd>
        <dt>From</dt>
        <dd>
          {f.history.length.toLocaleString('en')} points of {f.tier} rollups, up to{' '}
          {formatDate(f.dataUntil)}
        </dd>
      </dl>
      <p data-testid="forecast-mase">{maseSentence(f.backtest.mase)}</p>
      <p data-testid="forecast-coverage">{coverageSentence(f.backtest)}</p>
    </div>
  );
}

function ForecastLegend({ threshold }: { threshold: boolean }) {
  return (
    <ul className="legend" aria-hidden="true">
      <li className="legend__item">
        <span className="legend__swatch legend__swatch--s0" />
        measured
      </li>
      <li className="legend__item">
        <span className="legend__swatch legend__swatch--dash legend__swatch--forecast" />
        forecast
      </li>
      <li className="legend__item">
        <span className="legend__swatch legend__swatch--band80" />
        80 % band
      </li>
      <li className="legend__item">
        <span className="legend__swatch legend__swatch--band95" />
        95 % band
      </li>
      {threshold && (
        <li className="legend__item">
          <span className="legend__swatch legend__swatch--dash legend__swatch--critical" />
          threshold
        </li>
      )}
    </ul>
  );
}

function SpanToggle({ span, onSpan }: { span: ForecastSpan; onSpan(s: ForecastSpan): void }) {
  const items: { span: ForecastSpan; label: string }[] = [
    { span: 'crossing', label: 'Up to the crossing' },
    { span: 'horizon', label: 'Whole horizon' },
  ];
  return (
    <div className="segmented segmented--compact" role="group" aria-label="Time shown">
      {items.map((i) => (
        <button
          key={i.span}
          type="button"
          className={`segmented__item${span === i.span ? ' is-active' : ''}`}
          aria-pressed={span === i.span}
          data-testid={`forecast-span-${i.span}`}
          onClick={() => onSpan(i.span)}
        >
          {i.label}
        </button>
      ))}
    </div>
  );
}

function ForecastOkView({ f, now }: { f: ForecastOk; now: number }) {
  const crosses = f.crossing?.likely != null || f.crossing?.latest != null;
  const [span, setSpan] = useState<ForecastSpan>('crossing');
  const shown = crosses ? span : 'horizon';
  const chart = useMemo(() => forecastChart(f, shown), [f, shown]);
  const formatY = useCallback((v: number) => formatMetric(v, f.unit), [f.unit]);
  const formatTick = useCallback((v: number) => formatAxis(v, f.unit), [f.unit]);
  const bands = chart.lines.filter((l) => l.role === 'band').length / 2;
  return (
    <div className="forecast-detail__body">
      <div className="forecast-detail__chart">
        <div className="forecast-detail__bar">
          <ForecastLegend threshold={f.crossing !== null} />
          {crosses && <SpanToggle span={span} onSpan={setSpan} />}
        </div>
        <div className="forecast-detail__canvas">
          <TimeSeriesChart
            lines={chart.lines}
            xMin={chart.xMin}
            xMax={chart.xMax}
            formatY={formatY}
            formatTick={formatTick}
            clamp={f.unit === '%' ? PERCENT_CLAMP : ZERO_CLAMP}
            testId="forecast-chart"
            data={{
              status: 'ready',
              span: shown,
              history: f.history.length,
              forecast: f.forecast.length,
              bands,
              crossing: f.crossing?.likely ?? '',
              threshold: f.crossing?.threshold ?? '',
            }}
          />
        </div>
      </div>
      <ForecastFacts f={f} now={now} />
    </div>
  );
}

export function ForecastDetail({ targetKey }: { targetKey: string }) {
  const now = useServerNow();
  const query = useMemo(() => queryOfKey(targetKey), [targetKey]);
  const { forecast, error, loading, fetchedAt } = useForecast(query);
  const title = forecast
    ? `${forecast.target.metric} · ${targetName(forecast.target)}`
    : (query?.metric ?? targetKey);
  return (
    <section className="panel forecast-detail" data-testid="forecast-detail" aria-label="Forecast">
      <header className="panel__head">
        <h2 data-testid="forecast-title">{title}</h2>
        {forecast?.status === 'ok' && (
          <span className="panel__sub">
            computed {formatDuration(Math.max(0, now - forecast.computedAt))} ago · next{' '}
            {formatHorizon(forecast.horizonMs)}
          </span>
        )}
        <span className="toolbar__spacer" />
        {forecast && error && <StaleMarker since={fetchedAt} what="forecast" />}
        <button
          type="button"
          className="btn btn--small"
          onClick={() => navigate('capacity')}
          data-testid="forecast-close"
        >
          Close
        </button>
      </header>
      {!query ? (
        <p className="forecast-detail__note">This link names no forecast.</p>
      ) : forecast?.status === 'ok' ? (
        <ForecastOkView f={forecast} now={now} />
      ) : forecast?.status === 'insufficient_data' ? (
        <p className="forecast-detail__note" data-testid="forecast-insufficient">
          No forecast yet: {insufficientText(forecast.havePoints, forecast.needPoints)}.{' '}
          {forecast.reason}
        </p>
      ) : error ? (
        <p className="forecast-detail__note" data-testid="forecast-error">
          {unavailableText(error.status, error.message)}
        </p>
      ) : (
        <p className="forecast-detail__note">{loading ? 'Loading the forecast…' : '\u00a0'}</p>
      )}
    </section>
  );
}
