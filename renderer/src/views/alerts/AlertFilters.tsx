import type { Severity } from '../../../../shared/model';
import type { AlertFilter, SuppressionFilter } from '../../lib/alert-filters';
import { isEmptyFilter, NO_FILTER } from '../../lib/alert-filters';

interface Props {
  filter: AlertFilter;
  options: { regions: string[]; rules: string[] };
  onChange(next: AlertFilter): void;
}

/** Severity, region, rule, silenced/in-maintenance and free text over the queue. */
export function AlertFilters({ filter, options, onChange }: Props) {
  const set = (patch: Partial<AlertFilter>) => onChange({ ...filter, ...patch });
  return (
    <div
      className="alert-filters"
      role="search"
      aria-label="Filter alerts"
      data-testid="alert-filters"
    >
      <input
        className="input alert-filters__text"
        type="search"
        placeholder="Search message, host, rule"
        aria-label="Search alerts"
        value={filter.text}
        onChange={(e) => set({ text: e.target.value })}
        data-testid="alert-filter-text"
      />
      <select
        className="input"
        aria-label="Severity"
        value={filter.severity}
        onChange={(e) => set({ severity: e.target.value as Severity | '' })}
        data-testid="alert-filter-severity"
      >
        <option value="">Any severity</option>
        <option value="critical">critical</option>
        <option value="warning">warning</option>
        <option value="info">info</option>
      </select>
      <select
        className="input"
        aria-label="Region"
        value={filter.region}
        onChange={(e) => set({ region: e.target.value })}
        data-testid="alert-filter-region"
      >
        <option value="">Any region</option>
        {options.regions.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <select
        className="input"
        aria-label="Rule"
        value={filter.rule}
        onChange={(e) => set({ rule: e.target.value })}
        data-testid="alert-filter-rule"
      >
        <option value="">Any rule</option>
        {options.rules.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <select
        className="input"
        aria-label="Silenced or in maintenance"
        value={filter.suppression}
        onChange={(e) => set({ suppression: e.target.value as SuppressionFilter })}
        data-testid="alert-filter-suppression"
      >
        <option value="all">Paging and silenced</option>
        <option value="paging">Paging only</option>
        <option value="suppressed">Silenced / maintenance / effects</option>
      </select>
      {!isEmptyFilter(filter) && (
        <button
          type="button"
          className="btn btn--small btn--ghost"
          onClick={() => onChange(NO_FILTER)}
          data-testid="alert-filter-clear"
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
