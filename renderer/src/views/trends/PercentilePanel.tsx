// Response-time percentiles (p50 / p95 / p99) per service per region over the Trends page's
// window, each row with a small range bar on a scale shared by all rows. The panel says what
// the figures are: exact (raw samples), from sketches (±1 %), or partly from 1-minute means
// (older blocks without sketches), rows of the last kind marked "≈".
import { useEffect, useState } from 'react';
import type { PercentileRow, TrendWindow } from '../../../../shared/analysis';
import { useServices } from '../../api/context';
import { formatMetric } from '../../lib/units';

const METRIC = 'response_time';

export function PercentilePanel({ window, reload }: { window: TrendWindow; reload: number }) {
  const { api } = useServices();
  const [rows, setRows] = useState<PercentileRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.get('GET /api/v1/percentiles', { metric: METRIC, window }).then(
      (r) => {
        if (cancelled) return;
        setRows(
          [...r.rows].sort(
            (a, b) => a.regionId.localeCompare(b.regionId) || a.service.localeCompare(b.service),
          ),
        );
        setError(null);
      },
      (err: unknown) => !cancelled && setError(String((err as Error)?.message ?? err)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, window, reload]);

  const top = Math.max(1, ...(rows ?? []).map((r) => r.p99));
  const pos = (v: number) => `${((v / top) * 100).toFixed(2)}%`;
  const basis = basisOf(rows ?? []);
  return (
    <section className="panel percentiles" data-testid="percentiles-panel">
      <header className="panel__head">
        <h2>Response time</h2>
        <span className="panel__sub">p50 · p95 · p99 per service, last {window}</span>
      </header>
      {basis && (
        <p
          className={`percentiles__basis${basis.means ? ' percentiles__basis--means' : ''}`}
          data-testid="percentiles-basis"
          data-basis={basis.kind}
          title={basis.title}
        >
          {basis.text}
        </p>
      )}
      {error && <p className="percentiles__empty toolbar__error">{error}</p>}
      {!error && rows && rows.length === 0 && (
        <p className="percentiles__empty">No response_time samples in this window.</p>
      )}
      {rows && rows.length > 0 && (
        <table className="data-table percentiles__table">
          <thead>
            <tr>
              <th>Region</th>
              <th>Service</th>
              <th className="is-right">p50</th>
              <th className="is-right">p95</th>
              <th className="is-right">p99</th>
              <th className="percentiles__range-head">
                <span className="muted">0 – {formatMetric(top, 'ms')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={`${r.regionId}/${r.service}`}
                data-testid="percentile-row"
                data-region={r.regionId}
              >
                <td>{r.regionId}</td>
                <td className="cell-muted">
                  {r.service}
                  {r.fromMeans > 0 && (
                    <>
                      {' '}
                      <span
                        className="percentiles__approx"
                        data-testid="percentile-from-means"
                        role="img"
                        aria-label={meansNote(r)}
                        title={meansNote(r)}
                      >
                        ≈
                      </span>
                    </>
                  )}
                </td>
                <td className="num is-right">{formatMetric(r.p50, 'ms')}</td>
                <td className="num is-right">{formatMetric(r.p95, 'ms')}</td>
                <td className="num is-right cell-strong" data-testid="percentile-p99">
                  {formatMetric(r.p99, 'ms')}
                </td>
                <td
                  className="percentiles__range"
                  title={`${r.count.toLocaleString('en')} samples`}
                >
                  <span className="prange" aria-hidden="true">
                    <span
                      className="prange__tail"
                      style={{ left: pos(r.p50), width: `calc(${pos(r.p99)} - ${pos(r.p50)})` }}
                    />
                    <span
                      className="prange__body"
                      style={{ left: pos(r.p50), width: `calc(${pos(r.p95)} - ${pos(r.p50)})` }}
                    />
                    <span className="prange__mark" style={{ left: pos(r.p50) }} />
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

function meansNote(r: PercentileRow): string {
  return r.fromMeans >= 1
    ? 'Percentiles of 1-minute means (no sketches kept for this window): they understate the tail.'
    : `${pct(r.fromMeans)} of these samples are known only as 1-minute means (blocks written before sketches were kept): the tail may read low.`;
}

/** One line on what the figures are, for the whole panel; null with no rows. */
function basisOf(rows: readonly PercentileRow[]): {
  kind: 'raw' | 'sketch' | 'means';
  text: string;
  title: string;
  means: boolean;
} | null {
  if (rows.length === 0) return null;
  if (rows.some((r) => r.fromMeans > 0)) {
    return {
      kind: 'means',
      text: `${rows.every((r) => r.fromMeans >= 1) ? 'From' : 'Partly from'} 1-minute means (rows marked ≈): tails read low.`,
      title:
        'Older blocks of this window were written before the console kept sketches: their samples count as the mean of their minute.',
      means: true,
    };
  }
  if (rows.every((r) => r.source === 'raw'))
    return { kind: 'raw', text: 'Exact, from every sample.', title: '', means: false };
  const accuracy = Math.max(...rows.map((r) => r.relativeAccuracy));
  return {
    kind: 'sketch',
    text: `From every sample, within ±${pct(accuracy)}.`,
    title: `Beyond the raw tier, percentiles come from sketches (DDSketch) kept with each 1-minute and 1-hour rollup and merged over the window: each figure is within ±${pct(accuracy)} of the sample at that rank.`,
    means: false,
  };
}
