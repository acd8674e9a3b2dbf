import type { AgentStatus, AlertState, RegionStatus, Severity } from '../../../shared/model';

export function StatusBadge({ status }: { status: RegionStatus | AgentStatus }) {
  return (
    <span className={`status status--${status}`} data-status={status}>
      <span className="status__dot" aria-hidden="true" />
      {status}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`sev sev--${severity}`} data-severity={severity}>
      {severity}
    </span>
  );
}

export function StateBadge({ state }: { state: AlertState }) {
  return <span className={`state state--${state}`}>{state}</span>;
}
