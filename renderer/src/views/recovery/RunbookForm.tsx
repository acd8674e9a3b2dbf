// Create or edit a runbook: name, trigger (rules, severities, regions), mode, the steps as
// JSON, and the guardrails. Each error — the form's own (steps that are not JSON) or the core's
// 400 naming a field — shows beside the input it is about.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { FieldProblem } from '../../../../shared/api';
import { RUNBOOK_MODES } from '../../../../shared/recovery';
import { useServices } from '../../api/context';
import { ApiRequestError } from '../../api/http';
import { saveRunbook } from '../../api/recovery';
import { plural } from '../../lib/format';
import { MODE_HINTS, MODE_LABELS } from '../../lib/recovery-text';
import {
  GUARDRAIL_FIELDS,
  inputOfField,
  problemText,
  runbookInputOf,
  SEVERITY_CHOICES,
  type GuardrailField,
  type RunbookDraft,
} from './runbook-draft';
import { FormActions } from '../../components/FormActions';

const GUARDRAIL_LABELS: Record<GuardrailField, string> = {
  maxRunsPerAgentPerHour: 'Runs per agent per hour, at most',
  maxRunsPerHour: 'Runs per hour in all, at most',
  cooldownMs: 'Cooldown on an agent (min)',
  maxConcurrentAgents: 'Agents acted on at once, at most',
  maxRegionPercent: 'Of a region at once, at most (%)',
};

interface Props {
  mode: 'create' | 'edit';
  initial: RunbookDraft;
  onSaved(id: string): void;
  onCancel(): void;
}

