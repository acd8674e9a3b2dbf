// Which runs call for an "Approve clean_tmp on db-2?" notification: each run that comes to
// await approval, once. Runs already waiting when the viewer opened are not news (the incident
// page lists them); a run no longer waiting leaves the set, and its notification may close.
// Pure: ApprovalNotifier (approval-notifier.ts) fetches the runs and shows what this returns.
import type { RecoveryRun } from '../../../shared/recovery.js';
import { approvalTitle, runsToNotify } from '../../../shared/recovery-approvals.js';

export interface ApprovalNotice {
  runId: string;
  incidentId: string;
  title: string;
  body: string;
  /** One per run: a second look at the same run replaces, never adds. */
  tag: string;
}

export interface ApprovalContext {
  hostname(agentId: string): string | null;
  /** The action the run would take (clean_tmp), from its runbook. */
  actionOf(run: RecoveryRun): string;
  incidentTitle(incidentId: string): string | null;
}

export const approvalTag = (runId: string) => `approve-${runId}`;

export function approvalNotices(
  shown: ReadonlySet<string>,
  runs: readonly RecoveryRun[],
  ctx: ApprovalContext,
): { notices: ApprovalNotice[]; shown: Set<string>; gone: string[] } {
  const { notify, shown: next, gone } = runsToNotify(shown, runs);
  const notices = notify.map((r) => {
    const host = ctx.hostname(r.agentId) ?? r.agentId;
    const incident = ctx.incidentTitle(r.incidentId);
    return {
      runId: r.id,
      incidentId: r.incidentId,
      title: approvalTitle(ctx.actionOf(r), host),
      body: [`runbook ${r.runbookName}`, incident, r.reason].filter(Boolean).join(' · '),
      tag: approvalTag(r.id),
    };
  });
  return { notices, shown: next, gone };
}

/** The runs waiting when the viewer opened: counted as shown. */
export function seedApprovals(runs: readonly RecoveryRun[]): Set<string> {
  return new Set(runs.filter((r) => r.state === 'awaiting_approval').map((r) => r.id));
}
