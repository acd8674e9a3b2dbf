// Issue 9, "Losing the core, and first contact": with the core killed (SIGKILL, no goodbye),
// every view keeps its last data marked stale with its age, ages stop counting, actions are off
// with the reason beside them, and no raw "Failed to fetch" shows anywhere; once the core is
// back on the same address, everything recovers, with the same resolved history as the API.
// Also: the tab carries the alert count, and a browser without the session gets a page that
// says how to get in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/model.js';
import { hello, openIngest } from '../helpers/core.js';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, textOf, waitForText } from './ui.js';

const AGENTS = 12;
/** More resolved alerts than the stream's old snapshot held (200). */
const RESOLVED = 230;
const SPIKE_MS = 10 * 60_000;
let stack: Stack;
let raw: Awaited<ReturnType<typeof openIngest>> | null = null;

async function firingCount(): Promise<number> {
  const open = await alertsIn(stack, 'open');
  return open.filter((a: Alert) => a.state === 'firing' || a.state === 'pending').length;
}

/** The page's visible text has no raw network error. */
async function expectNoRawError(): Promise<void> {
  const text = await stack.page.locator('body').innerText();
  expect(text).not.toMatch(/Failed to fetch|NetworkError|Load failed/);
}

async function visit(hash: string): Promise<void> {
  await stack.page.locator('body').evaluate((body, h) => {
    body.ownerDocument.location.hash = h;
  }, hash);
}

/**
 * More resolved alerts than the old snapshot held: one raw agent with many labelled cpu series,
 * each breaching (an alert) then recovering (resolved).
 */
async function makeResolvedAlerts(): Promise<void> {
  const conn = await openIngest(stack.ingestUrl, AGENT_TOKEN);
  raw = conn;
  conn.send(hello({ hostname: 'many-cores-1', region: 'us-east-1', agentType: 'system' }));
  await conn.next('welcome');
  const frame = (seq: number, value: number) => ({
    type: 'metrics',
    seq,
    samples: Array.from({ length: RESOLVED }, (_, i) => ({
      name: 'cpu_usage',
      value,
      ts: Date.now(),
      kind: 'gauge',
      labels: { core: String(i) },
    })),
  });
  conn.send(frame(1, 99));
  await conn.next('ack');
  conn.send(frame(2, 10));
  await conn.next('ack');
  await eventually(async () =>
    expect((await alertsIn(stack, 'resolved')).length).toBeGreaterThanOrEqual(RESOLVED),
  );
}

