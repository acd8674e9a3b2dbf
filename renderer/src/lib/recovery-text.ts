// The words and figures of recovery: a runbook's mode, trigger, steps and guardrails; a run in
// one sentence ("Would have run `systemctl restart nginx.service` on web-3 (dry run)"); its
// step in progress and its verification; durations and success rates. Pure: no React, no clock.
import type {
  ActionRecord,
  GuardrailCode,
  RecoveryRun,
  Runbook,
  RunbookGuardrails,
  RunbookMode,
  RunbookStats,
  RunbookStep,
  RunbookTrigger,
  RunState,
  VerifyCondition,
} from '../../../shared/recovery.js';

export const MODE_LABELS: Record<RunbookMode, string> = {
  dry_run: 'Dry run',
  approval: 'Approval',
  automatic: 'Automatic',
};

/** What each mode does, for the mode picker's description. */
export const MODE_HINTS: Record<RunbookMode, string> = {
  dry_run: 'records what would have run; nothing runs',
  approval: 'each run waits for an operator to approve it',
  automatic: 'runs at once, within the guardrails',
};

export const STATE_LABELS: Record<RunState, string> = {
  awaiting_approval: 'awaiting approval',
  deferred: 'deferred',
  queued: 'queued',
  running: 'running',
  verifying: 'verifying',
  succeeded: 'recovered',
  failed: 'failed',
  refused: 'refused',
  declined: 'declined',
  cancelled: 'cancelled',
  dry_run: 'dry run',
  interrupted: 'interrupted',
};

export type StateTone = 'ok' | 'critical' | 'warning' | 'accent' | 'muted';

export function stateTone(state: RunState): StateTone {
  switch (state) {
    case 'succeeded':
      return 'ok';
    case 'failed':
    case 'interrupted':
      return 'critical';
    case 'awaiting_approval':
    case 'refused':
    case 'deferred':
      return 'warning';
    case 'running':
    case 'verifying':
    case 'queued':
      return 'accent';
    default:
      return 'muted';
  }
}

/**
 * A span given in whole units as set ("10 min", "2 h", "90 s", "1.5 s"): for settings and
 * windows, where rounding would misstate what was configured.
 */
export function exactSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms === 0) return '0 s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `${ms / 1_000} s`;
  if (ms < 1_000) return `${ms} ms`;
  return `${Number((ms / 1_000).toFixed(1))} s`;
}

/** A measured duration: "340 ms", "12.4 s", "4 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) {
    const s = ms / 1_000;
    return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  }
  const totalS = Math.round(ms / 1_000);
  const m = Math.floor(totalS / 60);
  if (m < 60) return `${m} min ${String(totalS % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "at most 3 runs/agent/hour · at most 20 runs/hour · 10 min cooldown · ≤ 3 agents or 10 % of a region at once". */
export function guardrailsText(g: Required<RunbookGuardrails>): string {
  return [
    `at most ${count(g.maxRunsPerAgentPerHour, 'run')}/agent/hour`,
    `at most ${count(g.maxRunsPerHour, 'run')}/hour in all`,
    g.cooldownMs > 0 ? `${exactSpan(g.cooldownMs)} cooldown` : 'no cooldown',
    `≤ ${count(g.maxConcurrentAgents, 'agent')} or ${g.maxRegionPercent} % of a region at once`,
  ].join(' · ');
}

/** "disk_usage critical", "cpu_usage, load critical or warning · in eu-west-1". */
export function triggerText(t: RunbookTrigger): string {
  const severities = t.severities ?? ['critical'];
  const sev =
    severities.length === 1
      ? severities[0]
      : `${severities.slice(0, -1).join(', ')} or ${severities.at(-1)}`;
  const regions = t.regions?.length ? ` · in ${t.regions.join(', ')}` : '';
  return `${t.ruleIds.join(', ')} ${sev}${regions}`;
}

