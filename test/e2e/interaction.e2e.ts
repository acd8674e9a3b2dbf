// Issue 9, "Interaction": rows do not move under the pointer, names keep their distinguishing
// end, offline agents look offline, and alert actions are deliberate (a comment is used once,
// a resolve can be undone). Against the real `meridian serve`, the simulator and Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Alert } from '../../shared/model.js';
import { startStack, type Stack } from './stack.js';
import { nameLayouts } from './text-visibility.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

const AGENTS = 40;
/** Spikes outlast the file, however slowly it runs: a spike that ended would resolve its alert. */
const SPIKE_MS = 10 * 60_000;
let stack: Stack;

async function agents(): Promise<Agent[]> {
  const { body } = await stack.api<{ agents: Agent[] }>('/api/v1/agents');
  return body.agents;
}

async function cpuAlertOf(agentId: string): Promise<Alert> {
  return eventually(async () => {
    const open = await alertsIn(stack, 'open');
    const alert = open.find((a) => a.subject.agentId === agentId && a.metric === 'cpu_usage');
    expect(alert).toBeDefined();
    return alert!;
  });
}

async function alertById(id: string): Promise<Alert> {
  const { status, body } = await stack.api<{ alert: Alert }>(`/api/v1/alerts/${id}`);
  expect(status).toBe(200);
  return body.alert;
}

/** The hostname of the agent row under a point of the page (null when none). */
function hostnameAt(x: number, y: number): Promise<string | null> {
  return stack.page
    .locator('body')
    .evaluate(
      (body, [px, py]) =>
        body.ownerDocument
          .elementFromPoint(px!, py!)
          ?.closest('[data-testid="agent-row"]')
          ?.getAttribute('data-hostname') ?? null,
      [x, y],
    );
}

/** Simulator indexes with the longest hostnames (the ones a narrow column cuts). */
function longestHosts(n: number): number[] {
  return [...stack.sim!.agents]
    .sort((a, b) => b.hostname.length - a.hostname.length || a.index - b.index)
    .slice(0, n)
    .map((a) => a.index);
}

