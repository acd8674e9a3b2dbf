// The agent's keys (issued on enrolment; the console keeps only their hashes): when each was
// made and last used, and a Revoke button that asks first, since revoking disconnects the
// agent at once and refuses it from then on.
import { useCallback, useState } from 'react';
import type { AgentKeyView } from '../../../../shared/credentials';
import { useServices } from '../../api/context';
import { ActionBlockNote, useActionBlock } from '../../components/stale';
import { ageSince, formatTimestamp } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { byField } from '../../lib/operator';
import { usePolled } from '../../lib/use-polled';

export function AgentKeys({ agentId, hostname }: { agentId: string; hostname: string }) {
  const { api } = useServices();
  const now = useServerNow();
  const [version, setVersion] = useState(0);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const blocked = useActionBlock();
  const load = useCallback(
    () =>
      api
        .request('GET /api/v1/agents/:id/keys', { params: { id: agentId } })
        .then((r) => (version >= 0 ? r.keys : [])),
    [api, agentId, version],
  );
  const keys: AgentKeyView[] | null = usePolled(load, 30_000).data;

  const revoke = async (keyId: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.post(
        'POST /api/v1/agents/:id/keys/:key/revoke',
        { id: agentId, key: keyId },
        byField(),
      );
      setConfirming(null);
      setVersion((v) => v + 1);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="drawer__section" data-testid="agent-keys">
      <h3>Keys</h3>
      {keys === null ? (
        <p className="muted">Loading…</p>
      ) : keys.length === 0 ? (
        <p className="muted" data-testid="agent-keys-none">
          No key of its own: this agent connects with the enrolment secret (an older agent, or
          protocol 1).
        </p>
      ) : (
        <ul className="agent-keys">
          {keys.map((k) => (
            <li key={k.keyId} data-testid="agent-key" data-key-id={k.keyId}>
              <div className="agent-keys__row">
                <code>{k.keyId}</code>
                <span className="muted">
                  made {formatTimestamp(k.createdAt)} · last used{' '}
                  {k.lastUsedAt === null ? 'never' : `${ageSince(k.lastUsedAt, now)} ago`}
                </span>
                {k.revokedAt !== null ? (
                  <span className="chip" data-testid="agent-key-revoked">
                    revoked {formatTimestamp(k.revokedAt)}
                    {k.revokedBy ? ` by ${k.revokedBy}` : ''}
                  </span>
                ) : (
                  confirming !== k.keyId && (
                    <button
                      type="button"
                      className="btn btn--danger"
                      disabled={blocked !== null}
                      onClick={() => setConfirming(k.keyId)}
                      data-testid="agent-key-revoke"
                    >
                      Revoke…
                    </button>
                  )
                )}
              </div>
              {confirming === k.keyId && (
                <div className="decommission" role="alertdialog" aria-label="Confirm revoke">
                  <p data-testid="agent-key-revoke-question">
                    Revoke key <code>{k.keyId}</code> of <strong>{hostname}</strong>? The agent is
                    disconnected now and refused from then on; it can only come back by enrolling
                    again as a new agent.
                  </p>
                  <div className="decommission__actions">
                    <button
                      type="button"
                      className="btn btn--danger"
                      disabled={busy || blocked !== null}
                      onClick={() => void revoke(k.keyId)}
                      data-testid="agent-key-revoke-confirm"
                    >
                      Revoke
                    </button>
                    <button
                      type="button"
                      className="btn btn--ghost"
                      disabled={busy}
                      onClick={() => setConfirming(null)}
                      data-testid="agent-key-revoke-cancel"
                    >
                      Cancel
                    </button>
                  </div>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <ActionBlockNote reason={blocked} testId="agent-keys-blocked" />
      {error && (
        <p className="decommission__error" role="alert" data-testid="agent-key-error">
          {error}
        </p>
      )}
    </section>
  );
}
