// The layout at the default window width, at 1024 px and at the window's minimum width (shared/layout.ts, the same number the
// desktop window is held to), measured with bounding boxes: nothing runs off the page, the header
// keeps every control, alert rows show whole hostnames, the agents table every column without a
// horizontal scroller, the Trends table its Slope, R² and Confidence columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MIN_CONTENT_WIDTH } from '../../shared/layout.js';
import { startProbe, type Probe } from './history.js';
import { SHOT_PROBES } from './shot-probes.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

const WIDTHS = [1440, 1024, MIN_CONTENT_WIDTH];
const HEIGHT = 768;
let stack: Stack;
let probes: Probe[] = [];

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Client rects of every element matching `selector`, read in one go. */
const boxes = (page: Page, selector: string): Promise<Box[]> =>
  page.locator(selector).evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  );

/**
 * Elements whose text is cut (an ellipsis, or overflow): their text is wider than their box.
 * Measured in fractional pixels (scrollWidth rounds, and an ellipsis shows for a quarter pixel).
 */
const cut = (page: Page, selector: string): Promise<string[]> =>
  page.locator(selector).evaluateAll((els) =>
    els
      .filter((e) => {
        const range = e.ownerDocument.createRange();
        range.selectNodeContents(e);
        const text = range.getBoundingClientRect().width;
        const style = e.ownerDocument.defaultView!.getComputedStyle(e);
        const inner =
          e.getBoundingClientRect().width -
          parseFloat(style.paddingLeft) -
          parseFloat(style.paddingRight) -
          parseFloat(style.borderLeftWidth) -
          parseFloat(style.borderRightWidth);
        return e.scrollWidth > e.clientWidth || text > inner + 0.01;
      })
      .map((e) => e.textContent ?? ''),
  );

/** How far the page itself scrolls sideways (0 when it fits the window). */
const pageOverflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

async function expectInside(page: Page, selector: string, width: number): Promise<void> {
  const found = await boxes(page, selector);
  expect(found.length, selector).toBeGreaterThan(0);
  for (const b of found) {
    expect(b.left, `${selector} left`).toBeGreaterThanOrEqual(0);
    expect(b.right, `${selector} right`).toBeLessThanOrEqual(width);
  }
}

