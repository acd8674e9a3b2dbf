// Small helpers for the browser tests: polling assertions and common waits on the console UI.
import type { Page } from 'playwright-core';
import type { Alert } from '../../shared/model.js';
import type { Stack } from './stack.js';

/** Retry `fn` until it stops throwing or `timeoutMs` passes (then rethrow its last error). */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  timeoutMs = 5_000,
  everyMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Open the console (the token URL, as the user would) at a view, and wait for live data. */
export async function openConsole(
  stack: Stack,
  hash = '#/overview',
  timeoutMs = 10_000,
): Promise<Page> {
  const { page } = stack;
  await page.goto(`${stack.consoleUrl}${hash}`);
  await page.waitForSelector(`${byTestId('conn-status')}[data-state="live"]`, {
    timeout: timeoutMs,
  });
  return page;
}

export async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.locator(byTestId(testId)).first().textContent()) ?? '').trim();
}

/** Wait until the element's text equals `expected` (or matches it). */
export async function waitForText(
  page: Page,
  testId: string,
  expected: string | RegExp,
  timeoutMs = 5_000,
): Promise<void> {
  const hasText =
    typeof expected === 'string' ? new RegExp(`^\\s*${escape(expected)}\\s*$`) : expected;
  await page.locator(byTestId(testId), { hasText }).first().waitFor({ timeout: timeoutMs });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function alertsIn(stack: Stack, state: string): Promise<Alert[]> {
  const res = await stack.api<{ alerts: Alert[] }>(`/api/v1/alerts?state=${state}`);
  if (res.status !== 200) throw new Error(`GET alerts?state=${state}: ${res.status}`);
  return res.body.alerts;
}

/** Ids of the alert rows currently rendered, top to bottom. */
export async function rowIds(page: Page): Promise<string[]> {
  const rows = page.locator(byTestId('alert-row'));
  const ids: string[] = [];
  for (let i = 0; i < (await rows.count()); i++)
    ids.push((await rows.nth(i).getAttribute('data-alert-id'))!);
  return ids;
}
