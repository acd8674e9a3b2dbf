// Screenshots of the three views for docs/screenshots, with a realistic fleet: 40 agents, two
// cpu spikes, a hot host, a degraded region and one acknowledged alert.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

const OUT = join(import.meta.dirname, '../../docs/screenshots');
let stack: Stack;

describe('screenshots', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 40, seed: 3 });
    await mkdir(OUT, { recursive: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('writes overview.png, agents.png and alerts.png', async () => {
    const sim = stack.sim!;
    const page = await openConsole(stack, '#/overview');
    await waitForText(page, 'kpi-agents-total', '40');
    sim.spike(0, 99, 120_000);
    sim.spike(9, 97, 120_000);
    sim.spike(14, 89, 120_000);
    const tokyo = sim.agents.filter((a) => a.region === 'ap-northeast-1').slice(0, 3);
    for (const a of tokyo) sim.kill(a.index);
    await page.waitForSelector(
      `${byTestId('region-marker-ap-northeast-1')}[data-status="degraded"]`,
      { timeout: 10_000 },
    );
    const open = await eventually(async () => {
      const alerts = await alertsIn(stack, 'open');
      expect(alerts.filter((a) => a.severity === 'critical').length).toBeGreaterThanOrEqual(4);
      return alerts;
    }, 10_000);
    const offline = open.find((a) => a.ruleId === 'agent_offline')!;
    await stack.api(`/api/v1/alerts/${offline.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'host being replaced' }),
    });
    // Let the rate tile gather a few seconds of history.
    await waitForText(page, 'kpi-latency-value', /ms|s$/, 5_000);
    await page.waitForTimeout(3_000);

    await page.hover(byTestId('region-marker-ap-northeast-1'));
    await page.waitForSelector(byTestId('map-tooltip'), { timeout: 2_000 });
    await page.screenshot({ path: join(OUT, 'overview.png') });

    await page.click(byTestId('nav-agents'));
    await waitForText(page, 'agent-count', '40 agents');
    await page.click(byTestId('sort-cpu'));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, 'agents.png') });

    await page.click(byTestId('nav-alerts'));
    await page.waitForSelector(byTestId('alert-row'), { timeout: 5_000 });
    await page.keyboard.press('j');
    await page.waitForSelector(byTestId('alert-detail'), { timeout: 2_000 });
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('k');
    await page.mouse.move(0, 0);
    await page.locator('body').focus();
    await page.screenshot({ path: join(OUT, 'alerts.png') });
    if (process.env.MERIDIAN_SHOT_LIGHT) {
      await page.click(byTestId('theme-toggle'));
      await page.screenshot({ path: '/tmp/alerts-light.png' });
      await page.click(byTestId('nav-overview'));
      await page.screenshot({ path: '/tmp/overview-light.png' });
      await page.click(byTestId('nav-agents'));
      await page.click(`${byTestId('agent-row')} >> nth=0`);
      await page.screenshot({ path: '/tmp/agents-light.png' });
      await page.click(byTestId('theme-toggle'));
      await page.screenshot({ path: '/tmp/agents-drawer.png' });
    }
  });
});
