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

  it('creates a region_aggregate rule in the form; it fires one alert per region', async () => {
    const { body: metrics } = await stack.api<{ metrics: string[] }>('/api/v1/metric-names');
    expect(metrics.metrics).toContain('response_time');
    const page = await openConsole(stack, '#/rules');
    await page.click(byTestId('rule-new'));
    await page.waitForSelector(byTestId('rule-form'));
    await page.selectOption(byTestId('rule-field-kind'), 'region_aggregate');
    await page.waitForSelector(byTestId('rule-field-agg'));
    // Its scope is regions and agent types: no label matcher input for this kind.
    expect(await page.locator(byTestId('rule-field-matchers.labels')).count()).toBe(0);
    await page.fill(byTestId('rule-field-id'), 'region_any_latency');
    await page.fill(byTestId('rule-field-description'), 'Any region latency');
    await page.fill(byTestId('rule-field-metric'), 'response_time');
    await page.selectOption(byTestId('rule-field-agg'), 'p95');
    await page.fill(byTestId('rule-field-unit'), 'ms');
    await page.fill(byTestId('rule-field-windowMs'), '0.5');
    await waitForText(page, 'rule-error-windowMs', /60000/);
    await page.fill(byTestId('rule-field-windowMs'), '2');
    // Every simulated region answers in more than 1 ms.
    await page.fill(byTestId('rule-field-warning'), '1');
    await waitForText(page, 'rule-preview', /No preview: .*region_aggregate/);
    await page.click(byTestId('rule-save'));
    await page.waitForSelector(byTestId('rule-row-region_any_latency'));
    const { body } = await stack.api<{ rules: { id: string; windowMs?: number }[] }>(
      '/api/v1/rules',
    );
    expect(body.rules.find((r) => r.id === 'region_any_latency')?.windowMs).toBe(120_000);
    // Fired per region (subject the region, no agent), at most one alert a region.
    await eventually(async () => {
      const open = (await alertsIn(stack, 'open')).filter((a) => a.ruleId === 'region_any_latency');
      expect(open.length).toBeGreaterThanOrEqual(1);
      for (const a of open) expect(a.subject).toMatchObject({ kind: 'region', agentId: null });
      const regions = open.map((a) => a.subject.regionId);
      expect(new Set(regions).size).toBe(regions.length);
    });
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
