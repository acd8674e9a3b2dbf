// The region's agents online and registered over time (GET /api/v1/regions/:id/history),
// refreshed every step and whenever the region's counts change.
import { useEffect, useMemo, useState } from 'react';
import type { RegionHistory } from '../../../../shared/api';
import { REGION_HISTORY_RANGES, type RegionHistoryRange } from '../../../../shared/api-constants';
import { systemClock } from '../../../../shared/clock';
import type { Region } from '../../../../shared/model';
import { useServices } from '../../api/context';
import { TimeSeriesChart, type ChartLine } from '../../components/TimeSeriesChart';
import { formatTimestamp, plural } from '../../lib/format';
import { lowestPoint } from './region-summary';

const REFRESH_MS = 15_000;
const formatCount = (v: number) => plural(Math.round(v), 'agent');
const formatTick = (v: number) => (Number.isInteger(v) ? String(v) : '');

function line(
  h: RegionHistory,
  id: string,
  label: string,
  color: number,
  column: 1 | 2,
  fill: boolean,
): ChartLine {
  return {
    id,
    label,
    role: 'series',
    color,
    fill,
    // Steps the console did not record are not joined across.
    spanGaps: h.step * 1.5,
    data: h.points.flatMap((p) => (p[column] === null ? [] : [{ x: p[0], y: p[column]! }])),
  };
}

interface Props {
  region: Region;
  range: RegionHistoryRange;
  onRange(range: RegionHistoryRange): void;
}

export function RegionHealth({ region, range, onRange }: Props) {
  const { api } = useServices();
  const [history, setHistory] = useState<RegionHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { id, onlineCount, agentCount } = region;

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api.request('GET /api/v1/regions/:id/history', { params: { id }, query: { range } }).then(
        (h) => {
          if (cancelled) return;
          setHistory(h);
          setError(null);
        },
        (err: unknown) => !cancelled && setError(String((err as Error)?.message ?? err)),
      );
    void load();
    const timer = systemClock.setInterval(() => void load(), REFRESH_MS);
    return () => {
      cancelled = true;
      timer.cancel();
    };
    // The counts are in the deps so that a change shows without waiting for the next refresh.
  }, [api, id, range, onlineCount, agentCount]);

  const lines = useMemo(
    () =>
      history && history.regionId === id && history.range === range
        ? [
            line(history, 'online', 'Agents online', 0, 1, true),
            line(history, 'registered', 'Agents registered', 2, 2, false),
          ]
        : [],
    [history, id, range],
  );
  // Only the answer for the range on screen: after a switch, the last range's figures would be
  // labelled with the new one until its answer comes.
  const shown = history && history.regionId === id && history.range === range ? history : null;
  const low = shown ? lowestPoint(shown) : null;
  // A history younger than the range (a console started recently) is drawn from its first
  // point, not as a sliver at the right of an empty hour.
  const first = shown?.points.find((p) => p[1] !== null)?.[0] ?? null;
  const young = shown !== null && first !== null && first - shown.step > shown.from;
  const xMin = shown ? (young ? first! - shown.step : shown.from) : 0;
  const span = young
    ? `since ${new Date(first!).toLocaleTimeString('en-GB')}`
    : `in the last ${range}`;

  return (
    <section className="panel region-health" data-testid="region-health">
      <header className="panel__head">
        <h2>Health over time</h2>
        <span className="panel__sub">agents online · registered</span>
        <div
          className="segmented segmented--compact region-health__range"
          role="group"
          aria-label="Range"
        >
          {REGION_HISTORY_RANGES.map((r) => (
            <button
              key={r}
              type="button"
              className={`segmented__item${r === range ? ' is-active' : ''}`}
              aria-pressed={r === range}
              data-testid={`region-range-${r}`}
              onClick={() => onRange(r)}
            >
              {r}
            </button>
          ))}
        </div>
      </header>
      <div className="region-health__chart">
        {shown ? (
          <TimeSeriesChart
            lines={lines}
            xMin={xMin}
            xMax={shown.to}
            yMin={0}
            formatY={formatCount}
            formatTick={formatTick}
            testId="region-history-chart"
            data={{
              range: shown.range,
              points: lines[0]?.data.length ?? 0,
              'min-online': low?.online ?? '',
            }}
          />
        ) : (
          <div className="region-health__empty">{error ?? 'Loading…'}</div>
        )}
      </div>
      <p className="region-health__foot" data-testid="region-history-low">
        {low
          ? `Fewest online ${span}: ${low.online} of ${low.registered}, at ${formatTimestamp(low.at)}` +
            (error ? ` · not updated since: ${error}` : '')
          : error
            ? `History unavailable: ${error}`
            : 'No history recorded yet.'}
      </p>
    </section>
  );
}