describe.each(WIDTHS)('layout at %i px', (width) => {
  beforeAll(async () => {
    stack ??= await startStack({ agents: 40, seed: 3 });
    if (probes.length === 0) {
      const sim = stack.sim!;
      const page = await openConsole(stack, '#/overview');
      await waitForText(page, 'kpi-agents-total', '40');
      // Alerts on the longest hostnames (application agents of ap-northeast-1), and trends.
      const longest = sim.agents
        .filter((a) => a.region === 'ap-northeast-1' && a.type === 'application')
        .slice(0, 2);
      for (const a of longest) sim.kill(a.index);
      sim.spike(0, 99, 10 * 60_000);
      probes = await Promise.all(SHOT_PROBES.map((spec) => startProbe(stack, spec)));
      await eventually(async () =>
        expect((await alertsIn(stack, 'open')).length).toBeGreaterThanOrEqual(3),
      );
    }
    await stack.page.setViewportSize({ width, height: HEIGHT });
  });
  afterAll(async () => {
    if (width !== WIDTHS.at(-1)) return;
    await Promise.all(probes.map((p) => p.stop()));
    await stack?.stop();
  });

  it('keeps the header whole on every view, and no view scrolls sideways', async () => {
    const page = await openConsole(stack, '#/overview');
    for (const view of [
      'incidents',
      'overview',
      'agents',
      'alerts',
      'explore',
      'trends',
      'capacity',
      'rules',
      'recovery',
      'security',
      'settings',
    ]) {
      await page.click(byTestId(`nav-${view}`));
      await page.waitForSelector(byTestId(view === 'settings' ? 'settings-view' : `view-${view}`));
      for (const id of ['nav-overview', 'nav-settings', 'conn-status', 'theme-toggle'])
        await expectInside(page, byTestId(id), width);
      await expectInside(page, '.header__right > *', width);
      // The tabs end before the controls on the right begin.
      const [tabs] = await boxes(page, '.tabs');
      const [right] = await boxes(page, '.header__right');
      expect(tabs!.right).toBeLessThanOrEqual(right!.left);
      expect(await pageOverflow(page), view).toBeLessThanOrEqual(0);
    }
    // Compliance and the audit trail are the Security tab's own pages.
    for (const view of ['compliance', 'audit']) {
      await page.click(byTestId('nav-security'));
      await page.click(byTestId(`security-nav-${view}`));
      await page.waitForSelector(byTestId(`view-${view}`));
      expect(await page.getAttribute(byTestId('nav-security'), 'class')).toContain('is-active');
      expect(await pageOverflow(page), view).toBeLessThanOrEqual(0);
    }
    // Relays is the Agents tab's own page.
    await page.click(byTestId('nav-agents'));
    await page.click(byTestId('fleet-nav-relays'));
    await page.waitForSelector(byTestId('view-relays'));
    expect(await page.getAttribute(byTestId('nav-agents'), 'class')).toContain('is-active');
    expect(await pageOverflow(page), 'relays').toBeLessThanOrEqual(0);
    // The overview's figures keep their labels whole.
    await page.click(byTestId('nav-overview'));
    await page.waitForSelector(byTestId('kpi-latency'));
    expect(await cut(page, '.kpi__label')).toEqual([]);
    // Region cards hold their badge and facts.
    const cards = await boxes(page, '.region-card');
    expect(cards).toHaveLength(4);
    for (const [i, b] of (await boxes(page, '.region-card .status')).entries())
      expect(b.right).toBeLessThanOrEqual(cards[i]!.right);
    expect(await cut(page, '.region-card__facts dt')).toEqual([]);
    await page.click(byTestId('region-marker-eu-west-1'));
    await page.waitForSelector(byTestId('view-region'));
    await expectInside(page, byTestId('theme-toggle'), width);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
  });

  it('keeps the "Enable notifications" button in the header before permission is asked', async () => {
    // A page of its own, without the test's granted-notifications stand-in.
    const context = await stack.browser.newContext({ viewport: { width, height: HEIGHT } });
    await context.addInitScript(`
      Object.defineProperty(window, 'Notification', {
        value: class { static permission = 'default'; static requestPermission() { return Promise.resolve('default'); } },
      });
    `);
    try {
      const page = await context.newPage();
      await page.goto(`${stack.consoleUrl}#/alerts`);
      await page.waitForSelector(byTestId('enable-notifications'));
      await expectInside(page, byTestId('enable-notifications'), width);
      await expectInside(page, byTestId('theme-toggle'), width);
      expect(
        await page.getByRole('button', { name: 'Enable notifications' }).count(),
        'the button keeps its name for screen readers when only its icon shows',
      ).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('shows whole hostnames in alert rows, with the detail pane open', async () => {
    const page = await openConsole(stack, '#/alerts');
    await page.waitForSelector(byTestId('alert-row'));
    await page.click(`${byTestId('alert-row')} >> nth=0`);
    await page.waitForSelector(byTestId('alert-detail'));
    const hosts = await page.locator(byTestId('alert-row-host')).allTextContents();
    expect(hosts.some((h) => h.startsWith('sim-ap-northeast-1-application-'))).toBe(true);
    expect(await cut(page, byTestId('alert-row-host'))).toEqual([]);
    for (const b of await boxes(page, byTestId('alert-row-host')))
      expect(b.right - b.left).toBeGreaterThan(100);
    await expectInside(page, byTestId('alert-row-resolve'), width);
  });

  it('shows every column of the agents table, without a horizontal scroller', async () => {
    const page = await openConsole(stack, '#/agents');
    await page.waitForSelector(byTestId('agent-row'));
    const [table] = await boxes(page, '.grid-table');
    const heads = await boxes(page, '.grid-table__head .th');
    expect(heads).toHaveLength(9);
    for (const h of heads) {
      expect(h.left).toBeGreaterThanOrEqual(table!.left);
      expect(h.right).toBeLessThanOrEqual(table!.right);
    }
    // The header labels (Disk and Alerts last) are not clipped either.
    expect(await cut(page, '.grid-table__head .th')).toEqual([]);
    const scroll = await page
      .locator('.grid-table__body')
      .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(scroll).toBeLessThanOrEqual(0);
    // The cells of the last columns are in the table too.
    const cells = await boxes(page, `${byTestId('agent-row')} >> nth=0 >> [role="cell"]`);
    expect(cells).toHaveLength(9);
    expect(cells.at(-1)!.right).toBeLessThanOrEqual(table!.right);
  });

  it('shows Slope, R² and Confidence on the Trends page without an inner scroller', async () => {
    const page = await openConsole(stack, '#/trends');
    await page.click(byTestId('trends-refresh'));
    await eventually(async () =>
      expect(await page.locator(byTestId('trend-row')).count()).toBeGreaterThanOrEqual(3),
    );
    for (const scroller of ['.trends__scroll', '.percentiles']) {
      const scroll = await page.locator(scroller).evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(scroll, scroller).toBeLessThanOrEqual(0);
    }
    const [panel] = await boxes(page, '.trends__table');
    const heads = await boxes(page, `${byTestId('trends-table')} th`);
    expect(heads.length).toBeGreaterThanOrEqual(8);
    for (const h of heads) expect(h.right).toBeLessThanOrEqual(panel!.right);
    expect(await cut(page, `${byTestId('trends-table')} th`)).toEqual([]);
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
  });
});
