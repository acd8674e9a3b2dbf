// First run (no agents): the connect command with the real ingest URL and agent token.
// Then the core stops answering: the banner says so, and goes once the core is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { byTestId, openConsole, textOf } from './ui.js';

let stack: Stack;

describe('first run', () => {
  beforeAll(async () => {
    stack = await startStack({});
  });
  afterAll(async () => {
    if (stack && stack.serve.exitCode === null) stack.serve.kill('SIGCONT');
    await stack?.stop();
  });

  it('shows how to connect an agent, with the exact command', async () => {
    const page = await openConsole(stack, '#/overview');
    await page.waitForSelector(byTestId('empty-state'));
    const { body: session } = await stack.api<{ ingestUrl: string; agentToken: string }>(
      '/api/v1/session',
    );
    expect(session.agentToken).toBe(AGENT_TOKEN);
    expect(session.ingestUrl).toBe(stack.ingestUrl);
    const command = await page
      .locator(byTestId('connect-command'), { hasText: 'meridian agent' })
      .textContent();
    expect(command).toBe(
      `meridian agent --url ${stack.ingestUrl} --token ${AGENT_TOKEN} --region us-east-1`,
    );

    await stack.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click(byTestId('copy-command'));
    await page.waitForSelector(`${byTestId('copy-command')} >> text=Copied`);
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
    // The agents view says the same on first run.
    await page.click(byTestId('nav-agents'));
    await page.waitForSelector(byTestId('empty-state'));
  });

  it('shows "Console unreachable" while the core does not answer, and recovers', async () => {
    const page = stack.page;
    expect(await page.locator(byTestId('conn-banner')).count()).toBe(0);
    // Freeze the core (no close frames: the page notices the silence by itself, after 5 s of it;
    // then reconnects with backoff once the core answers again): deadlines past those delays.
    stack.serve.kill('SIGSTOP');
    try {
      await page.waitForSelector(byTestId('conn-banner'), { timeout: 30_000 });
      expect(await textOf(page, 'conn-banner')).toContain('Console unreachable — reconnecting…');
      await page.waitForSelector(`${byTestId('conn-status')}[data-state="down"]`);
    } finally {
      stack.serve.kill('SIGCONT');
    }
    await page.waitForSelector(byTestId('conn-banner'), { state: 'detached', timeout: 30_000 });
    await page.waitForSelector(`${byTestId('conn-status')}[data-state="live"]`);
  });
});
