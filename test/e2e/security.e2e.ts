// The Security page in Chromium (issue 13): the simulator's SSH brute force against one host
// shows as one detection, its events are found by source IP (from the detection and by typing
// the address), the top sources rank it first, and the agent drawer's Security section lists
// the host's recent authentication events.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/model.js';
import type { EventsPage } from '../../shared/api.js';
import { axeViolations, describeFindings } from './axe.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

const BRUTE_FORCE = 'd611737a-a302-49f4-89b6-3f80eca73682';
const ATTACKER = '203.0.113.66';
const OUT = resolve(import.meta.dirname, '../../test-results/security');

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ agents: 4, seed: 13 });
  await mkdir(OUT, { recursive: true });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('Security page', () => {
  it('shows a brute force as one detection whose events are filterable by source IP', async () => {
    const hostname = stack.sim!.agents[1]!.hostname;
    const agent = await eventually(async () => {
      const { body } = await stack.api<{ agents: Agent[] }>('/api/v1/agents');
      const a = body.agents.find((x) => x.hostname === hostname);
      expect(a).toBeDefined();
      return a!;
    });
    const sent = stack.sim!.bruteForce(1, { attempts: 14, sourceIp: ATTACKER });
    // Every event the run sent is stored (acked after fsync) before the page is asked.
    const stored = await eventually(async () => {
      const { body } = await stack.api<EventsPage>(
        `/api/v1/events?sourceIp=${ATTACKER}&limit=1000`,
      );
      expect(body.events.length).toBe(sent);
      return body.events;
    }, 30_000);

    const page = await openConsole(stack, '#/security');
    const detection = page.locator(`${byTestId('security-detection')}[data-rule="${BRUTE_FORCE}"]`);
    await detection.first().waitFor();
    await eventually(async () => expect(await detection.count()).toBe(1));
    expect(await detection.textContent()).toContain('SSH brute force');
    expect(await detection.textContent()).toContain(hostname);
    expect(await detection.textContent()).toContain(`from ${ATTACKER}`);
    // The top sources rank the attacker first.
    await eventually(async () =>
      expect(
        await page.locator(byTestId('security-source')).first().getAttribute('data-source-ip'),
      ).toBe(ATTACKER),
    );

    // From the detection: only the attacker's events.
    await detection.locator(byTestId('security-detection-source')).click();
    await eventually(async () => {
      expect(page.url()).toContain(`sourceIp=${ATTACKER}`);
      const ips = await page
        .locator(byTestId('security-event'))
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source-ip')));
      expect(ips).toHaveLength(stored.length);
      expect(new Set(ips)).toEqual(new Set([ATTACKER]));
    });
    await page.screenshot({ path: join(OUT, 'security-filtered.png') });

    // Cleared, then typed: the same rows.
    await page.locator(byTestId('security-filter-clear')).click();
    await eventually(async () => expect(page.url()).not.toContain('sourceIp='));
    const input = page.locator(byTestId('security-filter-source-ip'));
    await input.fill(ATTACKER);
    await input.press('Enter');
    await eventually(async () => {
      const ips = await page
        .locator(byTestId('security-event'))
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source-ip')));
      expect(ips).toHaveLength(stored.length);
      expect(new Set(ips)).toEqual(new Set([ATTACKER]));
    });

    // The agent drawer's Security section lists the host's recent authentication events.
    await page.goto(`${stack.consoleUrl}#/agents/${agent.id}`);
    const auth = page.locator(byTestId('agent-security-auth'));
    await auth.waitFor();
    expect(await auth.textContent()).toContain(ATTACKER);
    await auth.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, 'agent-drawer-security.png') });
  }, 120_000);

  it('passes axe (no serious or critical findings) in both themes', async () => {
    const { page } = stack;
    for (const theme of ['dark', 'light'] as const) {
      await page.goto(`${stack.consoleUrl}#/security?sourceIp=${ATTACKER}`);
      await page.evaluate(`localStorage.setItem('meridian.theme', '${theme}')`);
      await page.reload();
      await page.waitForSelector(`html[data-theme="${theme}"]`);
      await page.locator(byTestId('security-event')).first().waitFor();
      await page.locator(byTestId('security-detection')).first().waitFor();
      const findings = await axeViolations(page);
      expect(describeFindings(findings), theme).toBe('');
    }
  }, 60_000);
});
