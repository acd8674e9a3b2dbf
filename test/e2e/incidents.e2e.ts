// Incident triage in the browser (issue 11): a region outage is one incident with the region
// as its cause and its agents' offline alerts as effects; the operator acknowledges it from
// the keyboard (recorded under the name set in Settings), silences it for an hour and sees it
// marked, here and on the Alerts page; a webhook channel's test send shows its result, against
// a real HTTP receiver on loopback.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import type { Alert } from '../../shared/model.js';
import type { SilenceView } from '../../shared/silences.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, waitForText } from './ui.js';

const OPERATOR = 'e2e-alice';
const OUT = resolve(import.meta.dirname, '../../test-results/incidents');
const REGION = 'ap-northeast-1';

let stack: Stack;
let receiver: Server;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];

async function unresolved(): Promise<Incident[]> {
  const res = await stack.api<{ incidents: Incident[] }>('/api/v1/incidents?state=unresolved');
  expect(res.status).toBe(200);
  return res.body.incidents;
}

const row = (id: string) => `${byTestId('incident-row')}[data-incident-id="${id}"]`;

describe('incidents', () => {
  beforeAll(async () => {
    stack = await startStack({ agents: 40, seed: 11 });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('lands on the incidents page, and keeps the operator name set in Settings', async () => {
    const page = stack.page;
    await page.goto(stack.consoleUrl);
    await page.waitForSelector(`${byTestId('conn-status')}[data-state="live"]`);
    await page.waitForSelector(byTestId('view-incidents'));
    await page.click(byTestId('nav-settings'));
    await page.fill(byTestId('operator-name'), OPERATOR);
    await page.click(byTestId('operator-save'));
    await waitForText(page, 'operator-current', `Actions are recorded as ${OPERATOR}.`);
  });

  it('shows a region outage as exactly one incident: the region cause and its offline effects', async () => {
    const page = stack.page;
    await page.click(byTestId('nav-incidents'));
    await page.waitForSelector(byTestId('view-incidents'));
    const victims = stack.sim!.failRegion(REGION, 0.75);
    expect(victims.length).toBeGreaterThan(5);

    // The core places every victim's offline alert in the region's incident.
    const incident = await eventually(async () => {
      const open = await unresolved();
      expect(open).toHaveLength(1);
      const [i] = open;
      expect(i!.grouping).toBe('region_cause');
      expect(i!.regionId).toBe(REGION);
      expect(i!.alerts.filter((a) => a.effect).length).toBe(victims.length);
      return i!;
    }, 30_000);

    // The page shows that one incident, with its count of alerts and its cause.
    await page.waitForSelector(`${row(incident.id)}[data-grouping="region_cause"]`);
    await eventually(async () => {
      expect(await page.locator(byTestId('incident-row')).count()).toBe(1);
      const count = await page.locator(`${row(incident.id)} ${byTestId('incident-alert-count')}`);
      expect(await count.textContent()).toBe(String(incident.alerts.length));
    });
    expect(
      await page.locator(`${row(incident.id)} ${byTestId('incident-cause')}`).textContent(),
    ).toBe(`region ${REGION} is the cause · ${victims.length} effects`);
    await waitForText(page, 'nav-incidents-count', '1');

    // Opened, it lists its alerts (effects marked) and its timeline.
    await page.click(row(incident.id));
    await page.waitForSelector(byTestId('incident-detail'));
    await eventually(async () =>
      expect(await page.locator(`${byTestId('incident-alert')}[data-effect="true"]`).count()).toBe(
        victims.length,
      ),
    );
    expect(await page.locator(`${byTestId('incident-timeline')} li`).count()).toBeGreaterThan(0);
  });

  it('acknowledges it from the keyboard, recorded under the operator name', async () => {
    const page = stack.page;
    const [incident] = await unresolved();
    // Keys act on the focused row; the row click above focused it. `a` acknowledges.
    await page.waitForSelector(`${row(incident!.id)}[data-focused="true"]`);
    await page.locator('body').focus();
    await page.keyboard.press('a');
    await eventually(async () => {
      const [i] = await unresolved();
      expect(i!.state).toBe('acknowledged');
      expect(i!.acknowledgedBy).toBe(OPERATOR);
    });
    // It leaves the open tab; the badge goes to 0.
    await waitForText(page, 'nav-incidents-count', '0');
    await page.click(byTestId('incidents-tab-acknowledged'));
    await page.waitForSelector(`${row(incident!.id)}[data-state="acknowledged"]`);
    expect(
      await page.locator(`${row(incident!.id)} ${byTestId('incident-escalation')}`).textContent(),
    ).toMatch(/acknowledged/);
  });

  it('silences it for 1 h with `s`, and shows it marked here and on the Alerts page', async () => {
    const page = stack.page;
    const [incident] = await unresolved();
    await page.click(row(incident!.id));
    await page.waitForSelector(`${row(incident!.id)}[data-focused="true"]`);
    await page.locator('body').focus();
    await page.keyboard.press('s');
    await waitForText(page, 'incidents-status', /^Silenced .* for 1 h/);
    const silence = await eventually(async () => {
      const res = await stack.api<{ silences: SilenceView[] }>('/api/v1/silences?state=active');
      const s = res.body.silences.find((x) => x.fromIncidentId === incident!.id);
      expect(s).toBeDefined();
      return s!;
    });
    expect(silence.createdBy).toBe(OPERATOR);
    const hour = silence.endsAt - silence.startsAt;
    expect(hour).toBe(3_600_000);
    await page.waitForSelector(`${row(incident!.id)}[data-suppressed="true"]`);
    expect(
      await page.locator(`${row(incident!.id)} ${byTestId('incident-suppressed')}`).textContent(),
    ).toContain(silence.id);

    // The Alerts page keeps them in view, under their own filter, marked (in the tab the
    // incident's acknowledgement put them in).
    const detail = await stack.api<{ alerts: Alert[] }>(`/api/v1/incidents/${incident!.id}`);
    const silenced = detail.body.alerts.filter((a) => a.suppressedBy === silence.id);
    expect(silenced.length).toBeGreaterThan(0);
    const tab = silenced[0]!.state === 'acknowledged' ? 'acknowledged' : 'firing';
    await page.click(byTestId('nav-alerts'));
    await page.click(byTestId(`alerts-tab-${tab}`));
    await page.selectOption(byTestId('alert-filter-suppression'), 'suppressed');
    await eventually(async () => {
      const marks = await page.locator(byTestId('alert-row-suppressed')).allTextContents();
      expect(marks.some((m) => m.includes(silence.id))).toBe(true);
    });
    await page.selectOption(byTestId('alert-filter-suppression'), 'paging');
    await eventually(async () =>
      expect(await page.locator(byTestId('alert-row-suppressed')).count()).toBe(0),
    );
  });

  it('renders the triage pages in both themes (screenshots in test-results/)', async () => {
    const page = stack.page;
    await mkdir(OUT, { recursive: true });
    // The incident opened in place (it is in the acknowledged tab by now).
    const [incident] = await unresolved();
    for (const theme of ['dark', 'light'] as const) {
      await page.evaluate(`localStorage.setItem('meridian.theme', '${theme}')`);
      for (const [name, hash, ready] of [
        ['incidents', `#/incidents/${incident!.id}`, 'incident-alert'],
        ['silences', '#/silences', 'silence-row'],
        ['maintenance', '#/maintenance', 'maintenance-form'],
        ['alerts-filtered', '#/alerts', 'alert-filters'],
      ] as const) {
        await page.goto(`${stack.consoleUrl}${hash}`);
        await page.waitForSelector(`html[data-theme="${theme}"]`);
        await page.waitForSelector(byTestId(ready));
        await page.screenshot({ path: join(OUT, `${name}-${theme}.png`) });
      }
    }
  });

  it("test-sends a webhook channel and shows the receiver's answer", async () => {
    const page = stack.page;
    const port = (receiver.address() as AddressInfo).port;
    await page.click(byTestId('nav-settings'));
    await page.click(byTestId('channel-add'));
    await page.selectOption(byTestId('channel-kind'), 'webhook');
    await page.fill(byTestId('channel-name'), 'Local receiver');
    await page.fill(byTestId('channel-url'), `http://127.0.0.1:${port}/hook`);
    await page.click(byTestId('channel-save'));
    const channelRow = page.locator(byTestId('channel-row'), { hasText: 'Local receiver' });
    await channelRow.waitFor();
    const before = received.length;
    await channelRow.locator(byTestId('channel-test')).click();
    const result = channelRow.locator(`${byTestId('channel-test-result')}[data-ok="true"]`);
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^delivered · HTTP 200 · \d+ ms$/);
    expect(received.length).toBe(before + 1);
  });
});
