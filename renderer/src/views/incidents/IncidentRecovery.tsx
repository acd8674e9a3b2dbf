// An incident's recovery: each run of a runbook on it in one sentence ("Would have run
// `systemctl restart nginx.service` on web-3 (dry run)", "Awaiting approval: clean_tmp on
// db-2" with Approve and Decline), the step under way, the verification and the output; and
// the incident's figures: time to detect, to act, to recover, and whether it recovered by itself.
import { useState } from 'react';
import type { Incident } from '../../../../shared/incidents';
import type { IncidentRecoveryFigures, RecoveryRun } from '../../../../shared/recovery';
import { useFleet, useServices } from '../../api/context';
import { decideRun } from '../../api/recovery';
import { ActionBlockNote, StaleMarker, useActionBlock } from '../../components/stale';
import { formatTimestamp } from '../../lib/format';
import {
  actionOutcome,
  formatDuration,
  runContext,
  runProgress,
  runSentence,
  sentenceText,
  verificationText,
} from '../../lib/recovery-text';
import { hrefFor } from '../../lib/route';
import { RunOutput, RunStateBadge, SentenceText } from '../recovery/RunParts';
import { useRecoveryData, type RecoverySnapshot } from '../recovery/useRecoveryData';

export function IncidentRecovery({ incident }: { incident: Incident }) {
  const recovery = useRecoveryData(incident.id, incident.updatedAt);
  const { data, unavailable, stale, fetchedAt } = recovery;
  // A console without the recovery service: nothing to say here.
  if (unavailable || !data) return null;
  const runs = data.runs.filter((r) => r.incidentId === incident.id);
  const figures = data.figures.get(incident.id) ?? null;
  return (
    <section
      className={`incident-recovery dims-when-stale${stale ? ' is-stale' : ''}`}
      data-testid="incident-recovery"
      aria-labelledby={`recovery-${incident.id}`}
    >
      <h3 id={`recovery-${incident.id}`}>
        Recovery{' '}
        <a className="incident-recovery__link" href={hrefFor('recovery')}>
          runbooks
        </a>
      </h3>
      {stale && <StaleMarker since={fetchedAt} what="recovery" testId="recovery-stale" />}
      <RecoveryFigures incident={incident} figures={figures} />
      {runs.length === 0 ? (
        <p className="muted" data-testid="incident-runs-empty">
          No runbook has acted on this incident.
        </p>
      ) : (
        <ul className="incident-runs" data-testid="incident-runs">
          {runs.map((run) => (
            <RunItem key={run.id} run={run} data={data} onDecided={() => void recovery.reload()} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RecoveryFigures({
  incident,
  figures,
}: {
  incident: Incident;
  figures: IncidentRecoveryFigures | null;
}) {
  const open = incident.state !== 'resolved';
  const automatic = figures?.automatic ?? false;
  return (
    <dl className="recovery-figures" data-testid="incident-recovery-figures">
      <div>
        <dt>Time to detect</dt>
        <dd className="num" data-testid="incident-ttd">
          {formatDuration(figures?.timeToDetectMs)}
        </dd>
      </div>
      <div>
        <dt>Time to act</dt>
        <dd className="num" data-testid="incident-tta">
          {formatDuration(figures?.timeToActMs)}
        </dd>
      </div>
      <div>
        <dt>Time to recover (MTTR)</dt>
        <dd className="num" data-testid="incident-mttr">
          {figures?.timeToRecoverMs != null
            ? formatDuration(figures.timeToRecoverMs)
            : open
              ? 'still open'
              : '—'}
        </dd>
      </div>
      <div>
        <dt>Recovered automatically</dt>
        <dd data-testid="incident-automatic" data-automatic={automatic}>
          {open ? '—' : automatic ? 'yes' : 'no'}
        </dd>
      </div>
    </dl>
  );
}

function RunItem({
  run,
  data,
  onDecided,
}: {
  run: RecoveryRun;
  data: RecoverySnapshot;
  onDecided(): void;
}) {
  const agents = useFleet((s) => s.agents);
  const runbook = data.runbooks.find((b) => b.id === run.runbookId);
  const ctx = runContext(run, runbook, data.actions, (id) => agents.get(id)?.hostname ?? null);
  const sentence = runSentence(run, ctx);
  const progress = runProgress(run, runbook);
  const verification = verificationText(run);
  const sent = run.steps
    .map((s) => (s.actionId ? data.actions.get(s.actionId) : undefined))
    .filter((a) => a !== undefined);
  return (
    <li
      className="incident-run"
      data-testid="incident-run"
      data-run-id={run.id}
      data-state={run.state}
    >
      <div className="incident-run__head">
        <RunStateBadge state={run.state} />
        <span className="incident-run__text" data-testid="incident-run-text">
          <SentenceText sentence={sentence} />
        </span>
        <span className="muted small num">{formatTimestamp(run.createdAt)}</span>
      </div>
      <div className="incident-run__meta muted small">
        runbook <a href={hrefFor('recovery', run.runbookId)}>{run.runbookName}</a>
        {progress && <span data-testid="incident-run-progress"> · {progress}</span>}
        {verification && (
          <span data-testid="incident-run-verification"> · verification: {verification}</span>
        )}
      </div>
      {run.state === 'awaiting_approval' && (
        <Decision run={run} label={sentenceText(sentence)} onDecided={onDecided} />
      )}
      {sent.map((a) => (
        <div key={a.id} className="incident-run__action small">
          <span className="muted">
            {a.action}: {actionOutcome(a)}
            {a.durationMs !== null ? ` in ${formatDuration(a.durationMs)}` : ''}
          </span>{' '}
          {a.status !== null && a.status !== 'dry_run' && <RunOutput action={a} />}
        </div>
      ))}
    </li>
  );
}

function Decision({
  run,
  label,
  onDecided,
}: {
  run: RecoveryRun;
  label: string;
  onDecided(): void;
}) {
  const { api } = useServices();
  const blocked = useActionBlock();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const decide = async (decision: 'approve' | 'decline') => {
    setBusy(true);
    setStatus(null);
    try {
      await decideRun(api, decision, run);
      setStatus({ text: decision === 'approve' ? 'Approved.' : 'Declined.', error: false });
      onDecided();
    } catch (err) {
      setStatus({ text: `Could not ${decision}: ${(err as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="incident-run__decision" role="group" aria-label={label}>
      <button
        type="button"
        className="btn btn--small btn--primary"
        disabled={busy || blocked !== null}
        onClick={() => void decide('approve')}
        data-testid="run-approve"
      >
        Approve
      </button>
      <button
        type="button"
        className="btn btn--small"
        disabled={busy || blocked !== null}
        onClick={() => void decide('decline')}
        data-testid="run-decline"
      >
        Decline
      </button>
      <ActionBlockNote reason={blocked} testId="run-decision-blocked" />
      {status && (
        <span
          className={status.error ? 'detail__error' : 'muted'}
          role={status.error ? 'alert' : 'status'}
          data-testid="run-decision-status"
        >
          {status.text}
        </span>
      )}
    </div>
  );
}
