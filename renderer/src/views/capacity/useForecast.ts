// One forecast (GET /api/v1/forecasts) for a chart: fetched when the target changes and every
// minute after; the last answer stays (marked stale) while the core does not answer.
import { useEffect, useState } from 'react';
import type { ForecastsQuery } from '../../../../shared/api';
import { systemClock } from '../../../../shared/clock';
import type { ForecastResult } from '../../../../shared/forecast';
import { useFleet, useServices } from '../../api/context';
import { loadError, type LoadError } from './useCapacity';

const REFRESH_MS = 60_000;

export interface ForecastData {
  forecast: ForecastResult | null;
  error: LoadError | null;
  loading: boolean;
  /** Local ms of the answer shown. */
  fetchedAt: number | null;
}

/** `query` null: nothing to fetch (no scope yet, or the toggle is off). */
export function useForecast(query: ForecastsQuery | null): ForecastData {
  const { api } = useServices();
  const live = useFleet((s) => s.connection === 'live');
  const key = query ? JSON.stringify(query) : null;
  const [state, setState] = useState<ForecastData & { key: string | null }>({
    key: null,
    forecast: null,
    error: null,
    loading: false,
    fetchedAt: null,
  });

  useEffect(() => {
    if (key === null) return;
    let cancelled = false;
    const q = JSON.parse(key) as ForecastsQuery;
    const load = () =>
      api.get('GET /api/v1/forecasts', q).then(
        (r) => {
          if (cancelled) return;
          setState({
            key,
            forecast: r.forecast,
            error: null,
            loading: false,
            fetchedAt: systemClock.now(),
          });
        },
        (err: unknown) => {
          if (cancelled) return;
          const e = loadError(err);
          setState((s) =>
            s.key === key && e.status !== 503
              ? { ...s, error: e, loading: false }
              : { key, forecast: null, error: e, loading: false, fetchedAt: null },
          );
        },
      );
    setState((s) =>
      s.key === key ? s : { ...s, key, forecast: null, error: null, loading: true },
    );
    void load();
    const timer = systemClock.setInterval(() => void load(), REFRESH_MS);
    return () => {
      cancelled = true;
      timer.cancel();
    };
  }, [api, key, live]);

  if (key === null || state.key !== key)
    return { forecast: null, error: null, loading: key !== null, fetchedAt: null };
  return state;
}
