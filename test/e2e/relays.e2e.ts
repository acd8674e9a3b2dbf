// Fleet → Relays against real programs: `meridian serve`, a real `meridian relay` process
// (the compiled CLI) reporting to the serve's ingest URL with its agent secret, two real
// WebSocket probe agents behind the relay, and Chromium. The row reads Connected with 2/2
// agents; after the relay process is stopped it reads Down, with its agents held ("last
// reported healthy") and its queue figures marked as its last report. A second relay behind a
// real TCP proxy standing for the WAN reads Cut off while the proxy drops every byte, then
// Connected again with the outage recorded. With no relay, the page shows the command that
// starts one, with this console's ingest URL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_CONTENT_WIDTH } from '../../shared/layout.js';
import type { Agent, Alert } from '../../shared/model.js';
import type { RelaysResponse } from '../../shared/relays.js';
import { ProbeAgent, spawnRelay, type RelayProcess } from '../helpers/relay.js';
import { WanProxy } from '../helpers/wan-proxy.js';
import { axeViolations, describeFindings } from './axe.js';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, textOf } from './ui.js';

/** The secret the relay's own agents present to it (not the console's). */
const RELAY_AGENT_TOKEN = 'relays-e2e-agent-secret';
const RELAY = 'relay-ui';
const REGION = 'eu-west-1';
const LONG = 60_000;

const row = (page: Page, name = RELAY) =>
  page.locator(`${byTestId('relay-row')}[data-relay="${name}"]`);
const cell = async (page: Page, testId: string, name = RELAY) =>
  ((await row(page, name).locator(byTestId(testId)).textContent()) ?? '')
    .replace(/\s+/g, ' ')
    .trim();

async function axeReport(page: Page, what: string): Promise<string> {
  const findings = await axeViolations(page, 'serious');
  return findings.length ? `${what}:\n${describeFindings(findings)}` : '';
}

