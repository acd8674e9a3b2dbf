// Capacity forecasting in Chromium, against the real core and its forecasting service: an
// agent whose disk has filled steadily for three hours (one-minute samples with past
// timestamps, then live) gets a forecast; the Capacity page lists it with a likely date and
// opens its chart with both bands and the "reaches N %" marker; the forecast alert
// (disk_usage_forecast) reaches the alert queue; the overview's "soonest to fill" tile, the
// agent drawer and the explorer's forecast toggle show the same forecast. Every wait is for
// something drawn from the core's answer: with an empty page, each one fails.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityReport } from '../../shared/forecast.js';
import { jitter, startProbe, type Probe } from './history.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, textOf } from './ui.js';

const HOUR_MS = 3_600_000;
/** As screenshots.e2e.ts: test-results/screenshots, or docs/screenshots by `npm run screenshots`. */
const OUT = resolve(
  join(import.meta.dirname, '../..'),
  process.env.MERIDIAN_SCREENSHOT_DIR ?? 'test-results/screenshots',
);
/** Forecasts run on the worker every few seconds here (see config): allow a few runs. */
const FORECAST_WAIT_MS = 90_000;
/** "in 3 h 12 min", "in 2 d 4 h": a time until, as the table and tile say it. */
const IN_TIME = /^in \d+ (d|h|min)( \d+ (h|min))?$/;

