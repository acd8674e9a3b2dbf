// Rules (#/rules): every rule with its open alerts now, an enable switch, edit, duplicate and
// delete (asked twice); "New rule" and edit open the form above the table, with the preview.
import { useRef, useState } from 'react';
import type { Rule } from '../../../../shared/rules';
import { useServices } from '../../api/context';
import { ActionBlockNote, useActionBlock } from '../../components/stale';
import { plural } from '../../lib/format';
import {
  copyId,
  draftOf,
  emptyDraft,
  KIND_LABELS,
  ruleSummary,
  severityOf,
  type Draft,
} from './rule-draft';
import { RuleForm } from './RuleForm';
import { useRules, type RuleCounts } from './useRules';

type Editing = { mode: 'create' | 'edit'; draft: Draft; key: number } | null;

export function RulesView() {
  const { api } = useServices();
  const { rules, error, reload, counts } = useRules();
  const [editing, setEditing] = useState<Editing>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<string>('');
  const blocked = useActionBlock();
  const seq = useRef(0);
  const open = (mode: 'create' | 'edit', draft: Draft) =>
    setEditing({ mode, draft, key: ++seq.current });

  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setNotice(what);
    } catch (err) {
      setNotice(`Failed: ${(err as Error).message}`);
    }
    await reload();
  };
  const toggle = (r: Rule) =>
    act(`Rule ${r.id} ${r.enabled ? 'disabled' : 'enabled'}`, () =>
      api.request('PUT /api/v1/rules/:id', {
        params: { id: r.id },
        body: { rule: { ...r, enabled: !r.enabled } },
      }),
    );
  const remove = (r: Rule) =>
    act(`Rule ${r.id} deleted`, async () => {
      setConfirming(null);
      await api.request('DELETE /api/v1/rules/:id', { params: { id: r.id }, query: {} });
    });
  const duplicate = (r: Rule) => {
    const taken = new Set((rules ?? []).map((x) => x.id));
    open('create', { ...draftOf(r), id: copyId(r.id, taken) });
  };

  return (
    <div className="view rules" data-testid="view-rules">
      <div className="toolbar">
        <span className="muted" data-testid="rules-count">
          {rules ? plural(rules.length, 'rule') : error ? 'Rules not loaded' : 'Loading rules…'}
        </span>
        {error && (
          <span className="toolbar__error" role="alert">
            {error}
          </span>
        )}
        <span className="toolbar__spacer" />
        <span className="muted" aria-live="polite" data-testid="rules-notice">
          {notice}
        </span>
        <ActionBlockNote reason={blocked} testId="rules-blocked" />
        <button
          type="button"
          className="btn btn--primary"
          disabled={blocked !== null}
          onClick={() => open('create', emptyDraft())}
          data-testid="rule-new"
        >
          New rule
        </button>
      </div>
      {editing && (
        <RuleForm
          key={editing.key}
          mode={editing.mode}
          initial={editing.draft}
          onCancel={() => setEditing(null)}
          onSaved={(id) => {
            setEditing(null);
            setNotice(`Rule ${id} saved`);
            void reload();
          }}
        />
      )}
      <section className="panel rules__table">
        <header className="panel__head">
          <h2 id="rules-title">Rules</h2>
          <span className="panel__sub">open alerts live from the fleet</span>
        </header>
        <div className="rules__scroll">
          <table className="data-table" aria-labelledby="rules-title" data-testid="rules-table">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Kind</th>
                <th scope="col">Condition</th>
                <th scope="col">Severity</th>
                <th scope="col" className="is-right">
                  Firing
                </th>
                <th scope="col">Enabled</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(rules ?? []).map((r) => (
                <RuleRow
                  key={r.id}
                  rule={r}
                  counts={counts.get(r.id)}
                  blocked={blocked !== null}
                  confirming={confirming === r.id}
                  onToggle={() => void toggle(r)}
                  onEdit={() => open('edit', draftOf(r))}
                  onDuplicate={() => duplicate(r)}
                  onDelete={() => setConfirming(r.id)}
                  onConfirm={() => void remove(r)}
                  onCancelDelete={() => setConfirming(null)}
                />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

interface RowProps {
  rule: Rule;
  counts: RuleCounts | undefined;
  blocked: boolean;
  confirming: boolean;
  onToggle(): void;
  onEdit(): void;
  onDuplicate(): void;
  onDelete(): void;
  onConfirm(): void;
  onCancelDelete(): void;
}

function RuleRow(p: RowProps) {
  const { rule: r } = p;
  const firing = p.counts?.firing ?? 0;
  const pending = p.counts?.pending ?? 0;
  return (
    <tr data-testid={`rule-row-${r.id}`} className={r.enabled ? undefined : 'is-disabled'}>
      <th scope="row">
        <div className="rules__name">
          <span className="cell-strong">{r.id}</span>
          <span className="muted">{r.description}</span>
          {r.runbookUrl && (
            <a href={r.runbookUrl} target="_blank" rel="noreferrer noopener">
              runbook
            </a>
          )}
        </div>
      </th>
      <td>{KIND_LABELS[r.kind]}</td>
      <td>{ruleSummary(r)}</td>
      <td>{severityOf(r)}</td>
      <td className="is-right num" data-testid={`rule-firing-${r.id}`} data-firing={firing}>
        {firing}
        {pending > 0 && <span className="muted"> (+{pending} pending)</span>}
      </td>
      <td>
        <button
          type="button"
          role="switch"
          aria-checked={r.enabled}
          aria-label={`Rule ${r.id} enabled`}
          className={`switch${r.enabled ? ' is-on' : ''}`}
          disabled={p.blocked}
          onClick={p.onToggle}
          data-testid={`rule-toggle-${r.id}`}
        >
          <span aria-hidden="true">{r.enabled ? 'On' : 'Off'}</span>
        </button>
      </td>
      <td>
        <div className="rules__actions">
          {p.confirming ? (
            <span role="group" aria-label={`Delete rule ${r.id}?`}>
              <span className="rules__confirm">Delete {r.id}?</span>
              <button
                type="button"
                className="btn btn--small btn--danger"
                autoFocus
                onClick={p.onConfirm}
                data-testid={`rule-confirm-delete-${r.id}`}
              >
                Delete
              </button>
              <button type="button" className="btn btn--small" onClick={p.onCancelDelete}>
                Keep
              </button>
            </span>
          ) : (
            <>
              <button
                type="button"
                className="btn btn--small"
                disabled={p.blocked}
                aria-label={`Edit rule ${r.id}`}
                onClick={p.onEdit}
                data-testid={`rule-edit-${r.id}`}
              >
                Edit
              </button>
              <button
                type="button"
                className="btn btn--small"
                disabled={p.blocked}
                aria-label={`Duplicate rule ${r.id}`}
                onClick={p.onDuplicate}
                data-testid={`rule-duplicate-${r.id}`}
              >
                Duplicate
              </button>
              <button
                type="button"
                className="btn btn--small"
                disabled={p.blocked}
                aria-label={`Delete rule ${r.id}`}
                onClick={p.onDelete}
                data-testid={`rule-delete-${r.id}`}
              >
                Delete
              </button>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}
