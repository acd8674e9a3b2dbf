// The run history: every run, newest first — when, state, agent, incident, the action (the
// command the agent ran or would have run), its exit or status, how long the run took, what the
// verification found, and the output, folded.
import type { RecoveryRun } from '../../../../shared/recovery';
import { useFleet } from '../../api/context';
import { formatTimestamp, plural } from '../../lib/format';
import {
  actionOutcome,
  formatDuration,
  runContext,
  runDuration,
  runProgress,
  runReason,
  verificationText,
} from '../../lib/recovery-text';
import { hrefFor } from '../../lib/route';
import { RunOutput, RunStateBadge } from './RunParts';
import { HISTORY_LIMIT, type RecoverySnapshot } from './useRecoveryData';

export function RunHistory({ data }: { data: RecoverySnapshot }) {
  const { runs } = data;
  return (
    <section className="panel recovery__history" aria-labelledby="recovery-history-title">
      <header className="panel__head">
        <h2 id="recovery-history-title">Run history</h2>
        <span className="panel__sub" data-testid="recovery-history-count">
          {runs.length >= HISTORY_LIMIT
            ? `the latest ${HISTORY_LIMIT} runs`
            : plural(runs.length, 'run')}
        </span>
      </header>
      {runs.length === 0 ? (
        <p className="muted recovery__empty" data-testid="recovery-history-empty">
          No runbook has run yet. A runbook in dry run records here what it would have done.
        </p>
      ) : (
        <div className="recovery__scroll">
          <table className="data-table recovery-runs" data-testid="recovery-runs">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">State</th>
                <th scope="col">Agent · incident</th>
                <th scope="col">Action</th>
                <th scope="col">Result</th>
                <th scope="col" className="is-right">
                  Duration
                </th>
                <th scope="col">Verification</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <RunRow key={run.id} run={run} data={data} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RunRow({ run, data }: { run: RecoveryRun; data: RecoverySnapshot }) {
  const agents = useFleet((s) => s.agents);
  const incident = useFleet((s) => s.incidents.get(run.incidentId));
  const runbook = data.runbooks.find((b) => b.id === run.runbookId);
  const ctx = runContext(run, runbook, data.actions, (id) => agents.get(id)?.hostname ?? null);
  const sent = run.steps
    .map((s) => (s.actionId ? data.actions.get(s.actionId) : undefined))
    .filter((a) => a !== undefined);
  const progress = runProgress(run, runbook);
  const reason = runReason(run, runbook);
  return (
    <tr data-testid="recovery-run" data-run-id={run.id} data-state={run.state}>
      <td className="num">{formatTimestamp(run.createdAt)}</td>
      <td>
        <RunStateBadge state={run.state} />
      </td>
      <td>
        <div>{ctx.host}</div>
        <a href={hrefFor('incidents', run.incidentId)} data-testid="recovery-run-incident">
          {incident?.title ?? run.incidentId}
        </a>
      </td>
      <td>
        <code className="run-command">{ctx.command}</code>
        <div className="muted small">
          {run.runbookName}
          {run.approvedBy && run.state !== 'declined' ? ` · approved by ${run.approvedBy}` : ''}
        </div>
        {sent.map((a) =>
          a.status !== null && a.status !== 'dry_run' ? <RunOutput key={a.id} action={a} /> : null,
        )}
      </td>
      <td data-testid="recovery-run-result">
        {sent.length ? sent.map((a) => actionOutcome(a)).join(' · ') : '—'}
        {reason && <div className="muted small">{reason}</div>}
      </td>
      <td className="is-right num" data-testid="recovery-run-duration">
        {formatDuration(runDuration(run))}
      </td>
      <td data-testid="recovery-run-verification">
        {verificationText(run) ?? progress ?? <span className="muted">—</span>}
        {run.escalated && <span className="tag tag--warn">escalated</span>}
      </td>
    </tr>
  );
}
