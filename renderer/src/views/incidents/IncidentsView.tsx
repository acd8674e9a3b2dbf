import { useEffect, useMemo, useRef, useState } from 'react';
import { useFleet, useServices } from '../../api/context';
import { runIncidentAction, type IncidentAction } from '../../api/incident-actions';
import { ActionBlockNote, StreamStaleMarker, useActionBlock } from '../../components/stale';
import { incidentCounts, incidentsIn, type IncidentTab } from '../../lib/incidents';
import { useServerNow } from '../../lib/now';
import { navigate } from '../../lib/route';
import { IncidentDetail } from './IncidentDetail';
import { IncidentRow } from './IncidentRow';
import { TriageNav } from './TriageNav';
import { useIncidentKeys } from './useIncidentKeys';

const TABS: { tab: IncidentTab; label: string }[] = [
  { tab: 'open', label: 'Open' },
  { tab: 'acknowledged', label: 'Acknowledged' },
  { tab: 'resolved', label: 'Resolved' },
];

const VERB: Record<IncidentAction, string> = {
  ack: 'acknowledge',
  resolve: 'resolve',
  assign: 'assign',
  silence: 'silence',
};

const focus = (id: string | null) => navigate('incidents', id, { replace: true });

/** The triage view: incidents, worst and soonest-to-escalate first; a row opens in place. */
export function IncidentsView({ incidentId }: { incidentId: string | null }) {
  const { api, store } = useServices();
  const incidents = useFleet((s) => s.incidents);
  const now = useServerNow();
  const blocked = useActionBlock();
  const [tab, setTab] = useState<IncidentTab>(
    () => store.getState().incidents.get(incidentId ?? '')?.state ?? 'open',
  );
  const [expanded, setExpanded] = useState<string | null>(incidentId);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  useEffect(() => listRef.current?.focus({ preventScroll: true }), [tab]);

  const list = useMemo(() => incidentsIn(incidents, tab), [incidents, tab]);
  const counts = useMemo(() => incidentCounts(incidents), [incidents]);
  const focusedIndex = incidentId ? list.findIndex((i) => i.id === incidentId) : -1;
  const focused = focusedIndex >= 0 ? list[focusedIndex]! : undefined;

  const act = async (action: IncidentAction) => {
    if (!focused || busy) return;
    if (blocked) {
      setStatus({ text: blocked, error: true });
      return;
    }
    setBusy(true);
    try {
      const out = await runIncidentAction(api, store, action, focused);
      setStatus({ text: out.text, error: false });
    } catch (err) {
      setStatus({
        text: `Could not ${VERB[action]} ${focused.title}: ${(err as Error).message}.`,
        error: true,
      });
    } finally {
      setBusy(false);
    }
  };

  useIncidentKeys({
    move(delta) {
      if (list.length === 0) return;
      const next = Math.min(list.length - 1, Math.max(0, focusedIndex + delta));
      focus(list[focusedIndex < 0 ? 0 : next]!.id);
    },
    toggle() {
      if (focused) setExpanded((e) => (e === focused.id ? null : focused.id));
    },
    act: (action) => void act(action),
  });

  return (
    <div className="view incidents" data-testid="view-incidents">
      <div className="toolbar">
        <TriageNav current="incidents" />
        <div className="segmented" role="tablist" aria-label="Incident state">
          {TABS.map((t) => (
            <button
              key={t.tab}
              type="button"
              role="tab"
              aria-selected={tab === t.tab}
              className={`segmented__item${tab === t.tab ? ' is-active' : ''}`}
              onClick={() => setTab(t.tab)}
              data-testid={`incidents-tab-${t.tab}`}
            >
              {t.label}
              <span className="segmented__count" data-testid={`incidents-tab-count-${t.tab}`}>
                {counts[t.tab]}
              </span>
            </button>
          ))}
        </div>
        <span className="toolbar__spacer" />
        <StreamStaleMarker />
      </div>
      <div className="bulkbar">
        <span className="bulkbar__hint">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>a</kbd> acknowledge ·{' '}
          <kbd>r</kbd> resolve · <kbd>m</kbd> assign to me · <kbd>s</kbd> silence 1 h
        </span>
        {focused && (
          <span className="incident-actions">
            {focused.state === 'open' && (
              <button
                type="button"
                className="btn btn--small btn--primary"
                disabled={busy || blocked !== null}
                onClick={() => void act('ack')}
                data-testid="incident-ack"
              >
                Acknowledge
              </button>
            )}
            {focused.state !== 'resolved' && (
              <>
                <button
                  type="button"
                  className="btn btn--small"
                  disabled={busy || blocked !== null}
                  onClick={() => void act('resolve')}
                  data-testid="incident-resolve"
                >
                  Resolve
                </button>
                <button
                  type="button"
                  className="btn btn--small"
                  disabled={busy || blocked !== null}
                  onClick={() => void act('assign')}
                  data-testid="incident-assign"
                >
                  Assign to me
                </button>
                <button
                  type="button"
                  className="btn btn--small btn--ghost"
                  disabled={busy || blocked !== null}
                  onClick={() => void act('silence')}
                  data-testid="incident-silence"
                >
                  Silence 1 h
                </button>
              </>
            )}
          </span>
        )}
        <ActionBlockNote reason={blocked} testId="incidents-actions-blocked" />
      </div>
      {status && (
        <p
          className={status.error ? 'incidents__status is-error' : 'incidents__status'}
          role={status.error ? 'alert' : 'status'}
          data-testid="incidents-status"
        >
          {status.text}
        </p>
      )}
      <div
        className="incident-list dims-when-stale"
        ref={listRef}
        tabIndex={-1}
        role="list"
        aria-label="Incidents"
        data-testid={`incidents-${tab}`}
      >
        {list.length === 0 && (
          <div className="queue__empty" data-testid="incidents-empty">
            {tab === 'open' ? 'No open incidents. All quiet.' : `No ${tab} incidents.`}
          </div>
        )}
        {list.map((i) => (
          <div role="listitem" key={i.id} className="incident-item">
            <IncidentRow
              incident={i}
              now={now}
              focused={i.id === incidentId}
              expanded={expanded === i.id}
              onFocus={() => {
                focus(i.id);
                setExpanded((e) => (e === i.id ? null : i.id));
              }}
            />
            {expanded === i.id && <IncidentDetail incident={i} />}
          </div>
        ))}
      </div>
    </div>
  );
}
