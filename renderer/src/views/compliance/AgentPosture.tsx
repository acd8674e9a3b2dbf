// The agent drawer's Posture section: the host controls' results for this agent, failing
// first, with the fact each was decided from (GET /api/v1/compliance/agents/:id).
import { useEffect, useState } from 'react';
import type { AgentPosture as Posture } from '../../../../shared/compliance';
import { useServices } from '../../api/context';
import { formatTimestamp } from '../../lib/format';
import { hrefFor } from '../../lib/route';
import { valueText } from './compliance-text';
import { ResultBadge } from './ControlRow';

const RANK = { fail: 0, unknown: 1, pass: 2 } as const;

export function AgentPosture({ agentId }: { agentId: string }) {
  const { api } = useServices();
  const [posture, setPosture] = useState<Posture | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.request('GET /api/v1/compliance/agents/:id', { params: { id: agentId } }).then(
      (p) => live && setPosture(p),
      (err: unknown) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [api, agentId]);

  const controls = posture
    ? [...posture.controls].sort((a, b) => RANK[a.result] - RANK[b.result])
    : [];
  return (
    <section className="drawer__section" data-testid="agent-posture">
      <h3>
        Posture <a href={hrefFor('compliance')}>compliance</a>
      </h3>
      {error ? (
        <p className="muted">Posture not available: {error}</p>
      ) : !posture ? (
        <p className="muted">Loading posture…</p>
      ) : posture.receivedAt === null ? (
        <p className="muted" data-testid="agent-posture-none">
          This agent sends no posture facts (an older agent, or started with --no-posture).
        </p>
      ) : (
        <ul className="posture">
          {controls.map((c) => (
            <li key={c.id} data-testid="agent-posture-control" data-result={c.result}>
              <ResultBadge result={c.result} /> {c.title}{' '}
              <span className="muted">
                {c.evidence.value !== null ? `${valueText(c.evidence.value)} · ` : ''}
                {c.evidence.reason ??
                  `${c.evidence.source} · ${formatTimestamp(c.evidence.collectedAt)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
