// Screenshots of the views with a realistic fleet: 40 agents, two cpu spikes, a hot host, a
// degraded region and one acknowledged alert; then four agents with an hour of history (rising,
// falling and flat series) for the explorer and the Trends page; last the degraded region's
// page, by then with a minute or two of its recorded health.
// `npm test` writes them to test-results/screenshots (ignored by git); `npm run screenshots`
// sets MERIDIAN_SCREENSHOT_DIR=docs/screenshots to refresh the README's images on purpose.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProbe, type Probe } from './history.js';
import { SHOT_PROBES } from './shot-probes.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

const ROOT = join(import.meta.dirname, '../..');
const OUT = resolve(ROOT, process.env.MERIDIAN_SCREENSHOT_DIR ?? 'test-results/screenshots');
let stack: Stack;
let probes: Probe[] = [];

/** Resolves once the page has painted two more frames (what was just hovered or clicked is drawn). */
const painted = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((done) => {
        // Runs in the page (the test is compiled with node types, which have no rAF).
        const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): number };
        g.requestAnimationFrame(() => g.requestAnimationFrame(() => done()));
      }),
  );

/** Points in the overview's samples/s sparkline (it gains one with each stats message, every second). */
const rateHistory = (page: Page) =>
  page
    .locator(`${byTestId('kpi-samples')} polyline`)
    .evaluateAll((lines) => (lines[0]?.getAttribute('points') ?? '').trim().split(/\s+/).length);

