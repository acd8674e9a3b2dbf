// Create or edit a rule: the kind's fields, each with its label and its error from the core
// (the 400 of a save or of the preview) beside it; the preview of the draft ("would have fired
// N times in the last 24 h") follows the draft as it changes, before anything is saved.
import { useEffect, useId, useRef, useState } from 'react';
import type { FieldProblem, RulePreview } from '../../../../shared/api';
import { RULE_KINDS, type RuleKind } from '../../../../shared/rules';
import { useServices } from '../../api/context';
import { ApiRequestError } from '../../api/http';
import { formatTimestamp, plural } from '../../lib/format';
import {
  DURATION_UNITS,
  inputOf,
  KIND_FIELDS,
  KIND_LABELS,
  toRule,
  type Draft,
} from './rule-draft';
import { FormActions } from '../../components/FormActions';

const PREVIEW_DEBOUNCE_MS = 400;

const LABELS: Record<string, string> = {
  id: 'Id',
  description: 'Description',
  metric: 'Metric',
  comparator: 'Fires when the value is',
  agg: 'Aggregate over the region',
  unit: 'Unit',
  warning: 'Warning level',
  critical: 'Critical level',
  hysteresis: 'Hysteresis',
  forMs: 'For',
  keepFiringForMs: 'Keep firing for',
  windowMs: 'Window',
  absentForMs: 'Silent for',
  severity: 'Severity',
  degraded: 'When degraded',
  failed: 'When failed',
  threshold: 'Threshold',
  horizonMs: 'Horizon',
  metrics: 'Metrics (comma-separated)',
  sensitivity: 'Sensitivity',
  'matchers.regions': 'Only regions (comma-separated)',
  'matchers.agentTypes': 'Only agent types',
  'matchers.labels': 'Only labels (name=value, …)',
  runbookUrl: 'Runbook URL',
};

const CHOICES: Record<string, [string, string][]> = {
  comparator: [
    ['gt', 'above'],
    ['lt', 'below'],
  ],
  severity: [
    ['critical', 'critical'],
    ['warning', 'warning'],
    ['info', 'info'],
  ],
  degraded: [
    ['', 'no alert'],
    ['critical', 'critical'],
    ['warning', 'warning'],
    ['info', 'info'],
  ],
  agg: [
    ['p95', '95th percentile'],
    ['p99', '99th percentile'],
    ['p50', 'median'],
    ['avg', 'average'],
    ['min', 'minimum'],
    ['max', 'maximum'],
    ['sum', 'sum of series'],
  ],
  sensitivity: [
    ['low', 'low'],
    ['medium', 'medium'],
    ['high', 'high'],
  ],
};
CHOICES.failed = CHOICES.degraded!;

interface Props {
  mode: 'create' | 'edit';
  initial: Draft;
  onSaved(id: string): void;
  onCancel(): void;
}

