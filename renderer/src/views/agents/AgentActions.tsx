// The agent drawer's Recovery actions: the actions the agent's hello offered and the way the
// console reaches it to run one (its own connection, or the relay it is behind), or why none can
// run now. The console's answer (GET /api/v1/agents/:id/actions) is the recovery service's own
// routing, so a runbook author sees what a run would do. Reloaded when the agent's status
// changes, and every 10 s (a relay's link can go down while the agent it holds stays online).
import { useCallback, useEffect, useRef } from 'react';
import type { AgentStatus } from '../../../../shared/model';
import { useServices } from '../../api/context';
import { hrefFor } from '../../lib/route';
import { usePolled } from '../../lib/use-polled';

export function AgentActions({ agentId, status }: { agentId: string; status: AgentStatus }) {
  const { api } = useServices();
  const load = useCallback(
    () => api.request('GET /api/v1/agents/:id/actions', { params: { id: agentId } }),
    [api, agentId],
  );
  const { data, error, reload } = usePolled(load, 10_000);
  // usePolled loads on mount; after that, a status change is news about the route.
  const seen = useRef(status);
  useEffect(() => {
    if (seen.current === status) return;
    seen.current = status;
    void reload();
  }, [status, reload]);

  return (
    <section className="drawer__section" data-testid="agent-actions">
      <h3>
        Recovery actions{' '}
        <a className="muted" href={hrefFor('recovery')}>
          runbooks
        </a>
      </h3>
      {!data ? (
        <p className="muted">{error ? `Not loaded: ${error}` : 'Loading…'}</p>
      ) : (
        <>
          {error && (
            <p className="muted" data-testid="agent-actions-stale">
              Stale: the console did not answer ({error}).
            </p>
          )}
          {data.offered === null ? (
            <p data-testid="agent-actions-reason">
              None can run now: {data.reason ?? 'not connected'}.
            </p>
          ) : (
            <>
              {data.offered.length === 0 ? (
                <p className="muted" data-testid="agent-actions-none">
                  It offers none: its hello listed no actions.
                </p>
              ) : (
                <div className="chips" data-testid="agent-actions-offered">
                  {data.offered.map((name) => (
                    <code className="chip" key={name} data-testid="agent-action" data-action={name}>
                      {name}
                    </code>
                  ))}
                </div>
              )}
              <p className="muted" data-testid="agent-actions-route" data-route={data.route}>
                {data.route === 'relay' && data.relay ? (
                  <>
                    via relay <a href={hrefFor('relays')}>{data.relay.name}</a>
                  </>
                ) : (
                  "via the console's connection"
                )}
              </p>
            </>
          )}
        </>
      )}
    </section>
  );
}
