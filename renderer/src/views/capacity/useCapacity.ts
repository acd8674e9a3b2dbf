// The fleet capacity table (GET /api/v1/capacity), on opening, every minute and at once when
// the core is back. The last good answer is kept across visits: while the core does not
// answer, the page shows it marked stale. A 503 (forecasting not running) is its own state.
import { useCallback, useEffect, useState } from 'react';
import type { CapacityQuery } from '../../../../shared/api';
import { systemClock } from '../../../../shared/clock';
import type { CapacityReport } from '../../../../shared/forecast';
import { useFleet, useServices } from '../../api/context';
import { ApiRequestError } from '../../api/http';

const REFRESH_MS = 60_000;

export interface LoadError {
  status: number;
  message: string;
}

export interface CapacityData {
  report: CapacityReport | null;
  /** Local ms of the last good answer. */
  fetchedAt: number | null;
  error: LoadError | null;
  /** An answer is shown but is no longer current (the core does not answer). */
  stale: boolean;
  loading: boolean;
}

export function loadError(err: unknown): LoadError {
  if (err instanceof ApiRequestError) return { status: err.status, message: err.message };
  return { status: -1, message: String((err as Error)?.message ?? err) };
}

const lastGood = new Map<string, { report: CapacityReport; at: number }>();

export function useCapacity(query: Partial<CapacityQuery> = {}): CapacityData {
  const { api } = useServices();
  const live = useFleet((s) => s.connection === 'live');
  const key = JSON.stringify(query);
  const [state, setState] = useState<Omit<CapacityData, 'stale'>>(() => {
    const kept = lastGood.get(key);
    return {
      report: kept?.report ?? null,
      fetchedAt: kept?.at ?? null,
      error: null,
      loading: true,
    };
  });

  const load = useCallback(() => {
    const q = JSON.parse(key) as Partial<CapacityQuery>;
    return api.get('GET /api/v1/capacity', q).then(
      (report) => {
        const at = systemClock.now();
        lastGood.set(key, { report, at });
        setState({ report, fetchedAt: at, error: null, loading: false });
      },
      (err: unknown) => {
        const e = loadError(err);
        // Forecasting switched off answers for itself: no stale figures are kept then.
        setState((s) =>
          e.status === 503
            ? { report: null, fetchedAt: null, error: e, loading: false }
            : { ...s, error: e, loading: false },
        );
      },
    );
  }, [api, key]);

  useEffect(() => {
    void load();
    const timer = systemClock.setInterval(() => void load(), REFRESH_MS);
    return () => timer.cancel();
  }, [load, live]);

  return { ...state, stale: state.report !== null && (state.error !== null || !live) };
}
