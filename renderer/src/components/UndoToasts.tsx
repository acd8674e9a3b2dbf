// Notices for resolves waiting out their undo window ("Resolved 2 alerts · Undo"), and for
// resolves the core did not take (the alerts are back in their queue). Bottom right, polite.
import { useSyncExternalStore } from 'react';
import { systemClock } from '../../../shared/clock';
import { useServices } from '../api/context';
import type { HeldResolve } from '../api/resolve-hold';
import { formatClock, plural } from '../lib/format';
import { hrefFor } from '../lib/route';
import { useLocalNow } from '../lib/now';

/** The alerts whose resolve is held: the queues leave them out. */
export function useHeldResolves(): ReadonlySet<string> {
  const { resolves } = useServices();
  return useSyncExternalStore(resolves.subscribe, resolves.heldIds);
}

function Toast({ entry }: { entry: HeldResolve }) {
  const { resolves } = useServices();
  const now = useLocalNow();
  const what = plural(entry.ids.length, 'alert');
  if (entry.status === 'failed') {
    return (
      <div className="toast toast--error" data-testid="undo-toast" data-status="failed">
        <span>
          Could not resolve {what}: {entry.message}. {entry.ids.length === 1 ? 'It is' : 'They are'}{' '}
          back in the queue.
        </span>
        <button
          type="button"
          className="btn btn--small btn--ghost"
          onClick={() => resolves.dismiss(entry.key)}
          data-testid="undo-toast-dismiss"
        >
          Dismiss
        </button>
      </div>
    );
  }
  if (entry.status === 'silenced') {
    const s = entry.silenced ?? [];
    const until = Math.max(...s.map((x) => x.endsAt));
    return (
      <div className="toast" data-testid="undo-toast" data-status="silenced" role="status">
        <span>
          Resolved {what}, but {plural(s.length, 'condition')} still held: silenced until{' '}
          {formatClock(until)} ({s.map((x) => x.silenceId).join(', ')}), then checked again.
        </span>
        <a className="btn btn--small btn--ghost" href={hrefFor('silences')}>
          Silences
        </a>
        <button
          type="button"
          className="btn btn--small btn--ghost"
          onClick={() => resolves.dismiss(entry.key)}
          data-testid="undo-toast-dismiss"
        >
          Dismiss
        </button>
      </div>
    );
  }
  // The shared ticker's time can be up to a second old; never show more than the window left.
  const secs = Math.max(0, Math.ceil((entry.sendAt - Math.max(now, systemClock.now())) / 1000));
  return (
    <div className="toast" data-testid="undo-toast" data-status={entry.status}>
      <span>
        Resolved {what}
        {entry.status === 'held' ? (
          <span className="toast__muted"> · sent in {secs}s</span>
        ) : (
          <span className="toast__muted"> · sending…</span>
        )}
      </span>
      <button
        type="button"
        className="btn btn--small"
        disabled={entry.status !== 'held'}
        onClick={() => resolves.undo(entry.key)}
        data-testid="undo-toast-undo"
        title="Keep the alerts as they were (u)"
      >
        Undo
      </button>
    </div>
  );
}

export function UndoToasts() {
  const { resolves } = useServices();
  const entries = useSyncExternalStore(resolves.subscribe, resolves.list);
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {entries.map((e) => (
        <Toast key={e.key} entry={e} />
      ))}
    </div>
  );
}