export function RuleForm({ mode, initial, onSaved, onCancel }: Props) {
  const { api } = useServices();
  const formId = useId();
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<FieldProblem[]>([]);
  const [preview, setPreview] = useState<RulePreview | null>(null);
  const [previewNote, setPreviewNote] = useState('Preview: fill in the rule');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const firstInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    firstInput.current?.focus();
  }, []);

  // The preview follows the draft: a bad draft's errors show beside their inputs at once.
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      setPreviewNote('Preview: replaying the last 24 h…');
      api
        .post('POST /api/v1/rules/preview', {}, { rule: toRule(draft) })
        .then((r) => {
          if (cancelled) return;
          setPreview(r.preview);
          setErrors([]);
          setPreviewNote('');
        })
        .catch((err: unknown) => {
          if (cancelled) return;
          setPreview(null);
          if (err instanceof ApiRequestError && err.status === 400) {
            setErrors(err.errors);
            setPreviewNote('Preview: correct the marked fields');
          } else setPreviewNote(`Preview unavailable: ${(err as Error).message}`);
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, draft]);

  const set = (field: string, value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const errorOf = (input: string) => errors.find((e) => inputOf(e.field) === input)?.message;
  const formError = errors.find((e) => e.field === '')?.message;

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      const rule = toRule(draft);
      const saved =
        mode === 'create'
          ? await api.post('POST /api/v1/rules', {}, { rule })
          : await api.request('PUT /api/v1/rules/:id', {
              params: { id: initial.id },
              body: { rule },
            });
      onSaved(saved.rule.id);
    } catch (err) {
      if (err instanceof ApiRequestError && err.errors.length > 0) {
        setErrors(err.errors);
        setSaveError(`Not saved: ${plural(err.errors.length, 'field')} to correct`);
      } else setSaveError(`Not saved: ${(err as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const fields = KIND_FIELDS[draft.kind].flatMap((f) =>
    f !== 'matchers'
      ? [f]
      : draft.kind === 'region_aggregate'
        ? ['matchers.regions', 'matchers.agentTypes']
        : ['matchers.regions', 'matchers.agentTypes', 'matchers.labels'],
  );

  const input = (field: string, first = false) => {
    const id = `${formId}-${field}`;
    const error = errorOf(field);
    const unit = DURATION_UNITS[field]?.label;
    const common = {
      id,
      name: field,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': error ? `${id}-error` : undefined,
      'data-testid': `rule-field-${field}`,
    };
    const choices = CHOICES[field];
    return (
      <div className={`rule-form__field${error ? ' has-error' : ''}`} key={field}>
        <label htmlFor={id}>
          {LABELS[field] ?? field}
          {unit ? ` (${unit})` : ''}
        </label>
        {choices ? (
          <select
            {...common}
            className="input select"
            value={draft[field] ?? ''}
            onChange={(e) => set(field, e.target.value)}
          >
            {choices.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...common}
            ref={first ? firstInput : undefined}
            className="input"
            value={draft[field] ?? ''}
            readOnly={field === 'id' && mode === 'edit'}
            onChange={(e) => set(field, e.target.value)}
          />
        )}
        {error && (
          <span className="rule-form__error" id={`${id}-error`} data-testid={`rule-error-${field}`}>
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <section
      className="panel rule-form"
      aria-labelledby={`${formId}-title`}
      data-testid="rule-form"
    >
      <header className="panel__head">
        <h2 id={`${formId}-title`}>{mode === 'create' ? 'New rule' : `Edit rule ${initial.id}`}</h2>
      </header>
      <form
        className="rule-form__body"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="rule-form__grid">
          {input('id', mode === 'create')}
          <div className="rule-form__field">
            <label htmlFor={`${formId}-kind`}>Kind</label>
            <select
              id={`${formId}-kind`}
              className="input select"
              value={draft.kind}
              disabled={mode === 'edit'}
              data-testid="rule-field-kind"
              onChange={(e) => set('kind', e.target.value as RuleKind)}
            >
              {RULE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          {input('description')}
          <div className="rule-form__field rule-form__check">
            <input
              id={`${formId}-enabled`}
              type="checkbox"
              checked={draft.enabled === 'true'}
              onChange={(e) => set('enabled', String(e.target.checked))}
            />
            <label htmlFor={`${formId}-enabled`}>Enabled</label>
          </div>
          {fields.map((f) => input(f))}
        </div>
        {formError && <p className="rule-form__error">{formError}</p>}
        <PreviewBox preview={preview} note={previewNote} />
        <FormActions
          saving={saving}
          label={mode === 'create' ? 'Create rule' : 'Save rule'}
          onCancel={onCancel}
          saveError={saveError}
          testId="rule"
        />
      </form>
    </section>
  );
}

function PreviewBox({ preview, note }: { preview: RulePreview | null; note: string }) {
  let text = note;
  if (!note && preview) {
    text = !preview.supported
      ? `No preview: ${preview.reason ?? 'not available for this kind'}`
      : `Would have fired ${plural(preview.firings, 'time')} in the last 24 h, on ${preview.seriesFiring} of ${plural(preview.series, 'series', 'series')}${preview.truncated ? ' (the first ones replayed)' : ''}`;
  }
  return (
    <div className="rule-preview" data-testid="rule-preview" data-firings={preview?.firings ?? ''}>
      <p aria-live="polite" className="rule-preview__text">
        {text}
      </p>
      {preview && preview.episodes.length > 0 && (
        <ul className="rule-preview__list" aria-label="Latest firings in the preview">
          {preview.episodes.slice(0, 5).map((e) => (
            <li key={`${e.agentId}/${e.series}/${e.start}`}>
              {formatTimestamp(e.start)} · {e.severity} · {e.series} on {e.hostname}
              {e.end === null ? ' (still firing)' : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
