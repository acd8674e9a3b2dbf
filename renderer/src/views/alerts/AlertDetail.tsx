import { useEffect, useState } from 'react';
import type { Alert } from '../../../../shared/model';
import { useFleet } from '../../api/context';
import { SeverityBadge, StateBadge } from '../../components/badges';
import { ActionBlockNote } from '../../components/stale';
import { suppressionText } from '../../lib/alert-filters';
import { regionName } from '../../lib/alerts';
import { alertValueFact } from '../../lib/alert-values';
import { ageSince, formatTimestamp } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';

interface Props {
  alert: Alert | undefined;
  busy: boolean;
  /** Why actions cannot run now (the core is unreachable), or null. */
  blocked: string | null;
  /** Why the last action from this pane failed, or null. */
  error: string | null;
  /** Resolves true once done (a resolve: held for undo); the comment then clears. */
  onAction(action: 'ack' | 'resolve', comment: string): Promise<boolean>;
}

function Shortcuts() {
  return (
    <div className="detail__placeholder" data-testid="alert-detail-empty">
      <h3>Keyboard</h3>
      <dl className="keys">
        <dt>
          <kbd>j</kbd> <kbd>k</kbd>
        </dt>
        <dd>move down / up</dd>
        <dt>
          <kbd>x</kbd>
        </dt>
        <dd>select or unselect the focused alert</dd>
        <dt>
          <kbd>a</kbd>
        </dt>
        <dd>acknowledge the selected (or focused) alerts</dd>
        <dt>
          <kbd>r</kbd>
        </dt>
        <dd>resolve the selected (or focused) alerts</dd>
        <dt>
          <kbd>u</kbd>
        </dt>
        <dd>undo the latest resolve (for a few seconds)</dd>
        <dt>
          <kbd>Esc</kbd>
        </dt>
        <dd>clear the selection</dd>
      </dl>
      <p className="muted">Select an alert to see its details, comment and history.</p>
    </div>
  );
}

export function AlertDetail({ alert, busy, blocked, error, onAction }: Props) {
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const now = useServerNow();
  const [comment, setComment] = useState('');
  const id = alert?.id;
  useEffect(() => setComment(''), [id]);

  if (!alert) return <aside className="detail">{<Shortcuts />}</aside>;
  const agent = alert.subject.agentId ? agents.get(alert.subject.agentId) : undefined;
  const region = alert.subject.regionId ? regions.get(alert.subject.regionId) : undefined;
  const valueFact = alertValueFact(alert, agent, region);
  const canAck = alert.state === 'firing' || alert.state === 'pending';
  const canResolve = alert.state !== 'resolved';
  // Each action uses the comment once: it is cleared when the action is done, kept when not.
  const act = (action: 'ack' | 'resolve') =>
    void onAction(action, comment).then((done) => done && setComment(''));

  return (
    <aside
      className={`detail sevtop sevtop--${alert.severity}`}
      data-testid="alert-detail"
      data-alert-id={alert.id}
      data-state={alert.state}
    >
      <header className="detail__head">
        <div className="detail__badges">
          <SeverityBadge severity={alert.severity} />
          <StateBadge state={alert.state} />
          <span className="muted num">{ageSince(alert.createdAt, now)} old</span>
        </div>
        <h2 className="detail__title">{alert.message}</h2>
      </header>
      <dl className="facts detail__facts dims-when-stale">
        <dt>Agent</dt>
        <dd>
          {agent ? (
            <a href={hrefFor('agents', agent.id)}>{agent.hostname}</a>
          ) : (
            (alert.subject.agentId ?? '—')
          )}
        </dd>
        <dt>Region</dt>
        <dd>
          {alert.subject.regionId ? (
            <a href={hrefFor('regions', alert.subject.regionId)} data-testid="alert-detail-region">
              {regionName(alert.subject.regionId, regions)}
            </a>
          ) : (
            '—'
          )}
        </dd>
        <dt>Rule</dt>
        <dd>{alert.ruleId}</dd>
        {suppressionText(alert) && (
          <>
            <dt>Not paging</dt>
            <dd data-testid="alert-detail-suppressed">{suppressionText(alert)}</dd>
          </>
        )}
        {valueFact && (
          <>
            <dt>{valueFact.label}</dt>
            <dd className="num" data-testid="alert-detail-value">
              {valueFact.text}
            </dd>
          </>
        )}
        <dt>Raised</dt>
        <dd>{formatTimestamp(alert.createdAt)}</dd>
        {alert.acknowledgedAt !== null && (
          <>
            <dt>Acknowledged</dt>
            <dd data-testid="alert-detail-ack">
              {formatTimestamp(alert.acknowledgedAt)} by {alert.acknowledgedBy}
              {alert.ackComment && <q className="detail__comment">{alert.ackComment}</q>}
            </dd>
          </>
        )}
        {alert.resolvedAt !== null && (
          <>
            <dt>Resolved</dt>
            <dd>
              {formatTimestamp(alert.resolvedAt)} by {alert.resolvedBy}
            </dd>
          </>
        )}
      </dl>
      {canResolve && (
        <form
          className="detail__actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (canAck) act('ack');
          }}
        >
          <label className="detail__label" htmlFor="alert-comment">
            Comment <span className="muted">(optional)</span>
          </label>
          <textarea
            id="alert-comment"
            className="input detail__textarea"
            rows={2}
            maxLength={2000}
            value={comment}
            placeholder="What are you doing about it?"
            onChange={(e) => setComment(e.target.value)}
            data-testid="alert-comment"
          />
          <div className="detail__buttons">
            {canAck && (
              <button
                type="submit"
                className="btn btn--primary"
                disabled={busy || blocked !== null}
                data-testid="alert-ack"
              >
                Acknowledge
              </button>
            )}
            <button
              type="button"
              className="btn"
              disabled={busy || blocked !== null}
              onClick={() => act('resolve')}
              data-testid="alert-resolve"
            >
              Resolve
            </button>
            <ActionBlockNote reason={blocked} testId="alert-actions-blocked" />
          </div>
          {error && (
            <p className="detail__error" role="alert" data-testid="alert-action-error">
              {error}
            </p>
          )}
        </form>
      )}
      <section className="detail__history">
        <h3>History</h3>
        <ol className="timeline">
          {[...alert.history].reverse().map((h, i) => (
            <li key={`${h.at}-${i}`} className={`timeline__item timeline__item--${h.to}`}>
              <span className="timeline__what">
                <StateBadge state={h.to} /> by {h.by}
              </span>
              <span className="timeline__when muted num">{formatTimestamp(h.at)}</span>
              {h.comment && <span className="timeline__comment">“{h.comment}”</span>}
            </li>
          ))}
        </ol>
      </section>
    </aside>
  );
}
