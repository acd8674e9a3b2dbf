import { useCallback, useState } from 'react';
import type { SilenceView } from '../../../../shared/silences';
import { useServices } from '../../api/context';
import { formatTimestamp } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { operatorName } from '../../lib/operator';
import {
  endsSoon,
  groupSilences,
  matchersText,
  silenceWhen,
  type SilenceGroup,
} from '../../lib/silence-text';
import { usePolled } from '../../lib/use-polled';
import { TriageNav } from '../incidents/TriageNav';
import { SilenceForm } from './SilenceForm';

const GROUPS: { group: SilenceGroup; label: string }[] = [
  { group: 'active', label: 'Active' },
  { group: 'upcoming', label: 'Upcoming' },
  { group: 'expired', label: 'Expired' },
];

export function SilencesView() {
  const { api } = useServices();
  const now = useServerNow();
  const load = useCallback(() => api.get('GET /api/v1/silences').then((r) => r.silences), [api]);
  const { data, error, reload } = usePolled(load);
  const [status, setStatus] = useState<string | null>(null);
  const groups = groupSilences(data ?? []);

  const expire = async (s: SilenceView) => {
    try {
      const by = operatorName();
      await api.request('DELETE /api/v1/silences/:id', {
        params: { id: s.id },
        ...(by ? { query: { by } } : {}),
      });
      setStatus(`Expired ${s.id}.`);
    } catch (err) {
      setStatus(`Could not expire ${s.id}: ${(err as Error).message}`);
    }
    await reload();
  };

  return (
    <div className="view triage-page" data-testid="view-silences">
      <div className="toolbar">
        <TriageNav current="silences" />
        <span className="toolbar__spacer" />
        {error && <span className="toolbar__error">{error}</span>}
      </div>
      {status && (
        <p className="incidents__status" role="status" data-testid="silences-status">
          {status}
        </p>
      )}
      <div className="triage-page__body">
        <div className="triage-page__lists">
          {GROUPS.map(({ group, label }) => (
            <section key={group} className="panel" data-testid={`silences-${group}`}>
              <h2>
                {label} <span className="muted">({groups[group].length})</span>
              </h2>
              {groups[group].length === 0 ? (
                <p className="muted">None.</p>
              ) : (
                <table className="data-table silence-table">
                  <thead>
                    <tr>
                      <th scope="col">Matchers</th>
                      <th scope="col">When</th>
                      <th scope="col">By</th>
                      <th scope="col">Comment</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups[group].map((s) => (
                      <tr
                        key={s.id}
                        data-testid="silence-row"
                        data-silence-id={s.id}
                        data-state={s.state}
                        className={endsSoon(s, now) ? 'is-ending' : undefined}
                      >
                        <td className="mono">{matchersText(s.matchers)}</td>
                        <td title={`${formatTimestamp(s.startsAt)} → ${formatTimestamp(s.endsAt)}`}>
                          {silenceWhen(s, now)}
                          {endsSoon(s, now) && (
                            <span className="tag tag--warn" data-testid="silence-ending">
                              ends soon
                            </span>
                          )}
                        </td>
                        <td>
                          {s.expiredBy ? `${s.createdBy} (expired by ${s.expiredBy})` : s.createdBy}
                        </td>
                        <td>{s.comment}</td>
                        <td>
                          {s.state !== 'expired' && (
                            <button
                              type="button"
                              className="btn btn--small btn--ghost"
                              onClick={() => void expire(s)}
                              data-testid="silence-expire"
                            >
                              Expire now
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </div>
        <SilenceForm
          onCreated={(text) => {
            setStatus(text);
            void reload();
          }}
        />
      </div>
    </div>
  );
}