export function paramsText(params: Record<string, string> | undefined): string {
  const entries = Object.entries(params ?? {});
  return entries.length ? ` (${entries.map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
}

export function conditionText(c: VerifyCondition): string {
  switch (c.type) {
    case 'metric':
      return `${c.metric} ${c.comparator} ${c.threshold}`;
    case 'online':
      return 'the agent is online';
    case 'alert_resolved':
      return 'the alert has resolved';
  }
}

/** One step in words: "run clean_tmp (days=7)", "verify disk_usage < 85 within 2 min". */
export function stepText(step: RunbookStep): string {
  switch (step.kind) {
    case 'action':
      return `run ${step.action}${paramsText(step.params)}${step.timeoutMs ? ` · timeout ${exactSpan(step.timeoutMs)}` : ''}`;
    case 'http':
      return `${step.name}: ${step.method} ${step.url}${step.statusUrl ? ', polled until done' : ''}`;
    case 'wait':
      return `wait ${exactSpan(step.ms)}`;
    case 'verify':
      return `verify ${conditionText(step.condition)} within ${exactSpan(step.withinMs)}`;
    case 'escalate':
      return step.text ? `escalate: ${step.text}` : 'escalate';
  }
}

const GUARDRAIL_TEXT: Record<GuardrailCode, (g: Required<RunbookGuardrails> | null) => string> = {
  rate_agent: (g) =>
    g ? `over the rate limit (${g.maxRunsPerAgentPerHour}/agent/hour)` : 'over the rate limit',
  // The console-wide cap is a setting, not the runbook's: the core's reason names its figure.
  rate_agent_total: () => 'over the rate limit for this agent (all runbooks together)',
  rate_runbook: (g) =>
    g ? `over the rate limit (${g.maxRunsPerHour}/hour)` : 'over the rate limit',
  cooldown: (g) => (g ? `in its ${exactSpan(g.cooldownMs)} cooldown` : 'in its cooldown'),
  blast_radius: (g) =>
    g
      ? `over the blast radius (≤ ${count(g.maxConcurrentAgents, 'agent')} or ${g.maxRegionPercent} % of a region at once)`
      : 'over the blast radius',
  region_failed: () => 'its region has failed',
  region_maintenance: () => 'its region is in maintenance',
  console_grace: () => 'the console is restarting (grace period)',
  agent_busy: () => 'another recovery is running on the agent',
  agent_offline: () => 'the agent is offline',
  action_not_offered: () => 'the agent does not offer this action',
  runbook_disabled: () => 'the runbook is disabled',
};

/** Why a run was held, refused or failed: the core's words, else its guardrail's. */
export function runReason(run: RecoveryRun, runbook?: Runbook): string | null {
  if (run.reason) return run.reason;
  return run.guardrail ? GUARDRAIL_TEXT[run.guardrail](runbook?.guardrails ?? null) : null;
}

/** The action a run takes (its first action or http step), and that step's record if sent. */
export function runAction(
  run: RecoveryRun,
  runbook: Runbook | undefined,
  actions: ReadonlyMap<string, ActionRecord>,
): { name: string; params: Record<string, string>; record: ActionRecord | null } {
  const acting = run.steps.filter((s) => s.kind === 'action' || s.kind === 'http');
  for (const s of acting) {
    const record = s.actionId ? actions.get(s.actionId) : undefined;
    if (record) return { name: record.action, params: record.params, record };
  }
  const planned = runbook?.steps.find((s) => s.kind === 'action' || s.kind === 'http');
  if (planned?.kind === 'action')
    return { name: planned.action, params: planned.params ?? {}, record: null };
  if (planned?.kind === 'http') return { name: planned.name, params: {}, record: null };
  return { name: run.runbookName, params: {}, record: null };
}

const SAFE_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** An argv as one would type it ("systemctl restart nginx.service"), quoting what needs it. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (SAFE_ARG.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A sentence with the command set apart (shown as code): plain text and code pieces in order. */
export type Sentence = (string | { code: string })[];

export const sentenceText = (s: Sentence): string =>
  s.map((p) => (typeof p === 'string' ? p : p.code)).join('');

export interface RunContext {
  /** The action's name, or the command line when the agent said what it would run. */
  command: string;
  host: string;
  reason: string | null;
}

export function runContext(
  run: RecoveryRun,
  runbook: Runbook | undefined,
  actions: ReadonlyMap<string, ActionRecord>,
  hostname: (agentId: string) => string | null,
): RunContext {
  const { name, params, record } = runAction(run, runbook, actions);
  const argv = record?.argv;
  return {
    command: argv?.length ? commandLine(argv) : `${name}${paramsText(params)}`,
    host: hostname(run.agentId) ?? run.agentId,
    reason: runReason(run, runbook),
  };
}

/** The run in one sentence, as the incident page and the run history say it. */
export function runSentence(run: RecoveryRun, ctx: RunContext): Sentence {
  const cmd = { code: ctx.command };
  const on = ` on ${ctx.host}`;
  const why = ctx.reason ? ` — ${ctx.reason}` : '';
  switch (run.state) {
    case 'dry_run':
      // A dry run the agent would have refused says why instead.
      return ctx.reason
        ? ['Dry run: ', cmd, `${on} would not run — ${ctx.reason}`]
        : ['Would have run ', cmd, `${on} (dry run)`];
    case 'awaiting_approval':
      // Held by a guardrail (over the blast radius) says so; the approval mode goes unsaid.
      return ['Awaiting approval: ', cmd, `${on}${run.guardrail ? why : ''}`];
    case 'queued':
      return [
        run.approvedBy ? `Approved by ${run.approvedBy}: ` : 'Queued: ',
        cmd,
        `${on}, queued`,
      ];
    case 'deferred':
      return ['Deferred: ', cmd, `${on}${why}`];
    case 'running':
      return ['Running ', cmd, on];
    case 'verifying':
      return ['Ran ', cmd, `${on}, verifying`];
    case 'succeeded':
      return ['Recovered: ', cmd, on];
    case 'failed':
      return ['Failed: ', cmd, `${on}${why}${run.escalated ? ' · escalated' : ''}`];
    case 'refused':
      return ['Refused: ', cmd, `${on}${why}`];
    case 'declined':
      return ['Declined: ', cmd, `${on}${why}`];
    case 'cancelled':
      return ['Cancelled: ', cmd, `${on}${why || ' — the incident resolved first'}`];
    case 'interrupted':
      return ['Interrupted: ', cmd, `${on}${why || ' — the agent stopped while it ran'}`];
  }
}

/** "step 2 of 3 · verify disk_usage < 85 within 2 min": the step under way, while one is. */
export function runProgress(run: RecoveryRun, runbook: Runbook | undefined): string | null {
  if (run.state !== 'running' && run.state !== 'verifying') return null;
  const current = run.steps.find((s) => s.state === 'running');
  if (!current) return null;
  const total = runbook?.steps.length ?? run.steps.length;
  const planned = runbook?.steps[current.index];
  const what = current.text || (planned ? stepText(planned) : current.kind);
  return `step ${current.index + 1} of ${total} · ${what}`;
}

/** The verification's outcome ("disk_usage 62.1 % < 85 %"), once a verify step has one. */
export function verificationText(run: RecoveryRun): string | null {
  if (run.state === 'dry_run') return null;
  const verify = run.steps.filter((s) => s.kind === 'verify' && s.text);
  return verify.at(-1)?.text ?? null;
}

/** "exit 0", "HTTP 202", "timeout", "refused: bad_parameter", "dry run". */
export function actionOutcome(a: ActionRecord): string {
  if (a.status === null) return 'waiting';
  if (a.status === 'dry_run') return 'dry run';
  if (a.status === 'refused') return a.reason ? `refused: ${a.reason}` : 'refused';
  if (a.status === 'timeout') return 'timed out';
  if (a.status === 'interrupted') return 'interrupted';
  if (a.httpStatus !== undefined) return `HTTP ${a.httpStatus}`;
  return a.exitCode === null ? a.status : `exit ${a.exitCode}`;
}

/** How long the run took (dispatch → end, or creation → end when nothing was sent). */
export function runDuration(run: RecoveryRun): number | null {
  if (run.endedAt === null) return null;
  return run.endedAt - (run.dispatchedAt ?? run.createdAt);
}

/** "80 % (4 of 5)", or "—" before any run concluded. */
export function successText(s: Pick<RunbookStats, 'successRate' | 'succeeded' | 'failed'>): string {
  if (s.successRate === null) return '—';
  return `${Math.round(s.successRate * 100)} % (${s.succeeded} of ${s.succeeded + s.failed})`;
}
