// The agent table against a 40-agent simulator: count, search, region and status filters, drawer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentsPage } from '../../shared/api.js';
import type { Agent, Region } from '../../shared/model.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, waitForText } from './ui.js';

const AGENTS = 40;
let stack: Stack;

/** Hostnames of the agent rows rendered now, read in one go. */
const hostnamesShown = () =>
  stack.page
    .locator(byTestId('agent-row'))
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hostname')));

describe('agents view', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: AGENTS, seed: 5 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("shows the simulator's agent count, and search and region filters narrow it", async () => {
    const page = await openConsole(stack, '#/agents');
    await waitForText(page, 'agent-count', `${AGENTS} agents`);
    expect(await page.locator(byTestId('agent-count')).getAttribute('data-count')).toBe(
      String(AGENTS),
    );
    // Virtualised: only the rows in view (plus overscan) are in the DOM, never more than all.
    // (The virtualiser measures the table after the first render, so its rows can follow the count.)
    await eventually(async () => {
      const rendered = await page.locator(byTestId('agent-row')).count();
      expect(rendered).toBeGreaterThan(10);
      expect(rendered).toBeLessThanOrEqual(AGENTS);
    });

    // Search by a full hostname: exactly that agent.
    const target = stack.sim!.agents[17]!;
    await page.fill(byTestId('agent-search'), target.hostname);
    await waitForText(page, 'agent-count', `1 of ${AGENTS} agents`);
    await eventually(async () => expect(await hostnamesShown()).toEqual([target.hostname]));

    // Search by a fragment: every agent of one type in one region.
    await page.fill(byTestId('agent-search'), 'eu-west-1-');
    const euWest = stack.sim!.agents.filter((a) => a.region === 'eu-west-1').length;
    await waitForText(page, 'agent-count', `${euWest} of ${AGENTS} agents`);

    // Region filter alone.
    await page.fill(byTestId('agent-search'), '');
    await page.selectOption(byTestId('agent-region-filter'), 'ap-northeast-1');
    await waitForText(page, 'agent-count', `${AGENTS / 4} of ${AGENTS} agents`);
    await eventually(async () => {
      const regions = await page
        .locator(byTestId('agent-row'))
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-region')));
      expect(new Set(regions)).toEqual(new Set(['ap-northeast-1']));
      expect(regions).toHaveLength(AGENTS / 4);
    });

    // Region + search combine.
    const tokyo = stack.sim!.agents.find((a) => a.region === 'ap-northeast-1')!;
    await page.fill(byTestId('agent-search'), tokyo.hostname);
    await waitForText(page, 'agent-count', `1 of ${AGENTS} agents`);
    await page.selectOption(byTestId('agent-region-filter'), 'us-east-1');
    await waitForText(page, 'agent-count', `0 of ${AGENTS} agents`);
    await page.waitForSelector(byTestId('agent-table-empty'));
  });

  it('filters by status and opens a detail drawer with the agent values', async () => {
    const page = stack.page;
    await page.fill(byTestId('agent-search'), '');
    await page.selectOption(byTestId('agent-region-filter'), '');
    const victim = stack.sim!.agents[2]!;
    stack.sim!.kill(victim.index);
    await page.selectOption(byTestId('agent-status-filter'), 'offline');
    await waitForText(page, 'agent-count', `1 of ${AGENTS} agents`);
    const row = page.locator(
      `${byTestId('agent-row')}[data-hostname="${victim.hostname}"][data-status="offline"]`,
    );
    await row.waitFor();
    expect(await hostnamesShown()).toEqual([victim.hostname]);

    await row.click();
    const drawer = page.locator(byTestId('agent-drawer'));
    await drawer.waitFor();
    const { body } = await stack.api<{ agents: Agent[] }>('/api/v1/agents');
    const agent = body.agents.find((a) => a.hostname === victim.hostname)!;
    await waitForText(page, 'agent-drawer-hostname', victim.hostname);
    await waitForText(page, 'agent-drawer-ip', agent.ipAddress);
    await eventually(async () => expect(await drawer.textContent()).toContain(agent.regionId));
    await eventually(() => expect(page.url()).toContain(`#/agents/${agent.id}`));
    // Its open alert (agent offline) is listed.
    await page.waitForSelector(`${byTestId('agent-drawer-alerts')} >> text=stopped reporting`);

    await page.click(byTestId('agent-drawer-close'));
    await page.waitForSelector(byTestId('agent-drawer'), { state: 'detached' });
  });

  it("decommissions a dead agent from its drawer, after a confirmation: its region's counts drop", async () => {
    const victim = stack.sim!.agents[9]!;
    const online = stack.sim!.agents[10]!;
    const regionOf = async (id: string) =>
      (await stack.api<{ regions: Region[] }>('/api/v1/regions')).body.regions.find(
        (r) => r.id === id,
      )!;
    const find = async (hostname: string) => {
      const { body } = await stack.api<AgentsPage>('/api/v1/agents?fields=id,hostname,status');
      return body.agents.find((a) => a.hostname === hostname)!;
    };
    // An online agent's drawer offers no decommission.
    const live = await find(online.hostname);
    const page = await openConsole(stack, `#/agents/${live.id}`);
    await page.locator(byTestId('agent-drawer-latest')).waitFor();
    expect(await page.locator(byTestId('agent-decommission')).count()).toBe(0);

    stack.sim!.kill(victim.index);
    const dead = await eventually(async () => {
      const a = await find(victim.hostname);
      expect(a.status).toBe('offline');
      return a;
    });
    const before = await regionOf(victim.region);
    await openConsole(stack, `#/agents/${dead.id}`);
    await page.locator(byTestId('agent-decommission')).waitFor();

    // The first click only asks; Cancel leaves the agent alone.
    await page.click(byTestId('agent-decommission'));
    await waitForText(page, 'agent-decommission-question', new RegExp(victim.hostname));
    await page.click(byTestId('agent-decommission-cancel'));
    await page.waitForSelector(byTestId('agent-decommission-question'), { state: 'detached' });
    expect((await find(victim.hostname))?.id).toBe(dead.id);

    await page.click(byTestId('agent-decommission'));
    await page.click(byTestId('agent-decommission-confirm'));
    await page.waitForSelector(byTestId('agent-drawer'), { state: 'detached' });
    await waitForText(page, 'agent-count', `${AGENTS - 1} agents`);
    expect(await find(victim.hostname)).toBeUndefined();

    // The region card counts one agent fewer, and the API says so too.
    await openConsole(stack, '#/overview');
    await waitForText(
      page,
      `region-agents-${victim.region}`,
      new RegExp(`^\\s*${before.onlineCount}\\s*/\\s*${before.agentCount - 1}\\s*$`),
    );
    expect(await regionOf(victim.region)).toMatchObject({
      agentCount: before.agentCount - 1,
      onlineCount: before.onlineCount,
    });
  });
});
