// The recovery views' words and figures (issue 12): a runbook's guardrails, trigger and steps
// in words; each run state in one sentence with the command set apart; the step in progress,
// the verification, the action's outcome; durations and success rates in their units.
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../shared/recovery.js';
import {
  actionOutcome,
  commandLine,
  exactSpan,
  formatDuration,
  guardrailsText,
  runContext,
  runDuration,
  runProgress,
  runSentence,
  sentenceText,
  stepText,
  successText,
  triggerText,
  verificationText,
} from '../../renderer/src/lib/recovery-text.js';
import { action, run, runbook, T0 } from './support/recovery-views-fixture.js';

const hosts = (id: string) => (id === 'agt-2' ? 'db-2' : null);

describe('a runbook in words', () => {
  it('says the guardrails with their units, as set', () => {
    expect(guardrailsText(runbook().guardrails)).toBe(
      'at most 3 runs/agent/hour · at most 20 runs/hour in all · 10 min cooldown · ≤ 3 agents or 10 % of a region at once',
    );
    expect(
      guardrailsText({
        maxRunsPerAgentPerHour: 1,
        maxRunsPerHour: 1,
        cooldownMs: 0,
        maxConcurrentAgents: 1,
        maxRegionPercent: 25,
      }),
    ).toBe(
      'at most 1 run/agent/hour · at most 1 run/hour in all · no cooldown · ≤ 1 agent or 25 % of a region at once',
    );
  });

  it('says the trigger', () => {
    expect(triggerText({ ruleIds: ['disk_usage'] })).toBe('disk_usage critical');
    expect(
      triggerText({
        ruleIds: ['cpu_usage', 'load'],
        severities: ['critical', 'warning'],
        regions: ['eu-west-1'],
      }),
    ).toBe('cpu_usage, load critical or warning · in eu-west-1');
  });

  it('says each kind of step', () => {
    const [act, verify, escalate] = runbook().steps;
    expect(stepText(act!)).toBe('run clean_tmp (days=7)');
    expect(stepText(verify!)).toBe('verify disk_usage < 85 within 2 min');
    expect(stepText(escalate!)).toBe('escalate');
    expect(stepText({ kind: 'wait', ms: 90_000 })).toBe('wait 90 s');
    expect(
      stepText({
        kind: 'http',
        name: 'AWX restart',
        method: 'POST',
        url: 'https://awx.example/api/v2/job_templates/7/launch/',
        statusUrl: '{{response.url}}',
      }),
    ).toBe(
      'AWX restart: POST https://awx.example/api/v2/job_templates/7/launch/, polled until done',
    );
    expect(stepText({ kind: 'verify', condition: { type: 'online' }, withinMs: 3_600_000 })).toBe(
      'verify the agent is online within 1 h',
    );
  });

  it('gives spans exactly as configured, and measured durations in their unit', () => {
    expect(exactSpan(600_000)).toBe('10 min');
    expect(exactSpan(90_000)).toBe('90 s');
    expect(exactSpan(7_200_000)).toBe('2 h');
    expect(exactSpan(1_500)).toBe('1.5 s');
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(4_321)).toBe('4.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
    expect(formatDuration(null)).toBe('—');
  });

  it('gives the success rate with its counts, and none before any run concluded', () => {
    expect(successText({ successRate: 0.8, succeeded: 4, failed: 1 })).toBe('80 % (4 of 5)');
    expect(successText({ successRate: null, succeeded: 0, failed: 0 })).toBe('—');
  });
});

