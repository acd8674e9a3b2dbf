import { useFleet, useServices } from '../api/context';
import { formatClock } from '../lib/format';
import { useLocalNow } from '../lib/now';

/** Shown while the stream is down, in its own row above the content (it covers nothing). */
export function ConnectionBanner() {
  const { stream } = useServices();
  const connection = useFleet((s) => s.connection);
  const retryAt = useFleet((s) => s.retryAt);
  const receivedAt = useFleet((s) => s.receivedAt);
  const now = useLocalNow();
  if (connection === 'unauthorized') {
    return (
      <div
        className="conn-banner"
        role="alert"
        data-testid="conn-banner"
        data-reason="unauthorized"
      >
        <span className="conn-banner__dot" aria-hidden="true" />
        <strong>This console did not accept the session.</strong>
        <span className="conn-banner__detail">
          Open the console URL printed by <code>meridian serve</code> (it carries the token).
        </span>
        <button type="button" className="btn btn--small" onClick={() => stream.retryNow()}>
          Retry
        </button>
      </div>
    );
  }
  if (connection !== 'down') return null;
  const secs = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));
  return (
    <div className="conn-banner" role="alert" data-testid="conn-banner">
      <span className="conn-banner__dot" aria-hidden="true" />
      <strong>Console unreachable — reconnecting…</strong>
      <span className="conn-banner__detail">
        {secs > 0 ? `next attempt in ${secs}s` : 'trying now'} · showing the last known state
        {receivedAt !== null && `, as of ${formatClock(receivedAt)}`}
      </span>
      <button type="button" className="btn btn--small" onClick={() => stream.retryNow()}>
        Retry now
      </button>
    </div>
  );
}
