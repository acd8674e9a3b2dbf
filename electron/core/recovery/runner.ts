// One recovery run, step by step, in order:
//   action    send `action` on the agent's live connection (a name and substituted parameters,
//             never a command line) and wait for its `action_result` until the deadline;
//   http      call the automation endpoint (http-step.ts);
//   wait      let the system settle;
//   verify    wait for the condition (verification.ts): only this decides success;
//   escalate  page through the incident's escalation policy now. Right after a verify it is
//             that verification's "otherwise": skipped when the verification held.
// A step that fails (an action refused, failed, timed out or interrupted; an http call that
// failed; a verification that did not hold in its window) ends the run `failed`, and the
// caller escalates at once with the output attached. A dry run sends its actions with
// `dryRun: true` (the agent answers with the argv it would have run), calls nothing, waits for
// nothing, and ends `dry_run`.
import type { ActionMessage, ActionResultMessage } from '../../../shared/protocol.js';
import type {
  ActionRecord,
  ActionStep,
  HttpStep,
  RecoveryRun,
  RunbookStep,
  RunState,
  RunStepRecord,
  VerifyStep,
} from '../../../shared/recovery.js';
import type { Clock } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { FetchFn } from '../notify/http-post.js';
import { runHttpStep } from './http-step.js';
import {
  substituteAll,
  substituteParams,
  substituteUrl,
  TemplateError,
  type TemplateContext,
} from './templates.js';
import type { Verifications } from './verification.js';

export const ACTION_DEFAULT_TIMEOUT_MS = 60_000;
/** After the deadline the agent may still be sending its result (transit, a reconnect). */
export const RESULT_GRACE_MS = 5_000;
/** The reasons of an action the console stopped waiting for: a result may still come. */
export const GAVE_UP_REASONS = {
  timeout: 'no action_result from the agent by the deadline',
  notDelivered: 'not delivered: the agent is not connected',
} as const;

export interface RunnerDeps {
  clock: Clock;
  ids: IdSource;
  fetch: FetchFn;
  verifications: Verifications;
  /** Send on the agent's live connection; false when it is not connected. */
  send(agentId: string, msg: ActionMessage): boolean;
  /**
   * The agent's result for the action and its arrival mark (Verifications.mark, taken the
   * moment it arrived), or null once `until` has passed without one.
   */
  awaitResult(
    actionId: string,
    until: number,
  ): Promise<{ result: ActionResultMessage; arrived: number } | null>;
  setState(run: RecoveryRun, state: RunState): void;
  stepChanged(run: RecoveryRun, step: RunStepRecord): void;
  /**
   * Record the action (and the run it dispatches) before it goes out: resolves once both are
   * durable, rejects if a write failed — then nothing is sent.
   */
  actionStarted(run: RecoveryRun, record: ActionRecord): Promise<void>;
  actionEnded(run: RecoveryRun, record: ActionRecord): void;
  /** An escalate step reached in order (not a failure): page now. */
  escalate(run: RecoveryRun, text: string, output: string): void;
}

/** What a run's templates and verifications know of its incident. */
export interface RunContext extends TemplateContext {
  /** The labels of the alert's series when the alert is about `metric`, else null. */
  alertSeries(metric: string): Record<string, string> | null;
}

export interface RunOutcome {
  state: 'succeeded' | 'failed' | 'dry_run';
  reason: string | null;
  /** A failed run: what to escalate with. */
  escalation: { text: string; output: string } | null;
}

interface StepResult {
  ok: boolean;
  text: string;
  output: string;
  /**
   * The arrival mark of the step's end, when it was taken earlier than the step's return: an
   * action's result arriving (the samples read with it count for the verification after).
   */
  endMark?: number;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class RunExecutor {
  /** The output of the last action or http call, attached to an escalation. */
  private lastOutput = '';
  /** The arrival mark of the end of the step before (what a verification counts from). */
  private since: number;
  /** A dry run that found a step the agent would refuse: the run's reason. */
  private dryProblem: string | null = null;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly run: RecoveryRun,
    private readonly steps: readonly RunbookStep[],
    private readonly ctx: RunContext,
  ) {
    this.since = deps.verifications.mark(run.agentId);
  }

