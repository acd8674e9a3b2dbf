// The region page against a 40-agent simulator: the map marker (by mouse and by keyboard), the
// region card and an alert of the region all lead there; it shows the region's health over time,
// agents by service and status, open alerts, top resource users, trends and Explore links, and
// follows an outage as it happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Alert } from '../../shared/model.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, textOf, waitForText } from './ui.js';

const AGENTS = 40;
let stack: Stack;

const regionPage = (page: Page, id: string) =>
  page.waitForSelector(`${byTestId('view-region')}[data-region="${id}"]`);

/** The test id of what has keyboard focus (an expression evaluated in the page). */
const focusedTestId = (page: Page) =>
  page.evaluate<string>("document.activeElement?.getAttribute('data-testid') ?? ''");

/** Press Tab until the element with `testId` has focus (as a keyboard user would reach it). */
async function tabTo(page: Page, testId: string): Promise<void> {
  await page.locator('body').focus();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if ((await focusedTestId(page)) === testId) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

describe('region page', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: AGENTS, seed: 5 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('opens from a map marker and shows the region’s agents, top users and Explore links', async () => {
    const page = await openConsole(stack, '#/overview');
    await waitForText(page, 'kpi-agents-online', String(AGENTS));
    await page.click(byTestId('region-marker-eu-west-1'));
    await regionPage(page, 'eu-west-1');
    expect(new URL(page.url()).hash).toBe('#/regions/eu-west-1');
    expect(await textOf(page, 'region-name')).toBe('EU West (Ireland)');
    await waitForText(page, 'region-page-agents', '10 / 10');

    // Agents by service and status: the simulator's own split of the region.
    const members = stack.sim!.agents.filter((a) => a.region === 'eu-west-1');
    const expected: Record<string, number> = {};
    for (const a of members) expected[a.type] = (expected[a.type] ?? 0) + 1;
    await eventually(async () => {
      const rows = await page
        .locator(byTestId('region-service-row'))
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.getAttribute('data-service'),
            Number(tr.querySelector('[data-status="online"]')?.textContent),
          ]),
        );
      expect(Object.fromEntries(rows)).toEqual(expected);
    });

    // Top resource users: hosts of this region only.
    const hosts = new Set(members.map((a) => a.hostname));
    await eventually(async () => {
      const top = await page.locator(byTestId('region-top-host')).allTextContents();
      expect(top.length).toBe(15);
      for (const h of top) expect(hosts.has(h)).toBe(true);
    });

    // The health history has the region's agents in it.
    await page.waitForSelector(`${byTestId('region-history-chart')}[data-range="1h"]`);
    await eventually(async () => {
      const points = await page
        .locator(byTestId('region-history-chart'))
        .getAttribute('data-points');
      expect(Number(points)).toBeGreaterThan(0);
    });
    await page.click(byTestId('region-range-24h'));
    await page.waitForSelector(`${byTestId('region-history-chart')}[data-range="24h"]`);
    expect(new URL(page.url()).hash).toBe('#/regions/eu-west-1?range=24h');

    // Explore, already scoped to the region.
    await page.click(byTestId('region-explore-cpu_usage'));
    await page.waitForSelector(byTestId('view-explore'));
    const q = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(q.get('metric')).toBe('cpu_usage');
    expect(q.get('scope')).toBe('region:eu-west-1');
  });

  it('a map marker is a link: Tab reaches it, with a visible focus ring, and Enter opens the region', async () => {
    const page = await openConsole(stack, '#/overview');
    await page.waitForSelector(byTestId('region-marker-ap-northeast-1'));
    // Announced as a link named by its visible label and the region's name, not as a button
    // that does nothing.
    expect(
      await page.getByRole('link', { name: /^ap-northeast-1, Asia Pacific \(Tokyo\):/ }).count(),
    ).toBe(1);
    expect(await page.locator('[data-testid^="region-marker-"][role="button"]').count()).toBe(0);

    await tabTo(page, 'region-marker-ap-northeast-1');
    const ring = page.locator(`${byTestId('region-marker-ap-northeast-1')} .marker__ring`);
    expect(
      await ring.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).opacity),
    ).toBe('1');
    // Focus shows the tooltip, as hovering does.
    await page.waitForSelector(byTestId('map-tooltip'));

    await page.keyboard.press('Enter');
    await regionPage(page, 'ap-northeast-1');
  });

  it('opens from a region card, by click anywhere on it and by keyboard', async () => {
    const page = await openConsole(stack, '#/overview');
    // Below the name, over the health figure: the name's link covers the whole card.
    const card = page.locator(byTestId('region-card-us-west-2'));
    const box = (await card.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.6);
    await regionPage(page, 'us-west-2');

    await page.goBack();
    await page.waitForSelector(byTestId('view-overview'));
    await tabTo(page, 'region-card-link-us-east-1');
    const shadow = await page
      .locator(byTestId('region-card-us-east-1'))
      .evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).boxShadow);
    expect(shadow).not.toBe('none');
    await page.keyboard.press('Enter');
    await regionPage(page, 'us-east-1');
  });

  it('opens from an alert of the region, and follows an outage there as it happens', async () => {
    const page = stack.page;
    const sim = stack.sim!;
    const victims = sim.failRegion('ap-northeast-1', 0.6);
    expect(victims).toHaveLength(6);
    const killed = new Set(victims.map((i) => sim.agents[i]!.hostname));
    const offline = await eventually(async () => {
      const open = (await alertsIn(stack, 'open')).filter(
        (a: Alert) => a.ruleId === 'agent_offline' && a.subject.regionId === 'ap-northeast-1',
      );
      expect(open).toHaveLength(6);
      return open;
    });

    await openConsole(stack, `#/alerts/${offline[0]!.id}`);
    await page.waitForSelector(`${byTestId('alert-detail')}[data-alert-id="${offline[0]!.id}"]`);
    await page.click(byTestId('alert-detail-region'));
    await regionPage(page, 'ap-northeast-1');

    await waitForText(page, 'region-page-agents', '4 / 10');
    await page.waitForSelector(`${byTestId('view-region')}[data-status="failed"]`);
    // Its open alerts: the six agents and the region itself.
    await page.waitForSelector(`${byTestId('region-alerts-count')}[data-count="7"]`);
    const listed = await page
      .locator(byTestId('region-alert'))
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')));
    for (const a of offline) expect(listed).toContain(a.id);
    // Offline agents leave the top users (their values are stale) and count as offline.
    await eventually(async () => {
      const top = await page.locator(byTestId('region-top-host')).allTextContents();
      expect(top.length).toBeGreaterThan(0);
      for (const h of top) expect(killed.has(h)).toBe(false);
      const offlineCounts = await page
        .locator(`${byTestId('region-service-row')} [data-status="offline"]`)
        .allTextContents();
      expect(offlineCounts.reduce((n, c) => n + Number(c), 0)).toBe(6);
    });
    // The history shows the drop.
    await eventually(async () => {
      const min = await page
        .locator(byTestId('region-history-chart'))
        .getAttribute('data-min-online');
      expect(Number(min)).toBe(4);
    });
    expect(await textOf(page, 'region-history-low')).toMatch(
      /^Fewest online (in the last 1h|since .+): 4 of 10, at /,
    );

    // All the region's trends, one click away.
    await page.click(byTestId('region-trends-all'));
    await page.waitForSelector(byTestId('view-trends'));
    expect(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('region')).toBe(
      'ap-northeast-1',
    );
  });

  it('says so for a region the console does not know', async () => {
    const page = await openConsole(stack, '#/regions/mars-1');
    await page.waitForSelector(byTestId('region-missing'));
    expect(await textOf(page, 'region-missing')).toContain('mars-1');
  });
});
