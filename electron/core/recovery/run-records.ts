// What a recovery run leaves behind besides itself: an entry in its incident's timeline (what
// the operator reads) and one in the audit trail (who did what, tamper-evident) for every
// step of its life: proposed, held/deferred/refused, approved (by whom) or declined, each
// action dispatched and its result, the verification, the escalation, a cancellation.
import type { TimelineEntry, TimelineKind } from '../../../shared/incidents.js';
import type { ActionRecord, RecoveryRun } from '../../../shared/recovery.js';

/** Output attached to a timeline entry is cut to this (the full output is in /actions). */
export const TIMELINE_OUTPUT_CHARS = 2_000;

export interface RecordSinks {
  now(): number;
  /** Into the incident's timeline (nothing when the incident is gone). */
  timeline(incidentId: string, entry: TimelineEntry): void;
  /** Resolves once the entry is durable (never rejects: a failed write is logged). */
  audit(entry: {
    by: string;
    action: string;
    target: string;
    before: unknown;
    after: unknown;
  }): Promise<void>;
}

const facts = (run: RecoveryRun) => ({
  incidentId: run.incidentId,
  agentId: run.agentId,
  runbookId: run.runbookId,
  mode: run.mode,
  state: run.state,
  guardrail: run.guardrail,
  reason: run.reason,
});

function params(p: Record<string, string>): string {
  const entries = Object.entries(p);
  return entries.length === 0 ? '' : ` (${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

export class RunRecords {
  constructor(private readonly sinks: RecordSinks) {}

  proposed(run: RecoveryRun, hostname: string): void {
    this.note(
      run,
      'recovery_proposed',
      'console',
      `runbook ${run.runbookName} proposed for ${hostname} (${run.mode.replace('_', ' ')})`,
    );
    this.audit(run, 'console', 'recovery.proposed', null);
  }

  /** Held for approval, deferred, refused, or queued after a wait. */
  decided(run: RecoveryRun, before: RecoveryRun['state'] | null): void {
    const kind: Record<string, TimelineKind> = {
      refused: 'recovery_refused',
      deferred: 'recovery_deferred',
      awaiting_approval: 'recovery_held',
    };
    const k = kind[run.state];
    if (!k) return;
    const what =
      run.state === 'awaiting_approval'
        ? 'awaits approval'
        : run.state === 'deferred'
          ? 'deferred'
          : 'refused';
    const code = run.guardrail ? ` [${run.guardrail}]` : '';
    this.note(run, k, 'console', `${run.runbookName} ${what}${code}: ${run.reason ?? ''}`);
    this.audit(run, 'console', `recovery.${run.state}`, before);
  }

  /** Resolves once the audit entry is durable (the API answers after it). */
  approved(run: RecoveryRun, by: string, comment: string | undefined): Promise<void> {
    const text = `${run.runbookName} approved${comment ? `: ${comment}` : ''}`;
    this.note(run, 'recovery_approved', by, text);
    return this.audit(run, by, 'recovery.approve', 'awaiting_approval', {
      comment: comment ?? null,
    });
  }

  declined(run: RecoveryRun, by: string, comment: string | undefined): Promise<void> {
    const text = `${run.runbookName} declined${comment ? `: ${comment}` : ''}`;
    this.note(run, 'recovery_declined', by, text);
    return this.audit(run, by, 'recovery.decline', 'awaiting_approval', {
      comment: comment ?? null,
    });
  }

  dispatched(run: RecoveryRun, rec: ActionRecord): void {
    const text =
      rec.kind === 'agent'
        ? `${rec.dryRun ? 'dry run: asked' : 'sent'} ${rec.action}${params(rec.params)} ${rec.dryRun ? 'what it would run' : 'to the agent'}`
        : `called ${rec.action}`;
    this.note(run, 'recovery_dispatched', 'console', text);
    this.audit(run, 'console', 'recovery.dispatch', null, {
      actionId: rec.id,
      action: rec.action,
      params: rec.params,
      dryRun: rec.dryRun,
    });
  }

  result(run: RecoveryRun, rec: ActionRecord): void {
    const output = rec.output.slice(0, TIMELINE_OUTPUT_CHARS);
    if (rec.dryRun && rec.status === 'dry_run') {
      this.note(
        run,
        'would_have_run',
        'console',
        `would have run: ${(rec.argv ?? [rec.action]).join(' ')}`,
        output,
      );
    } else {
      const how =
        rec.status === 'succeeded' || rec.status === 'failed'
          ? `exited ${rec.exitCode ?? (rec.httpStatus !== undefined ? `HTTP ${rec.httpStatus}` : '?')}`
          : `${rec.status}${rec.reason ? `: ${rec.reason}` : ''}`;
      this.note(
        run,
        'recovery_result',
        'console',
        `${rec.action} ${rec.status === 'succeeded' && rec.kind === 'http' ? 'succeeded' : how}`,
        output,
      );
    }
    this.audit(run, 'console', 'recovery.result', null, {
      actionId: rec.id,
      status: rec.status,
      exitCode: rec.exitCode,
      reason: rec.reason,
    });
  }

  /** The run ended: verified, failed (escalating), a dry run, or interrupted. */
  ended(run: RecoveryRun, escalation: { text: string; output: string } | null): void {
    const output = escalation?.output.slice(0, TIMELINE_OUTPUT_CHARS);
    if (run.state === 'succeeded')
      this.note(
        run,
        'recovery_verified',
        'console',
        `${run.runbookName}: recovered (${run.steps
          .filter((s) => s.kind === 'verify')
          .map((s) => s.text)
          .join('; ')})`,
      );
    else if (run.state === 'dry_run')
      this.note(
        run,
        'recovery_verified',
        'console',
        `${run.runbookName}: dry run done${run.reason ? ` — ${run.reason}` : ''}; nothing ran (${run.steps
          .filter((st) => st.state === 'done')
          .map((st) => st.text)
          .join('; ')})`,
      );
    else
      this.note(
        run,
        'recovery_failed',
        'console',
        `${run.runbookName} ${run.state}: ${run.reason ?? ''}; escalating now`,
        output,
      );
    this.audit(run, 'console', `recovery.${run.state}`, null);
  }

  escalated(run: RecoveryRun, text: string, paged: boolean): void {
    this.audit(run, 'console', 'recovery.escalate', null, { text, paged });
  }

  cancelled(run: RecoveryRun, before: RecoveryRun['state']): void {
    this.note(
      run,
      'recovery_cancelled',
      'console',
      `${run.runbookName} cancelled: ${run.reason ?? ''}`,
    );
    this.audit(run, 'console', 'recovery.cancel', before);
  }

  private note(
    run: RecoveryRun,
    kind: TimelineKind,
    by: string,
    text: string,
    output?: string,
  ): void {
    this.sinks.timeline(run.incidentId, {
      at: this.sinks.now(),
      kind,
      by,
      text,
      alertId: run.alertId,
      runId: run.id,
      ...(output ? { output } : {}),
    });
  }

  private audit(
    run: RecoveryRun,
    by: string,
    action: string,
    before: RecoveryRun['state'] | null,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.sinks.audit({
      by,
      action,
      target: run.id,
      before: before === null ? null : { state: before },
      after: { ...facts(run), ...extra },
    });
  }
}
