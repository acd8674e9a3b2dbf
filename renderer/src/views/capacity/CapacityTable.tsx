// One capacity table (regions, or the agents soonest to fill): a row per forecast, soonest
// exhaustion first, with the figures an operator decides by; a row (click, Enter or Space)
// opens its forecast chart. The "days until" cells say "not within 7 d" when so.
import type { CapacityRow } from '../../../../shared/forecast';
import { hrefFor, navigateTo } from '../../lib/route';
import { formatMetric } from '../../lib/units';
import {
  crossingCells,
  formatGrowth,
  formatHorizon,
  formatPredicted,
  modelName,
  targetKey,
  targetName,
} from './capacity-text';

export function capacityHref(row: Pick<CapacityRow, 'target'>): string {
  return hrefFor('capacity', targetKey(row.target));
}

interface Props {
  rows: readonly CapacityRow[];
  caption: string;
  testId: string;
  now: number;
  horizonMs: number;
  selected: string | null;
}

export function CapacityTable({ rows, caption, testId, now, horizonMs, selected }: Props) {
  const horizon = formatHorizon(horizonMs);
  return (
    <table className="data-table capacity-table" data-testid={testId} aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">Target</th>
          <th scope="col">Metric</th>
          <th scope="col" className="is-right">
            Now
          </th>
          <th scope="col" className="is-right">
            Growth
          </th>
          <th scope="col" className="is-right" title={`Point forecast ${horizon} ahead`}>
            In {horizon}
          </th>
          <th scope="col" className="is-right" title="From the band's pessimistic edge">
            Earliest
          </th>
          <th scope="col" className="is-right" aria-sort="ascending" title="Sorted soonest first">
            Likely ▲
          </th>
          <th scope="col" className="is-right" title="From the band's optimistic edge">
            Latest
          </th>
          <th scope="col">Model</th>
          <th
            scope="col"
            className="is-right"
            title="Mean absolute scaled error on backtests: below 1 beats repeating the last day"
          >
            MASE
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const key = targetKey(r.target);
          const href = capacityHref(r);
          const cells = crossingCells(r.crossing, now, horizonMs);
          const soon = r.crossing?.likely != null;
          const open = () => navigateTo(href);
          return (
            <tr
              key={key}
              className={`capacity-row${soon ? ' capacity-row--crossing' : ''}${selected === key ? ' is-selected' : ''}`}
              data-testid="capacity-row"
              data-key={key}
              data-metric={r.target.metric}
              data-likely={r.crossing?.likely ?? ''}
              aria-current={selected === key ? 'true' : undefined}
              tabIndex={0}
              onClick={open}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  open();
                }
              }}
            >
              <td>
                <a
                  href={href}
                  className="cell-strong"
                  tabIndex={-1}
                  onClick={(e) => e.stopPropagation()}
                >
                  {targetName(r.target)}
                </a>
              </td>
              <td className="cell-muted">{r.target.metric}</td>
              <td className="num is-right">{formatMetric(r.current, r.unit)}</td>
              <td className="num is-right">{formatGrowth(r.growthPerDay, r.unit)}</td>
              <td className="num is-right">{formatPredicted(r.atHorizon, r.unit)}</td>
              <td className="num is-right cell-muted">{cells.earliest}</td>
              <td
                className={`num is-right${soon ? ' capacity-likely' : ''}`}
                data-testid="capacity-likely"
              >
                {cells.likely}
              </td>
              <td className="num is-right cell-muted">{cells.latest}</td>
              <td className="cell-muted">{modelName(r.model)}</td>
              <td className="num is-right">{r.backtest.mase?.toFixed(2) ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
