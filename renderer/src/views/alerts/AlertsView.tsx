import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Alert } from '../../../../shared/model';
import type { AlertAction } from '../../api/actions';
import { useFleet, useServices } from '../../api/context';
import { ActionBlockNote, StreamStaleMarker } from '../../components/stale';
import { useHeldResolves } from '../../components/UndoToasts';
import {
  applyFilter,
  filterOptions,
  NO_FILTER,
  stillHoldsReason,
  type AlertFilter,
} from '../../lib/alert-filters';
import { queue, tabCounts, tabOf, type QueueTab } from '../../lib/alerts';
import { usePolled } from '../../lib/use-polled';
import { navigate } from '../../lib/route';
import { AlertDetail } from './AlertDetail';
import { AlertFilters } from './AlertFilters';
import { AlertList } from './AlertList';
import { useAlertActions } from './useAlertActions';
import { useQueueKeys } from './useQueueKeys';

const TABS: { tab: QueueTab; label: string }[] = [
  { tab: 'firing', label: 'Firing' },
  { tab: 'acknowledged', label: 'Acknowledged' },
  { tab: 'resolved', label: 'Resolved' },
];

const focus = (id: string | null) => navigate('alerts', id, { replace: true });

/** The alerts minus those whose resolve is held: to the queues they are gone already. */
function withoutHeld(
  alerts: ReadonlyMap<string, Alert>,
  held: ReadonlySet<string>,
): ReadonlyMap<string, Alert> {
  if (held.size === 0) return alerts;
  const out = new Map(alerts);
  for (const id of held) out.delete(id);
  return out;
}

