// A region's threat level in the browser: the simulator's SSH brute force on one agent makes
// its region's card and map marker show the level the console computes
// (GET /api/v1/security/threat), and the other regions stay at "none".
import { describe, afterAll, beforeAll, expect, it } from 'vitest';
import type { ThreatReport } from '../../shared/security.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

let stack: Stack;

describe('regional threat level', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 4, seed: 21 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("the simulator's brute force raises its region's threat level on the card and the map", async () => {
    const sim = stack.sim!;
    const target = sim.agents[2]!;
    const quiet = sim.agents.find((a) => a.region !== target.region)!;
    sim.bruteForce(2, { attempts: 12, sourceIp: '192.0.2.77' });
    const threat = await eventually(async () => {
      const res = await stack.api<ThreatReport>('/api/v1/security/threat');
      const t = res.body.regions.find((r) => r.regionId === target.region);
      expect(t?.detections).toBeGreaterThan(0);
      return t!;
    }, 30_000);
    // One critical brute force just now: weight 10, "elevated".
    expect(threat).toMatchObject({ level: 'elevated', score: 10, open: 1 });

    // Opened after the detection: the first poll brings it.
    const page = await openConsole(stack);
    const badge = page.locator(byTestId(`region-threat-${target.region}`));
    await badge.and(page.locator('[data-level="elevated"]')).waitFor();
    expect((await badge.textContent())?.trim()).toBe('elevated · 10');
    expect(await badge.getAttribute('title')).toContain('d611737a-a302-49f4-89b6-3f80eca73682 ×1');
    await page
      .locator(`${byTestId(`region-marker-${target.region}`)}[data-threat="elevated"]`)
      .waitFor();
    await page.locator(byTestId(`region-threat-mark-${target.region}`)).waitFor();
    const label = await page
      .locator(byTestId(`region-marker-${target.region}`))
      .getAttribute('aria-label');
    expect(label).toContain('threat level elevated');

    const other = page.locator(byTestId(`region-threat-${quiet.region}`));
    await other.and(page.locator('[data-level="none"]')).waitFor();
    expect((await other.textContent())?.trim()).toBe('none');
    expect(await page.locator(byTestId(`region-threat-mark-${quiet.region}`)).count()).toBe(0);
  });
});
