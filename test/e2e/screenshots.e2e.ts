// Screenshots of the views for docs/screenshots, with a realistic fleet: 40 agents, two
// cpu spikes, a hot host, a degraded region and one acknowledged alert; then four agents with
// an hour of history (rising, falling and flat series) for the explorer and the Trends page.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProbe, type Probe } from './history.js';
import { SHOT_PROBES } from './shot-probes.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

const OUT = join(import.meta.dirname, '../../docs/screenshots');
let stack: Stack;
let probes: Probe[] = [];

describe('screenshots', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 40, seed: 3 });
    await mkdir(OUT, { recursive: true });
  });
  afterAll(async () => {
    await Promise.all(probes.map((p) => p.stop()));
    await stack?.stop();
  });

  it('writes overview.png, agents.png, alerts.png, explore.png and trends.png', async () => {
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

    // Agents with an hour behind them (added last: the views above count 40 agents).
    probes = await Promise.all(SHOT_PROBES.map((spec) => startProbe(stack, spec)));
    await page.goto(
      `${stack.apiUrl}/#/explore?metric=cpu_usage&scope=agent:${probes[0]!.agentId}&agg=avg&range=1h`,
    );
    const chart = byTestId('explore-chart');
    await page.waitForSelector(`${chart}[data-status="ready"][data-live="on"]`, {
      timeout: 10_000,
    });
    // A few live points after the history, so the line runs to the right edge.
    const seeded = Number(await page.locator(chart).getAttribute('data-points'));
    await eventually(async () => {
      const points = Number(await page.locator(chart).getAttribute('data-points'));
      expect(points).toBeGreaterThanOrEqual(seeded + 2);
    }, 10_000);
    const box = (await page.locator(chart).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.79, box.y + box.height * 0.5);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(OUT, 'explore.png') });

    await page.click(byTestId('nav-trends'));
    await page.click(byTestId('trends-refresh'));
    await eventually(async () => {
      expect(await page.locator(byTestId('trend-row')).count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator(byTestId('percentile-row')).count()).toBeGreaterThanOrEqual(3);
    }, 5_000);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, 'trends.png') });
    if (process.env.MERIDIAN_SHOT_LIGHT) {
      await page.click(byTestId('theme-toggle'));
      await page.screenshot({ path: '/tmp/trends-light.png' });
      await page.click(`${byTestId('trend-row')} >> nth=0`);
      await page.waitForSelector(`${chart}[data-status="ready"]`);
      await page.waitForTimeout(1_000);
      await page.screenshot({ path: '/tmp/explore-light.png' });
      await page.click(byTestId('nav-alerts'));
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
