// GET /api/v1/agents/:id/actions through the real core: which recovery actions an agent's
// hello offered and how the console reaches it, over real HTTP, with the agent on a real
// WebSocket. The relay route is asserted in relay-actions.test.ts (its relay is slow to start).
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentActionsView } from '../../shared/agent-actions.js';
import type { ApiError } from '../../shared/api.js';
import { connectAgent, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function core(): Promise<TestCore> {
  const c = await startTestCore();
  cleanup.push(() => c.stop());
  return c;
}

const actionsOf = (c: TestCore, id: string) =>
  c.api<AgentActionsView & ApiError>(`/api/v1/agents/${id}/actions`);

describe('GET /api/v1/agents/:id/actions', () => {
  it("lists a connected agent's offered actions, route direct; once it disconnects, none and why", async () => {
    const c = await core();
    const agent = await connectAgent(c.addr.ingestUrl, {
      hostname: 'db-7',
      capabilities: { actions: ['clean_tmp', 'restart_service'] },
    });
    const live = await actionsOf(c, agent.agentId);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({
      offered: ['clean_tmp', 'restart_service'],
      route: 'direct',
      relay: null,
      reason: null,
    });

    await agent.close();
    const gone = await waitFor(
      async () => {
        const r = await actionsOf(c, agent.agentId);
        return r.body.offered === null && r;
      },
      undefined,
      'the endpoint to say no action can reach the closed agent',
    );
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ offered: null, route: null, relay: null });
    expect(gone.body.reason).toMatch(/^not connected/);
  });

  it('an agent that offers no actions: an empty list on its direct route', async () => {
    const c = await core();
    const agent = await connectAgent(c.addr.ingestUrl, { hostname: 'plain-1' });
    cleanup.push(() => agent.close());
    expect((await actionsOf(c, agent.agentId)).body).toEqual({
      offered: [],
      route: 'direct',
      relay: null,
      reason: null,
    });
  });

  it('an unknown agent id: 404 with a JSON error, counted', async () => {
    const c = await core();
    const before = await c.metric('meridian_api_requests_rejected_total', { reason: 'not_found' });
    const res = await actionsOf(c, 'agt-nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'no agent agt-nope' });
    expect(await c.metric('meridian_api_requests_rejected_total', { reason: 'not_found' })).toBe(
      before + 1,
    );
  });
});