describe('a run in one sentence', () => {
  const book = runbook();
  const say = (over: Parameters<typeof run>[0], actions = new Map()) => {
    const r = run(over);
    return sentenceText(runSentence(r, runContext(r, book, actions, hosts)));
  };

  it('a dry run names the command the agent would have run', () => {
    const record = action({
      status: 'dry_run',
      dryRun: true,
      exitCode: null,
      output: '',
      argv: ['systemctl', 'restart', 'nginx.service'],
    });
    const r = run({
      steps: [{ ...run().steps[0]!, state: 'done', actionId: record.id }, ...run().steps.slice(1)],
    });
    const sentence = runSentence(r, runContext(r, book, new Map([[record.id, record]]), hosts));
    expect(sentence).toEqual([
      'Would have run ',
      { code: 'systemctl restart nginx.service' },
      ' on db-2 (dry run)',
    ]);
  });

  it('before anything was sent, names the action and its parameters from the runbook', () => {
    expect(
      say({
        state: 'awaiting_approval',
        mode: 'approval',
        reason: 'Free disk asks for approval before it acts',
      }),
    ).toBe('Awaiting approval: clean_tmp (days=7) on db-2');
  });

  it('says why a run is held or refused, in the guardrail’s words and figures', () => {
    expect(say({ state: 'awaiting_approval', guardrail: 'blast_radius' })).toBe(
      'Awaiting approval: clean_tmp (days=7) on db-2 — over the blast radius (≤ 3 agents or 10 % of a region at once)',
    );
    expect(say({ state: 'refused', guardrail: 'rate_agent' })).toBe(
      'Refused: clean_tmp (days=7) on db-2 — over the rate limit (3/agent/hour)',
    );
    expect(
      say({ state: 'deferred', guardrail: 'agent_busy', reason: 'run-0 is running there' }),
    ).toBe('Deferred: clean_tmp (days=7) on db-2 — run-0 is running there');
  });

  it('has a sentence for every state', () => {
    const states: RunState[] = [
      'awaiting_approval',
      'deferred',
      'queued',
      'running',
      'verifying',
      'succeeded',
      'failed',
      'refused',
      'declined',
      'cancelled',
      'dry_run',
      'interrupted',
    ];
    const texts = states.map((state) => say({ state }));
    expect(new Set(texts).size).toBe(states.length);
    for (const t of texts) expect(t).toContain('on db-2');
    expect(
      say({ state: 'failed', escalated: true, reason: 'disk_usage 96 % ≥ 85 % after 2 min' }),
    ).toBe('Failed: clean_tmp (days=7) on db-2 — disk_usage 96 % ≥ 85 % after 2 min · escalated');
    expect(say({ state: 'queued', approvedBy: 'alice' })).toBe(
      'Approved by alice: clean_tmp (days=7) on db-2, queued',
    );
  });

  it('a dry run the agent would refuse says why, and a declined run says by whom', () => {
    expect(say({ reason: 'clean_tmp would not run: refused (unknown_action)' })).toBe(
      'Dry run: clean_tmp (days=7) on db-2 would not run — clean_tmp would not run: refused (unknown_action)',
    );
    expect(say({ state: 'declined', reason: 'declined by bob: not during the backup' })).toBe(
      'Declined: clean_tmp (days=7) on db-2 — declined by bob: not during the backup',
    );
  });

  it('falls back to the agent id when the agent is not known', () => {
    expect(say({ agentId: 'agt-gone' })).toContain('on agt-gone');
  });
});

describe('a run under way and done', () => {
  it('names the step in progress, counted from 1', () => {
    const r = run({
      state: 'verifying',
      steps: [
        { ...run().steps[0]!, state: 'done', text: 'clean_tmp exited 0 in 1.2 s' },
        { ...run().steps[1]!, state: 'running', startedAt: T0 + 2_200 },
        run().steps[2]!,
      ],
    });
    expect(runProgress(r, runbook())).toBe('step 2 of 3 · verify disk_usage < 85 within 2 min');
    expect(runProgress(run({ state: 'succeeded' }), runbook())).toBeNull();
  });

  it('says what the verification found, and how long the run took', () => {
    const r = run({
      state: 'succeeded',
      dispatchedAt: T0 + 1_000,
      endedAt: T0 + 64_000,
      steps: [
        { ...run().steps[0]!, state: 'done', text: 'clean_tmp exited 0 in 1.2 s' },
        { ...run().steps[1]!, state: 'done', text: 'disk_usage 62.1 % < 85 %' },
        { ...run().steps[2]!, state: 'skipped' },
      ],
    });
    expect(verificationText(r)).toBe('disk_usage 62.1 % < 85 %');
    // A dry run verifies nothing: its verify step's "not run" is not a finding.
    const dry = run({
      steps: [run().steps[0]!, { ...run().steps[1]!, state: 'skipped', text: 'dry run: not run' }],
    });
    expect(verificationText(dry)).toBeNull();
    expect(runDuration(r)).toBe(63_000);
    expect(runDuration(run())).toBeNull();
  });

  it('gives the action’s outcome: exit code, HTTP status, or why it did not run', () => {
    expect(actionOutcome(action())).toBe('exit 0');
    expect(actionOutcome(action({ status: 'failed', exitCode: 2 }))).toBe('exit 2');
    expect(actionOutcome(action({ kind: 'http', httpStatus: 202, exitCode: null }))).toBe(
      'HTTP 202',
    );
    expect(actionOutcome(action({ status: 'refused', reason: 'bad_parameter' }))).toBe(
      'refused: bad_parameter',
    );
    expect(actionOutcome(action({ status: null }))).toBe('waiting');
  });

  it('quotes only the arguments that need it', () => {
    expect(commandLine(['find', '/tmp', '-name', '*.log', "it's"])).toBe(
      `find /tmp -name '*.log' 'it'\\''s'`,
    );
  });
});
