// Compliance in Chromium against `meridian serve` and the simulator: the simulator's
// non-compliant hosts (chosen by seed) appear failing on the Compliance page, failing
// controls first, with each host's evidence on drill-down and in the region scorecards; the
// agent drawer's Posture section says the same; the export button downloads the HTML report.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceReport } from '../../shared/compliance.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

describe('compliance page', () => {
  let stack: Stack;
  let failing: { agentId: string; hostname: string; region: string }[] = [];

  beforeAll(async () => {
    stack = await startStack({ agents: 20, seed: 3 });
    const sim = stack.sim!;
    failing = sim.nonCompliant().map((i) => ({
      agentId: sim.agents[i]!.uplink.agentId!,
      hostname: sim.agents[i]!.hostname,
      region: sim.agents[i]!.region,
    }));
    expect(failing.length).toBe(2);
    // Every simulated agent's facts are in before the page is judged.
    await eventually(async () => {
      const r = await stack.api<ComplianceReport>('/api/v1/compliance');
      const root = r.body.controls.find((c) => c.id === 'ssh-root-login-disabled')!;
      expect(root.pass + root.fail).toBe(20);
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the non-compliant hosts failing, failing controls first, with their evidence', async () => {
    const page = await openConsole(stack, '#/compliance');
    const root = page.locator(
      `${byTestId('compliance-control')}[data-control="ssh-root-login-disabled"]`,
    );
    await root.waitFor();
    expect(await root.getAttribute('data-result')).toBe('fail');
    // Failing first: no failing control after a non-failing one.
    const results = await page
      .locator(byTestId('compliance-control'))
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-result')));
    expect(results[0]).toBe('fail');
    expect(results.slice(results.indexOf(results.find((r) => r !== 'fail')!))).not.toContain(
      'fail',
    );

    await root.locator('button').click();
    const rows = root.locator(byTestId('compliance-evidence-row'));
    await rows.first().waitFor();
    for (const f of failing) {
      const row = root.locator(`${byTestId('compliance-evidence-row')}[data-agent="${f.agentId}"]`);
      await expect.poll(() => row.textContent()).toContain('Fail');
      expect(await row.textContent()).toContain('permitrootlogin yes');
      expect(await row.textContent()).toContain(f.hostname);
    }
    // The first rows are the failing hosts.
    const firstAgents = await rows.evaluateAll((els) =>
      els.slice(0, 2).map((e) => e.getAttribute('data-agent')),
    );
    expect(firstAgents.sort()).toEqual(failing.map((f) => f.agentId).sort());

    const pci = page.locator(`${byTestId('compliance-scorecard')}[data-framework="pci-dss"]`);
    expect(Number(await pci.getAttribute('data-fail'))).toBeGreaterThanOrEqual(2);
    for (const region of new Set(failing.map((f) => f.region))) {
      const row = page.locator(`${byTestId('compliance-region-row')}[data-region="${region}"]`);
      expect(Number(await row.getAttribute('data-failing-agents'))).toBe(
        failing.filter((f) => f.region === region).length,
      );
    }
  });

  it('the export button downloads the self-contained HTML evidence report', async () => {
    const page = await openConsole(stack, '#/compliance');
    await page.locator(byTestId('compliance-export-html')).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(byTestId('compliance-export-html')).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^meridian-compliance-.*\.html$/);
    const html = await readFile((await download.path())!, 'utf8');
    expect(html).toContain('Audit chain head hash');
    for (const f of failing) expect(html).toContain(f.hostname);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//i);
  });

  it("a failing host's drawer shows its posture", async () => {
    const f = failing[0]!;
    const page = await openConsole(stack, `#/agents/${f.agentId}`);
    const posture = page.locator(byTestId('agent-posture'));
    await posture.locator(byTestId('agent-posture-control')).first().waitFor();
    expect(
      await posture.locator(`${byTestId('agent-posture-control')}[data-result="fail"]`).count(),
    ).toBeGreaterThanOrEqual(1);
    expect(await posture.textContent()).toContain('SSH does not accept root logins');
  });
});
