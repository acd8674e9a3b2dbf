// Numbers an operator can trust, against the real stack: the simulator's own disk growth
// (an hour of its virtual agents' history) is a degrading trend, and its Trends row opens a
// chart of the same service; the explorer shows a trend only when there is one, thresholds
// only in the rule's unit and percent axes inside 0–100; the step still filling is marked;
// and a fleet average warns when most of its agents stop reporting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../agent/simulator.js';
import type { PerformanceTrend } from '../../shared/analysis.js';
import { systemClock } from '../../shared/clock.js';
import { startProbe, startSimHistory, type Probe, type SimHistory } from './history.js';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

const HISTORY_REGION = 'eu-west-1';
const LIVE_REGION = 'us-west-2';
let stack: Stack;
let history: SimHistory;
let live: Simulator;
let probes: Probe[] = [];

async function chartFigure(name: string): Promise<number> {
  const v = await stack.page.locator(byTestId('explore-chart')).getAttribute(`data-${name}`);
  return Number(v);
}

async function legend(): Promise<string> {
  return (await stack.page.locator(byTestId('explore-legend')).textContent()) ?? '';
}

describe('numbers an operator can trust', () => {
  beforeAll(async () => {
    stack = await startStack();
    // Twelve virtual agents in eu-west-1 with an hour behind them (seed 2: three databases,
    // every service's disks at a mean of 50–60 %, all of them filling disks, growing about 0.9
    // points an hour).
    history = await startSimHistory(stack, {
      agents: 12,
      seed: 2,
      region: HISTORY_REGION,
      fillingDiskEvery: 1,
    });
    // Eight live ones in us-west-2, to stop most of later.
    live = new Simulator({
      url: stack.ingestUrl,
      token: AGENT_TOKEN,
      agents: 8,
      seed: 3,
      clock: systemClock,
      regions: [LIVE_REGION],
    });
    await live.start();
    expect(live.connectedCount()).toBe(8);
    probes = [
      // A percentage from 0 to 99.5 over the hour: an axis must not run past 0 or 100.
      await startProbe(stack, {
        hostname: 'clamp-probe-01',
        region: 'ap-northeast-1',
        type: 'system',
        everyMs: 30_000,
        metrics: { cpu_usage: { unit: '%', at: (h) => Math.max(0, Math.min(99.5, 99.5 * h)) } },
      }),
      // Six points, 10 s apart (the last 9 s after the fifth), falling fast, then silence.
      await startProbe(stack, {
        hostname: 'few-points-01',
        region: 'ap-northeast-1',
        type: 'system',
        historyMs: 50_000,
        everyMs: 10_000,
        live: false,
        metrics: { memory_usage: { unit: '%', at: (h) => 80 - 3_000 * h } },
      }),
    ];
  });
  afterAll(async () => {
    live?.stop();
    await history?.stop();
    for (const p of probes) await p.stop();
    await stack?.stop();
  });

  it("calls the simulator's disk growth degrading, and its row charts that service only", async () => {
    const page = await openConsole(stack, `#/trends?window=1h&region=${HISTORY_REGION}`);
    await page.waitForSelector(byTestId('view-trends'));
    await page.click(byTestId('trends-refresh'));
    const { body } = await stack.api<{ trends: PerformanceTrend[] }>(
      `/api/v1/trends?window=1h&region=${HISTORY_REGION}&metric=disk_usage&fresh=1`,
    );
    const services = [...new Set(history.sim.agents.map((a) => a.type))].sort();
    expect(body.trends.map((t) => t.service).sort()).toEqual(services);
    for (const t of body.trends) {
      expect(t.slopePerHour, t.id).toBeGreaterThan(0.6);
      expect(t.confidence, t.id).toBeGreaterThan(0.999);
      expect(t.direction, t.id).toBe('degrading');
    }
    // The page says so, row by row.
    const rows = page.locator(`${byTestId('trend-row')}[data-metric="disk_usage"]`);
    await eventually(async () => {
      expect(await rows.count()).toBe(services.length);
      for (const d of await rows.evaluateAll((rs) => rs.map((r) => r.dataset.direction)))
        expect(d).toBe('degrading');
    });

    // eu-west-1 / database: the chart is of the database agents only, with the same trend.
    const dbTrend = body.trends.find((t) => t.service === 'database')!;
    const databases = history.sim.agents.filter((a) => a.type === 'database').length;
    await page.click(`${byTestId('trend-row')}[data-trend-id="${dbTrend.id}"]`);
    await page.waitForSelector(byTestId('view-explore'));
    expect(decodeURIComponent(page.url())).toContain(
      `#/explore?metric=disk_usage&scope=region:${HISTORY_REGION}&service=database&agg=avg&range=1h&trend=`,
    );
    expect(await page.locator(byTestId('explore-service')).inputValue()).toBe('database');
    await eventually(async () => {
      expect(await chartFigure('points')).toBeGreaterThan(100);
      expect(await chartFigure('counted')).toBe(databases);
    });
    const badge = page.locator(byTestId('explore-trend'));
    await eventually(async () => expect(await badge.getAttribute('data-state')).toBe('trend'));
    const slope = Number(await badge.getAttribute('data-slope'));
    expect(Math.abs(slope - dbTrend.slopePerHour)).toBeLessThan(0.15);
    expect(
      await page.locator(byTestId('explore-server-trend')).getAttribute('data-direction'),
    ).toBe('degrading');

    // All services of the region: every agent counted.
    await page.selectOption(byTestId('explore-service'), '');
    await eventually(async () => expect(await chartFigure('counted')).toBe(12));
    expect(page.url()).not.toContain('service=');
  });

  it('shows "no clear trend" for six points, however steep', async () => {
    const page = await openConsole(
      stack,
      `#/explore?metric=memory_usage&scope=agent:${probes[1]!.agentId}&agg=avg&range=15m`,
    );
    await eventually(async () => expect(await chartFigure('points')).toBe(6));
    const badge = page.locator(byTestId('explore-trend'));
    await eventually(async () => expect(await badge.getAttribute('data-state')).toBe('none'));
    expect((await badge.textContent())?.trim()).toBe('No clear trend');
    // The fit uses settled steps only: the live edge's step, when still filling, is drawn as
    // partial and left out. Chart and badge are read in one frame so the two agree.
    const read = await page.locator(byTestId('explore-chart')).evaluate(
      (chart, badgeSelector) => ({
        points: Number(chart.getAttribute('data-points')),
        partial: Number(chart.getAttribute('data-partial')),
        title: chart.ownerDocument.querySelector(badgeSelector)?.getAttribute('title') ?? '',
      }),
      byTestId('explore-trend'),
    );
    expect(read.points).toBe(6);
    expect(read.partial).toBeLessThanOrEqual(1);
    expect(read.title).toContain(`${6 - read.partial} points: a trend needs at least 10`);
    expect(await legend()).not.toContain('Trend');
  });

  it('keeps a percent axis inside 0–100 while the data are', async () => {
    await openConsole(
      stack,
      `#/explore?metric=cpu_usage&scope=agent:${probes[0]!.agentId}&agg=avg&range=1h`,
    );
    await eventually(async () => {
      expect(await chartFigure('points')).toBeGreaterThan(100);
      expect(await legend()).toContain('Critical threshold');
      expect(await chartFigure('y-min')).toBe(0);
      expect(await chartFigure('y-max')).toBe(100);
    });
  });

  it('draws no percent thresholds on Sum and Count charts', async () => {
    const base = `#/explore?metric=cpu_usage&scope=region:${LIVE_REGION}&range=15m`;
    // The same chart as an average has them (the rule is in its unit)…
    await openConsole(stack, `${base}&agg=avg`);
    await eventually(async () => {
      expect(await chartFigure('points')).toBeGreaterThan(3);
      expect(await legend()).toContain('Warning threshold');
    });
    // …a sum or a count of it does not, and its axis does not go below zero.
    for (const agg of ['sum', 'count']) {
      await openConsole(stack, `${base}&agg=${agg}`);
      await eventually(async () => {
        expect(await chartFigure('points')).toBeGreaterThan(3);
        expect(await chartFigure('y-min')).toBeGreaterThanOrEqual(0);
      });
      expect(await legend(), agg).not.toContain('threshold');
      expect(await stack.page.locator(byTestId('explore-thresholds')).count(), agg).toBe(0);
    }
  });

  it('marks the step still filling at the live edge', async () => {
    const page = await openConsole(
      stack,
      `#/explore?metric=cpu_usage&scope=region:${LIVE_REGION}&agg=count&range=15m`,
    );
    await page.waitForSelector(`${byTestId('explore-chart')}[data-live="on"]`);
    await eventually(async () => {
      expect(await chartFigure('points')).toBeGreaterThan(5);
      expect(await chartFigure('partial')).toBeGreaterThanOrEqual(1);
      // The flagged steps are the last ones (at the live edge, not an hour back).
      expect(await chartFigure('partial-from')).toBeGreaterThan(Date.now() - 60_000);
    });
    expect(await page.locator(byTestId('explore-meta')).textContent()).toContain(
      'last step still filling',
    );
  });

  it('warns when a region average stands for far fewer agents than usual', async () => {
    const page = await openConsole(
      stack,
      `#/explore?metric=cpu_usage&scope=region:${LIVE_REGION}&agg=avg&range=15m`,
    );
    await page.waitForSelector(`${byTestId('explore-chart')}[data-live="on"]`);
    // Long enough at full strength that the window's median is the whole region.
    await eventually(async () => {
      expect(await chartFigure('points')).toBeGreaterThan(20);
      expect(await chartFigure('counted')).toBe(8);
      expect(await chartFigure('counted-median')).toBe(8);
    }, 60_000);
    expect(await page.locator(byTestId('explore-coverage-warning')).count()).toBe(0);
    for (let i = 0; i < 6; i++) live.kill(i);
    const warning = page.locator(byTestId('explore-coverage-warning'));
    await warning.waitFor({ timeout: 30_000 });
    // A settled step can still miss a sample of one of the two left (a busy machine delays
    // it past the step): wait for a step that has both.
    await eventually(async () => {
      expect(await warning.textContent()).toContain('Only 2 of usually 8 series report now');
      expect(await page.locator(byTestId('explore-counted')).textContent()).toContain(
        'from 2 series now (usually 8)',
      );
    }, 30_000);
    // The jump in the average is who is counted: no trend is drawn from it.
    const badge = page.locator(byTestId('explore-trend'));
    await eventually(async () => {
      expect(await badge.getAttribute('data-state')).toBe('none');
      expect(await badge.getAttribute('title')).toContain('number of series behind the line');
    });
  });
});
