// Which recovery runs call for an "Approve clean_tmp on db-2?" notification, and its title:
// shared by the desktop shell's native notifications (electron/shell/approval-notify.ts) and the
// browser's (renderer/src/lib/approval-notices.ts), so both notify the same runs, once each.
import type { RecoveryRun, Runbook } from './recovery.js';

/**
 * Runs that came to await approval since `shown` (run ids notified and still waiting), the new
 * `shown`, and the runs that stopped waiting (approved, declined, cancelled): their
 * notifications are stale and close.
 */
export function runsToNotify(
  shown: ReadonlySet<string>,
  runs: readonly RecoveryRun[],
): { notify: RecoveryRun[]; shown: Set<string>; gone: string[] } {
  const waiting = runs.filter((r) => r.state === 'awaiting_approval');
  const next = new Set(waiting.map((r) => r.id));
  return {
    notify: waiting.filter((r) => !shown.has(r.id)),
    shown: next,
    gone: [...shown].filter((id) => !next.has(id)),
  };
}

/** The action a run would take: its runbook's first action (or http) step, else the runbook. */
export function actionName(run: RecoveryRun, runbooks: readonly Runbook[]): string {
  const step = runbooks
    .find((b) => b.id === run.runbookId)
    ?.steps.find((s) => s.kind === 'action' || s.kind === 'http');
  if (step?.kind === 'action') return step.action;
  if (step?.kind === 'http') return step.name;
  return run.runbookName;
}

export const approvalTitle = (action: string, host: string) => `Approve ${action} on ${host}?`;
