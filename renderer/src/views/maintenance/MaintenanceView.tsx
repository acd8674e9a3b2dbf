import { useCallback, useState } from 'react';
import type { MaintenanceView as Window } from '../../../../shared/silences';
import { useServices } from '../../api/context';
import { formatClock } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { calendar, scheduleText, scopeText, span } from '../../lib/silence-text';
import { usePolled } from '../../lib/use-polled';
import { TriageNav } from '../incidents/TriageNav';
import { MaintenanceForm } from './MaintenanceForm';

function dayLabel(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  });
}

export function MaintenanceView() {
  const { api } = useServices();
  const now = useServerNow();
  const load = useCallback(() => api.get('GET /api/v1/maintenance').then((r) => r.windows), [api]);
  const { data, error, reload } = usePolled(load);
  const [status, setStatus] = useState<string | null>(null);
  const windows = data ?? [];
  const days = calendar(windows);

  const remove = async (w: Window) => {
    try {
      await api.request('DELETE /api/v1/maintenance/:id', { params: { id: w.id } });
      setStatus(`Deleted ${w.name}.`);
    } catch (err) {
      setStatus(`Could not delete ${w.name}: ${(err as Error).message}`);
    }
    await reload();
  };

  return (
    <div className="view triage-page" data-testid="view-maintenance">
      <div className="toolbar">
        <TriageNav current="maintenance" />
        <span className="toolbar__spacer" />
        {error && <span className="toolbar__error">{error}</span>}
      </div>
      {status && (
        <p className="incidents__status" role="status" data-testid="maintenance-status">
          {status}
        </p>
      )}
      <div className="triage-page__body">
        <div className="triage-page__lists">
          <section className="panel" data-testid="maintenance-calendar">
            <h2>Upcoming</h2>
            {days.length === 0 && <p className="muted">No window on now or to come.</p>}
            {days.map((d) => (
              <div key={d.day} className="calendar-day">
                <h3 className="calendar-day__date">{dayLabel(d.day)}</h3>
                <ul className="calendar-day__entries">
                  {d.entries.map((e) => (
                    <li
                      key={e.window.id}
                      data-testid="maintenance-entry"
                      data-active={e.window.active}
                      className={e.window.active ? 'is-active' : undefined}
                    >
                      <span className="num">
                        {formatClock(e.start)} – {formatClock(e.end)}
                      </span>
                      <strong>{e.window.name}</strong>
                      <span className="muted">{scopeText(e.window)}</span>
                      {e.window.active ? (
                        <span className="status status--maintenance">
                          on now · ends in {span(e.end - now)}
                        </span>
                      ) : (
                        <span className="muted">in {span(e.start - now)}</span>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </section>
          <section className="panel" data-testid="maintenance-windows">
            <h2>
              All windows <span className="muted">({windows.length})</span>
            </h2>
            {windows.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Covers</th>
                    <th scope="col">Schedule</th>
                    <th scope="col">By</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {windows.map((w) => (
                    <tr key={w.id} data-testid="maintenance-row" data-window-id={w.id}>
                      <td>{w.name}</td>
                      <td>{scopeText(w)}</td>
                      <td>
                        {w.nextStart === null ? `${scheduleText(w)} (past)` : scheduleText(w)}
                      </td>
                      <td>{w.createdBy}</td>
                      <td>
                        <button
                          type="button"
                          className="btn btn--small btn--ghost"
                          onClick={() => void remove(w)}
                          data-testid="maintenance-delete"
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
        <MaintenanceForm
          onCreated={(text) => {
            setStatus(text);
            void reload();
          }}
        />
      </div>
    </div>
  );
}
