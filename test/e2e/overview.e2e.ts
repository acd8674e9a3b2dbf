// The map and KPI tiles against a 40-agent simulator; stopping agents turns regions red/amber.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, waitForText } from './ui.js';

const AGENTS = 40;
let stack: Stack;

describe('overview', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: AGENTS, seed: 11 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the four regions on the map and agent counts matching the simulator', async () => {
    const page = await openConsole(stack, '#/overview');
    await page.waitForSelector(byTestId('world-map'));
    const markers = page.locator('[data-testid^="region-marker-"]');
    await eventually(async () => expect(await markers.count()).toBe(DEFAULT_REGIONS.length));
    for (const r of DEFAULT_REGIONS) {
      await page.waitForSelector(
        `${byTestId(`region-marker-${r.id}`)}[data-status="active"][data-agents="${AGENTS / 4}"]`,
      );
    }
    await waitForText(page, 'kpi-agents-total', String(AGENTS));
    await waitForText(page, 'kpi-agents-online', String(AGENTS));
    await waitForText(page, 'kpi-critical-count', '0');
    // The core's own figures arrive with the stats message (every second).
    await waitForText(page, 'kpi-samples-value', /^[1-9]/);

    // Tooltip: name, status and online/total for the hovered region.
    await page.hover(byTestId('region-marker-eu-west-1'));
    const tip = page.locator(byTestId('map-tooltip'));
    await tip.waitFor();
    expect(await tip.textContent()).toContain('EU West (Ireland)');
    await waitForText(page, 'map-tooltip-agents', `${AGENTS / 4} / ${AGENTS / 4}`);
  });

  it('turns a region failed, and another degraded, when their agents stop', async () => {
    const page = stack.page;
    const sim = stack.sim!;
    const victims = sim.failRegion('ap-northeast-1', 0.75);
    expect(victims).toHaveLength(8);
    const west = sim.agents.filter((a) => a.region === 'us-west-2').slice(0, 3);
    for (const a of west) sim.kill(a.index);

    await page.waitForSelector(`${byTestId('region-marker-ap-northeast-1')}[data-status="failed"]`);
    await page.waitForSelector(`${byTestId('region-marker-us-west-2')}[data-status="degraded"]`);
    expect(
      await page.locator(byTestId('region-marker-us-east-1')).getAttribute('data-status'),
    ).toBe('active');
    await page.waitForSelector(`${byTestId('region-card-ap-northeast-1')}[data-status="failed"]`);
    await waitForText(page, 'region-agents-ap-northeast-1', '2 / 10');
    await waitForText(page, 'region-agents-us-west-2', '7 / 10');
    await waitForText(page, 'kpi-agents-online', String(AGENTS - 11));

    // The map agrees with the API.
    const res = await stack.api<{ regions: { id: string; status: string }[] }>('/api/v1/regions');
    const status = Object.fromEntries(res.body.regions.map((r) => [r.id, r.status]));
    expect(status).toMatchObject({
      'ap-northeast-1': 'failed',
      'us-west-2': 'degraded',
      'us-east-1': 'active',
    });
  });
});
