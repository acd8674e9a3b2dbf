// Response-time percentiles (p50 / p95 / p99) per service per region over the Trends page's
// window, each row with a small range bar on a scale shared by all rows.
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
  return (
    <section className="panel percentiles" data-testid="percentiles-panel">
      <header className="panel__head">
        <h2>Response time</h2>
        <span className="panel__sub">p50 · p95 · p99 per service, last {window}</span>
      </header>
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
                <td className="cell-muted">{r.service}</td>
                <td className="num is-right">{formatMetric(r.p50, 'ms')}</td>
                <td className="num is-right">{formatMetric(r.p95, 'ms')}</td>
                <td className="num is-right cell-strong">{formatMetric(r.p99, 'ms')}</td>
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
