// Drives runs the guardrails let through: hands each to a RunExecutor (runner.ts), records
// every action it sends and every result that comes back, ends the run, and escalates at once
// when it failed. Also where agents' `action_result`s arrive: a result is recorded (durably,
// before the agent is acked) whether or not a run still waits for it — one that comes after a
// reconnect, or after the console gave up on it, is kept all the same.
import type { ActionResultMessage } from '../../../shared/protocol.js';
import type { ActionRecord, RecoveryRun, Runbook, RunState } from '../../../shared/recovery.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { FetchFn } from '../notify/http-post.js';
import type { AgentLink } from './agent-link.js';
import type { RecoveryMetrics } from './recovery-metrics.js';
import type { RunRecords } from './run-records.js';
import type { RunStore } from './run-store.js';
import {
  applyResult,
  GAVE_UP_REASONS,
  RunExecutor,
  type RunContext,
  type RunOutcome,
} from './runner.js';
import type { Verifications } from './verification.js';

export interface RunDriverDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  fetch: FetchFn;
  link: AgentLink;
  store: RunStore;
  records: RunRecords;
  verifications: Verifications;
  metrics: RecoveryMetrics;
  /** Record and announce a run's change (store, stream, events). */
  changed(run: RecoveryRun, previous: RunState | null): void;
  /** Page through the incident's escalation policy now; false when nothing was paged. */
  escalate(incidentId: string, text: string, output: string): boolean;
  /** What the run's templates and verifications know. */
  context(run: RecoveryRun): RunContext | null;
  /** The run ended: the agent is free for the next. */
  ended(run: RecoveryRun): void;
}

interface Waiter {
  resolve(answer: { result: ActionResultMessage; arrived: number } | null): void;
  timer: TimerHandle;
}

/** An action the console stopped waiting for (its record says so): a late result still counts. */
const gaveUp = (rec: ActionRecord) =>
  (rec.status === 'timeout' && rec.reason === GAVE_UP_REASONS.timeout) ||
  (rec.status === 'refused' && rec.reason === GAVE_UP_REASONS.notDelivered);

export class RunDriver {
  private readonly waiters = new Map<string, Waiter>();
  private stopped = false;

  constructor(private readonly deps: RunDriverDeps) {}

  /** Start a run the guardrails allowed, with the runbook as it is now. */
  begin(run: RecoveryRun, runbook: Runbook): void {
    if (this.stopped) return;
    const ctx = this.deps.context(run);
    if (!ctx) {
      const reason = 'its alert or agent is gone: could not start';
      return this.finish(run, {
        state: 'failed',
        reason,
        escalation: { text: reason, output: '' },
      });
    }
    const executor = new RunExecutor(
      {
        clock: this.deps.clock,
        ids: this.deps.ids,
        fetch: this.deps.fetch,
        verifications: this.deps.verifications,
        // A console stopping sends nothing more (the run is interrupted at the next start).
        send: (agentId, msg) => !this.stopped && this.deps.link.send(agentId, msg),
        awaitResult: (id, until) => this.awaitResult(id, until),
        setState: (r, state) => this.setState(r, state),
        stepChanged: (r) => this.deps.changed(r, r.state),
        actionStarted: async (r, rec) => {
          if (r.dispatchedAt === null) {
            r.dispatchedAt = rec.dispatchedAt;
            if (r.approvedBy === null)
              this.deps.metrics.dispatchSeconds.observe((rec.dispatchedAt - r.createdAt) / 1000);
          }
          const action = this.deps.store.putAction(rec);
          this.deps.records.dispatched(r, rec);
          this.deps.changed(r, r.state);
          // The action and its run (dispatched) on disk before anything goes out: a console
          // that dies right after sending knows, at its next start, what it sent.
          await Promise.all([action, this.deps.store.runDurable(r.id)]);
        },
        actionEnded: (r, rec) => {
          void this.deps.store.putAction(rec);
          this.deps.records.result(r, rec);
        },
        escalate: (r, text, output) => this.escalate(r, text, output),
      },
      run,
      runbook.steps,
      ctx,
    );
    executor.execute().then(
      (outcome) => this.finish(run, outcome),
      (err: Error) => {
        this.deps.logger.error('recovery run failed unexpectedly', {
          run: run.id,
          error: err.message,
        });
        this.finish(run, {
          state: 'failed',
          reason: `internal error: ${err.message}`,
          escalation: { text: 'recovery run failed', output: '' },
        });
      },
    );
  }

