// The explorer's toolbar: metric, scope (fleet / region / agent), service (agent type, for a
// region or the fleet), aggregation and range.
import { AGENT_TYPES } from '../../../../shared/model';
import { useFleet } from '../../api/context';
import { AgentPicker } from './AgentPicker';
import { AGGS, RANGES, type ExploreState, type Scope } from './explore-state';

const AGG_LABEL: Record<string, string> = {
  avg: 'Average',
  min: 'Minimum',
  max: 'Maximum',
  sum: 'Sum',
  count: 'Sample count',
  p50: 'p50 (median)',
  p95: 'p95',
  p99: 'p99',
};

interface Props {
  state: ExploreState;
  metrics: string[] | null;
  onChange(next: Partial<ExploreState>): void;
}

function ScopeControl({ state, onChange }: Pick<Props, 'state' | 'onChange'>) {
  const regions = useFleet((s) => s.regions);
  const agents = useFleet((s) => s.agents);
  const scope = state.scope;
  const pickKind = (kind: Scope['kind']) => {
    if (kind === scope.kind) return;
    if (kind === 'fleet') return onChange({ scope: { kind } });
    if (kind === 'region') {
      // From an agent, its region; else the first region.
      const fromAgent = scope.kind === 'agent' ? agents.get(scope.id)?.regionId : undefined;
      return onChange({ scope: { kind, id: fromAgent ?? [...regions.keys()][0] ?? '' } });
    }
    onChange({ scope: { kind, id: '' } });
  };
  return (
    <>
      <div className="segmented segmented--compact" role="group" aria-label="Scope">
        {(['fleet', 'region', 'agent'] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={`segmented__item${scope.kind === k ? ' is-active' : ''}`}
            aria-pressed={scope.kind === k}
            data-testid={`explore-scope-${k}`}
            onClick={() => pickKind(k)}
          >
            {k === 'fleet' ? 'Fleet' : k === 'region' ? 'Region' : 'Agent'}
          </button>
        ))}
      </div>
      {scope.kind === 'region' && (
        <select
          className="input select explore__region"
          value={scope.id}
          aria-label="Region"
          data-testid="explore-region"
          onChange={(e) => onChange({ scope: { kind: 'region', id: e.target.value } })}
        >
          {!regions.has(scope.id) && (
            <option value={scope.id}>{scope.id || 'Pick a region'}</option>
          )}
          {[...regions.values()].map((r) => (
            <option key={r.id} value={r.id}>
              {r.id} — {r.name}
            </option>
          ))}
        </select>
      )}
      {scope.kind === 'agent' && (
        <AgentPicker
          value={scope.id}
          onChange={(id) => onChange({ scope: { kind: 'agent', id } })}
        />
      )}
      {scope.kind !== 'agent' && (
        <select
          className="input select explore__service"
          value={state.service}
          aria-label="Service"
          title="Only agents of this type (the Trends page's service)"
          data-testid="explore-service"
          onChange={(e) => onChange({ service: e.target.value as ExploreState['service'] })}
        >
          <option value="">All services</option>
          {AGENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      )}
    </>
  );
}

export function ExploreControls({ state, metrics, onChange }: Props) {
  const options =
    metrics && !metrics.includes(state.metric) && state.metric
      ? [state.metric, ...metrics]
      : (metrics ?? []);
  return (
    <div className="toolbar explore__toolbar">
      <label className="field">
        <span className="field__label">Metric</span>
        <select
          className="input select explore__metric"
          value={state.metric}
          aria-label="Metric"
          data-testid="explore-metric"
          disabled={!metrics}
          onChange={(e) => onChange({ metric: e.target.value, labels: '', trend: null })}
        >
          {!state.metric && <option value="">{metrics ? 'Pick a metric' : 'Loading…'}</option>}
          {options.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <div className="field">
        <span className="field__label">Scope</span>
        <div className="field__row">
          <ScopeControl state={state} onChange={onChange} />
        </div>
      </div>
      <label className="field">
        <span className="field__label">Aggregation</span>
        <select
          className="input select explore__agg"
          value={state.agg}
          aria-label="Aggregation"
          data-testid="explore-agg"
          onChange={(e) => onChange({ agg: e.target.value as ExploreState['agg'] })}
        >
          {AGGS.map((a) => (
            <option key={a} value={a}>
              {AGG_LABEL[a]}
            </option>
          ))}
        </select>
      </label>
      <div className="field">
        <span className="field__label">Range</span>
        <div className="segmented segmented--compact" role="group" aria-label="Range">
          {RANGES.map((r) => (
            <button
              key={r}
              type="button"
              className={`segmented__item${state.range === r ? ' is-active' : ''}`}
              aria-pressed={state.range === r}
              data-testid={`explore-range-${r}`}
              onClick={() => onChange({ range: r })}
            >
              {r}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