describe('capacity forecasts in the console', () => {
  let stack: Stack;
  let probe: Probe;
  let key = '';

  beforeAll(async () => {
    // Agents' series are forecast hourly by default: every few seconds here.
    stack = await startStack({
      config: { forecastAgentsEveryMs: 5_000, forecastRegionsEveryMs: 5_000 },
    });
    // 60 % three hours ago, filling 8 %/h: it crosses 90 % (the forecast rule's level) within
    // hours, well inside the 7 d horizon, whatever model the backtest picks.
    probe = await startProbe(stack, {
      hostname: 'db-filling-01',
      region: 'eu-west-1',
      type: 'database',
      historyMs: 3 * HOUR_MS,
      everyMs: 60_000,
      metrics: {
        disk_usage: { unit: '%', at: (h, ts) => 60 + 8 * h + 3 * jitter(ts) },
        memory_usage: { unit: '%', at: (_h, ts) => 40 + jitter(ts, 1) },
      },
    });
    key = `agent:${probe.agentId}:disk_usage`;
    // The core's own answer first, so a failure below is the page's, not the service's.
    await eventually(async () => {
      const res = await stack.api<CapacityReport>('/api/v1/capacity');
      expect(res.status).toBe(200);
      const row = res.body.agents.find(
        (r) => r.target.kind === 'agent' && r.target.agentId === probe.agentId,
      );
      expect(row?.crossing?.likely).toBeTypeOf('number');
    }, FORECAST_WAIT_MS);
  }, FORECAST_WAIT_MS + 60_000);

  afterAll(async () => {
    await probe?.stop();
    await stack?.stop();
  });

  it('the Capacity page lists the filling disk first, with a likely date', async () => {
    const page = await openConsole(stack, '#/capacity');
    const row = page.locator(`${byTestId('capacity-row')}[data-key="${key}"]`);
    await row.waitFor();
    const first = page
      .locator(`${byTestId('capacity-agents')} ${byTestId('capacity-row')}`)
      .first();
    expect(await first.getAttribute('data-key')).toBe(key);
    expect((await row.locator(byTestId('capacity-likely')).textContent())?.trim()).toMatch(IN_TIME);
    expect(await row.textContent()).toContain('db-filling-01');
    expect(await textOf(page, 'capacity-state')).toMatch(/^Forecasts 7 d ahead · computed /);
  });

  it('a row opens the chart: history, forecast, 80 % and 95 % bands, threshold and the crossing', async () => {
    const page = await openConsole(stack, '#/capacity');
    const row = page.locator(`${byTestId('capacity-row')}[data-key="${key}"]`);
    // Keyboard, as an operator without a mouse would.
    await row.focus();
    await page.keyboard.press('Enter');
    const chart = page.locator(byTestId('forecast-chart'));
    await chart.waitFor();
    expect(page.url()).toContain(`#/capacity/${encodeURIComponent(key)}`);
    const attrs = await chart.evaluate((el) =>
      Object.fromEntries(
        el.getAttributeNames().map((n: string) => [n.replace(/^data-/, ''), el.getAttribute(n)]),
      ),
    );
    expect(Number(attrs.history)).toBeGreaterThanOrEqual(24);
    expect(Number(attrs.forecast)).toBeGreaterThan(0);
    expect(attrs.bands).toBe('2');
    expect(Number(attrs.crossing)).toBeGreaterThan(Date.now() - 60_000);
    // What chart.js actually drew for the measured line, after decimation.
    expect(Number(attrs.drawn)).toBeGreaterThan(0);
    expect(await textOf(page, 'forecast-reaches')).toMatch(
      /^reaches \d+(\.\d+)?% on (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w{3} \d\d:\d\d$/,
    );
    expect(await textOf(page, 'forecast-coverage')).toMatch(
      /^Its 95 % band (held \d+ % of the time over the last \d+ (minutes|hours|days)|has not been checked)/,
    );
    expect(await textOf(page, 'forecast-mase')).toMatch(/repeating the last day|not known yet/);
    expect(await textOf(page, 'forecast-crossing')).toMatch(/^likely in \d/);
  });

  it('the forecast alert reaches the queue', async () => {
    const alert = await eventually(async () => {
      const open = await alertsIn(stack, 'open');
      const a = open.find(
        (x) => x.ruleId === 'disk_usage_forecast' && x.subject.agentId === probe.agentId,
      );
      expect(a).toBeDefined();
      return a!;
    }, FORECAST_WAIT_MS);
    expect(alert.severity).toBe('warning');
    const page = await openConsole(stack, '#/alerts');
    await page.locator(`${byTestId('alert-row')}[data-alert-id="${alert.id}"]`).waitFor();
  });

  it('the overview tile names the soonest to fill and links to its row', async () => {
    const page = await openConsole(stack, '#/overview');
    const tile = page.locator(byTestId('kpi-capacity'));
    await page.locator(byTestId('kpi-capacity-target'), { hasText: 'db-filling-01' }).waitFor();
    expect(await textOf(page, 'kpi-capacity-when')).toMatch(/^disk · in \d/);
    await tile.click();
    await page.locator(byTestId('forecast-chart')).waitFor();
    expect(page.url()).toContain(`#/capacity/${encodeURIComponent(key)}`);
  });

  it('the agent drawer says when the disk fills', async () => {
    const page = await openConsole(stack, `#/agents/${probe.agentId}`);
    const disk = page.locator(`${byTestId('agent-capacity-disk_usage')}[data-status="ok"]`);
    await disk.waitFor();
    expect(await disk.textContent()).toMatch(/^\d+(\.\d+)?% likely in \d.*\(earliest /);
  });

  it('the explorer draws the forecast and its bands after the history when toggled', async () => {
    const page = await openConsole(
      stack,
      `#/explore?metric=disk_usage&scope=agent:${probe.agentId}&agg=avg&range=1h`,
    );
    const chart = page.locator(`${byTestId('explore-chart')}[data-status="ready"]`);
    await chart.waitFor();
    expect(await chart.getAttribute('data-forecast')).toBe('0');
    await page.locator(byTestId('explore-forecast')).check();
    await page.locator(`${byTestId('explore-chart')}[data-forecast="1"][data-bands="2"]`).waitFor();
    expect(page.url()).toContain('forecast=1');
  });

  it('writes capacity.png (a forecast opened), and with MERIDIAN_SHOT_LIGHT capacity-light.png', async () => {
    await mkdir(OUT, { recursive: true });
    const page = await openConsole(stack, `#/capacity/${encodeURIComponent(key)}`);
    const shots: ['dark' | 'light', string][] = [['dark', 'capacity.png']];
    // The light theme for a look (not in the README), as screenshots.e2e.ts does.
    if (process.env.MERIDIAN_SHOT_LIGHT) shots.push(['light', 'capacity-light.png']);
    for (const [theme, file] of shots) {
      await page.evaluate(`localStorage.setItem('meridian.theme', '${theme}')`);
      await page.reload();
      await page.waitForSelector(`html[data-theme="${theme}"]`);
      await page.locator(`${byTestId('forecast-chart')}[data-drawn]`).waitFor();
      await page.locator(`${byTestId('capacity-row')}[data-key="${key}"]`).waitFor();
      await page.screenshot({ path: join(OUT, file) });
    }
  });
});