  /** An agent's result: recorded, then handed to the run waiting for it. Resolves when durable. */
  async result(agentId: string, msg: ActionResultMessage): Promise<void> {
    const { store, metrics } = this.deps;
    const rec = store.action(msg.id);
    const reject = (reason: string) => void metrics.resultsRejected.inc({ reason });
    if (!rec) return reject('unknown_action_id');
    if (rec.agentId !== agentId) return reject('wrong_agent');
    if (rec.action !== msg.action) return reject('action_mismatch');
    // Told by the record, not by memory: a late result after a console restart counts too.
    const late = gaveUp(rec);
    if (rec.status !== null && !late) {
      // A resend: the agent did not see our ack. Acked once the result is durable — at once if
      // it is, else when the write in flight (or the repair of one that failed) lands; if that
      // fails too, not acked, and the agent keeps the result and sends it again.
      reject('duplicate');
      return store.actionDurable(rec.id);
    }
    applyResult(rec, msg);
    if (late)
      rec.reason = `arrived after the console stopped waiting${msg.reason ? `: ${msg.reason}` : ''}`;
    rec.endedAt = this.deps.clock.now();
    metrics.results.inc({ status: msg.status });
    const durable = store.putAction(rec);
    const waiter = this.waiters.get(msg.id);
    if (waiter) {
      this.waiters.delete(msg.id);
      waiter.timer.cancel();
      // Marked now, as it arrives: a batch read after it (in this very chunk too) counts for
      // the verification that follows, one read before it does not.
      waiter.resolve({ result: msg, arrived: this.deps.verifications.mark(agentId) });
    } else {
      // Its run no longer waits (interrupted by a console restart, or timed out): still recorded.
      const run = store.run(rec.runId);
      if (run) this.deps.records.result(run, rec);
    }
    await durable;
  }

  /** Console stopping: runs in flight stay as they are on disk and become interrupted at start. */
  stop(): void {
    this.stopped = true;
    for (const w of this.waiters.values()) w.timer.cancel();
    this.waiters.clear();
  }

  private awaitResult(
    actionId: string,
    until: number,
  ): Promise<{ result: ActionResultMessage; arrived: number } | null> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(
        () => {
          this.waiters.delete(actionId);
          resolve(null);
        },
        Math.max(0, until - this.deps.clock.now()),
      );
      this.waiters.set(actionId, { resolve, timer });
    });
  }

  private setState(run: RecoveryRun, state: RunState): void {
    const previous = run.state;
    run.state = state;
    this.deps.changed(run, previous);
  }

  private escalate(run: RecoveryRun, text: string, output: string): void {
    const paged = this.deps.escalate(run.incidentId, text, output);
    run.escalated = true;
    this.deps.records.escalated(run, text, paged);
  }

  private finish(run: RecoveryRun, outcome: RunOutcome): void {
    if (this.stopped) return;
    const previous = run.state;
    run.state = outcome.state;
    run.reason = outcome.reason;
    run.endedAt = this.deps.clock.now();
    this.deps.metrics.runs.inc({ outcome: outcome.state });
    this.deps.records.ended(run, outcome.escalation);
    if (outcome.escalation)
      this.escalate(
        run,
        `recovery ${run.runbookName} failed: ${outcome.escalation.text}`,
        outcome.escalation.output,
      );
    this.deps.changed(run, previous);
    this.deps.verifications.release(run.agentId);
    this.deps.ended(run);
  }
}
