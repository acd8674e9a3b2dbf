// The external Alertmanagers the console forwards its alerts to (config.json `alertmanagers`,
// docs/interop.md): each one's queue, counts, last success and last error. Read-only: they are
// configured in config.json, not here.
import { useCallback } from 'react';
import { useServices } from '../../api/context';
import { useLocalNow } from '../../lib/now';
import { usePolled } from '../../lib/use-polled';
import { LastErrorCell, LastSuccessCell } from './forward-status';

export function AlertmanagersPanel() {
  const { api } = useServices();
  const now = useLocalNow();
  const load = useCallback(() => api.get('GET /api/v1/alertmanagers'), [api]);
  const { data, error } = usePolled(load, 10_000);
  const list = data?.alertmanagers ?? [];
  return (
    <section className="panel" data-testid="alertmanagers-panel">
      <header className="panel__head">
        <h2>Alertmanagers</h2>
        <span className="panel__sub">
          {data
            ? `alerts forwarded as they fire and resolve, resent every ${Math.round(data.resendDelayMs / 1000)} s`
            : 'Loading…'}
        </span>
      </header>
      {error && !data && <p className="toolbar__error">Alertmanager status unavailable: {error}</p>}
      {data && list.length === 0 && (
        <p className="muted">
          None configured. Add <code>alertmanagers</code> to config.json to forward alerts.
        </p>
      )}
      {list.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Alertmanager</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
              <th scope="col">Sent</th>
              <th scope="col">Errors</th>
              <th scope="col">Dropped</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody>
            {list.map((am) => (
              <tr key={am.url} data-testid="alertmanager-row">
                <td className="mono">{am.url}</td>
                <LastSuccessCell
                  at={am.lastSuccessAt}
                  now={now}
                  testId="alertmanager-last-success"
                />
                <LastErrorCell
                  error={am.lastError}
                  lastSuccessAt={am.lastSuccessAt}
                  retryAt={am.retryAt}
                  now={now}
                  testId="alertmanager-last-error"
                />
                <td>{am.sent.toLocaleString('en')}</td>
                <td>{am.errors.toLocaleString('en')}</td>
                <td>{am.dropped.toLocaleString('en')}</td>
                <td>{am.queued.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
