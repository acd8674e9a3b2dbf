// Small helpers for the browser tests: polling assertions and common waits on the console UI.
// Every wait polls for a condition up to a deadline; the deadlines are generous (they only bound a
// wait, so a busy machine costs time, never a failure).
import type { Page } from 'playwright-core';
import type { Alert } from '../../shared/model.js';
import type { Stack } from './stack.js';

/** The deadline of every UI wait unless a test names a longer one (also the page's default). */
export const WAIT_MS = 15_000;

/** Retry `fn` until it stops throwing or `timeoutMs` passes (then rethrow its last error). */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  timeoutMs = WAIT_MS,
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
export async function openConsole(stack: Stack, hash = '#/overview'): Promise<Page> {
  const { page } = stack;
  await page.goto(`${stack.consoleUrl}${hash}`);
  await page.waitForSelector(`${byTestId('conn-status')}[data-state="live"]`);
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
  timeoutMs = WAIT_MS,
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

/**
 * Ids of the alert rows rendered now, top to bottom, read in one go (rows come and go as the
 * stream delivers changes, so counting them and then reading each could straddle a render).
 * A snapshot: to wait for a row, poll this (or `waitForSelector`), never read it once.
 */
export async function rowIds(page: Page): Promise<string[]> {
  return page
    .locator(byTestId('alert-row'))
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id') ?? ''));
}
