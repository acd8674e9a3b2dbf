// The runbook form's draft (issue 12): what it sends, what it can tell is wrong before sending,
// and which input shows each error the core names.
import { describe, expect, it } from 'vitest';
import {
  emptyRunbookDraft,
  inputOfField,
  problemText,
  runbookDraftOf,
  runbookInputOf,
} from '../../renderer/src/views/recovery/runbook-draft.js';
import { runbook } from './support/recovery-views-fixture.js';

describe('runbook draft', () => {
  it('a new runbook starts in dry run, with the issue’s example steps and the default guardrails', () => {
    const { input, problems } = runbookInputOf(
      { ...emptyRunbookDraft(), name: 'Free disk' },
      'create',
    );
    expect(problems).toEqual([]);
    expect(input).toMatchObject({
      name: 'Free disk',
      mode: 'dry_run',
      trigger: { ruleIds: ['disk_usage'], severities: ['critical'] },
      guardrails: {
        maxRunsPerAgentPerHour: 3,
        cooldownMs: 600_000,
        maxConcurrentAgents: 3,
        maxRegionPercent: 10,
      },
    });
    expect(input!.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'action',
      'verify',
      'escalate',
    ]);
    expect(input).not.toHaveProperty('id');
  });

  it('round-trips a runbook through the form unchanged', () => {
    const r = runbook({
      trigger: {
        ruleIds: ['disk_usage', 'fs'],
        severities: ['critical', 'warning'],
        regions: ['eu-west-1'],
      },
    });
    const { input } = runbookInputOf(runbookDraftOf(r), 'edit');
    expect(input).toEqual({
      name: r.name,
      description: r.description,
      enabled: true,
      mode: r.mode,
      trigger: r.trigger,
      steps: r.steps,
      guardrails: r.guardrails,
    });
  });

  it('takes the cooldown in minutes, and lists from comma-separated text', () => {
    const draft = {
      ...emptyRunbookDraft(),
      id: 'disk',
      ruleIds: ' disk_usage ,, fs_usage ',
      regions: 'eu-west-1, us-east-1',
      guardrails: { ...emptyRunbookDraft().guardrails, cooldownMs: '2.5' },
    };
    const { input } = runbookInputOf(draft, 'create');
    expect(input!.id).toBe('disk');
    expect(input!.trigger.ruleIds).toEqual(['disk_usage', 'fs_usage']);
    expect(input!.trigger.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(input!.guardrails!.cooldownMs).toBe(150_000);
  });

  it('says where the draft is wrong before sending it', () => {
    const bad = {
      ...emptyRunbookDraft(),
      steps: '[{"kind": "action"',
      guardrails: { ...emptyRunbookDraft().guardrails, maxRegionPercent: 'ten' },
    };
    const { input, problems } = runbookInputOf(bad, 'create');
    expect(input).toBeNull();
    expect(problems.map((p) => p.field)).toEqual(['steps', 'guardrails.maxRegionPercent']);
    expect(problems[0]!.message).toMatch(/^not JSON/);
    expect(runbookInputOf({ ...emptyRunbookDraft(), steps: '{}' }, 'create').problems).toEqual([
      { field: 'steps', message: 'must be a JSON array of steps' },
    ]);
  });

  it('puts each error of the core beside the input it names', () => {
    expect(inputOfField('steps/1/withinMs')).toBe('steps');
    expect(inputOfField('/steps/0/action')).toBe('steps');
    expect(inputOfField('steps.2')).toBe('steps');
    expect(inputOfField('trigger/ruleIds/0')).toBe('trigger.ruleIds');
    expect(inputOfField('trigger.severities')).toBe('trigger.severities');
    expect(inputOfField('guardrails/cooldownMs')).toBe('guardrails.cooldownMs');
    expect(inputOfField('name')).toBe('name');
    expect(inputOfField('/runbook/mode')).toBe('mode');
    expect(inputOfField('')).toBe('');
    expect(inputOfField('somethingElse')).toBe('');
    expect(problemText({ field: '/steps/1/withinMs', message: 'must be ≥ 1000' })).toBe(
      'step 2 (withinMs): must be ≥ 1000',
    );
    expect(problemText({ field: 'steps', message: 'needs a verify step after an action' })).toBe(
      'needs a verify step after an action',
    );
    // The core's own messages name their field first: said once.
    expect(
      problemText({
        field: 'steps/1/condition/threshold',
        message: 'steps/1/condition/threshold: Expected number',
      }),
    ).toBe('step 2 (condition/threshold): Expected number');
    expect(
      problemText({ field: 'trigger/ruleIds/0', message: 'trigger/ruleIds/0: no rule cpu' }),
    ).toBe('no rule cpu');
  });
});
