// What the explorer draws over its series besides thresholds and trends: the forecast with its
// 80 % and 95 % bands after the history (toggle, region or agent scope), and for an agent the
// anomaly episodes and level shifts (changepoints) of the range as markers.
import { useEffect, useMemo, useState } from 'react';
import type { ForecastsQuery } from '../../../../shared/api';
import { systemClock } from '../../../../shared/clock';
import type { AnomalyEpisode, Changepoint } from '../../../../shared/forecast';
import { useFleet, useServices } from '../../api/context';
import { serverNow } from '../../api/store';
import type { ChartLine } from '../../components/chart-line';
import { insufficientText, unavailableText } from '../capacity/capacity-text';
import { anomalyMarkers, changepointMarkers, forecastOverlay } from '../capacity/forecast-lines';
import { loadError, type LoadError } from '../capacity/useCapacity';
import { useForecast } from '../capacity/useForecast';
import { canForecast, FORECAST_HORIZON, RANGE_MS, type ExploreState } from './explore-state';

const REFRESH_MS = 60_000;

interface Anomalies {
  episodes: AnomalyEpisode[];
  changepoints: Changepoint[];
  warmingUp: boolean;
}

export interface ExploreOverlays {
  lines: ChartLine[];
  /** The forecast's last time (the chart's x axis extends to it), or null. */
  forecastTo: number | null;
  /** What the forecast toggle has to say: its state, or why there is none. */
  forecastNote: string | null;
  anomalies: Anomalies | null;
  anomalyNote: string | null;
}

function useAnomalies(state: ExploreState): { data: Anomalies | null; error: LoadError | null } {
  const { api, store } = useServices();
  const live = useFleet((s) => s.connection === 'live');
  const agent = state.scope.kind === 'agent' ? state.scope.id : '';
  const key = agent && state.metric ? `${agent}|${state.metric}|${state.range}` : null;
  const [res, setRes] = useState<{
    key: string | null;
    data: Anomalies | null;
    error: LoadError | null;
  }>({ key: null, data: null, error: null });
  useEffect(() => {
    if (key === null) return;
    let cancelled = false;
    const [agentId, metric, range] = key.split('|') as [string, string, keyof typeof RANGE_MS];
    const load = () => {
      const to = Math.round(serverNow(store.getState()));
      return api
        .get('GET /api/v1/anomalies', {
          agent: agentId,
          metric,
          from: String(to - RANGE_MS[range]),
          to: String(to),
          changepoints: '1',
        })
        .then(
          (r) =>
            !cancelled &&
            setRes({
              key,
              data: {
                episodes: r.episodes,
                changepoints: r.changepoints ?? [],
                warmingUp: r.warmingUp ?? false,
              },
              error: null,
            }),
          (err: unknown) =>
            !cancelled &&
            setRes((s) => ({ key, data: s.key === key ? s.data : null, error: loadError(err) })),
        );
    };
    void load();
    const timer = systemClock.setInterval(() => void load(), REFRESH_MS);
    return () => {
      cancelled = true;
      timer.cancel();
    };
  }, [api, store, key, live]);
  return res.key === key ? res : { data: null, error: null };
}

export function useExploreOverlays(
  state: ExploreState,
  unit: string,
  points: readonly [number, number][],
  now: number,
): ExploreOverlays {
  const query = useMemo<ForecastsQuery | null>(() => {
    const scope = state.scope;
    if (!state.forecast || scope.kind === 'fleet' || !canForecast(scope) || !state.metric)
      return null;
    return {
      metric: state.metric,
      ...(scope.kind === 'region' ? { region: scope.id } : { agent: scope.id }),
      ...(scope.kind === 'agent' && state.labels ? { labels: state.labels } : {}),
      horizon: FORECAST_HORIZON[state.range],
    };
  }, [state.forecast, state.scope, state.metric, state.labels, state.range]);
  const forecast = useForecast(query);
  const anomalies = useAnomalies(state);
  // An ongoing episode's age is said to the minute: recompute the markers once a minute.
  const minute = Math.floor(now / 60_000);

  return useMemo(() => {
    const lines: ChartLine[] = [];
    let forecastTo: number | null = null;
    let forecastNote: string | null = null;
    const f = forecast.forecast;
    if (query) {
      if (f?.status === 'ok') {
        lines.push(...forecastOverlay(f));
        forecastTo = f.forecast[f.forecast.length - 1]?.t ?? null;
        forecastNote = null;
      } else if (f?.status === 'insufficient_data') {
        forecastNote = `No forecast yet: ${insufficientText(f.havePoints, f.needPoints)}`;
      } else if (forecast.error) {
        forecastNote = unavailableText(forecast.error.status, forecast.error.message);
      } else {
        forecastNote = 'Forecasting…';
      }
    }
    const a = anomalies.data;
    if (a) {
      const m = anomalyMarkers(a.episodes, unit, minute * 60_000, points);
      const c = changepointMarkers(a.changepoints, unit);
      if (m) lines.push(m);
      if (c) lines.push(c);
    }
    const anomalyNote = anomalies.error
      ? anomalies.error.status === 503
        ? 'no anomaly markers: anomaly detection is not running in this console'
        : `anomaly markers unavailable: ${anomalies.error.message}`
      : a?.warmingUp
        ? 'anomaly detection still learning this series'
        : null;
    return { lines, forecastTo, forecastNote, anomalies: a, anomalyNote };
  }, [query, forecast, anomalies, unit, minute, points]);
}
