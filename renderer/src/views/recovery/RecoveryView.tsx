// Recovery (#/recovery, #/recovery/<runbook id>): the figures (incidents recovered
// automatically, median MTTR, median time to act), the runbooks with their mode, trigger, steps,
// guardrails and record, a form to create or edit one, and the run history.
import { useEffect, useRef, useState } from 'react';
import type { RunbookMode } from '../../../../shared/recovery';
import { useServices } from '../../api/context';
import { deleteRunbook, setRunbookMode } from '../../api/recovery';
import { ActionBlockNote, StaleMarker, useActionBlock } from '../../components/stale';
import { plural } from '../../lib/format';
import { MODE_LABELS } from '../../lib/recovery-text';
import { emptyRunbookDraft, runbookDraftOf, type RunbookDraft } from './runbook-draft';
import { RecoveryTiles } from './RecoveryTiles';
import { RunbookCard } from './RunbookCard';
import { RunbookForm } from './RunbookForm';
import { RunHistory } from './RunHistory';
import { useRecoveryData } from './useRecoveryData';

type Editing = { mode: 'create' | 'edit'; draft: RunbookDraft; key: number } | null;

export function RecoveryView({ selected }: { selected: string | null }) {
  const { api } = useServices();
  const { data, error, stale, fetchedAt, unavailable, reload } = useRecoveryData();
  const blocked = useActionBlock();
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState('');
  const seq = useRef(0);
  const open = (mode: 'create' | 'edit', draft: RunbookDraft) =>
    setEditing({ mode, draft, key: ++seq.current });

  // A link to one runbook (from an incident's run) brings it into view once it is listed.
  const listed = data?.runbooks.some((r) => r.id === selected) ?? false;
  useEffect(() => {
    if (!selected || !listed) return;
    document
      .querySelector(`[data-testid="runbook-${CSS.escape(selected)}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [selected, listed]);

  const act = async (done: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setNotice(done);
    } catch (err) {
      setNotice(`Failed: ${(err as Error).message}`);
    }
    await reload();
  };
  const changeMode = (id: string, name: string, mode: RunbookMode) =>
    act(`${name}: mode ${MODE_LABELS[mode].toLowerCase()}`, () => setRunbookMode(api, id, mode));

  const runbooks = data?.runbooks ?? [];
  return (
    <div className="view recovery" data-testid="view-recovery">
      <div className="toolbar">
        <span className="muted" data-testid="recovery-count">
          {data
            ? plural(runbooks.length, 'runbook')
            : unavailable
              ? 'No recovery service'
              : error
                ? 'Runbooks not loaded'
                : 'Loading runbooks…'}
        </span>
        <span className="toolbar__spacer" />
        {stale && <StaleMarker since={fetchedAt} what="recovery data" />}
        {error && !stale && !unavailable && (
          <span className="toolbar__error" role="alert">
            {error}
          </span>
        )}
        <span className="muted" aria-live="polite" data-testid="recovery-notice">
          {notice}
        </span>
        <ActionBlockNote reason={blocked} testId="recovery-blocked" />
        <button
          type="button"
          className="btn btn--primary"
          disabled={blocked !== null || unavailable}
          onClick={() => open('create', emptyRunbookDraft())}
          data-testid="runbook-new"
        >
          New runbook
        </button>
      </div>
      {unavailable && !data ? (
        <section className="panel recovery__empty" data-testid="recovery-unavailable">
          <h2>This console has no recovery service</h2>
          <p className="muted">Runbooks appear here once the console runs one.</p>
        </section>
      ) : (
        <>
          {editing && (
            <RunbookForm
              key={editing.key}
              mode={editing.mode}
              initial={editing.draft}
              onCancel={() => setEditing(null)}
              onSaved={(id) => {
                setEditing(null);
                setNotice(`Runbook ${id} saved`);
                void reload();
              }}
            />
          )}
          <div className={`recovery__body dims-when-stale${stale ? ' is-stale' : ''}`}>
            <RecoveryTiles overall={data?.overall ?? null} />
            <section className="recovery__runbooks" aria-label="Runbooks">
              {data && runbooks.length === 0 && (
                <p className="panel muted recovery__empty" data-testid="runbooks-empty">
                  No runbooks yet. A new runbook starts in dry run: it records what it would have
                  done, and acts only once switched to approval or automatic.
                </p>
              )}
              {runbooks.map((r) => (
                <RunbookCard
                  key={r.id}
                  runbook={r}
                  stats={data?.stats.get(r.id)}
                  selected={r.id === selected}
                  blocked={blocked !== null}
                  onMode={(mode) => void changeMode(r.id, r.name, mode)}
                  onEdit={() => open('edit', runbookDraftOf(r))}
                  onDelete={() =>
                    void act(`Runbook ${r.name} deleted`, () => deleteRunbook(api, r.id))
                  }
                />
              ))}
            </section>
            {data && <RunHistory data={data} />}
          </div>
        </>
      )}
    </div>
  );
}