export function RunbookForm({ mode, initial, onSaved, onCancel }: Props) {
  const { api } = useServices();
  const formId = useId();
  const [draft, setDraft] = useState<RunbookDraft>(initial);
  const [errors, setErrors] = useState<FieldProblem[]>([]);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const firstInput = useRef<HTMLInputElement>(null);
  useEffect(() => firstInput.current?.focus(), []);

  const set = <K extends keyof RunbookDraft>(field: K, value: RunbookDraft[K]) =>
    setDraft((d) => ({ ...d, [field]: value }));
  const errorsOf = (input: string) =>
    errors.filter((e) => inputOfField(e.field) === input).map(problemText);
  const formErrors = errors.filter((e) => inputOfField(e.field) === '');

  const save = async () => {
    setSaveError(null);
    const { input, problems } = runbookInputOf(draft, mode);
    if (!input) {
      setErrors(problems);
      setSaveError(`Not saved: ${plural(problems.length, 'field')} to correct`);
      return;
    }
    setSaving(true);
    try {
      const saved = await saveRunbook(api, mode === 'edit' ? initial.id : null, input);
      onSaved(saved.runbook.id);
    } catch (err) {
      if (err instanceof ApiRequestError && err.errors.length > 0) {
        setErrors(err.errors);
        setSaveError(`Not saved: ${plural(err.errors.length, 'field')} to correct`);
      } else setSaveError(`Not saved: ${(err as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const field = (name: string, label: string, control: (common: Common) => ReactNode) => {
    const id = `${formId}-${name}`;
    const problems = errorsOf(name);
    const common: Common = {
      id,
      name,
      'aria-invalid': problems.length ? true : undefined,
      'aria-describedby': problems.length ? `${id}-error` : undefined,
      'data-testid': `runbook-field-${name}`,
    };
    return (
      <div
        className={`rule-form__field${problems.length ? ' has-error' : ''}${name === 'steps' ? ' runbook-form__steps' : ''}`}
        key={name}
      >
        <label htmlFor={id}>{label}</label>
        {control(common)}
        {problems.length > 0 && (
          <span
            className="rule-form__error"
            id={`${id}-error`}
            data-testid={`runbook-error-${name}`}
          >
            {problems.join(' · ')}
          </span>
        )}
      </div>
    );
  };
  const text = (
    key: 'id' | 'name' | 'description' | 'ruleIds' | 'regions',
    label: string,
    opts: { first?: boolean; field?: string } = {},
  ) =>
    field(opts.field ?? key, label, (common) => (
      <input
        {...common}
        ref={opts.first ? firstInput : undefined}
        className="input"
        value={draft[key]}
        readOnly={key === 'id' && mode === 'edit'}
        onChange={(e) => set(key, e.target.value)}
      />
    ));

  return (
    <section
      className="panel rule-form"
      aria-labelledby={`${formId}-title`}
      data-testid="runbook-form"
    >
      <header className="panel__head">
        <h2 id={`${formId}-title`}>
          {mode === 'create' ? 'New runbook' : `Edit runbook ${initial.name}`}
        </h2>
        <span className="panel__sub">
          a new runbook starts in dry run: it records what it would do
        </span>
      </header>
      <form
        className="rule-form__body"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="rule-form__grid">
          {mode === 'create' && text('id', 'Id (optional: made from the name)', { first: true })}
          {text('name', 'Name', { first: mode === 'edit' })}
          {text('description', 'Description')}
          {field('mode', 'Mode', (common) => (
            <select
              {...common}
              className="input select"
              value={draft.mode}
              onChange={(e) => set('mode', e.target.value as RunbookDraft['mode'])}
            >
              {RUNBOOK_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_LABELS[m]} — {MODE_HINTS[m]}
                </option>
              ))}
            </select>
          ))}
          <div className="rule-form__field rule-form__check">
            <input
              id={`${formId}-enabled`}
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set('enabled', e.target.checked)}
            />
            <label htmlFor={`${formId}-enabled`}>Enabled</label>
          </div>
          {text('ruleIds', 'On alerts of rules (comma-separated)', { field: 'trigger.ruleIds' })}
          <SeverityChecks
            selected={draft.severities}
            problems={errorsOf('trigger.severities')}
            onChange={(v) => set('severities', v)}
          />
          {text('regions', 'Only regions (comma-separated; empty: any)', {
            field: 'trigger.regions',
          })}
          {GUARDRAIL_FIELDS.map((g) =>
            field(`guardrails.${g}`, GUARDRAIL_LABELS[g], (common) => (
              <input
                {...common}
                className="input"
                inputMode="decimal"
                value={draft.guardrails[g]}
                onChange={(e) => set('guardrails', { ...draft.guardrails, [g]: e.target.value })}
              />
            )),
          )}
          {field(
            'steps',
            'Steps (JSON: action, http, wait, verify, escalate; an action is followed by a verify)',
            (common) => (
              <textarea
                {...common}
                className="input runbook-form__json"
                spellCheck={false}
                rows={12}
                value={draft.steps}
                onChange={(e) => set('steps', e.target.value)}
              />
            ),
          )}
        </div>
        {formErrors.map((e) => (
          <p
            key={`${e.field}:${e.message}`}
            className="rule-form__error"
            data-testid="runbook-error-form"
          >
            {e.field ? `${e.field}: ` : ''}
            {e.message}
          </p>
        ))}
        <FormActions
          saving={saving}
          label={mode === 'create' ? 'Create runbook' : 'Save runbook'}
          onCancel={onCancel}
          saveError={saveError}
          testId="runbook"
        />
      </form>
    </section>
  );
}

/** The trigger's severities: a fieldset, so its legend names the group for assistive tech. */
function SeverityChecks({
  selected,
  problems,
  onChange,
}: {
  selected: RunbookDraft['severities'];
  problems: string[];
  onChange(next: RunbookDraft['severities']): void;
}) {
  const errorId = useId();
  return (
    <fieldset
      className={`rule-form__field runbook-form__severities${problems.length ? ' has-error' : ''}`}
      aria-describedby={problems.length ? errorId : undefined}
      data-testid="runbook-field-trigger.severities"
    >
      <legend>At severities</legend>
      <div className="checks">
        {SEVERITY_CHOICES.map((s) => (
          <label key={s} className="field--check">
            <input
              type="checkbox"
              checked={selected.includes(s)}
              data-testid={`runbook-severity-${s}`}
              onChange={(e) =>
                onChange(
                  e.target.checked
                    ? SEVERITY_CHOICES.filter((x) => x === s || selected.includes(x))
                    : selected.filter((x) => x !== s),
                )
              }
            />{' '}
            {s}
          </label>
        ))}
      </div>
      {problems.length > 0 && (
        <span
          className="rule-form__error"
          id={errorId}
          data-testid="runbook-error-trigger.severities"
        >
          {problems.join(' · ')}
        </span>
      )}
    </fieldset>
  );
}

interface Common {
  id: string;
  name: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
  'data-testid': string;
}
