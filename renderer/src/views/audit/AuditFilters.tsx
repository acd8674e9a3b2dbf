// The Audit page's filters: who, what action (exact, or a prefix like `incident.`), which
// target, and a time range. Applied on submit, so typing does not query on every key.
import { useState, type FormEvent } from 'react';

export interface AuditFilterValues {
  by: string;
  action: string;
  target: string;
  /** datetime-local values, '' for none. */
  from: string;
  to: string;
}

export function AuditFilters(p: {
  value: AuditFilterValues;
  onChange(v: AuditFilterValues): void;
}) {
  const [draft, setDraft] = useState(p.value);
  const set = (k: keyof AuditFilterValues) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    p.onChange(draft);
  };
  return (
    <form className="toolbar audit-filters" data-testid="audit-filters" onSubmit={submit}>
      <label>
        By <input value={draft.by} onChange={set('by')} placeholder="operator" size={12} />
      </label>
      <label>
        Action{' '}
        <input
          value={draft.action}
          onChange={set('action')}
          placeholder="alert.ack or incident."
          size={18}
          data-testid="audit-filter-action"
        />
      </label>
      <label>
        Target <input value={draft.target} onChange={set('target')} size={16} />
      </label>
      <label>
        From <input type="datetime-local" value={draft.from} onChange={set('from')} />
      </label>
      <label>
        To <input type="datetime-local" value={draft.to} onChange={set('to')} />
      </label>
      <button type="submit" className="btn btn--small">
        Filter
      </button>
    </form>
  );
}