describe('losing the core, and first contact', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: AGENTS, seed: 4 });
    await makeResolvedAlerts();
  });
  afterAll(async () => {
    await raw?.close().catch(() => {});
    await stack?.stop();
  });

  it('shows a browser without the session a page on how to get in, not raw JSON', async () => {
    const context = await stack.browser.newContext();
    try {
      const page = await context.newPage();
      const res = await page.goto(`${stack.apiUrl}/`);
      expect(res!.status()).toBe(401);
      expect(res!.headers()['content-type']).toBe('text/html; charset=utf-8');
      await page.waitForSelector(byTestId('unauthorized-page'));
      expect(await page.title()).toBe('Meridian — open the console link');
      const text = await page.locator('body').innerText();
      expect(text).toContain('meridian serve');
      expect(text).toContain('desktop app');
      expect(text).not.toContain('"error"');
    } finally {
      await context.close();
    }
  });

  it('puts the count of firing alerts in the tab title and favicon', async () => {
    const page = await openConsole(stack, '#/overview');
    stack.sim!.spike(0, 99, SPIKE_MS);
    await eventually(async () => {
      const n = await firingCount();
      expect(n).toBeGreaterThan(0);
      expect(await page.title()).toBe(`(${n}) Meridian`);
      const icon = await page.getAttribute('link[rel="icon"]', 'href');
      expect(icon).toMatch(/^data:image\/svg\+xml,/);
      expect(decodeURIComponent(icon!.slice('data:image/svg+xml,'.length))).toContain(
        `>${n}</text>`,
      );
    });
  });

  it('keeps the whole resolved history the API has, more than 200', async () => {
    const resolved = (await alertsIn(stack, 'resolved')).length;
    expect(resolved).toBeGreaterThanOrEqual(RESOLVED);
    const page = await openConsole(stack, '#/alerts');
    await page.click(byTestId('alerts-tab-resolved'));
    await waitForText(page, 'alerts-tab-count-resolved', String(resolved));
  });

  it('keeps every view, marked stale, with actions off, while the core is down; then recovers', async () => {
    const page = await openConsole(stack, '#/overview');
    // A firing alert whose age can be watched.
    stack.sim!.spike(1, 99, SPIKE_MS);
    // Visit the REST-fed views while the core answers, so they have something to keep.
    // The Explore tab's own link (no query: the explorer picks its default chart).
    const chart = '#/explore';
    await visit(chart);
    await page.waitForSelector(`${byTestId('explore-chart')}[data-points]:not([data-points="0"])`);
    await visit('#/trends');
    await page.waitForSelector(byTestId('trends-computed'));
    await visit('#/alerts');
    await page.click(byTestId('alerts-tab-firing'));
    const firingRow = page.locator(byTestId('alert-row')).first();
    await firingRow.waitFor();

    await stack.killServe();
    await page.waitForSelector(`${byTestId('conn-status')}[data-state="down"]`, {
      timeout: 30_000,
    });

    // Alerts: the queue stays, stale; its ages stop; acting says why it cannot, beside the buttons.
    await page.waitForSelector(`${byTestId('view-alerts')} ${byTestId('stale-marker')}`);
    await waitForText(page, 'stale-marker', /^Stale as of \d\d:\d\d:\d\d \(.+ ago\)$/);
    const age = () => firingRow.locator('.alert-row__age').textContent();
    const frozenAge = await age();
    const markerAge = await textOf(page, 'stale-marker');
    await eventually(async () => expect(await textOf(page, 'stale-marker')).not.toBe(markerAge));
    expect(await age()).toBe(frozenAge);
    await firingRow.click();
    await page.waitForSelector(byTestId('alert-detail'));
    expect(await page.isDisabled(byTestId('alert-ack'))).toBe(true);
    await waitForText(page, 'alert-actions-blocked', /unreachable: actions are paused/);
    await page.locator(byTestId('queue-firing')).focus();
    await page.keyboard.press('a');
    await waitForText(page, 'alerts-error', /unreachable: actions are paused/);
    await expectNoRawError();

    // Overview: the banner sits above the tiles (covering none) and its text is whole.
    await visit('#/overview');
    await page.waitForSelector(`${byTestId('view-overview')} ${byTestId('stale-marker')}`);
    const banner = (await page.locator(byTestId('conn-banner')).boundingBox())!;
    const tiles = (await page.locator(byTestId('kpi-agents')).boundingBox())!;
    expect(banner.y + banner.height).toBeLessThanOrEqual(tiles.y);
    expect(
      await page
        .locator(byTestId('conn-banner'))
        .evaluate((e) =>
          [...e.querySelectorAll('*')].every((c) => c.scrollWidth <= c.clientWidth + 1),
        ),
    ).toBe(true);
    expect(await page.getAttribute('main', 'data-stale')).toBe('true');
    await expectNoRawError();

    // Agents: the table stays, stale.
    await visit('#/agents');
    await page.waitForSelector(`${byTestId('view-agents')} ${byTestId('stale-marker')}`);
    expect(await page.locator(byTestId('agent-row')).count()).toBeGreaterThan(0);
    await expectNoRawError();

    // Explore: the last chart, marked stale; not "Pick a metric to chart."
    await visit(chart);
    await page.waitForSelector(`${byTestId('view-explore')} ${byTestId('stale-marker')}`);
    await page.waitForSelector(`${byTestId('explore-chart')}[data-points]:not([data-points="0"])`);
    expect(await page.locator(byTestId('explore-empty')).count()).toBe(0);
    await expectNoRawError();

    // Trends: the last analysis, marked stale; no "Loading…" beside an error.
    await visit('#/trends');
    await page.waitForSelector(`${byTestId('view-trends')} ${byTestId('stale-marker')}`);
    expect(await page.isDisabled(byTestId('trends-refresh'))).toBe(true);
    expect(await page.locator('body').innerText()).not.toContain('Loading…');
    await expectNoRawError();

    // Back on the same address: live again, nothing stale, the same resolved history as the API.
    await stack.restartServe();
    await page.waitForSelector(`${byTestId('conn-status')}[data-state="live"]`, {
      timeout: 30_000,
    });
    await page.waitForSelector(byTestId('stale-marker'), { state: 'detached' });
    await visit('#/alerts');
    await page.click(byTestId('alerts-tab-resolved'));
    await eventually(async () => {
      const api = (await alertsIn(stack, 'resolved')).length;
      expect(api).toBeGreaterThanOrEqual(RESOLVED);
      expect(await textOf(page, 'alerts-tab-count-resolved')).toBe(String(api));
    });
    await visit(chart);
    await page.waitForSelector(`${byTestId('explore-live')}[data-state="on"]`);
    expect(await page.locator(byTestId('stale-marker')).count()).toBe(0);
    await expectNoRawError();
  });
});
