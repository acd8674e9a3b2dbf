// What the console shows while the core is unreachable: the last picture stays, marked stale
// with its age, and actions that need the core are disabled with the reason next to them.
import { useFleet } from '../api/context';
import { isStale } from '../api/store';
import { formatAge, formatClock } from '../lib/format';
import { useLocalNow } from '../lib/now';

/** The stream's picture is old; `since` is the local time of its last news. */
export function useStreamStale(): { stale: boolean; since: number | null } {
  const stale = useFleet(isStale);
  const since = useFleet((s) => s.receivedAt);
  return { stale, since };
}

/**
 * Why actions that need the core cannot run now, or null when they can. Said next to the
 * disabled buttons, so nobody clicks into a raw network error.
 */
export function useActionBlock(): string | null {
  const connection = useFleet((s) => s.connection);
  if (connection === 'live') return null;
  if (connection === 'unauthorized') {
    return 'The console refused this session: open its link again to act.';
  }
  return 'The console is unreachable: actions are paused until it reconnects.';
}

/** "Stale · as of 14:02:31 (1m 05s ago)". */
export function StaleMarker({
  since,
  what = 'data',
  testId = 'stale-marker',
}: {
  since: number | null;
  what?: string;
  testId?: string;
}) {
  const now = useLocalNow();
  return (
    <span
      className="stale-marker"
      role="status"
      data-testid={testId}
      title={`The console does not answer; this ${what} is the last it sent.`}
    >
      <span className="stale-marker__dot" aria-hidden="true" />
      <strong>Stale</strong>{' '}
      {since !== null && (
        <span className="stale-marker__age">
          as of {formatClock(since)} ({formatAge(now - since)} ago)
        </span>
      )}
    </span>
  );
}

/** The stream-fed views' marker: shown only while the stream's picture is stale. */
export function StreamStaleMarker() {
  const { stale, since } = useStreamStale();
  return stale ? <StaleMarker since={since} /> : null;
}

/** The reason actions are off, placed beside them. */
export function ActionBlockNote({ reason, testId }: { reason: string | null; testId: string }) {
  if (!reason) return null;
  return (
    <span className="action-block" role="note" data-testid={testId}>
      {reason}
    </span>
  );
}
