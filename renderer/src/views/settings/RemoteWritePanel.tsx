// The long-term stores every ingested sample is forwarded to (config.json `remoteWrite`,
// docs/interop.md "Remote write out"): each one's lag, pending samples, last error, sent and
// dropped. Read-only: destinations are configured in config.json.
import { useCallback } from 'react';
import { useServices } from '../../api/context';
import { formatAge } from '../../lib/format';
import { useLocalNow } from '../../lib/now';
import { usePolled } from '../../lib/use-polled';
import { LastErrorCell, LastSuccessCell } from './forward-status';

export function RemoteWritePanel() {
  const { api } = useServices();
  const now = useLocalNow();
  const load = useCallback(() => api.get('GET /api/v1/remote-write'), [api]);
  const { data, error } = usePolled(load, 10_000);
  const list = data?.destinations ?? [];
  return (
    <section className="panel" data-testid="remote-write-panel">
      <header className="panel__head">
        <h2>Remote write</h2>
        <span className="panel__sub">
          {data ? 'every ingested sample forwarded, queued on disk until acked' : 'Loading…'}
        </span>
      </header>
      {error && !data && <p className="toolbar__error">Remote-write status unavailable: {error}</p>}
      {data && list.length === 0 && (
        <p className="muted">
          None configured. Add <code>remoteWrite</code> to config.json to forward samples to a
          long-term store.
        </p>
      )}
      {list.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Lag</th>
              <th scope="col">Pending</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
              <th scope="col">Sent</th>
              <th scope="col">Dropped</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.url} data-testid="remote-write-row">
                <td className="mono">{d.url}</td>
                <td data-testid="remote-write-lag">
                  {d.pending === 0 ? 'none' : formatAge(d.lagSeconds * 1000)}
                </td>
                <td data-testid="remote-write-pending">{d.pending.toLocaleString('en')}</td>
                <LastSuccessCell
                  at={d.lastSuccessAt}
                  now={now}
                  testId="remote-write-last-success"
                />
                <LastErrorCell
                  error={d.lastError}
                  lastSuccessAt={d.lastSuccessAt}
                  retryAt={d.retryAt}
                  now={now}
                  testId="remote-write-last-error"
                />
                <td data-testid="remote-write-sent">{d.sent.toLocaleString('en')}</td>
                <td data-testid="remote-write-dropped">
                  {d.dropped > 0 ? (
                    <span className="tag tag--warn">{d.dropped.toLocaleString('en')}</span>
                  ) : (
                    '0'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
