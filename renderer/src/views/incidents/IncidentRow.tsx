import type { Incident } from '../../../../shared/incidents';
import { SeverityBadge } from '../../components/badges';
import { ageSince } from '../../lib/format';
import { alertSplit, causeText, escalationText } from '../../lib/incidents';

interface Props {
  incident: Incident;
  now: number;
  focused: boolean;
  expanded: boolean;
  onFocus(): void;
}

/** One incident: count of alerts, cause, severity, age, owner, escalation (ticking). */
export function IncidentRow({ incident: i, now, focused, expanded, onFocus }: Props) {
  const { causes, effects } = alertSplit(i);
  const silenced = i.suppressedBy !== null;
  return (
    <button
      type="button"
      className={`incident-row sevbar sevbar--${i.severity}${focused ? ' is-focused' : ''}${silenced ? ' is-suppressed' : ''}`}
      aria-expanded={expanded}
      aria-current={focused || undefined}
      onClick={onFocus}
      data-testid="incident-row"
      data-incident-id={i.id}
      data-state={i.state}
      data-grouping={i.grouping}
      data-severity={i.severity}
      data-suppressed={silenced}
      data-focused={focused}
    >
      <span className="incident-row__count num" title={`${causes} paging, ${effects} effects`}>
        <strong data-testid="incident-alert-count">{i.alerts.length}</strong>
        <span className="muted"> {i.alerts.length === 1 ? 'alert' : 'alerts'}</span>
      </span>
      <span className="incident-row__main">
        <span className="incident-row__top">
          <SeverityBadge severity={i.severity} />
          <span className="incident-row__title">{i.title}</span>
          {i.flapping && <span className="tag tag--warn">flapping</span>}
          {silenced && (
            <span className="tag tag--muted" data-testid="incident-suppressed">
              {i.suppressedBy!.startsWith('mnt') ? 'in maintenance' : 'silenced'} · {i.suppressedBy}
            </span>
          )}
        </span>
        <span className="incident-row__cause muted" data-testid="incident-cause">
          {causeText(i)}
        </span>
      </span>
      <span className="incident-row__age num" title="age">
        {ageSince(i.openedAt, now)}
      </span>
      <span className="incident-row__owner" data-testid="incident-owner">
        {i.owner ?? <span className="muted">unassigned</span>}
      </span>
      <span className="incident-row__esc num" data-testid="incident-escalation">
        {escalationText(i, now)}
      </span>
      <span className={`state state--${i.state === 'open' ? 'firing' : i.state}`}>{i.state}</span>
    </button>
  );
}
