// The overview's "soonest to fill" tile: the first agent row of the capacity table (soonest
// exhaustion first), its likely date, and a link to that row on the Capacity page.
import { useMemo } from 'react';
import { navigate, navigateTo } from '../../lib/route';
import { capacityHref } from '../capacity/CapacityTable';
import {
  formatDate,
  formatHorizon,
  formatIn,
  sortBySoonest,
  targetName,
  unavailableText,
} from '../capacity/capacity-text';
import { useCapacity } from '../capacity/useCapacity';
import { Tile } from './Tile';

const QUERY = { limit: '5' };

/** The tile is narrow: "disk", "memory", "filesystem" rather than the metric's name. */
function shortMetric(metric: string): string {
  return metric.replace(/_usage$/, '');
}

export function SoonestToFill({ now }: { now: number }) {
  const { report, error } = useCapacity(QUERY);
  const first = useMemo(() => sortBySoonest(report?.agents ?? [])[0] ?? null, [report]);
  const likely = first?.crossing?.likely ?? null;
  if (!report) {
    return (
      <Tile
        label="Soonest to fill"
        testId="kpi-capacity"
        tone="muted"
        foot={error ? unavailableText(error.status, error.message) : 'loading forecasts…'}
        onClick={() => navigate('capacity')}
      >
        <span className="kpi__value--name">—</span>
      </Tile>
    );
  }
  if (!first || likely === null) {
    return (
      <Tile
        label="Soonest to fill"
        testId="kpi-capacity"
        tone="ok"
        foot={`nothing likely within ${formatHorizon(report.horizonMs)}`}
        onClick={() => navigate('capacity')}
      >
        <span className="kpi__value--name" data-testid="kpi-capacity-target">
          None
        </span>
      </Tile>
    );
  }
  const name = targetName(first.target);
  return (
    <Tile
      label="Soonest to fill"
      testId="kpi-capacity"
      tone="warning"
      foot={
        <span
          data-testid="kpi-capacity-when"
          title={`${first.target.metric} likely reaches its threshold ${formatDate(likely)}`}
        >
          {shortMetric(first.target.metric)} · {formatIn(likely, now)}
        </span>
      }
      onClick={() => navigateTo(capacityHref(first))}
    >
      <span
        className="kpi__value--name"
        data-testid="kpi-capacity-target"
        title={`${name} ${first.target.metric}`}
      >
        {name}
      </span>
    </Tile>
  );
}
