// What the explorer's pickers offer: the stored metric names and the alert rules (for
// threshold lines and units), fetched when the view opens.
import { useEffect, useState } from 'react';
import type { PerformanceTrend } from '../../../../shared/analysis';
import type { ThresholdRule } from '../../../../shared/rules';
import { useFleet, useServices } from '../../api/context';

export interface ExploreMeta {
  metrics: string[] | null;
  rules: ThresholdRule[];
  /** The metric names could not be had (the core does not answer) and none are known. */
  unavailable: boolean;
}

/** The last lists fetched, kept across visits: while the core is unreachable they still serve. */
let known: { metrics: string[] | null; rules: ThresholdRule[] } = { metrics: null, rules: [] };

export function useExploreMeta(): ExploreMeta {
  const { api } = useServices();
  const connection = useFleet((s) => s.connection);
  const [metrics, setMetrics] = useState<string[] | null>(known.metrics);
  const [rules, setRules] = useState<ThresholdRule[]>(known.rules);
  const [unavailable, setUnavailable] = useState(false);
  // Fetched on opening, and again when the core is back.
  const live = connection === 'live';
  useEffect(() => {
    let cancelled = false;
    api.get('GET /api/v1/metric-names').then(
      (r) => {
        if (cancelled) return;
        known = { ...known, metrics: [...r.metrics].sort() };
        setMetrics(known.metrics);
        setUnavailable(false);
      },
      () => {
        if (cancelled) return;
        setMetrics(known.metrics ?? []);
        setUnavailable(known.metrics === null);
      },
    );
    api.get('GET /api/v1/rules').then(
      (r) => {
        if (cancelled) return;
        known = {
          ...known,
          rules: r.rules.filter((x): x is ThresholdRule => x.kind === 'threshold' && x.enabled),
        };
        setRules(known.rules);
      },
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api, live]);
  return { metrics, rules, unavailable };
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
