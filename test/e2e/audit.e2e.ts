// The Audit page in Chromium against `meridian serve` and the simulator: an operator acks an
// alert on the Alerts page, the ack is on the Audit page (filtered by action), the chain head
// shows, and "Verify now" checks the chain on the console and says it holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/api.js';
import type { Alert } from '../../shared/model.js';
import { axeViolations, describeFindings } from './axe.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

let stack: Stack;

describe('audit page', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 4, seed: 13 });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('an ack made in the UI is on the Audit page; Verify now says the chain holds', async () => {
    const { body } = await stack.api<{ agents: { id: string; hostname: string }[] }>(
      '/api/v1/agents',
    );
    const agentId = body.agents.find((a) => a.hostname === stack.sim!.agents[0]!.hostname)!.id;
    stack.sim!.spike(0, 99, 10 * 60_000);
    const alert: Alert = await eventually(async () => {
      const open = await alertsIn(stack, 'open');
      const a = open.find((x) => x.subject.agentId === agentId && x.metric === 'cpu_usage');
      expect(a).toBeDefined();
      return a!;
    });

    const page = await openConsole(stack, '#/alerts');
    await page.click(`${byTestId('alert-row')}[data-alert-id="${alert.id}"]`);
    await page.waitForSelector(`${byTestId('alert-detail')}[data-alert-id="${alert.id}"]`);
    await page.click(byTestId('alert-ack'));
    await page.waitForSelector(`${byTestId('alert-detail')}[data-state="acknowledged"]`);

    await page.click(byTestId('nav-security'));
    await page.click(byTestId('security-nav-audit'));
    await page.waitForSelector(byTestId('view-audit'));
    await page.fill(byTestId('audit-filter-action'), 'alert.ack');
    await page.press(byTestId('audit-filter-action'), 'Enter');
    const row = `${byTestId('audit-row')}[data-action="alert.ack"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toContain(alert.id);
    // Only acks are listed now.
    const actions = await page.$$eval(byTestId('audit-row'), (rows) =>
      rows.map((r) => r.getAttribute('data-action')),
    );
    expect(new Set(actions)).toEqual(new Set(['alert.ack']));

    // The head on the page is the API's.
    const { head } = (
      await stack.api<{ head: { seq: number; hash: string } }>('/api/v1/audit/head')
    ).body;
    await eventually(async () => {
      const shown = Number(await page.textContent(byTestId('audit-head-seq')));
      expect(shown).toBeGreaterThanOrEqual(head.seq);
    });
    expect(await page.textContent(byTestId('audit-head-hash'))).toMatch(/^[0-9a-f]{64}$/);

    await page.click(byTestId('audit-verify'));
    await waitForText(page, 'audit-verification', /Chain verified: [\d,]+ records intact/);
    expect(await page.getAttribute(byTestId('audit-verification'), 'data-ok')).toBe('true');
    const findings = await axeViolations(page);
    expect(findings, describeFindings(findings)).toEqual([]);

    // The API holds the same ack.
    const { entries } = (
      await stack.api<{ entries: AuditEntry[] }>(
        `/api/v1/audit?action=alert.ack&target=${alert.id}`,
      )
    ).body;
    expect(entries).toHaveLength(1);
  });
});
