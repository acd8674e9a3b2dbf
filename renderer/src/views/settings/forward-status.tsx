// Cells shared by the panels of things the console forwards to (Alertmanagers, remote-write
// destinations): when the last send succeeded, the last error and when the next retry goes.
import { formatAge, formatTimestamp } from '../../lib/format';

/** "12s ago", or "just now" under a second (formatAge says "now"). */
export function ago(ms: number): string {
  const age = formatAge(ms);
  return age === 'now' ? 'just now' : `${age} ago`;
}

export function LastSuccessCell(p: { at: number | null; now: number; testId: string }) {
  return <td data-testid={p.testId}>{p.at === null ? 'never' : ago(p.now - p.at)}</td>;
}

/** The last error, marked while it is newer than the last success; the retry time while failing. */
export function LastErrorCell(p: {
  error: { at: number; message: string } | null;
  lastSuccessAt: number | null;
  retryAt: number | null;
  now: number;
  testId: string;
}) {
  const { error, lastSuccessAt, retryAt, now } = p;
  return (
    <td data-testid={p.testId}>
      {error === null ? (
        'none'
      ) : (
        <span
          className={
            lastSuccessAt === null || error.at > lastSuccessAt ? 'tag tag--warn' : undefined
          }
          title={formatTimestamp(error.at)}
        >
          {error.message} ({ago(now - error.at)})
        </span>
      )}
      {retryAt !== null && <> · retry in {formatAge(Math.max(0, retryAt - now))}</>}
    </td>
  );
}
