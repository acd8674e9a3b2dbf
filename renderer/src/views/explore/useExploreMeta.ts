// What the explorer's pickers offer: the stored metric names and the alert rules (for
// threshold lines and units), fetched when the view opens.
import { useEffect, useState } from 'react';
import type { PerformanceTrend } from '../../../../shared/analysis';
import type { ThresholdRule } from '../../../../shared/rules';
import { useServices } from '../../api/context';

export interface ExploreMeta {
  metrics: string[] | null;
  rules: ThresholdRule[];
}

export function useExploreMeta(): ExploreMeta {
  const { api } = useServices();
  const [metrics, setMetrics] = useState<string[] | null>(null);
  const [rules, setRules] = useState<ThresholdRule[]>([]);
  useEffect(() => {
    let cancelled = false;
    api.get('GET /api/v1/metric-names').then(
      (r) => !cancelled && setMetrics([...r.metrics].sort()),
      () => !cancelled && setMetrics([]),
    );
    api.get('GET /api/v1/rules').then(
      (r) =>
        !cancelled &&
        setRules(r.rules.filter((x): x is ThresholdRule => x.kind === 'threshold' && x.enabled)),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return { metrics, rules };
}

/** The analysis' trend a Trends row linked to (by id), for the explorer's badge. */
export function useServerTrend(id: string | null): PerformanceTrend | null {
  const { api } = useServices();
  const [trend, setTrend] = useState<PerformanceTrend | null>(null);
  useEffect(() => {
    setTrend(null);
    if (!id) return;
    const [region, , metric, window] = id.split('/');
    let cancelled = false;
    const win = window === '24h' || window === '7d' ? window : '1h';
    api.get('GET /api/v1/trends', { window: win, region, metric }).then(
      (r) => !cancelled && setTrend(r.trends.find((t) => t.id === id) ?? null),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api, id]);
  return trend;
}
