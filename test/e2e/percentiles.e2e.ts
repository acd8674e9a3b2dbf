// The Trends page's percentile panel in Chromium against `meridian serve`: four hours of
// latencies over the agent WebSocket, the older hours compacted. Over 24 h the panel shows the
// 500 ms p99 that was sent (not the ~150 ms of minute means) and says it is within ±1 %; over
// 1 h it says exact. Restarted on rollup blocks as a version without sketches wrote them, it
// marks the row "≈" and says the window is partly from 1-minute means.
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageReport } from '../../shared/api.js';
import { connectAgent, waitFor } from '../helpers/core.js';
import { latencyHistory, stripAllSketches } from '../helpers/latency-history.js';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const CONFIG = { checkpointEveryMs: 10_000 };

/** The p99 cell of the one row, as a number of ms ("498.3 ms"). */
async function p99Of(stack: Stack): Promise<number> {
  const text = (await stack.page.locator(byTestId('percentile-p99')).first().textContent()) ?? '';
  return Number(text.replace(/[^\d.]/g, ''));
}

describe('percentile panel', () => {
  const stacks: Stack[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0).reverse()) await s.stop();
  });

  it('shows the p99 of the samples over 24 h, says how it was taken, and marks means', async () => {
    const first = await startStack({ config: CONFIG });
    stacks.push(first);
    const end = Date.now();
    const start = end - 4 * HOUR + 2 * MIN;
    const agent = await connectAgent(first.ingestUrl, { hostname: 'pct-web-1' }, AGENT_TOKEN);
    const history = latencyHistory(start, end);
    for (let i = 0, seq = 0; i < history.length; i += 2_000) {
      const samples = history.slice(i, i + 2_000).map((s) => ({ name: 'response_time', ...s }));
      agent.send({ type: 'metrics', seq: ++seq, samples });
      await agent.next('ack');
    }
    // `newest` of a rollup tier is the start of its newest bucket: the hour's last minute.
    const compactedTo = start - (start % HOUR) + 2 * HOUR;
    await waitFor(
      async () => {
        const { body } = await first.api<StorageReport>('/api/v1/storage');
        const minutes = body.tiers.find((t) => t.tier === '1m')!;
        return minutes.newest !== null && minutes.newest >= compactedTo - MIN;
      },
      60_000,
      'the oldest hours compacted',
    );

    const page = await openConsole(first, '#/trends?window=24h');
    const basis = byTestId('percentiles-basis');
    await page.waitForSelector(`${basis}[data-basis="sketch"]`);
    expect(await page.locator(basis).textContent()).toContain('±1 %');
    expect(Math.abs((await p99Of(first)) - 500)).toBeLessThanOrEqual(5);
    expect(await page.locator(byTestId('percentile-from-means')).count()).toBe(0);
    await page.goto(`${first.consoleUrl}#/trends?window=1h`);
    await page.waitForSelector(`${basis}[data-basis="raw"]`);
    expect(await page.locator(basis).textContent()).toContain('Exact');
    agent.ws.terminate();

    // The same data dir, its rollups as an older version wrote them (no sketches).
    stacks.pop();
    await first.stop({ keepDir: true });
    expect((await stripAllSketches(first.dataDir)).length).toBeGreaterThan(0);
    const second = await startStack({ dataDir: first.dataDir });
    stacks.push(second);
    await openConsole(second, '#/trends?window=24h');
    await second.page.waitForSelector(`${basis}[data-basis="means"]`);
    const marker = second.page.locator(byTestId('percentile-from-means'));
    await eventually(async () => expect(await marker.count()).toBe(1));
    expect(await marker.getAttribute('aria-label')).toMatch(
      /\d+ % of these samples .*1-minute means/,
    );
  });
});
