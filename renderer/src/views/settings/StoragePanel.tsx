// The metric store's footprint: the budget used, what RAM holds, and each tier on disk with
// its retention, size and time span. Polled every 10 s; when a poll fails the last figures
// stay, marked stale with their age.
import { useEffect, useState } from 'react';
import type { StorageReport, StorageTierName } from '../../../../shared/api';
import { useServices } from '../../api/context';
import { formatAge, formatBytes, formatRate, formatSpan, formatTimestamp } from '../../lib/format';
import { systemClock } from '../../../../shared/clock';
import { useLocalNow } from '../../lib/now';

const POLL_MS = 10_000;
const TIER_LABEL: Record<StorageTierName, string> = {
  raw: 'Raw samples',
  '1m': '1-minute rollups',
  '1h': '1-hour rollups',
};

export function StoragePanel() {
  const { api } = useServices();
  const now = useLocalNow();
  const [report, setReport] = useState<StorageReport | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api.get('GET /api/v1/storage', {}).then(
        (r) => {
          if (cancelled) return;
          setReport(r);
          setFetchedAt(systemClock.now());
          setError(null);
        },
        (err: unknown) => !cancelled && setError(String((err as Error)?.message ?? err)),
      );
    void load();
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [api]);

  const used = report ? report.totalBytes / report.budgetBytes : 0;
  return (
    <section
      className="panel storage"
      data-testid="storage-panel"
      data-stale={error ? 'true' : 'false'}
    >
      <header className="panel__head">
        <h2>Metric storage</h2>
        <span className="panel__sub">
          {report ? report.dataDir : 'Loading…'}
          {error && fetchedAt !== null && (
            <span className="stale-note" data-testid="storage-stale">
              {' '}
              · figures from {formatAge(now - fetchedAt)} ago — the console does not answer
            </span>
          )}
        </span>
      </header>
      {error && !report && <p className="toolbar__error">Storage figures unavailable: {error}</p>}
      {report && (
        <>
          <div className="storage__budget">
            <div
              className="storage__bar"
              role="img"
              aria-label={`${Math.round(used * 100)} % of the storage budget used`}
            >
              <span
                className={`storage__fill${used >= 0.9 ? ' is-warn' : ''}`}
                style={{ width: `${Math.min(100, used * 100).toFixed(1)}%` }}
              />
            </div>
            <p data-testid="storage-budget">
              <strong>{formatBytes(report.totalBytes)}</strong> of a{' '}
              {formatBytes(report.budgetBytes)} budget ({Math.round(used * 100)} %). At the budget
              the oldest data is deleted first.
              {report.diskFreeBytes !== null && (
                <> Disk free: {formatBytes(report.diskFreeBytes)}.</>
              )}
            </p>
          </div>
          <dl className="storage__facts">
            <div>
              <dt>Series</dt>
              <dd data-testid="storage-series">
                {report.series.total.toLocaleString('en')} (
                {report.series.active.toLocaleString('en')} active in memory)
              </dd>
            </div>
            <div>
              <dt>Memory (head)</dt>
              <dd data-testid="storage-head">
                {formatBytes(report.head.bytes)} · {report.head.rows.toLocaleString('en')} samples
              </dd>
            </div>
            <div>
              <dt>Ingest</dt>
              <dd>{formatRate(report.samplesPerSecond)} samples/s</dd>
            </div>
            <div>
              <dt>Raw on disk</dt>
              <dd data-testid="storage-bytes-per-sample">
                {report.rawBytesPerSample === null
                  ? '—'
                  : `${report.rawBytesPerSample.toFixed(2)} bytes/sample`}
              </dd>
            </div>
            <div>
              <dt>Write-ahead log</dt>
              <dd>{formatBytes(report.wal.bytes)}</dd>
            </div>
            <div>
              <dt>Last compaction</dt>
              <dd>
                {report.lastCompactionAt === null
                  ? 'not yet'
                  : `${formatAge(now - report.lastCompactionAt)} ago`}
              </dd>
            </div>
          </dl>
          <table className="data-table storage__tiers">
            <thead>
              <tr>
                <th>Tier</th>
                <th className="is-right">Kept for</th>
                <th className="is-right">On disk</th>
                <th className="is-right">Files</th>
                <th className="is-right">Points</th>
                <th>Oldest</th>
                <th>Newest</th>
              </tr>
            </thead>
            <tbody>
              {report.tiers.map((t) => (
                <tr key={t.tier} data-testid="storage-tier" data-tier={t.tier}>
                  <td>{TIER_LABEL[t.tier]}</td>
                  <td className="num is-right">{formatSpan(t.retentionMs)}</td>
                  <td className="num is-right" data-testid="storage-tier-bytes">
                    {formatBytes(t.bytes)}
                  </td>
                  <td className="num is-right">{t.files}</td>
                  <td className="num is-right">{t.rows.toLocaleString('en')}</td>
                  <td>{formatTimestamp(t.oldest)}</td>
                  <td>{formatTimestamp(t.newest)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted storage__note">
            The newest samples (the last few minutes) are in memory and the write-ahead log; they
            reach the raw tier at the next flush.
          </p>
        </>
      )}
    </section>
  );
}
