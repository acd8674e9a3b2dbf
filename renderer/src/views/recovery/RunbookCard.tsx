// One runbook on the Recovery page: its mode (switching to automatic asks first), trigger,
// steps and guardrails in words, and its record: runs, success rate, median MTTR, last run.
import { useState } from 'react';
import {
  RUNBOOK_MODES,
  type Runbook,
  type RunbookMode,
  type RunbookStats,
} from '../../../../shared/recovery';
import { formatTimestamp, plural } from '../../lib/format';
import {
  formatDuration,
  guardrailsText,
  MODE_HINTS,
  MODE_LABELS,
  stepText,
  successText,
  triggerText,
} from '../../lib/recovery-text';

interface Props {
  runbook: Runbook;
  stats: RunbookStats | undefined;
  selected: boolean;
  blocked: boolean;
  onMode(mode: RunbookMode): void;
  onEdit(): void;
  onDelete(): void;
}

export function RunbookCard({
  runbook: r,
  stats,
  selected,
  blocked,
  onMode,
  onEdit,
  onDelete,
}: Props) {
  const [confirm, setConfirm] = useState<'automatic' | 'delete' | null>(null);
  const titleId = `runbook-${r.id}-title`;
  const pick = (mode: RunbookMode) => {
    if (mode === r.mode) return;
    // Acting without asking is the one change that asks first.
    if (mode === 'automatic') setConfirm('automatic');
    else onMode(mode);
  };
  return (
    <article
      className={`panel runbook${selected ? ' is-selected' : ''}${r.enabled ? '' : ' is-disabled'}`}
      aria-labelledby={titleId}
      data-testid={`runbook-${r.id}`}
      data-mode={r.mode}
    >
      <header className="runbook__head">
        <div className="runbook__title">
          <h3 id={titleId}>{r.name}</h3>
          {!r.enabled && <span className="tag tag--muted">disabled</span>}
          <span className="muted small mono">{r.id}</span>
        </div>
        <div className="segmented" role="group" aria-label={`Mode of ${r.name}`}>
          {RUNBOOK_MODES.map((m) => (
            <button
              key={m}
              type="button"
              className={`segmented__item${r.mode === m ? ' is-active' : ''}`}
              aria-pressed={r.mode === m}
              title={MODE_HINTS[m]}
              disabled={blocked}
              onClick={() => pick(m)}
              data-testid={`runbook-mode-${r.id}-${m}`}
            >
              {MODE_LABELS[m]}
            </button>
          ))}
        </div>
        <span className="runbook__actions">
          <button
            type="button"
            className="btn btn--small"
            disabled={blocked}
            onClick={onEdit}
            aria-label={`Edit runbook ${r.name}`}
            data-testid={`runbook-edit-${r.id}`}
          >
            Edit
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={blocked}
            onClick={() => setConfirm('delete')}
            aria-label={`Delete runbook ${r.name}`}
            data-testid={`runbook-delete-${r.id}`}
          >
            Delete
          </button>
        </span>
      </header>
      {confirm && (
        <div
          className="confirm-bar"
          role="alertdialog"
          aria-label={confirm === 'automatic' ? `Make ${r.name} automatic?` : `Delete ${r.name}?`}
        >
          <span>
            {confirm === 'automatic'
              ? `Run ${r.name} automatically? It will act on agents without asking, within the guardrails below.`
              : `Delete ${r.name}? Its run history stays.`}
          </span>
          <button
            type="button"
            className="btn btn--small btn--danger"
            autoFocus
            onClick={() => {
              setConfirm(null);
              if (confirm === 'automatic') onMode('automatic');
              else onDelete();
            }}
            data-testid={`runbook-confirm-${r.id}`}
          >
            {confirm === 'automatic' ? 'Make automatic' : 'Delete'}
          </button>
          <button type="button" className="btn btn--small" onClick={() => setConfirm(null)}>
            {confirm === 'automatic' ? `Keep ${MODE_LABELS[r.mode].toLowerCase()}` : 'Keep'}
          </button>
        </div>
      )}
      {r.description && <p className="runbook__desc">{r.description}</p>}
      <dl className="runbook__facts">
        <div>
          <dt>Trigger</dt>
          <dd data-testid={`runbook-trigger-${r.id}`}>{triggerText(r.trigger)}</dd>
        </div>
        <div>
          <dt>Steps</dt>
          <dd>
            <ol className="runbook__steps">
              {r.steps.map((s, n) => (
                <li key={n}>{stepText(s)}</li>
              ))}
            </ol>
          </dd>
        </div>
        <div>
          <dt>Guardrails</dt>
          <dd data-testid={`runbook-guardrails-${r.id}`}>{guardrailsText(r.guardrails)}</dd>
        </div>
      </dl>
      <dl className="runbook__record" data-testid={`runbook-record-${r.id}`}>
        <div>
          <dt>Runs</dt>
          <dd className="num">{stats ? plural(stats.runs, 'run') : '—'}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd className="num" data-testid={`runbook-success-${r.id}`}>
            {stats ? successText(stats) : '—'}
          </dd>
        </div>
        <div>
          <dt>Median MTTR</dt>
          <dd className="num" data-testid={`runbook-mttr-${r.id}`}>
            {formatDuration(stats?.medianMttrMs)}
          </dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd className="num">{formatTimestamp(stats?.lastRunAt ?? null)}</dd>
        </div>
      </dl>
    </article>
  );
}
