// The runbook form's draft: text fields as typed, turned into a RunbookInput for the API (with
// the mistakes the form can see itself, e.g. steps that are not JSON), and the API's field
// errors mapped back to the input that shows them. Pure, unit-tested.
import type { FieldProblem } from '../../../../shared/api.js';
import {
  RUNBOOK_GUARDRAIL_DEFAULTS,
  type Runbook,
  type RunbookGuardrails,
  type RunbookInput,
  type RunbookMode,
  type RunbookStep,
} from '../../../../shared/recovery.js';

export const GUARDRAIL_FIELDS = [
  'maxRunsPerAgentPerHour',
  'maxRunsPerHour',
  'cooldownMs',
  'maxConcurrentAgents',
  'maxRegionPercent',
] as const satisfies readonly (keyof RunbookGuardrails)[];
export type GuardrailField = (typeof GUARDRAIL_FIELDS)[number];

export const SEVERITY_CHOICES = ['critical', 'warning', 'info'] as const;
type TriggerSeverity = (typeof SEVERITY_CHOICES)[number];

export interface RunbookDraft {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  mode: RunbookMode;
  /** Comma-separated. */
  ruleIds: string;
  severities: TriggerSeverity[];
  /** Comma-separated; empty: any region. */
  regions: string;
  /** The steps as JSON (an array of step objects). */
  steps: string;
  /** Guardrails as typed; the cooldown in minutes. */
  guardrails: Record<GuardrailField, string>;
}

/** The issue's example: free disk, check that it fell, escalate otherwise. */
export const EXAMPLE_STEPS: RunbookStep[] = [
  { kind: 'action', action: 'clean_tmp' },
  {
    kind: 'verify',
    condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
    withinMs: 120_000,
  },
  { kind: 'escalate' },
];

const guardrailDraft = (g: Required<RunbookGuardrails>): Record<GuardrailField, string> => ({
  maxRunsPerAgentPerHour: String(g.maxRunsPerAgentPerHour),
  maxRunsPerHour: String(g.maxRunsPerHour),
  cooldownMs: String(g.cooldownMs / 60_000),
  maxConcurrentAgents: String(g.maxConcurrentAgents),
  maxRegionPercent: String(g.maxRegionPercent),
});

export function emptyRunbookDraft(): RunbookDraft {
  return {
    id: '',
    name: '',
    description: '',
    enabled: true,
    mode: 'dry_run',
    ruleIds: 'disk_usage',
    severities: ['critical'],
    regions: '',
    steps: JSON.stringify(EXAMPLE_STEPS, null, 2),
    guardrails: guardrailDraft(RUNBOOK_GUARDRAIL_DEFAULTS),
  };
}

export function runbookDraftOf(r: Runbook): RunbookDraft {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    enabled: r.enabled,
    mode: r.mode,
    ruleIds: r.trigger.ruleIds.join(', '),
    severities: [...(r.trigger.severities ?? ['critical'])],
    regions: (r.trigger.regions ?? []).join(', '),
    steps: JSON.stringify(r.steps, null, 2),
    guardrails: guardrailDraft(r.guardrails),
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The draft as the API takes it, or the fields the form can already tell are wrong. Anything
 * else (patterns, ranges, a step kind the core does not know) is the core's to say.
 */
export function runbookInputOf(
  draft: RunbookDraft,
  mode: 'create' | 'edit',
): { input: RunbookInput | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  let steps: RunbookStep[] = [];
  try {
    const parsed: unknown = JSON.parse(draft.steps);
    if (!Array.isArray(parsed))
      problems.push({ field: 'steps', message: 'must be a JSON array of steps' });
    else steps = parsed as RunbookStep[];
  } catch (err) {
    problems.push({ field: 'steps', message: `not JSON: ${(err as Error).message}` });
  }
  const guardrails: RunbookGuardrails = {};
  for (const f of GUARDRAIL_FIELDS) {
    const text = draft.guardrails[f].trim();
    if (text === '') continue;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) {
      problems.push({ field: `guardrails.${f}`, message: 'must be a number' });
      continue;
    }
    guardrails[f] = f === 'cooldownMs' ? Math.round(n * 60_000) : n;
  }
  if (problems.length) return { input: null, problems };
  const id = draft.id.trim();
  const regions = list(draft.regions);
  const input: RunbookInput = {
    ...(mode === 'create' && id ? { id } : {}),
    name: draft.name.trim(),
    description: draft.description.trim(),
    enabled: draft.enabled,
    mode: draft.mode,
    trigger: {
      ruleIds: list(draft.ruleIds),
      severities: [...draft.severities],
      ...(regions.length ? { regions } : {}),
    },
    steps,
    guardrails,
  };
  return { input, problems };
}

/**
 * The form input that shows an API error's field: `steps/2/withinMs`, `/steps/2/withinMs`
 * and `steps.2.withinMs` all land on the steps editor; unknown fields on the form itself ('').
 */
export function inputOfField(field: string): string {
  const path = field
    .replace(/^\/+/, '')
    .replace(/\//g, '.')
    .replace(/^runbook\./, '');
  const [head, next] = path.split('.');
  if (head === 'steps') return 'steps';
  if (head === 'trigger') {
    return next === 'severities' || next === 'regions' ? `trigger.${next}` : 'trigger.ruleIds';
  }
  if (head === 'guardrails') {
    return GUARDRAIL_FIELDS.includes(next as GuardrailField)
      ? `guardrails.${next}`
      : 'guardrails.maxRunsPerAgentPerHour';
  }
  if (['id', 'name', 'description', 'mode', 'enabled'].includes(head ?? '')) return head!;
  return '';
}

/**
 * An error in words beside its input: on the steps editor it names the step ("step 2
 * (withinMs): …", counted from 1); the field the core put before its message is not repeated.
 */
export function problemText(problem: FieldProblem): string {
  const message = problem.message.startsWith(`${problem.field}: `)
    ? problem.message.slice(problem.field.length + 2)
    : problem.message;
  const path = problem.field
    .replace(/^\/+/, '')
    .replace(/\//g, '.')
    .replace(/^runbook\./, '');
  const m = /^steps\.(\d+)(?:\.(.+))?$/.exec(path);
  if (!m) return message;
  const where = `step ${Number(m[1]) + 1}${m[2] ? ` (${m[2].replace(/\./g, '/')})` : ''}`;
  return `${where}: ${message}`;
}
