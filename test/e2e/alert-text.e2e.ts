// What the console says about alerts agrees with itself and with the core: the critical KPI
// tile and the nav badge show the same number (an acknowledged critical once split them, 59
// against 58), and the alert detail gives values in their unit, "now" from the live reading
// and, for a region, its online count now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/model.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, textOf, waitForText } from './ui.js';

let stack: Stack;
/** Spikes outlast the file, however slowly it runs. */
const SPIKE_MS = 10 * 60_000;

async function agentIdOf(hostname: string): Promise<string> {
  const { body } = await stack.api<{ agents: { id: string; hostname: string }[] }>(
    '/api/v1/agents',
  );
  return body.agents.find((a) => a.hostname === hostname)!.id;
}

async function openCpuAlert(agentId: string): Promise<Alert> {
  return eventually(async () => {
    const alert = (await alertsIn(stack, 'open')).find(
      (a) => a.subject.agentId === agentId && a.metric === 'cpu_usage' && a.severity === 'critical',
    );
    expect(alert).toBeDefined();
    return alert!;
  });
}

/** The tile's and the badge's numbers, read in one go from the same rendered page. */
async function tileAndBadge(): Promise<{ tile: string; badge: string; severity: string }> {
  return stack.page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: {
          querySelector(
            s: string,
          ): { textContent: string | null; getAttribute(n: string): string | null } | null;
        };
      }
    ).document;
    const badge = doc.querySelector('[data-testid="nav-alerts-count"]');
    return {
      tile: doc.querySelector('[data-testid="kpi-critical-count"]')?.textContent?.trim() ?? '',
      badge: badge?.textContent?.trim() ?? '',
      severity: badge?.getAttribute('data-severity') ?? '',
    };
  });
}

describe('alert text', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 12, seed: 9 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the critical KPI tile and the nav badge show the same count, acknowledged criticals included', async () => {
    const page = await openConsole(stack, '#/overview');
    const sim = stack.sim!;
    sim.spike(0, 99, SPIKE_MS);
    sim.spike(1, 99, SPIKE_MS);
    const first = await openCpuAlert(await agentIdOf(sim.agents[0]!.hostname));
    await openCpuAlert(await agentIdOf(sim.agents[1]!.hostname));
    const ack = await stack.api(`/api/v1/alerts/${first.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'on it' }),
    });
    expect(ack.status).toBe(200);
    await eventually(async () => {
      const criticalOpen = (await alertsIn(stack, 'open')).filter(
        (a) => a.severity === 'critical',
      ).length;
      expect(criticalOpen).toBeGreaterThanOrEqual(2);
      const shown = await tileAndBadge();
      expect(shown).toEqual({
        tile: String(criticalOpen),
        badge: String(criticalOpen),
        severity: 'critical',
      });
      // The acknowledged one is there, only not counted as unacknowledged.
      expect(await textOf(page, 'kpi-critical')).toContain(`${criticalOpen - 1} unacknowledged`);
    });
  });

  it('the alert detail gives value and threshold in the metric unit, and "now" from the live value', async () => {
    const page = await openConsole(stack, '#/alerts');
    stack.sim!.spike(1, 99, SPIKE_MS);
    const alert = await openCpuAlert(await agentIdOf(stack.sim!.agents[1]!.hostname));
    await page.click(`${byTestId('alert-row')}[data-alert-id="${alert.id}"]`);
    await page.waitForSelector(`${byTestId('alert-detail')}[data-alert-id="${alert.id}"]`);
    // The spike holds cpu at 99: that is the live value too.
    await waitForText(page, 'alert-detail-value', '99.0% (threshold 95.0%, now 99.0%)');
  });

  it('a region alert says the region’s online count now, and its message follows it', async () => {
    const page = stack.page;
    const sim = stack.sim!;
    const region = 'eu-west-1';
    const members = sim.agents.filter((a) => a.region === region);
    // Two of three first (1/3: failed), then the last one (0/3).
    for (const a of members.slice(0, 2)) sim.kill(a.index);
    const alert = await eventually(async () => {
      const open = (await alertsIn(stack, 'open')).find(
        (a) => a.ruleId === 'region_status' && a.subject.regionId === region,
      );
      expect(open?.message).toContain('1/3 agents online');
      return open!;
    });
    await page.click(byTestId('alerts-tab-firing'));
    await page.click(`${byTestId('alert-row')}[data-alert-id="${alert.id}"]`);
    await page.waitForSelector(`${byTestId('alert-detail')}[data-alert-id="${alert.id}"]`);
    await waitForText(page, 'alert-detail-value', '1/3 (threshold 50%)');
    expect(
      await page.locator(`${byTestId('alert-detail')} dt`, { hasText: 'Online' }).count(),
    ).toBe(1);
    sim.kill(members[2]!.index);
    await waitForText(page, 'alert-detail-value', '0/3 (threshold 50%)');
    await page
      .locator(`${byTestId('alert-detail')} h2`, { hasText: 'failed: 0/3 agents online (0%)' })
      .waitFor();
  });
});