describe('screenshots', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 40, seed: 3 });
    await mkdir(OUT, { recursive: true });
  });
  afterAll(async () => {
    await Promise.all(probes.map((p) => p.stop()));
    await stack?.stop();
  });

  // Three 15 s region-history steps in real time plus six pages: about 60 s idle, more when loaded.
  it('writes overview.png, agents.png, alerts.png, explore.png, trends.png and region.png', async () => {
    const sim = stack.sim!;
    const page = await openConsole(stack, '#/overview');
    await waitForText(page, 'kpi-agents-total', '40');
    // Spikes outlast the run however slowly it goes (a spike that ended would resolve its alert).
    sim.spike(0, 99, 10 * 60_000);
    sim.spike(9, 97, 10 * 60_000);
    sim.spike(14, 89, 10 * 60_000);
    const tokyo = sim.agents.filter((a) => a.region === 'ap-northeast-1').slice(0, 3);
    for (const a of tokyo) sim.kill(a.index);
    await page.waitForSelector(
      `${byTestId('region-marker-ap-northeast-1')}[data-status="degraded"]`,
    );
    const open = await eventually(async () => {
      const alerts = await alertsIn(stack, 'open');
      expect(alerts.filter((a) => a.severity === 'critical').length).toBeGreaterThanOrEqual(4);
      return alerts;
    });
    const offline = open.find((a) => a.ruleId === 'agent_offline')!;
    await stack.api(`/api/v1/alerts/${offline.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'host being replaced' }),
    });
    // The rate tile's sparkline needs a few seconds of history to read as a line.
    await waitForText(page, 'kpi-latency-value', /ms|s$/);
    await eventually(async () => expect(await rateHistory(page)).toBeGreaterThanOrEqual(4));

    await page.hover(byTestId('region-marker-ap-northeast-1'));
    await page.waitForSelector(byTestId('map-tooltip'));
    await page.screenshot({ path: join(OUT, 'overview.png') });

    await page.click(byTestId('nav-agents'));
    await waitForText(page, 'agent-count', '40 agents');
    await page.click(byTestId('sort-cpu'));
    await page.mouse.move(0, 0);
    await painted(page);
    await page.screenshot({ path: join(OUT, 'agents.png') });

    await page.click(byTestId('nav-alerts'));
    await page.waitForSelector(byTestId('alert-row'));
    await page.keyboard.press('j');
    await page.waitForSelector(byTestId('alert-detail'));
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await waitForText(page, 'selection-count', '1 selected');
    await page.keyboard.press('k');
    await page.waitForSelector(`${byTestId('alert-row')}[data-focused="true"] >> nth=0`);
    await page.mouse.move(0, 0);
    await page.locator('body').focus();
    await painted(page);
    await page.screenshot({ path: join(OUT, 'alerts.png') });

    // Agents with an hour behind them (added last: the views above count 40 agents).
    probes = await Promise.all(SHOT_PROBES.map((spec) => startProbe(stack, spec)));
    await page.goto(
      `${stack.apiUrl}/#/explore?metric=cpu_usage&scope=agent:${probes[0]!.agentId}&agg=avg&range=1h`,
    );
    const chart = byTestId('explore-chart');
    await page.waitForSelector(`${chart}[data-status="ready"][data-live="on"]`);
    // A few live points after the history, so the line runs to the right edge.
    const seeded = Number(await page.locator(chart).getAttribute('data-points'));
    await eventually(async () => {
      const points = Number(await page.locator(chart).getAttribute('data-points'));
      expect(points).toBeGreaterThanOrEqual(seeded + 2);
    });
    const box = (await page.locator(chart).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.79, box.y + box.height * 0.5);
    // The chart has no animation: the tooltip is drawn in the frame after the hover.
    await painted(page);
    await page.screenshot({ path: join(OUT, 'explore.png') });

    await page.click(byTestId('nav-trends'));
    await page.click(byTestId('trends-refresh'));
    await eventually(async () => {
      expect(await page.locator(byTestId('trend-row')).count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator(byTestId('percentile-row')).count()).toBeGreaterThanOrEqual(3);
    });
    await page.mouse.move(0, 0);
    await painted(page);
    await page.screenshot({ path: join(OUT, 'trends.png') });

    // The region page, reached as an operator would: from its marker on the map. One of the
    // lost Tokyo hosts comes back first, so its health history shows the dip and a recovery.
    sim.revive(tokyo[0]!.index);
    await page.click(byTestId('nav-overview'));
    await page.click(byTestId('region-marker-ap-northeast-1'));
    await page.waitForSelector(`${byTestId('view-region')}[data-region="ap-northeast-1"]`);
    // Steps are 15 s: wait for a few after the recovery (a step shows its fewest online).
    const history = page.locator(byTestId('region-history-chart'));
    const before = Number(await history.getAttribute('data-points'));
    await eventually(async () => {
      expect(Number(await history.getAttribute('data-points'))).toBeGreaterThanOrEqual(before + 3);
      expect(await page.locator(byTestId('region-trend-row')).count()).toBeGreaterThanOrEqual(2);
    }, 120_000);
    await page.mouse.move(0, 0);
    await painted(page);
    await page.screenshot({ path: join(OUT, 'region.png') });
    if (process.env.MERIDIAN_SHOT_LIGHT) {
      // The light theme, and an agent's drawer, for a look (not in the README).
      await page.click(byTestId('theme-toggle'));
      await painted(page);
      await page.screenshot({ path: join(OUT, 'trends-light.png') });
      await page.click(`${byTestId('trend-row')} >> nth=0`);
      await page.waitForSelector(`${chart}[data-status="ready"]`);
      await painted(page);
      await page.screenshot({ path: join(OUT, 'explore-light.png') });
      await page.click(byTestId('nav-alerts'));
      await page.waitForSelector(byTestId('alert-row'));
      await painted(page);
      await page.screenshot({ path: join(OUT, 'alerts-light.png') });
      await page.click(byTestId('nav-overview'));
      await page.waitForSelector(byTestId('world-map'));
      await painted(page);
      await page.screenshot({ path: join(OUT, 'overview-light.png') });
      await page.click(byTestId('nav-agents'));
      await page.click(`${byTestId('agent-row')} >> nth=0`);
      await page.waitForSelector(byTestId('agent-drawer'));
      await painted(page);
      await page.screenshot({ path: join(OUT, 'agents-light.png') });
      await page.click(byTestId('theme-toggle'));
      await painted(page);
      await page.screenshot({ path: join(OUT, 'agents-drawer.png') });
    }
  }, 300_000);
});
