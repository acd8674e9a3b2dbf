// The agent drawer's Recovery actions part in the browser: a simulated agent's offered actions
// (its hello offers clean_tmp and restart_service) and that the console reaches it over its own
// connection; once the agent is killed, the drawer follows its status and says why none can run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentsPage } from '../../shared/api.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, waitForText } from './ui.js';

let stack: Stack;

describe("agent drawer's recovery actions", () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 2, seed: 11 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('lists the offered actions and the route, then the reason once the agent is gone', async () => {
    const sim = stack.sim!.agents[0]!;
    const agent = await eventually(async () => {
      const { body } = await stack.api<AgentsPage>('/api/v1/agents?fields=id,hostname,status');
      const a = body.agents.find((x) => x.hostname === sim.hostname);
      expect(a?.status).toBe('online');
      return a!;
    });
    const page = await openConsole(stack, `#/agents/${agent.id}`);
    const part = page.locator(byTestId('agent-actions'));
    await eventually(async () =>
      expect(
        await part
          .locator(byTestId('agent-action'))
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))),
      ).toEqual(['clean_tmp', 'restart_service']),
    );
    await waitForText(page, 'agent-actions-route', "via the console's connection");
    expect(await part.locator(byTestId('agent-actions-route')).getAttribute('data-route')).toBe(
      'direct',
    );

    stack.sim!.kill(sim.index);
    // The status change reloads the part, and a 10 s poll backs it up: a bound of two polls.
    await waitForText(page, 'agent-actions-reason', /None can run now: not connected/, 30_000);
    expect(await part.locator(byTestId('agent-action')).count()).toBe(0);
  });
});
