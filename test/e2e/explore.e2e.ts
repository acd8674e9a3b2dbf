// Metric explorer, agent sparklines and the Trends page against the real stack: a simulator
// feeds cpu_usage live, and a raw agent reports an hour of `latency` climbing 2 ms a minute
// (one sample a minute, timestamps in the past, then live) so the analysis finds a degrading
// trend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/model.js';
import { jitter, startProbe, type Probe } from './history.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

const PROBE_REGION = 'eu-west-1';
let stack: Stack;
let probe: Probe;
let dense: Probe;

async function chartFigure(stack: Stack, name: string): Promise<number> {
  const v = await stack.page.locator(byTestId('explore-chart')).getAttribute(`data-${name}`);
  return Number(v);
}

describe('metric explorer and trends', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 4, seed: 11 });
    probe = await startProbe(stack, {
      hostname: 'trend-probe-01',
      region: PROBE_REGION,
      type: 'application',
      everyMs: 60_000,
      metrics: { latency: { unit: 'ms', at: (h, ts) => 40 + 120 * h + 3 * jitter(ts) } },
    });
    // An hour at one sample a second: more points than the chart draws.
    dense = await startProbe(stack, {
      hostname: 'dense-probe-01',
      region: 'us-east-1',
      type: 'system',
      everyMs: 1_000,
      metrics: {
        memory_usage: {
          unit: '%',
          at: (h, ts) => 50 + 8 * Math.sin(h * 10 * Math.PI) + jitter(ts),
        },
      },
    });
  });
  afterAll(async () => {
    await probe?.stop();
    await dense?.stop();
    await stack?.stop();
  });

  it('charts a simulator series with its trend line and follows it live', async () => {
    const target = stack.sim!.agents[0]!;
    const { body } = await stack.api<{ agents: Agent[] }>('/api/v1/agents');
    const agent = body.agents.find((a) => a.hostname === target.hostname)!;
    const page = await openConsole(
      stack,
      `#/explore?metric=cpu_usage&scope=agent:${agent.id}&agg=avg&range=15m`,
    );
    const chart = page.locator(byTestId('explore-chart'));
    await page.waitForSelector(`${byTestId('explore-chart')}[data-status="ready"]`);
    expect(await chart.locator('canvas').count()).toBe(1);
    expect(await page.locator(byTestId('explore-metric')).inputValue()).toBe('cpu_usage');
    // The picker names the agent once the agent list has loaded.
    await eventually(async () =>
      expect(await page.locator(byTestId('explore-agent-input')).inputValue()).toBe(
        target.hostname,
      ),
    );
    await eventually(async () => expect(await chartFigure(stack, 'points')).toBeGreaterThan(3));
    expect(await chartFigure(stack, 'series')).toBe(1);

    // The trend badge: a slope with R² only for a trend (enough points, significant, material);
    // the simulator's noisy minutes of cpu usually are none. (numbers.e2e.ts tests both cases.)
    const trend = page.locator(byTestId('explore-trend'));
    await trend.waitFor();
    expect(await trend.textContent()).toMatch(
      /^(No clear trend|Trend\s*[+\u2212]?[\d.,]+ %\/h\s*·\s*R²\s*[01]\.\d\d)$/,
    );

    // Live: the tail adds a point a second without a reload (once its subscription is on).
    await page.waitForSelector(`${byTestId('explore-chart')}[data-live="on"]`);
    const before = await chartFigure(stack, 'points');
    await eventually(async () =>
      expect(await chartFigure(stack, 'points')).toBeGreaterThanOrEqual(before + 3),
    );
    // The threshold lines of the cpu_usage rule are drawn and listed in the legend.
    await eventually(async () => {
      const legend = (await page.locator(byTestId('explore-legend')).textContent()) ?? '';
      expect(legend).toContain('Warning threshold');
      expect(legend).toContain('Critical threshold');
    });
  });

  it("opens an agent's last-hour sparklines in the explorer", async () => {
    const target = stack.sim!.agents[1]!;
    const { body } = await stack.api<{ agents: Agent[] }>('/api/v1/agents');
    const agent = body.agents.find((a) => a.hostname === target.hostname)!;
    const page = await openConsole(stack, `#/agents/${agent.id}`);
    const spark = page.locator(byTestId('agent-spark-memory_usage'));
    await eventually(async () =>
      expect(Number(await spark.getAttribute('data-points'))).toBeGreaterThan(0),
    );
    await spark.click();
    await page.waitForSelector(byTestId('view-explore'));
    expect(decodeURIComponent(page.url())).toContain(
      `#/explore?metric=memory_usage&scope=agent:${agent.id}&agg=avg&range=1h`,
    );
    await eventually(async () => expect(await chartFigure(stack, 'points')).toBeGreaterThan(0));
  });

  it("decimates a dense hour with chart.js's LTTB", async () => {
    const page = await openConsole(
      stack,
      `#/explore?metric=memory_usage&scope=agent:${dense.agentId}&agg=avg&range=1h`,
    );
    await page.waitForSelector(`${byTestId('explore-chart')}[data-status="ready"]`);
    await eventually(async () => expect(await chartFigure(stack, 'points')).toBeGreaterThan(1_100));
    const drawn = await chartFigure(stack, 'drawn');
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeLessThanOrEqual(600);
  });

  it('lists the degrading trend first and opens its chart with the trend shown', async () => {
    const page = stack.page;
    await page.click(byTestId('nav-trends'));
    await page.waitForSelector(byTestId('view-trends'));
    await page.click(byTestId('trends-refresh'));
    await page.selectOption(byTestId('trends-region'), PROBE_REGION);
    await eventually(() =>
      expect(decodeURIComponent(page.url())).toContain(`#/trends?window=1h&region=${PROBE_REGION}`),
    );
    const first = page.locator(byTestId('trend-row')).first();
    // The list refreshes as the analysis and the region filter land: read the row settled.
    await eventually(async () => {
      expect(await first.getAttribute('data-metric')).toBe('latency');
      expect(await first.getAttribute('data-region')).toBe(PROBE_REGION);
      expect(await first.getAttribute('data-direction')).toBe('degrading');
      expect(await first.textContent()).toMatch(/\+1\d\d ms\/h/);
      expect(
        Number(await page.locator(byTestId('trends-count-degrading')).getAttribute('data-count')),
      ).toBeGreaterThanOrEqual(1);
    });

    await first.click();
    await page.waitForSelector(byTestId('view-explore'));
    expect(decodeURIComponent(page.url())).toContain(
      `#/explore?metric=latency&scope=region:${PROBE_REGION}&service=application&agg=avg&range=1h&trend=`,
    );
    // The metric list loads after the view: the picker shows the metric once it has it.
    await eventually(async () =>
      expect(await page.locator(byTestId('explore-metric')).inputValue()).toBe('latency'),
    );
    await eventually(async () => expect(await chartFigure(stack, 'points')).toBeGreaterThan(50));
    // 2 ms a minute: the client fit says +120 ms/h, as the analysis does.
    await eventually(async () => {
      const badge = page.locator(byTestId('explore-trend'));
      const slope = Number(await badge.getAttribute('data-slope'));
      expect(slope).toBeGreaterThan(110);
      expect(slope).toBeLessThan(130);
    });
    const note = page.locator(byTestId('explore-server-trend'));
    await note.waitFor();
    expect(await note.getAttribute('data-direction')).toBe('degrading');
  });
});
