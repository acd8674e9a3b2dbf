// The compliance report (GET /api/v1/compliance), on opening, on a filter change and every
// minute. The last good answer stays shown, marked stale, while the core does not answer.
import { useCallback, useEffect, useState } from 'react';
import type { ComplianceQuery, ComplianceReport } from '../../../../shared/compliance';
import { systemClock } from '../../../../shared/clock';
import { useFleet, useServices } from '../../api/context';

const REFRESH_MS = 60_000;

export interface ComplianceData {
  report: ComplianceReport | null;
  error: string | null;
  fetchedAt: number | null;
  stale: boolean;
  reload(): void;
}

export function useCompliance(query: ComplianceQuery): ComplianceData {
  const { api } = useServices();
  const live = useFleet((s) => s.connection === 'live');
  const key = JSON.stringify(query);
  const [state, setState] = useState<{
    report: ComplianceReport | null;
    error: string | null;
    fetchedAt: number | null;
  }>({ report: null, error: null, fetchedAt: null });

  const load = useCallback(() => {
    api.get('GET /api/v1/compliance', JSON.parse(key) as ComplianceQuery).then(
      (report) => setState({ report, error: null, fetchedAt: systemClock.now() }),
      (err: unknown) => setState((s) => ({ ...s, error: String((err as Error).message ?? err) })),
    );
  }, [api, key]);

  useEffect(() => {
    load();
    const timer = systemClock.setInterval(load, REFRESH_MS);
    return () => timer.cancel();
  }, [load, live]);

  return {
    ...state,
    stale: state.report !== null && (state.error !== null || !live),
    reload: load,
  };
}
