// Retire an agent that is gone for good (a replaced host), so it stops counting against its
// region's health. Two steps: the button, then a confirmation that says what happens.
import { useState } from 'react';
import type { Agent } from '../../../../shared/model';
import { useServices } from '../../api/context';
import { ActionBlockNote, useActionBlock } from '../../components/stale';

export function DecommissionAgent({
  agent,
  regionName,
  onDone,
}: {
  agent: Agent;
  regionName: string;
  onDone(): void;
}) {
  const { api, store } = useServices();
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [error, setError] = useState<string | null>(null);
  const blocked = useActionBlock();
  // Only an agent that is not reporting can be retired (the core refuses an online one).
  if (agent.status === 'online') return null;

  const confirm = async () => {
    setStep('busy');
    setError(null);
    try {
      await api.post('POST /api/v1/agents/:id/decommission', { id: agent.id }, {});
      store.removeAgent(agent.id);
      onDone();
    } catch (err) {
      setError((err as Error).message);
      setStep('idle');
    }
  };

  return (
    <section className="drawer__section" data-testid="agent-decommission-section">
      <h3>Decommission</h3>
      {step === 'idle' ? (
        <>
          <p className="muted">
            Gone for good (replaced or removed)? Retire it so it stops counting against {regionName}
            .
          </p>
          <button
            type="button"
            className="btn btn--danger"
            disabled={blocked !== null}
            onClick={() => setStep('confirm')}
            data-testid="agent-decommission"
          >
            Decommission…
          </button>
          <ActionBlockNote reason={blocked} testId="agent-decommission-blocked" />
        </>
      ) : (
        <div className="decommission" role="alertdialog" aria-label="Confirm decommission">
          <p data-testid="agent-decommission-question">
            Remove <strong>{agent.hostname}</strong> from the registry? It stops counting in{' '}
            {regionName}, its open alerts resolve, and its metric history stays until retention. If
            the host reports again, it registers afresh.
          </p>
          <div className="decommission__actions">
            <button
              type="button"
              className="btn btn--danger"
              disabled={step === 'busy' || blocked !== null}
              onClick={() => void confirm()}
              data-testid="agent-decommission-confirm"
            >
              Decommission
            </button>
            <button
              type="button"
              className="btn btn--ghost"
              disabled={step === 'busy'}
              onClick={() => setStep('idle')}
              data-testid="agent-decommission-cancel"
            >
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="decommission__error" role="alert" data-testid="agent-decommission-error">
          {error}
        </p>
      )}
    </section>
  );
}
