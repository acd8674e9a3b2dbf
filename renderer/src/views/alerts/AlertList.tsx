import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { Agent, Alert, Region } from '../../../../shared/model';
import { SeverityBadge, StateBadge } from '../../components/badges';
import { suppressionText } from '../../lib/alert-filters';
import { regionName, subjectNames, type QueueTab } from '../../lib/alerts';
import { ageSince } from '../../lib/format';
import { useServerNow } from '../../lib/now';

const ROW_HEIGHT = 60;

interface Props {
  tab: QueueTab;
  alerts: readonly Alert[];
  agents: ReadonlyMap<string, Agent>;
  regions: ReadonlyMap<string, Region>;
  focusedId: string | null;
  selected: ReadonlySet<string>;
  busy: ReadonlySet<string>;
  /** Why actions cannot run now (the core is unreachable), or null. */
  blocked: string | null;
  onFocus(id: string): void;
  onToggle(id: string): void;
  onAction(action: 'ack' | 'resolve', id: string): void;
}

const EMPTY: Record<QueueTab, string> = {
  firing: 'Nothing is firing. All quiet.',
  acknowledged: 'No acknowledged alerts.',
  resolved: 'No resolved alerts yet.',
};

/** A row's own Ack / Resolve button (the click must not also select the row). */
function RowAction(
  p: { action: 'ack' | 'resolve'; id: string } & Pick<Props, 'busy' | 'blocked' | 'onAction'>,
) {
  return (
    <button
      type="button"
      className={p.action === 'ack' ? 'btn btn--small' : 'btn btn--small btn--ghost'}
      data-testid={p.action === 'ack' ? 'alert-row-ack' : 'alert-row-resolve'}
      disabled={p.busy.has(p.id) || p.blocked !== null}
      title={p.blocked ?? undefined}
      onClick={(e) => {
        e.stopPropagation();
        p.onAction(p.action, p.id);
      }}
    >
      {p.action === 'ack' ? 'Ack' : 'Resolve'}
    </button>
  );
}

export function AlertList(p: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = useServerNow();
  const virtualizer = useVirtualizer({
    count: p.alerts.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => p.alerts[i]!.id,
  });

  const focusedIndex = p.focusedId ? p.alerts.findIndex((a) => a.id === p.focusedId) : -1;
  useEffect(() => {
    if (focusedIndex >= 0) virtualizer.scrollToIndex(focusedIndex, { align: 'auto' });
  }, [focusedIndex, virtualizer]);

  if (p.alerts.length === 0) {
    return (
      <div className="queue__empty" data-testid="alerts-empty">
        {p.tab === 'firing' && (
          <span className="ok-mark" aria-hidden="true">
            ✓
          </span>
        )}
        {EMPTY[p.tab]}
      </div>
    );
  }

  return (
    <div
      className="queue__scroll"
      ref={scrollRef}
      // A list, not a listbox: rows hold their own checkbox and buttons, which an option may not.
      role="list"
      aria-label="Alerts"
      data-testid="alert-list"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const a = p.alerts[item.index]!;
          const names = subjectNames(a, p.agents);
          const focused = a.id === p.focusedId;
          const selected = p.selected.has(a.id);
          const suppressed = suppressionText(a);
          const when =
            p.tab === 'resolved'
              ? a.resolvedAt
              : p.tab === 'acknowledged'
                ? a.acknowledgedAt
                : a.createdAt;
          return (
            <div
              key={item.key}
              role="listitem"
              aria-current={focused || undefined}
              className={`alert-row sevbar sevbar--${a.severity}${focused ? ' is-focused' : ''}${selected ? ' is-selected' : ''}${p.busy.has(a.id) ? ' is-busy' : ''}${suppressed ? ' is-suppressed' : ''}`}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              data-testid="alert-row"
              data-alert-id={a.id}
              data-severity={a.severity}
              data-agent-id={a.subject.agentId ?? undefined}
              data-state={a.state}
              data-focused={focused}
              data-selected={selected}
              data-suppressed={suppressed !== null}
              onClick={() => p.onFocus(a.id)}
            >
              <span className="alert-row__check">
                <input
                  type="checkbox"
                  checked={selected}
                  onChange={() => p.onToggle(a.id)}
                  onClick={(e) => e.stopPropagation()}
                  aria-label="Select alert"
                  data-testid="alert-row-select"
                />
              </span>
              <span className="alert-row__main">
                <span className="alert-row__top">
                  <SeverityBadge severity={a.severity} />
                  <span className="alert-row__host" data-testid="alert-row-host">
                    {names.hostname ?? regionName(names.region, p.regions)}
                  </span>
                  <span className="alert-row__region">{names.region ?? 'console'}</span>
                  {suppressed && (
                    <span className="tag tag--muted" data-testid="alert-row-suppressed">
                      {suppressed}
                    </span>
                  )}
                </span>
                <span className="alert-row__msg" title={a.message}>
                  {a.message}
                </span>
              </span>
              <span
                className="alert-row__age num"
                title={p.tab === 'firing' ? 'age' : `${p.tab} ago`}
              >
                {ageSince(when, now)}
              </span>
              <span className="alert-row__state">
                <StateBadge state={a.state} />
              </span>
              <span className="alert-row__actions">
                {(a.state === 'firing' || a.state === 'pending') && (
                  <RowAction
                    action="ack"
                    id={a.id}
                    busy={p.busy}
                    blocked={p.blocked}
                    onAction={p.onAction}
                  />
                )}
                {a.state !== 'resolved' && (
                  <RowAction
                    action="resolve"
                    id={a.id}
                    busy={p.busy}
                    blocked={p.blocked}
                    onAction={p.onAction}
                  />
                )}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