export function AlertsView({ alertId }: { alertId: string | null }) {
  const { store } = useServices();
  const allAlerts = useFleet((s) => s.alerts);
  const held = useHeldResolves();
  const alerts = useMemo(() => withoutHeld(allAlerts, held), [allAlerts, held]);
  const agents = useFleet((s) => s.agents);
  const regions = useFleet((s) => s.regions);
  const [tab, setTab] = useState<QueueTab>(() => {
    const routed = alertId ? store.getState().alerts.get(alertId) : undefined;
    return routed ? tabOf(routed) : 'firing';
  });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkComment, setBulkComment] = useState('');
  const [filter, setFilter] = useState<AlertFilter>(NO_FILTER);
  /** A resolve waiting for the operator's yes: its conditions still hold. */
  const [confirm, setConfirm] = useState<{
    ids: string[];
    where: 'queue' | 'detail';
    comment: string | undefined;
    reasons: string[];
    resolve(done: boolean): void;
  } | null>(null);
  const { api } = useServices();
  const loadRules = useCallback(() => api.get('GET /api/v1/rules').then((r) => r.rules), [api]);
  const rules = usePolled(loadRules, 60_000).data;
  const ruleKinds = useMemo(() => new Map((rules ?? []).map((r) => [r.id, r.kind])), [rules]);
  const lastIndex = useRef(0);
  const queueRef = useRef<HTMLElement>(null);
  // The queue takes the keyboard focus (j/k/x/a/r) instead of the nav link that opened it.
  useEffect(() => queueRef.current?.focus({ preventScroll: true }), [tab]);

  const list = useMemo(
    () => applyFilter(queue(alerts, tab), filter, agents),
    [alerts, tab, filter, agents],
  );
  const options = useMemo(() => filterOptions(alerts.values()), [alerts]);
  const counts = useMemo(() => tabCounts(alerts), [alerts]);
  const focusedIndex = alertId ? list.findIndex((a) => a.id === alertId) : -1;
  if (focusedIndex >= 0) lastIndex.current = focusedIndex;
  const liveSelection = useMemo(
    () => list.filter((a) => selected.has(a.id)).map((a) => a.id),
    [list, selected],
  );

  // Opening #/alerts/<id> (a notification, a link) shows the tab the alert is in.
  useEffect(() => {
    const routed = alertId ? store.getState().alerts.get(alertId) : undefined;
    if (routed) setTab(tabOf(routed));
  }, [alertId, store]);

  const switchTab = (next: QueueTab) => {
    setTab(next);
    setSelected(new Set());
    lastIndex.current = 0;
  };

  const actions = useAlertActions({
    list,
    alerts,
    held,
    focusedId: focusedIndex >= 0 ? alertId : null,
    focus,
    unselect: (ids) => setSelected((s) => new Set([...s].filter((id) => !ids.includes(id)))),
  });
  const { busy, blocked } = actions;

  /**
   * Act, but ask first before resolving alerts whose condition still holds: the core will
   * resolve them under a silence that ends (and checks again), which the operator must expect.
   */
  const act = (
    action: AlertAction,
    ids: readonly string[],
    where: 'queue' | 'detail',
    comment?: string,
  ): Promise<boolean> => {
    if (action === 'resolve') {
      const reasons = ids.flatMap((id) => {
        const a = alerts.get(id);
        const why = a ? stillHoldsReason(a, ruleKinds.get(a.ruleId), agents, regions) : null;
        return why ? [why] : [];
      });
      if (reasons.length > 0) {
        return new Promise((resolve) =>
          setConfirm({ ids: [...ids], where, comment, reasons, resolve }),
        );
      }
    }
    return actions.act(action, ids, where, comment);
  };
  const answerConfirm = (yes: boolean) => {
    if (!confirm) return;
    setConfirm(null);
    if (!yes) return confirm.resolve(false);
    void actions.act('resolve', confirm.ids, confirm.where, confirm.comment).then(confirm.resolve);
  };

  /** Keyboard and bulk actions: the selection, else the focused alert. */
  const actOnQueue = (action: AlertAction, comment?: string) => {
    const focused = focusedIndex >= 0 ? list[focusedIndex]! : undefined;
    const ids = liveSelection.length ? liveSelection : focused ? [focused.id] : [];
    if (ids.length === 0) return;
    void act(action, ids, 'queue', comment).then((done) => done && setBulkComment(''));
  };

  useQueueKeys({
    move(delta) {
      if (list.length === 0) return;
      const from =
        focusedIndex >= 0 ? focusedIndex : delta === 1 ? lastIndex.current - 1 : lastIndex.current;
      const next = Math.min(list.length - 1, Math.max(0, from + delta));
      focus(list[next]!.id);
    },
    toggle() {
      if (focusedIndex < 0) return;
      const id = list[focusedIndex]!.id;
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      });
    },
    act: (action) => actOnQueue(action),
    undo: () => actions.undoLast(),
    clear: () => setSelected(new Set()),
  });

  const detailAlert = alertId ? alerts.get(alertId) : undefined;
  const queueError = actions.error?.where === 'queue' ? actions.error.text : null;

  return (
    <div className="view alerts" data-testid="view-alerts">
      <div className="toolbar">
        <div className="segmented" role="tablist" aria-label="Alert state">
          {TABS.map((t) => (
            <button
              key={t.tab}
              type="button"
              role="tab"
              aria-selected={tab === t.tab}
              className={`segmented__item${tab === t.tab ? ' is-active' : ''}`}
              onClick={() => switchTab(t.tab)}
              data-testid={`alerts-tab-${t.tab}`}
            >
              {t.label}
              <span className="segmented__count" data-testid={`alerts-tab-count-${t.tab}`}>
                {counts[t.tab]}
              </span>
            </button>
          ))}
        </div>
        <span className="toolbar__spacer" />
        {queueError && (
          <span className="toolbar__error" role="alert" data-testid="alerts-error">
            {queueError}
          </span>
        )}
        <StreamStaleMarker />
      </div>
      <AlertFilters filter={filter} options={options} onChange={setFilter} />
      {confirm && (
        <div
          className="confirm-bar"
          role="alertdialog"
          aria-label="Confirm resolve"
          data-testid="resolve-confirm"
        >
          <span>
            {confirm.reasons.length === 1
              ? `${confirm.reasons[0]}.`
              : `${confirm.reasons.length} conditions still hold (${confirm.reasons[0]}, …).`}{' '}
            Resolving now silences it for 1 h; then the console checks again and it fires anew if it
            still holds.
          </span>
          <button
            type="button"
            className="btn btn--small btn--primary"
            onClick={() => answerConfirm(true)}
            // Keyboard triage stays on the keyboard: Enter confirms, Tab reaches Cancel.
            autoFocus
            data-testid="resolve-confirm-yes"
          >
            Resolve under a silence
          </button>
          <button
            type="button"
            className="btn btn--small btn--ghost"
            onClick={() => answerConfirm(false)}
            data-testid="resolve-confirm-no"
          >
            Cancel
          </button>
        </div>
      )}
      <div className="bulkbar" data-testid="bulkbar" data-count={liveSelection.length}>
        <input
          type="checkbox"
          className="bulkbar__all"
          aria-label="Select all shown"
          checked={list.length > 0 && liveSelection.length === list.length}
          ref={(el) => {
            if (el)
              el.indeterminate = liveSelection.length > 0 && liveSelection.length < list.length;
          }}
          onChange={(e) =>
            setSelected(e.target.checked ? new Set(list.map((a) => a.id)) : new Set())
          }
          data-testid="select-all"
        />
        {liveSelection.length === 0 ? (
          <span className="bulkbar__hint">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · <kbd>a</kbd> acknowledge ·{' '}
            <kbd>r</kbd> resolve · <kbd>u</kbd> undo · <kbd>Esc</kbd> clear
          </span>
        ) : (
          <>
            <strong data-testid="selection-count">{liveSelection.length} selected</strong>
            <input
              className="input bulkbar__comment"
              placeholder="Comment (optional)"
              value={bulkComment}
              maxLength={2000}
              onChange={(e) => setBulkComment(e.target.value)}
              data-testid="bulk-comment"
            />
            {tab === 'firing' && (
              <button
                type="button"
                className="btn btn--primary btn--small"
                disabled={blocked !== null}
                onClick={() => actOnQueue('ack', bulkComment)}
                data-testid="bulk-ack"
              >
                Acknowledge {liveSelection.length}
              </button>
            )}
            {tab !== 'resolved' && (
              <button
                type="button"
                className="btn btn--small"
                disabled={blocked !== null}
                onClick={() => actOnQueue('resolve', bulkComment)}
                data-testid="bulk-resolve"
              >
                Resolve {liveSelection.length}
              </button>
            )}
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => setSelected(new Set())}
            >
              Clear
            </button>
          </>
        )}
        <ActionBlockNote reason={blocked} testId="alerts-actions-blocked" />
      </div>
      <div className="alerts__body">
        <section
          className="queue dims-when-stale"
          data-testid={`queue-${tab}`}
          ref={queueRef}
          tabIndex={-1}
        >
          <AlertList
            tab={tab}
            alerts={list}
            agents={agents}
            regions={regions}
            focusedId={alertId}
            selected={selected}
            busy={busy}
            blocked={blocked}
            onFocus={(id) => focus(id)}
            onToggle={(id) =>
              setSelected((s) => {
                const n = new Set(s);
                if (n.has(id)) n.delete(id);
                else n.add(id);
                return n;
              })
            }
            onAction={(action, id) => void act(action, [id], 'queue')}
          />
        </section>
        <AlertDetail
          alert={detailAlert}
          busy={detailAlert ? busy.has(detailAlert.id) : false}
          blocked={blocked}
          error={actions.error?.where === 'detail' ? actions.error.text : null}
          onAction={(action, comment) =>
            detailAlert ? act(action, [detailAlert.id], 'detail', comment) : Promise.resolve(false)
          }
        />
      </div>
    </div>
  );
}
