import { useEffect, useState } from 'react';
import type { Incident } from '../../../../shared/incidents';
import type { Alert } from '../../../../shared/model';
import { useServices } from '../../api/context';
import { commentOnIncident } from '../../api/incident-actions';
import { SeverityBadge, StateBadge } from '../../components/badges';
import { suppressionText } from '../../lib/alert-filters';
import { formatTimestamp } from '../../lib/format';
import { timelineKindLabel, timelineText } from '../../lib/incidents';
import { hrefFor } from '../../lib/route';
import { IncidentRecovery } from './IncidentRecovery';

/**
 * An expanded incident: its recovery (runs and figures), its alerts (effects marked) and its
 * timeline, newest first.
 */
export function IncidentDetail({ incident }: { incident: Incident }) {
  const { api, store } = useServices();
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const version = incident.updatedAt;
  useEffect(() => {
    let live = true;
    api
      .request('GET /api/v1/incidents/:id', { params: { id: incident.id } })
      .then((r) => live && setAlerts(r.alerts))
      .catch(() => live && setAlerts(null));
    return () => {
      live = false;
    };
  }, [api, incident.id, version]);

  const effectOf = new Map(incident.alerts.map((a) => [a.alertId, a.effect]));
  const send = () => {
    if (!comment.trim()) return;
    setError(null);
    commentOnIncident(api, store, incident, comment).then(
      () => setComment(''),
      (err: unknown) => setError(`Could not add the comment: ${(err as Error).message}`),
    );
  };

  return (
    <div className="incident-detail" data-testid="incident-detail" data-incident-id={incident.id}>
      <IncidentRecovery incident={incident} />
      <section className="incident-detail__alerts">
        <h3>Alerts ({incident.alerts.length})</h3>
        <ul className="incident-alerts" data-testid="incident-alerts">
          {(alerts ?? []).map((a) => (
            <li key={a.id} data-testid="incident-alert" data-effect={effectOf.get(a.id) ?? false}>
              <SeverityBadge severity={a.severity} />
              <a href={hrefFor('alerts', a.id)}>{a.message}</a>
              {effectOf.get(a.id) && <span className="tag tag--muted">effect</span>}
              {suppressionText(a) && <span className="tag tag--muted">{suppressionText(a)}</span>}
              <StateBadge state={a.state} />
            </li>
          ))}
          {alerts === null && <li className="muted">Loading the alerts…</li>}
        </ul>
      </section>
      <section className="incident-detail__timeline">
        <h3>Timeline</h3>
        <form
          className="incident-comment"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <label className="visually-hidden" htmlFor={`comment-${incident.id}`}>
            Comment
          </label>
          <input
            id={`comment-${incident.id}`}
            className="input"
            placeholder="Add a comment"
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            data-testid="incident-comment"
          />
          <button type="submit" className="btn btn--small" disabled={!comment.trim()}>
            Comment
          </button>
        </form>
        {error && (
          <p className="detail__error" role="alert">
            {error}
          </p>
        )}
        <ol className="incident-timeline" data-testid="incident-timeline">
          {[...incident.timeline].reverse().map((e, n) => (
            <li
              key={`${e.at}-${n}`}
              className={`incident-timeline__item incident-timeline__item--${e.kind}`}
              data-kind={e.kind}
            >
              <span className="incident-timeline__when muted num">{formatTimestamp(e.at)}</span>
              <span className="incident-timeline__kind">{timelineKindLabel(e.kind)}</span>
              <span className="incident-timeline__text">
                {timelineText(e)}
                {e.output && (
                  <details className="run-output">
                    <summary>Output</summary>
                    <pre>{e.output}</pre>
                  </details>
                )}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