describe('Fleet → Relays', () => {
  let stack: Stack;
  let stateDir: string;
  let relay: RelayProcess | null = null;
  let cutRelay: RelayProcess | null = null;
  let wan: WanProxy | null = null;
  const probes: ProbeAgent[] = [];
  const extraDirs: string[] = [];

  beforeAll(async () => {
    // The console's defaults: the relay reports every 5 s, past the 3 s heartbeat silence of
    // a direct agent; its agents must stay online between reports.
    stack = await startStack();
    stateDir = await mkdtemp(join(tmpdir(), 'meridian-e2e-relay-'));
  }, LONG);

  afterAll(async () => {
    for (const p of probes) p.stop();
    await relay?.stop();
    await cutRelay?.stop();
    await wan?.stop();
    await stack?.stop();
    for (const d of [stateDir, ...extraDirs]) if (d) await rm(d, { recursive: true, force: true });
  }, LONG);

  it('with no relay, shows the command that starts one against this console', async () => {
    const page = await openConsole(stack, '#/relays');
    await page.waitForSelector(byTestId('relays-empty'));
    const region = await page.locator(byTestId('relay-command-region')).inputValue();
    await eventually(async () =>
      expect(await textOf(page, 'relay-command')).toBe(
        `meridian relay --upstream ${stack.ingestUrl} --region ${region} --token ${AGENT_TOKEN}`,
      ),
    );
    // The header's Agents tab stays lit on its Relays sub-page.
    expect(await page.locator(byTestId('nav-agents')).getAttribute('class')).toContain('is-active');
  });

  it(
    'shows a relay Connected with 2/2 agents, then Down with its agents held once it stops',
    async () => {
      relay = await spawnRelay({
        upstream: stack.ingestUrl,
        token: AGENT_TOKEN,
        region: REGION,
        name: RELAY,
        stateDir,
        agentToken: RELAY_AGENT_TOKEN,
      });
      const base = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
      for (let i = 0; i < 2; i++) {
        const p = new ProbeAgent(
          relay.ingestUrl,
          RELAY_AGENT_TOKEN,
          `relayed-${i}`,
          REGION,
          base,
          200,
        );
        p.start();
        probes.push(p);
      }

      const page = await openConsole(stack, '#/relays');
      await eventually(async () => {
        expect(await row(page).getAttribute('data-state')).toBe('connected');
        expect(await cell(page, 'relay-link')).toMatch(/^Connected — since \d\d:\d\d:\d\d \(/);
        expect(await cell(page, 'relay-agents')).toBe('2/2 online');
        // Samples from both agents came through the relay.
        expect(await cell(page, 'relay-received')).toMatch(/^[1-9][\d,]* samples · \d/);
      }, LONG);
      expect(await row(page).locator(byTestId('relay-held')).count()).toBe(0);
      expect(await row(page).locator(byTestId('relay-as-of')).count()).toBe(0);
      expect(await cell(page, 'relay-last-outage')).toBe('none');
      expect(await cell(page, 'relay-queue')).toMatch(
        /^[\d,]+ samples? pending · [\d.]+ (B|KiB|MiB) on disk$/,
      );

      // The agents list says which relay each agent reports through.
      const agentId = probes[0]!.agentId!;
      const drawer = await openConsole(stack, `#/agents/${agentId}`);
      await eventually(async () =>
        expect(await textOf(drawer, 'agent-drawer-relay')).toBe(`via relay ${RELAY}`),
      );

      // Both themes: the table with a connected relay has no serious axe finding.
      const reports: string[] = [];
      for (const theme of ['dark', 'light']) {
        await drawer.evaluate(`localStorage.setItem('meridian.theme', '${theme}')`);
        await drawer.goto(`${stack.consoleUrl}#/relays`);
        await drawer.waitForSelector(`html[data-theme="${theme}"]`);
        await drawer.waitForSelector(`${byTestId('relay-row')}[data-state="connected"]`);
        reports.push(await axeReport(drawer, `relays, connected (${theme})`));
      }
      expect(reports.filter(Boolean).join('\n\n')).toBe('');

      // Stop the relay process: its side closes the link.
      await relay.stop();
      relay = null;
      await eventually(async () => {
        expect(await row(page).getAttribute('data-state')).toBe('down');
        expect(await cell(page, 'relay-link')).toMatch(
          /^Down — closed by the relay since \d\d:\d\d:\d\d \((just now|\d+s ago|\d+m \d\ds ago)\)$/,
        );
        expect(await cell(page, 'relay-agents')).toMatch(/^2\/2 online/);
        expect(await cell(page, 'relay-held')).toBe('held: last reported healthy');
        // The queue and lag are the relay's last report, said so.
        expect(await cell(page, 'relay-as-of')).toMatch(/^as of \d\d:\d\d:\d\d, its last report$/);
        expect(await cell(page, 'relay-lag')).toMatch(/last report$/);
        expect(await cell(page, 'relay-last-outage')).toMatch(
          /^Down at \d\d:\d\d:\d\d, ongoing \(began (just now|\d+s ago|\d+m \d\ds ago)\)$/,
        );
      }, LONG);
      // One alert about the relay, linked from its row.
      await eventually(async () =>
        expect(await cell(page, 'relay-alert')).toMatch(/^Alert (firing|acknowledged)$/),
      );
      const alertHref = await row(page).locator(byTestId('relay-alert')).getAttribute('href');
      const { body: openAlerts } = await stack.api<{ alerts: Alert[] }>(
        '/api/v1/alerts?state=open',
      );
      const relayAlert = openAlerts.alerts.find((a) => a.ruleId === 'relay_unreachable');
      expect(alertHref).toBe(`#/alerts/${relayAlert!.id}`);
      // Held, not paged: the console still counts the agents behind the relay online.
      const { body } = await stack.api<{ agents: Agent[] }>('/api/v1/agents?limit=100');
      const relayed = body.agents.filter((a) => a.labels.relay === RELAY);
      expect(relayed.map((a) => a.status)).toEqual(['online', 'online']);
      const { body: api } = await stack.api<RelaysResponse>('/api/v1/relays');
      expect(api.relays.map((r) => [r.name, r.state])).toEqual([[RELAY, 'down']]);

      // At the window's minimum width every column fits, without an inner scroller.
      await page.setViewportSize({ width: MIN_CONTENT_WIDTH, height: 800 });
      const overflow = await page
        .locator('.relays__scroll')
        .evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: 'test-results/relays-down-min-width.png', fullPage: true });
      await page.setViewportSize({ width: 1440, height: 900 });

      reports.length = 0;
      reports.push(await axeReport(page, 'relays, down (page theme)'));
      expect(reports.filter(Boolean).join('\n\n')).toBe('');
      await page.screenshot({ path: 'test-results/relays-down.png', fullPage: true });
    },
    4 * LONG,
  );

  it(
    'shows a relay whose WAN link is cut as Cut off, then Connected with the outage recorded',
    async () => {
      // A real TCP proxy is the WAN: cut, it drops every byte both ways and closes nothing, so
      // the console finds out by its unanswered pings (every 10 s in serve), as over a real WAN.
      const ingest = new URL(stack.ingestUrl);
      wan = new WanProxy(ingest.hostname, Number(ingest.port));
      const wanPort = await wan.start();
      const name = 'relay-wan';
      const dir = await mkdtemp(join(tmpdir(), 'meridian-e2e-relay-'));
      extraDirs.push(dir);
      cutRelay = await spawnRelay({
        upstream: `ws://127.0.0.1:${wanPort}`,
        token: AGENT_TOKEN,
        region: 'us-east-1',
        name,
        stateDir: dir,
        agentToken: RELAY_AGENT_TOKEN,
      });
      const base = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
      const p = new ProbeAgent(
        cutRelay.ingestUrl,
        RELAY_AGENT_TOKEN,
        'behind-wan',
        'us-east-1',
        base,
        200,
      );
      p.start();
      probes.push(p);

      const page = await openConsole(stack, '#/relays');
      await eventually(async () => {
        expect(await row(page, name).getAttribute('data-state')).toBe('connected');
        expect(await cell(page, 'relay-agents', name)).toBe('1/1 online');
      }, LONG);

      wan.cutLink();
      await eventually(async () => {
        expect(await row(page, name).getAttribute('data-state')).toBe('cut_off');
        expect(await cell(page, 'relay-link', name)).toMatch(
          /^Cut off — link silent since \d\d:\d\d:\d\d \((just now|\d+s ago|\d+m \d\ds ago)\)$/,
        );
        expect(await cell(page, 'relay-held', name)).toBe('held: last reported healthy');
        expect(await cell(page, 'relay-as-of', name)).toMatch(
          /^as of \d\d:\d\d:\d\d, its last report$/,
        );
        expect(await cell(page, 'relay-last-outage', name)).toMatch(/^Cut off at .*, ongoing/);
        expect(await cell(page, 'relay-alert', name)).toMatch(/^Alert (firing|acknowledged)$/);
      }, 2 * LONG);

      wan.heal();
      await eventually(async () => {
        expect(await row(page, name).getAttribute('data-state')).toBe('connected');
        // The same relay process came back: the outage is closed, with its duration.
        expect(await cell(page, 'relay-last-outage', name)).toMatch(
          /^Cut off at \d\d:\d\d:\d\d for (under 1s|\d+s|\d+m \d\ds) · relay not restarted$/,
        );
      }, 2 * LONG);
      expect(await row(page, name).locator(byTestId('relay-held')).count()).toBe(0);
      await eventually(async () =>
        expect(await row(page, name).locator(byTestId('relay-alert')).count()).toBe(0),
      );
      expect(await row(page, name).locator(byTestId('relay-as-of')).count()).toBe(0);
    },
    5 * LONG,
  );
});
