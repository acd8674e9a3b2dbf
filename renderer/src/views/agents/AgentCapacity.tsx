// The agent drawer's "days until full": for each capacity metric the agent reports, when its
// forecast reaches the threshold (earliest / likely / latest), or why there is none yet; each
// opens the forecast on the Capacity page.
import { useMemo } from 'react';
import { hrefFor } from '../../lib/route';
import {
  crossingCells,
  formatLevel,
  insufficientText,
  targetKey,
  unavailableText,
} from '../capacity/capacity-text';
import { useForecast } from '../capacity/useForecast';
import { useServerNow } from '../../lib/now';

/** Metrics every agent reports as one series (filesystem_usage is per mount: the Capacity page). */
const METRICS = [
  { metric: 'disk_usage', label: 'Disk' },
  { metric: 'memory_usage', label: 'Memory' },
] as const;

function CapacityLine({
  agentId,
  metric,
  label,
}: {
  agentId: string;
  metric: string;
  label: string;
}) {
  const now = useServerNow();
  const query = useMemo(() => ({ metric, agent: agentId }), [metric, agentId]);
  const { forecast, error, loading } = useForecast(query);
  let text: string;
  let href: string | null = null;
  if (forecast?.status === 'ok') {
    href = hrefFor('capacity', targetKey(forecast.target));
    const c = crossingCells(forecast.crossing, now, forecast.horizonMs);
    text = forecast.crossing
      ? forecast.crossing.likely === null
        ? `${formatLevel(forecast.crossing.threshold, forecast.unit)}: ${c.likely}${forecast.crossing.earliest !== null ? ` (earliest ${c.earliest})` : ''}`
        : `${formatLevel(forecast.crossing.threshold, forecast.unit)} likely ${c.likely} (earliest ${c.earliest}, latest ${c.latest})`
      : 'no threshold to reach';
  } else if (forecast?.status === 'insufficient_data') {
    text = `no forecast yet: ${insufficientText(forecast.havePoints, forecast.needPoints)}`;
  } else if (error) {
    text = error.status === 404 ? 'not reported' : unavailableText(error.status, error.message);
  } else {
    text = loading ? 'loading…' : '—';
  }
  return (
    <>
      <dt>{label}</dt>
      <dd
        data-testid={`agent-capacity-${metric}`}
        data-status={forecast?.status ?? (error ? 'error' : 'loading')}
      >
        {href ? <a href={href}>{text}</a> : <span className="muted">{text}</span>}
      </dd>
    </>
  );
}

export function AgentCapacity({ agentId }: { agentId: string }) {
  return (
    <dl className="facts" data-testid="agent-capacity">
      {METRICS.map((m) => (
        <CapacityLine key={m.metric} agentId={agentId} metric={m.metric} label={m.label} />
      ))}
    </dl>
  );
}
