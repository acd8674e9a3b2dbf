// Rules page in Chromium against `meridian serve` and the simulator: a threshold rule made in
// the form (inline errors from the core's 400 first), its preview from the stored history,
// saved, firing from simulator data; then disabled (its alerts resolve) and deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/api.js';
import type { Alert } from '../../shared/model.js';
import { axeViolations, describeFindings } from './axe.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

let stack: Stack;

describe('rules page', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 6, seed: 11 });
    // Some history for the preview to replay: every agent has reported cpu.
    await eventually(async () => {
      const { body } = await stack.api<{ metrics: string[] }>('/api/v1/metric-names');
      expect(body.metrics).toContain('cpu_usage');
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a threshold rule with a preview, sees it fire, disables and deletes it', async () => {
    const page = await openConsole(stack, '#/rules');
    await page.waitForSelector(byTestId('rule-row-cpu_usage'));
    await page.click(byTestId('rule-new'));
    await page.waitForSelector(byTestId('rule-form'));

    // A bad id: the core's field error shows beside the input, before any save.
    await page.fill(byTestId('rule-field-id'), 'Busy CPU');
    await page.fill(byTestId('rule-field-metric'), 'cpu_usage');
    await waitForText(page, 'rule-error-id', /lower-case letters/);
    expect(await page.getAttribute(byTestId('rule-field-id'), 'aria-invalid')).toBe('true');

    await page.fill(byTestId('rule-field-id'), 'cpu_any');
    await page.fill(byTestId('rule-field-description'), 'Any CPU use');
    // Every simulated agent uses more than 1 % cpu: the rule fires for each.
    await page.fill(byTestId('rule-field-warning'), '1');
    await page.fill(byTestId('rule-field-runbookUrl'), 'https://runbooks.example/cpu');
    await waitForText(page, 'rule-preview', /Would have fired [1-9]\d* times? in the last 24 h/);
    expect(await page.locator(byTestId('rule-error-id')).count()).toBe(0);
    const findings = await axeViolations(page);
    expect(findings, describeFindings(findings)).toEqual([]);

    await page.click(byTestId('rule-save'));
    await page.waitForSelector(byTestId('rule-row-cpu_any'));
    expect(await page.locator(byTestId('rule-form')).count()).toBe(0);
    // It fires from the simulator's samples, and the page counts its open alerts live.
    await eventually(async () => {
      const n = Number(await page.getAttribute(byTestId('rule-firing-cpu_any'), 'data-firing'));
      expect(n).toBeGreaterThanOrEqual(1);
    });
    const fired = (await alertsIn(stack, 'open')).filter((a) => a.ruleId === 'cpu_any');
    expect(fired.length).toBeGreaterThanOrEqual(1);

    // Disable from the keyboard: the switch is a button; its alerts resolve as "rule disabled".
    await page.focus(byTestId('rule-toggle-cpu_any'));
    await page.keyboard.press('Enter');
    await eventually(async () =>
      expect(await page.getAttribute(byTestId('rule-toggle-cpu_any'), 'aria-checked')).toBe(
        'false',
      ),
    );
    await waitForText(page, 'rule-firing-cpu_any', '0');
    const { body } = await stack.api<{ alert: Alert }>(`/api/v1/alerts/${fired[0]!.id}`);
    expect(body.alert.state).toBe('resolved');
    expect(body.alert.history.at(-1)?.comment).toBe('rule disabled');

    // Delete asks first; the focus goes to the question's answer.
    await page.click(byTestId('rule-delete-cpu_any'));
    await page.waitForSelector(`${byTestId('rule-confirm-delete-cpu_any')}:focus`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(byTestId('rule-row-cpu_any'), { state: 'detached' });
    const audit = await stack.api<{ entries: AuditEntry[] }>('/api/v1/audit?target=cpu_any');
    expect(audit.body.entries.map((e) => e.action)).toEqual([
      'rule.delete',
      'rule.update',
      'rule.create',
    ]);
  });

  it('duplicates a rule into the form and refuses a duplicate id with a message', async () => {
    const page = await openConsole(stack, '#/rules');
    await page.click(byTestId('rule-duplicate-memory_usage'));
    await page.waitForSelector(byTestId('rule-form'));
    expect(await page.inputValue(byTestId('rule-field-id'))).toBe('memory_usage_copy');
    expect(await page.inputValue(byTestId('rule-field-warning'))).toBe('85');
    await page.fill(byTestId('rule-field-id'), 'disk_usage');
    await page.click(byTestId('rule-save'));
    await waitForText(page, 'rule-save-error', /a rule disk_usage exists already/);
  });
});
