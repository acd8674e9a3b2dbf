// Settings → Metric storage: the panel shows what the store holds, as GET /api/v1/storage
// says, and marks its figures stale when the console stops answering.
import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageReport } from '../../shared/api.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, textOf, waitForText } from './ui.js';

let stack: Stack;

describe('settings: metric storage', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 8, seed: 5 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the series, memory and tiers the store reports', async () => {
    // Eight simulated agents report several series each.
    await eventually(async () => {
      const { body } = await stack.api<StorageReport>('/api/v1/storage');
      expect(body.series.total).toBeGreaterThanOrEqual(8 * 3);
    });
    // The simulator keeps opening series, so the count is compared with the answers the page
    // itself received from GET /api/v1/storage, not with a read of the test's own.
    const served: number[] = [];
    const onResponse = (res: Response): void => {
      if (new URL(res.url()).pathname !== '/api/v1/storage' || !res.ok()) return;
      void res
        .json()
        .then((body: StorageReport) => served.push(body.series.total))
        .catch(() => undefined);
    };
    stack.page.on('response', onResponse);
    try {
      const page = await openConsole(stack, '#/settings');
      await page.waitForSelector(byTestId('storage-panel'));
      await eventually(async () => {
        const text = await textOf(page, 'storage-series');
        const shown = Number(text.split(' ')[0]!.replace(/,/g, ''));
        expect(served).toContain(shown);
        expect(shown).toBeGreaterThanOrEqual(8 * 3);
      });
    } finally {
      stack.page.off('response', onResponse);
    }
    const page = stack.page;
    const tiers = page.locator(byTestId('storage-tier'));
    await eventually(async () => expect(await tiers.count()).toBe(3));
    expect(await tiers.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tier')))).toEqual(
      ['raw', '1m', '1h'],
    );
    await waitForText(page, 'storage-budget', /of a 10\.0 GiB budget/);
    await waitForText(page, 'storage-head', /\d.*samples/);
  });

  it('is reachable from the header', async () => {
    const page = await openConsole(stack, '#/overview');
    await page.click(byTestId('nav-settings'));
    await page.waitForSelector(byTestId('settings-view'));
    expect(page.url()).toContain('#/settings');
  });

  it('keeps the last figures, marked stale with their age, once the console stops answering', async () => {
    const page = await openConsole(stack, '#/settings');
    await waitForText(page, 'storage-series', /\d/);
    stack.serve.kill('SIGKILL');
    // The panel polls every 10 s; the next poll fails and the figures stay, marked stale.
    await page.waitForSelector(byTestId('storage-stale'), { timeout: 30_000 });
    await waitForText(page, 'storage-stale', /figures from .* ago/);
    expect(await page.locator(byTestId('storage-tier')).count()).toBe(3);
    expect(await page.getAttribute(byTestId('storage-panel'), 'data-stale')).toBe('true');
  });
});
