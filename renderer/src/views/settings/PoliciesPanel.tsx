import { useCallback, useState } from 'react';
import type { ChannelView, PolicyInput } from '../../../../shared/notify';
import { useServices } from '../../api/context';
import { parseDelay, policyScope, policyText } from '../../lib/policy-text';
import { usePolled } from '../../lib/use-polled';

interface StepDraft {
  delay: string;
  channelId: string;
}

/** Escalation policies: ordered steps ("notify X; after 5 min unacknowledged, notify Y"). */
export function PoliciesPanel({ channels }: { channels: readonly ChannelView[] }) {
  const { api } = useServices();
  const load = useCallback(() => api.get('GET /api/v1/policies').then((r) => r.policies), [api]);
  const { data, error, reload } = usePolled(load, 15_000);
  const names = new Map(channels.map((c) => [c.id, c.name]));
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [critical, setCritical] = useState(true);
  const [steps, setSteps] = useState<StepDraft[]>([{ delay: '0', channelId: '' }]);
  const [formError, setFormError] = useState<string | null>(null);

  const setStep = (i: number, patch: Partial<StepDraft>) =>
    setSteps((s) => s.map((x, n) => (n === i ? { ...x, ...patch } : x)));
  const moveStep = (i: number, d: -1 | 1) =>
    setSteps((s) => {
      const j = i + d;
      if (j < 0 || j >= s.length) return s;
      const n = [...s];
      [n[i], n[j]] = [n[j]!, n[i]!];
      return n;
    });

  const save = async () => {
    const parsed = steps.map((s) => ({ afterMs: parseDelay(s.delay), channelIds: [s.channelId] }));
    const bad = parsed.findIndex((s) => s.afterMs === null || !s.channelIds[0]);
    if (!name.trim()) return setFormError('Name the policy.');
    if (bad >= 0) return setFormError(`Step ${bad + 1}: give a delay (5, 90s, 1h) and a channel.`);
    const body: PolicyInput = {
      name: name.trim(),
      ...(critical ? { match: { severities: ['critical'] } } : {}),
      steps: parsed.map((s) => ({ afterMs: s.afterMs!, channelIds: s.channelIds })),
    };
    try {
      await api.post('POST /api/v1/policies', {} as Record<string, never>, body);
      setAdding(false);
      setName('');
      setSteps([{ delay: '0', channelId: '' }]);
      setFormError(null);
      await reload();
    } catch (err) {
      setFormError((err as Error).message);
    }
  };

  const remove = async (id: string) => {
    try {
      await api.request('DELETE /api/v1/policies/:id', { params: { id } });
    } catch (err) {
      setFormError((err as Error).message);
    }
    await reload();
  };

  return (
    <section className="panel settings-panel" data-testid="policies-panel">
      <header className="panel__head">
        <h2>Escalation policies</h2>
        <span className="panel__sub">ordered steps, repeated until acknowledged</span>
        {!adding && (
          <button
            type="button"
            className="btn btn--small panel__link"
            onClick={() => setAdding(true)}
            data-testid="policy-add"
          >
            Add policy
          </button>
        )}
      </header>
      <div className="settings-panel__body">
        {error && <p className="toolbar__error">Policies unavailable: {error}</p>}
        {data && data.length === 0 && <p className="muted">No policies: nothing escalates.</p>}
        <ol className="policy-list">
          {(data ?? []).map((p) => (
            <li key={p.id} data-testid="policy-row" data-policy-id={p.id}>
              <strong>{p.name}</strong> <span className="muted">({policyScope(p)})</span>
              <span className="policy-list__steps">{policyText(p, names)}</span>
              <button
                type="button"
                className="btn btn--small btn--ghost"
                onClick={() => void remove(p.id)}
              >
                Delete
              </button>
            </li>
          ))}
        </ol>
        {adding && (
          <form
            className="channel-form"
            data-testid="policy-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <div className="field-row">
              <label className="field field--grow">
                <span className="field__label">Name</span>
                <input
                  className="input"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  data-testid="policy-name"
                />
              </label>
              <label className="field field--check">
                <input
                  type="checkbox"
                  checked={critical}
                  onChange={(e) => setCritical(e.target.checked)}
                />{' '}
                critical incidents only
              </label>
            </div>
            <ol className="policy-steps">
              {steps.map((s, i) => (
                <li key={i} className="field-row" data-testid="policy-step">
                  <label className="field">
                    <span className="field__label">
                      {i === 0 ? 'After opening' : 'Then, unacknowledged after'}
                    </span>
                    <input
                      className="input"
                      value={s.delay}
                      onChange={(e) => setStep(i, { delay: e.target.value })}
                      aria-describedby="delay-hint"
                    />
                  </label>
                  <label className="field field--grow">
                    <span className="field__label">Notify</span>
                    <select
                      className="input"
                      value={s.channelId}
                      onChange={(e) => setStep(i, { channelId: e.target.value })}
                    >
                      <option value="">choose a channel</option>
                      {channels.map((c) => (
                        <option key={c.id} value={c.id}>
                          {c.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button
                    type="button"
                    className="btn btn--small btn--ghost"
                    onClick={() => moveStep(i, -1)}
                    disabled={i === 0}
                    aria-label={`Move step ${i + 1} up`}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn btn--small btn--ghost"
                    onClick={() => setSteps((x) => x.filter((_, n) => n !== i))}
                    disabled={steps.length === 1}
                    aria-label={`Remove step ${i + 1}`}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ol>
            <p id="delay-hint" className="muted small">
              Delays in minutes (5), or with a unit: 90s, 1h.
            </p>
            {formError && (
              <p className="field-error" role="alert">
                {formError}
              </p>
            )}
            <div className="field-row">
              <button
                type="button"
                className="btn btn--small"
                onClick={() => setSteps((x) => [...x, { delay: '5', channelId: '' }])}
                disabled={steps.length >= 10}
              >
                Add step
              </button>
              <button type="submit" className="btn btn--primary" data-testid="policy-save">
                Save policy
              </button>
              <button type="button" className="btn btn--ghost" onClick={() => setAdding(false)}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </div>
    </section>
  );
}