describe('interaction', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: AGENTS, seed: 3 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('holds the agent order under the pointer, counts what it holds back, and follows again after', async () => {
    const page = await openConsole(stack, '#/agents');
    await waitForText(page, 'agent-count', `${AGENTS} agents`);
    await page.click(byTestId('sort-cpu'));
    await page.waitForSelector(`${byTestId('sort-cpu')}[aria-sort="descending"]`);
    const row = page.locator(byTestId('agent-row')).nth(4);
    const box = (await row.boundingBox())!;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    const aimed = await hostnameAt(x, y);
    expect(aimed).not.toBeNull();

    // CPU values move every couple of seconds: wait until the live order differs from the held one.
    const paused = page.locator(byTestId('agents-paused'));
    await eventually(
      async () => expect(Number(await paused.getAttribute('data-count'))).toBeGreaterThan(0),
      60_000,
    );
    expect(await paused.textContent()).toMatch(/^\D*\d+ updates? paused$/);
    // The row under the pointer is still the one aimed at, and a click opens that agent.
    expect(await hostnameAt(x, y)).toBe(aimed);
    await page.mouse.click(x, y);
    await waitForText(page, 'agent-drawer-hostname', aimed!);

    // Pointer out and focus elsewhere: the table follows the live order again.
    await page.click(byTestId('agent-drawer-close'));
    await page.mouse.move(5, 5);
    await page.locator(byTestId('agent-search')).focus();
    await paused.waitFor({ state: 'detached' });
    await eventually(async () => {
      const cpus = await page
        .locator(`${byTestId('agent-row')} .meter__value`)
        .evaluateAll((cells) =>
          cells
            .filter((_, i) => i % 3 === 0)
            .map((c) => Number((c.textContent ?? '').replace('%', ''))),
        );
      expect(cpus.length).toBeGreaterThan(10);
      for (let i = 1; i < cpus.length; i++) expect(cpus[i]).toBeLessThanOrEqual(cpus[i - 1]!);
    });
  });

  it("shows each host's distinguishing end in the explorer's agent picker", async () => {
    const page = await openConsole(stack, '#/explore?metric=cpu_usage&scope=agent:&range=15m');
    await page.click(byTestId('explore-agent-input'));
    const options = page.locator(byTestId('explore-agent-option'));
    await eventually(async () => expect(await options.count()).toBe(AGENTS));
    const byId = new Map((await agents()).map((a) => [a.id, a.hostname]));
    const ids = await options.evaluateAll((els) => els.map((e) => e.getAttribute('data-agent-id')));
    const names = ids.map((id) => byId.get(id!)!);
    const layouts = await nameLayouts(options, names);
    // The long names are cut (the test means something), and every one keeps its number.
    expect(layouts.filter((l) => l.cut).length).toBeGreaterThan(0);
    expect(
      names.filter((_, i) => !layouts[i]!.endVisible),
      'hostnames whose end is hidden',
    ).toEqual([]);
    // The full name is the tooltip.
    const titles = await options.evaluateAll((els) =>
      els.map((e) => e.querySelector('[title]')?.getAttribute('title')),
    );
    expect(titles).toEqual(names);
    await page.keyboard.press('Escape');
  });

  it("shows each host's number in the overview's firing list", async () => {
    // Two hosts: a spike raises up to three alerts each (cpu, then response time and errors),
    // and the list shows seven.
    const spiked = longestHosts(2);
    for (const i of spiked) stack.sim!.spike(i, 99, SPIKE_MS);
    const page = await openConsole(stack, '#/overview');
    const items = page.locator(`${byTestId('overview-alerts')} li`);
    const hosts = spiked.map((i) => stack.sim!.agents[i]!.hostname);
    const layouts = await eventually(async () => {
      const texts = await items.allTextContents();
      // The list in its own order: the spiked host each item is about (or '' for others).
      const names = texts.map((t) => hosts.find((h) => t.includes(h)) ?? '');
      expect(new Set(names.filter(Boolean)).size).toBe(hosts.length);
      const shown = await nameLayouts(items, names);
      return names.flatMap((n, i) => (n ? [{ name: n, ...shown[i]! }] : []));
    });
    expect(layouts.some((l) => l.cut)).toBe(true);
    expect(layouts.filter((l) => !l.endVisible).map((l) => l.name)).toEqual([]);
  });

  it('greys out the bars of an offline agent and says when it was last seen', async () => {
    const victim = stack.sim!.agents[7]!;
    stack.sim!.kill(victim.index);
    const page = await openConsole(stack, '#/agents');
    const row = page.locator(
      `${byTestId('agent-row')}[data-hostname="${victim.hostname}"][data-status="offline"]`,
    );
    await page.fill(byTestId('agent-search'), victim.hostname);
    await row.waitFor({ timeout: 30_000 });
    await waitForText(page, 'agent-count', `1 of ${AGENTS} agents`);
    expect(await row.locator('[data-stale="true"]').count()).toBe(3);
    await eventually(async () =>
      expect(await row.locator(byTestId('agent-heartbeat')).textContent()).toMatch(
        /^last seen \d+s$|^last seen \d+m \d+s$/,
      ),
    );
    // Its bars are drawn in the offline grey; an online agent's are not.
    const fillOf = (selector: string) =>
      page
        .locator(`${selector} .meter__fill`)
        .first()
        .evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).backgroundColor);
    const grey = await page.locator('body').evaluate((body) => {
      const probe = body.ownerDocument.createElement('span');
      probe.style.background = 'var(--offline)';
      body.append(probe);
      const colour = body.ownerDocument.defaultView!.getComputedStyle(probe).backgroundColor;
      probe.remove();
      return colour;
    });
    expect(await fillOf(`${byTestId('agent-row')}[data-hostname="${victim.hostname}"]`)).toBe(grey);
    await page.fill(byTestId('agent-search'), '');
    await eventually(async () =>
      expect(await fillOf(`${byTestId('agent-row')}[data-status="online"]`)).not.toBe(grey),
    );

    // The drawer says the same.
    await page.fill(byTestId('agent-search'), victim.hostname);
    await row.click();
    await waitForText(page, 'agent-drawer-last-seen', /^Not reporting: last seen .+ ago\./);
    expect(
      await page.locator(`${byTestId('agent-drawer-latest')} [data-stale="true"]`).count(),
    ).toBe(3);
  });

  it('uses a comment for one action only: after an ack, Resolve does not reuse it', async () => {
    const index = longestHosts(6)[4]!;
    stack.sim!.spike(index, 99, SPIKE_MS);
    const agentId = (await agents()).find(
      (a) => a.hostname === stack.sim!.agents[index]!.hostname,
    )!.id;
    const alert = await cpuAlertOf(agentId);
    const page = await openConsole(stack, `#/alerts/${alert.id}`);
    await page.waitForSelector(`${byTestId('alert-detail')}[data-alert-id="${alert.id}"]`);
    await page.fill(byTestId('alert-comment'), 'restarting the worker');
    await page.click(byTestId('alert-ack'));
    await page.waitForSelector(`${byTestId('alert-detail')}[data-state="acknowledged"]`);
    expect(await page.inputValue(byTestId('alert-comment'))).toBe('');

    await page.click(byTestId('alert-resolve'));
    await eventually(async () => expect((await alertById(alert.id)).state).toBe('resolved'));
    const history = (await alertById(alert.id)).history;
    expect(history.find((h) => h.to === 'acknowledged')!.comment).toBe('restarting the worker');
    expect(history.find((h) => h.to === 'resolved')!.comment).toBeUndefined();
  });

  it('offers undo after `r`: an undone resolve never reaches the core', async () => {
    const [a, b, c] = longestHosts(9).slice(6);
    for (const i of [a!, b!, c!]) stack.sim!.spike(i, 99, SPIKE_MS);
    const all = await agents();
    const idOf = (i: number) => all.find((x) => x.hostname === stack.sim!.agents[i]!.hostname)!.id;
    const [first, second, third] = await Promise.all([a!, b!, c!].map((i) => cpuAlertOf(idOf(i))));
    const page = await openConsole(stack, '#/alerts');
    const rowOf = (id: string) => `${byTestId('alert-row')}[data-alert-id="${id}"]`;
    const toast = page.locator(byTestId('undo-toast'));

    // `r` on the first: it leaves the queue at once, with an Undo; Undo brings it back.
    await page.click(rowOf(first!.id));
    await page.locator(byTestId('queue-firing')).focus();
    await page.keyboard.press('r');
    await page.waitForSelector(rowOf(first!.id), { state: 'detached' });
    await waitForText(page, 'undo-toast', /Resolved 1 alert · sent in \d+s/);
    await page.click(byTestId('undo-toast-undo'));
    await page.waitForSelector(rowOf(first!.id));
    await toast.waitFor({ state: 'detached' });

    // The same by keyboard: `r`, then `u`.
    await page.click(rowOf(second!.id));
    await page.locator(byTestId('queue-firing')).focus();
    await page.keyboard.press('r');
    await page.waitForSelector(rowOf(second!.id), { state: 'detached' });
    await page.keyboard.press('u');
    await page.waitForSelector(rowOf(second!.id));
    await toast.waitFor({ state: 'detached' });

    // A resolve left alone is sent when its window ends. It was held after both undos, so once
    // it has reached the core, theirs would have too, had they not been undone.
    await page.click(rowOf(third!.id));
    await page.locator(byTestId('queue-firing')).focus();
    await page.keyboard.press('r');
    await eventually(async () => expect((await alertById(third!.id)).state).toBe('resolved'));
    await toast.waitFor({ state: 'detached' });
    for (const undone of [first!, second!]) {
      const now = await alertById(undone.id);
      expect(now.state).toBe('firing');
      expect(now.history.map((h) => h.to)).not.toContain('resolved');
    }
  });
});
