// The ingest port's enrolment secret: what a new agent presents once to get its own key.
// Rotating it refuses the old secret from now on; agents already enrolled keep their keys.
import { useState } from 'react';
import { useServices } from '../../api/context';
import { ActionBlockNote, useActionBlock } from '../../components/stale';
import { byField } from '../../lib/operator';

export function EnrolmentPanel() {
  const { api } = useServices();
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const blocked = useActionBlock();

  const rotate = async () => {
    setStep('busy');
    setError(null);
    try {
      const r = await api.post('POST /api/v1/ingest/enrolment-secret/rotate', {}, byField());
      setDone(r.secret);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setStep('idle');
    }
  };

  return (
    <section className="panel settings-panel" data-testid="enrolment-panel">
      <header className="panel__head">
        <h2>Agent enrolment</h2>
        <span className="panel__sub">
          new agents present the secret once, then use a key of their own
        </span>
      </header>
      <div className="settings-panel__body">
        {step === 'confirm' ? (
          <div className="decommission" role="alertdialog" aria-label="Confirm rotation">
            <p>
              Rotate the enrolment secret? New agents will need the new one; agents already enrolled
              keep connecting with their own keys.
            </p>
            <div className="decommission__actions">
              <button
                type="button"
                className="btn btn--danger"
                disabled={blocked !== null}
                onClick={() => void rotate()}
                data-testid="enrolment-rotate-confirm"
              >
                Rotate
              </button>
              <button
                type="button"
                className="btn btn--ghost"
                onClick={() => setStep('idle')}
                data-testid="enrolment-rotate-cancel"
              >
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <button
            type="button"
            className="btn"
            disabled={step === 'busy' || blocked !== null}
            onClick={() => setStep('confirm')}
            data-testid="enrolment-rotate"
          >
            Rotate enrolment secret…
          </button>
        )}
        <ActionBlockNote reason={blocked} testId="enrolment-rotate-blocked" />
        {done && (
          <p className="muted" data-testid="enrolment-rotated">
            Rotated. The new secret is in the connect command on the first-run page and in{' '}
            <code>meridian token</code>.
          </p>
        )}
        {error && (
          <p className="decommission__error" role="alert" data-testid="enrolment-rotate-error">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}