  async execute(): Promise<RunOutcome> {
    const dry = this.run.mode === 'dry_run';
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i]!;
      const rec = this.run.steps[i]!;
      if (dry && step.kind !== 'action' && step.kind !== 'http') {
        this.skip(rec, 'dry run: not run');
        continue;
      }
      if (step.kind === 'escalate' && this.steps[i - 1]?.kind === 'verify') {
        this.skip(rec, 'verification held: not needed');
        continue;
      }
      this.begin(rec, step);
      const result = await this.runStep(step, dry);
      rec.endedAt = this.deps.clock.now();
      rec.state = result.ok ? 'done' : 'failed';
      rec.text = result.text;
      this.since = result.endMark ?? this.deps.verifications.mark(this.run.agentId);
      this.deps.stepChanged(this.run, rec);
      if (result.ok) continue;
      return this.failed(i, result);
    }
    if (dry) return { state: 'dry_run', reason: this.dryProblem, escalation: null };
    return { state: 'succeeded', reason: null, escalation: null };
  }

  /** The run stops at step i: the later steps are skipped, the first escalate's text is used. */
  private failed(i: number, result: StepResult): RunOutcome {
    const esc = this.steps.slice(i + 1).find((s) => s.kind === 'escalate');
    for (const rec of this.run.steps.slice(i + 1))
      this.skip(rec, 'not run: an earlier step failed');
    const why = `step ${i + 1} (${this.steps[i]!.kind}) failed: ${result.text}`;
    const text = esc?.kind === 'escalate' && esc.text ? `${esc.text} — ${why}` : why;
    return { state: 'failed', reason: why, escalation: { text, output: result.output } };
  }

  private begin(rec: RunStepRecord, step: RunbookStep): void {
    rec.state = 'running';
    rec.startedAt = this.deps.clock.now();
    if (step.kind === 'verify' && this.run.state !== 'verifying')
      this.deps.setState(this.run, 'verifying');
    else if (step.kind !== 'verify' && this.run.state !== 'running')
      this.deps.setState(this.run, 'running');
    this.deps.stepChanged(this.run, rec);
  }

  private skip(rec: RunStepRecord, text: string): void {
    if (rec.state !== 'pending') return;
    rec.state = 'skipped';
    rec.text = text;
    this.deps.stepChanged(this.run, rec);
  }

  private runStep(step: RunbookStep, dry: boolean): Promise<StepResult> {
    switch (step.kind) {
      case 'action':
        return this.action(step, dry);
      case 'http':
        return dry ? Promise.resolve(this.wouldCall(step)) : this.http(step);
      case 'wait':
        return new Promise((resolve) =>
          this.deps.clock.setTimeout(
            () => resolve({ ok: true, text: `waited ${secs(step.ms)}`, output: '' }),
            step.ms,
          ),
        );
      case 'verify':
        return this.verify(step);
      case 'escalate': {
        const text = step.text ?? 'recovery runbook escalates';
        this.deps.escalate(this.run, text, this.lastOutput);
        return Promise.resolve({ ok: true, text: `escalated: ${text}`, output: '' });
      }
    }
  }

  private record(kind: ActionRecord['kind'], action: string, params: Record<string, string>) {
    const now = this.deps.clock.now();
    const record: ActionRecord = {
      id: this.deps.ids('act'),
      runId: this.run.id,
      incidentId: this.run.incidentId,
      agentId: kind === 'agent' ? this.run.agentId : null,
      kind,
      action,
      params,
      dryRun: this.run.mode === 'dry_run',
      approvedBy: this.run.approvedBy,
      dispatchedAt: now,
      endedAt: null,
      status: null,
      reason: null,
      exitCode: null,
      durationMs: null,
      output: '',
      outputTruncated: false,
      argv: null,
    };
    return record;
  }

  private async action(step: ActionStep, dry: boolean): Promise<StepResult> {
    let params: Record<string, string>;
    try {
      params = substituteParams(step.params, this.ctx);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return { ok: false, text: `${step.action}: ${err.message}`, output: '' };
    }
    const rec = this.record('agent', step.action, params);
    const deadline = rec.dispatchedAt + (step.timeoutMs ?? ACTION_DEFAULT_TIMEOUT_MS);
    this.run.steps.find((s) => s.state === 'running')!.actionId = rec.id;
    // Never an action out that a restart would not know of: recorded durably first.
    const unrecorded = await this.recordFirst(rec);
    if (unrecorded) return unrecorded;
    const msg: ActionMessage = {
      type: 'action',
      id: rec.id,
      action: step.action,
      params,
      dryRun: dry,
      deadline,
      ...(this.run.approvedBy ? { approvedBy: this.run.approvedBy } : {}),
    };
    const answer = this.deps.send(this.run.agentId, msg)
      ? await this.deps.awaitResult(rec.id, deadline + RESULT_GRACE_MS)
      : null;
    const result = answer?.result ?? null;
    rec.endedAt = this.deps.clock.now();
    if (!result) {
      rec.status = rec.endedAt > deadline ? 'timeout' : 'refused';
      rec.reason =
        rec.status === 'timeout' ? GAVE_UP_REASONS.timeout : GAVE_UP_REASONS.notDelivered;
      rec.durationMs = rec.endedAt - rec.dispatchedAt;
    } else applyResult(rec, result);
    this.deps.actionEnded(this.run, rec);
    this.lastOutput = rec.output;
    // What the agent sends after its result counts; what it sent before does not, whatever its
    // samples' timestamps say (its clock may be minutes off the console's).
    return {
      ...this.judgeAction(step.action, rec, dry),
      ...(answer ? { endMark: answer.arrived } : {}),
    };
  }

  /** The record written durably before the action or call goes out; else the failed step. */
  private async recordFirst(rec: ActionRecord): Promise<StepResult | null> {
    try {
      await this.deps.actionStarted(this.run, rec);
      return null;
    } catch (err) {
      rec.endedAt = this.deps.clock.now();
      rec.status = 'refused';
      rec.reason = `not sent: its record could not be written (${(err as Error).message})`;
      rec.durationMs = 0;
      this.deps.actionEnded(this.run, rec);
      return { ok: false, text: `${rec.action} ${rec.reason}`, output: '' };
    }
  }

  private judgeAction(action: string, rec: ActionRecord, dry: boolean): StepResult {
    const argv = rec.argv?.join(' ') ?? action;
    const output = rec.output;
    if (dry) {
      if (rec.status === 'dry_run') return { ok: true, text: `would have run: ${argv}`, output };
      this.dryProblem = `${action} would not run: ${rec.status}${rec.reason ? ` (${rec.reason})` : ''}`;
      return { ok: true, text: this.dryProblem, output };
    }
    const took = rec.durationMs === null ? '' : ` in ${secs(rec.durationMs)}`;
    if (rec.status === 'succeeded')
      return { ok: true, text: `${action} exited ${rec.exitCode ?? 0}${took}`, output };
    const detail =
      rec.status === 'failed'
        ? `exited ${rec.exitCode ?? '?'}${took}`
        : `${rec.status}${rec.reason ? `: ${rec.reason}` : ''}`;
    return { ok: false, text: `${action} ${detail}`, output };
  }

  private wouldCall(step: HttpStep): StepResult {
    let url = step.url;
    try {
      url = substituteUrl(step.url, this.ctx);
    } catch {
      // Shown as written.
    }
    return { ok: true, text: `would have called ${step.method} ${url}`, output: '' };
  }

  private async http(step: HttpStep): Promise<StepResult> {
    const rec = this.record('http', step.name, {});
    this.run.steps.find((s) => s.state === 'running')!.actionId = rec.id;
    const unrecorded = await this.recordFirst(rec);
    if (unrecorded) return unrecorded;
    const out = await runHttpStep(step, this.ctx, {
      clock: this.deps.clock,
      fetch: this.deps.fetch,
    });
    rec.endedAt = this.deps.clock.now();
    rec.status = out.status;
    rec.reason = out.status === 'succeeded' ? null : out.text;
    if (out.httpStatus !== null) rec.httpStatus = out.httpStatus;
    rec.durationMs = out.durationMs;
    rec.output = out.output;
    rec.outputTruncated = out.outputTruncated;
    this.deps.actionEnded(this.run, rec);
    this.lastOutput = out.output;
    return { ok: out.status === 'succeeded', text: out.text, output: out.output };
  }

  private async verify(step: VerifyStep): Promise<StepResult> {
    const c = step.condition;
    let labels: Record<string, string> | null = null;
    const exact = c.type === 'metric' && !c.labels;
    if (c.type === 'metric') {
      try {
        labels = c.labels ? substituteAll(c.labels, this.ctx) : this.ctx.alertSeries(c.metric);
      } catch (err) {
        return { ok: false, text: (err as Error).message, output: this.lastOutput };
      }
    }
    const out = await this.deps.verifications.watch({
      agentId: this.run.agentId,
      alertId: this.run.alertId,
      condition: c,
      since: this.since,
      withinMs: step.withinMs,
      labels,
      exact,
    });
    return { ok: out.ok, text: out.text, output: this.lastOutput };
  }
}

/** Copy what the agent reported into the action record. */
export function applyResult(rec: ActionRecord, result: ActionResultMessage): void {
  rec.status = result.status;
  rec.reason = result.reason ?? null;
  rec.exitCode = result.exitCode;
  rec.durationMs = result.durationMs;
  rec.output = result.output;
  rec.outputTruncated = result.outputTruncated;
  rec.argv = result.argv ?? null;
}
