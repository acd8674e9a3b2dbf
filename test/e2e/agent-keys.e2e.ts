// Issue 13 in the browser: the agent drawer's Keys section lists the key the agent enrolled
// with; Revoke asks first, then the key shows revoked and the agent is cut off at once. The
// Settings page's rotate button goes through the real API (here the secret is fixed by
// MERIDIAN_AGENT_TOKEN, so the console's refusal is shown as it says it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentKeyView } from '../../shared/credentials.js';
import type { AgentsPage } from '../../shared/api.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, waitForText } from './ui.js';

let stack: Stack;

describe('agent keys', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 3, seed: 3 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lists the agent's key and revokes it after a confirmation: the agent goes offline", async () => {
    const victim = stack.sim!.agents[1]!;
    const { body } = await stack.api<AgentsPage>('/api/v1/agents?fields=id,hostname,status');
    const agent = body.agents.find((a) => a.hostname === victim.hostname)!;
    const keyId = victim.uplink.keyId!;
    expect(keyId).toBeTruthy();

    const page = await openConsole(stack, `#/agents/${agent.id}`);
    const row = page.locator(`${byTestId('agent-key')}[data-key-id="${keyId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('last used');

    // The first click only asks; Cancel leaves the key alone.
    await row.locator(byTestId('agent-key-revoke')).click();
    await waitForText(page, 'agent-key-revoke-question', new RegExp(victim.hostname));
    await page.click(byTestId('agent-key-revoke-cancel'));
    await page.waitForSelector(byTestId('agent-key-revoke-question'), { state: 'detached' });
    expect(victim.uplink.connected).toBe(true);

    await row.locator(byTestId('agent-key-revoke')).click();
    await page.click(byTestId('agent-key-revoke-confirm'));
    await row.locator(byTestId('agent-key-revoked')).waitFor();
    const keys = await stack.api<{ keys: AgentKeyView[] }>(`/api/v1/agents/${agent.id}/keys`);
    expect(keys.body.keys[0]!.revokedAt).not.toBeNull();
    // Cut off at once, and it stays off (4013 is final for the agent).
    await eventually(() => expect(victim.uplink.connected).toBe(false));
    await eventually(async () => {
      const now = await stack.api<AgentsPage>('/api/v1/agents?fields=id,hostname,status');
      expect(now.body.agents.find((a) => a.id === agent.id)!.status).not.toBe('online');
    });
  });

  it('the Settings rotate button asks, then shows what the console answered', async () => {
    const page = await openConsole(stack, '#/settings');
    await page.click(byTestId('enrolment-rotate'));
    await page.click(byTestId('enrolment-rotate-confirm'));
    await waitForText(page, 'enrolment-rotate-error', /MERIDIAN_AGENT_TOKEN/);
  });
});
