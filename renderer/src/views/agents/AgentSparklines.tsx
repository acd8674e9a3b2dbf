// The agent drawer's last hour of cpu / memory / disk: one small query per metric (agent
// scope, 120 half-minute points), refreshed every 30 s; each opens the explorer on it.
import { useEffect, useState } from 'react';
import { systemClock } from '../../../../shared/clock';
import { useServices } from '../../api/context';
import { serverNow } from '../../api/store';
import { Sparkline } from '../../components/Sparkline';
import { formatPercent } from '../../lib/format';
import { exploreHref } from '../explore/ExploreView';

const METRICS = [
  { metric: 'cpu_usage', label: 'CPU' },
  { metric: 'memory_usage', label: 'Memory' },
  { metric: 'disk_usage', label: 'Disk' },
] as const;
const HOUR_MS = 3_600_000;
const STEP_MS = 30_000;
const REFRESH_MS = 30_000;

type Values = Record<string, number[]>;

export function AgentSparklines({ agentId }: { agentId: string }) {
  const { api, store } = useServices();
  const [values, setValues] = useState<Values | null>(null);

  useEffect(() => {
    let cancelled = false;
    setValues(null);
    const load = () => {
      const to = Math.round(serverNow(store.getState()));
      void Promise.all(
        METRICS.map(({ metric }) =>
          api
            .get('GET /api/v1/query_range', {
              metric,
              agent: agentId,
              from: String(to - HOUR_MS),
              to: String(to),
              step: String(STEP_MS),
            })
            .then(
              (r) =>
                [
                  metric,
                  (r.series[0]?.points ?? []).flatMap(([, v]) => (v === null ? [] : [v])),
                ] as const,
              // Unanswered (the core is down): keep what was shown rather than "no data".
              () => [metric, null] as const,
            ),
        ),
      ).then((pairs) => {
        if (cancelled) return;
        setValues((prev) => Object.fromEntries(pairs.map(([m, vs]) => [m, vs ?? prev?.[m] ?? []])));
      });
    };
    load();
    const timer = systemClock.setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      timer.cancel();
    };
  }, [api, store, agentId]);

  return (
    <div className="sparks" data-testid="agent-sparklines">
      {METRICS.map(({ metric, label }) => {
        const vs = values?.[metric] ?? [];
        return (
          <a
            key={metric}
            className="sparks__item"
            href={exploreHref({ metric, scope: { kind: 'agent', id: agentId }, range: '1h' })}
            data-testid={`agent-spark-${metric}`}
            data-points={vs.length}
            title={`Open ${metric} of this agent in the explorer`}
          >
            <span className="sparks__label">{label}</span>
            <span className="sparks__value">
              {vs.length ? formatPercent(vs[vs.length - 1], 0) : '—'}
            </span>
            <span className="sparks__chart">
              {values && vs.length < 2 ? (
                <span className="sparks__none">{vs.length ? 'collecting…' : 'no data'}</span>
              ) : (
                <Sparkline values={vs} />
              )}
            </span>
          </a>
        );
      })}
    </div>
  );
}
