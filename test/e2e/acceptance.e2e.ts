// Issue 11's acceptance flow in one run, in Chromium against `meridian serve`: a threshold rule
// made on the Rules page fires from an agent's data (a raw ingest probe whose value the test
// sets), is exactly one incident on the Incidents page, notifies a webhook receiver on
// loopback once, is acknowledged (`a`) and silenced for 1 h (`s`) from the keyboard; then a new
// crossing raises an alert that is marked silenced, its incident suppressed, and no new
// notification reaches the receiver.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import type { Alert } from '../../shared/model.js';
import type { DeliveryAttempt } from '../../shared/notify.js';
import type { SilenceView } from '../../shared/silences.js';
import { startProbe, type Probe } from './history.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, waitForText } from './ui.js';

const RULE = 'queue_high';
const CHANNEL = 'acceptance-hook';
const QUIET = 10;
const HIGH = 90;

let stack: Stack;
let probe: Probe;
let receiver: Server;
const received: { body: string }[] = [];
const pagesReceived = () =>
  received.filter((r) => (JSON.parse(r.body) as { kind?: string }).kind !== 'resolved');
/** What the probe reports now; the test moves it across the rule's level. */
let queueDepth = QUIET;

const row = (id: string) => `${byTestId('incident-row')}[data-incident-id="${id}"]`;

async function ruleAlerts(): Promise<Alert[]> {
  const res = await stack.api<{ alerts: Alert[] }>('/api/v1/alerts');
  return res.body.alerts.filter((a) => a.ruleId === RULE);
}

/** Deliveries that page (first page, escalation, update): not the resolved notice. */
async function pages(): Promise<DeliveryAttempt[]> {
  const res = await stack.api<{ deliveries: DeliveryAttempt[] }>(
    `/api/v1/deliveries?channel=${CHANNEL}`,
  );
  return res.body.deliveries.filter((d) => d.kind !== 'resolved');
}

describe('acceptance: rule → incident → ack → silence → suppressed re-fire', () => {
  beforeAll(async () => {
    stack = await startStack();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    // A webhook channel, and a policy that pages it at once for this rule's incidents.
    const channel = await stack.api('/api/v1/channels', {
      method: 'POST',
      body: JSON.stringify({ kind: 'webhook', id: CHANNEL, name: 'Acceptance hook', url }),
    });
    expect(channel.status).toBe(200);
    const policy = await stack.api('/api/v1/policies', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Queue pages the hook',
        match: { rules: [RULE] },
        steps: [{ afterMs: 0, channelIds: [CHANNEL] }],
        repeatAfterMs: null,
      }),
    });
    expect(policy.status).toBe(200);
    probe = await startProbe(stack, {
      hostname: 'queue-1',
      region: 'eu-west-1',
      type: 'application',
      historyMs: 60_000,
      everyMs: 10_000,
      metrics: { queue_depth: { at: () => queueDepth } },
    });
    await eventually(async () => {
      const { body } = await stack.api<{ metrics: string[] }>('/api/v1/metric-names');
      expect(body.metrics).toContain('queue_depth');
    });
  }, 60_000);
  afterAll(async () => {
    await probe?.stop();
    await stack?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('runs the whole flow', async () => {
    // 1. The rule, made in the form on the Rules page.
    const page = await openConsole(stack, '#/rules');
    await page.click(byTestId('rule-new'));
    await page.waitForSelector(byTestId('rule-form'));
    await page.fill(byTestId('rule-field-id'), RULE);
    await page.fill(byTestId('rule-field-description'), 'Queue too deep');
    await page.fill(byTestId('rule-field-metric'), 'queue_depth');
    await page.fill(byTestId('rule-field-warning'), '50');
    await page.click(byTestId('rule-save'));
    await page.waitForSelector(byTestId(`rule-row-${RULE}`));
    expect(await ruleAlerts()).toEqual([]);

    // 2. The data crosses the level: one alert, one incident, one page on the hook.
    queueDepth = HIGH;
    const incident = await eventually(async () => {
      const res = await stack.api<{ incidents: Incident[] }>('/api/v1/incidents?state=open');
      expect(res.body.incidents).toHaveLength(1);
      expect(res.body.incidents[0]!.alerts.map((a) => a.ruleId)).toEqual([RULE]);
      return res.body.incidents[0]!;
    });
    await eventually(async () => expect(await pages()).toHaveLength(1));
    expect(pagesReceived()).toHaveLength(1);

    // 3. Exactly one incident on the Incidents page; `a` acknowledges the focused row.
    await page.click(byTestId('nav-incidents'));
    await page.waitForSelector(row(incident.id));
    await eventually(async () =>
      expect(await page.locator(byTestId('incident-row')).count()).toBe(1),
    );
    await page.click(row(incident.id));
    await page.waitForSelector(`${row(incident.id)}[data-focused="true"]`);
    await page.locator('body').focus();
    await page.keyboard.press('a');
    await eventually(async () => {
      const { body } = await stack.api<{ incident: Incident }>(`/api/v1/incidents/${incident.id}`);
      expect(body.incident.state).toBe('acknowledged');
    });

    // 4. `s` silences it for an hour.
    await page.click(byTestId('incidents-tab-acknowledged'));
    await page.click(row(incident.id));
    await page.waitForSelector(`${row(incident.id)}[data-focused="true"]`);
    await page.locator('body').focus();
    await page.keyboard.press('s');
    await waitForText(page, 'incidents-status', /^Silenced .* for 1 h/);
    const silence = await eventually(async () => {
      const res = await stack.api<{ silences: SilenceView[] }>('/api/v1/silences?state=active');
      const s = res.body.silences.find((x) => x.fromIncidentId === incident.id);
      expect(s).toBeDefined();
      return s!;
    });
    expect(silence.endsAt - silence.startsAt).toBe(3_600_000);

    // 5. The data falls back (the alert resolves), then crosses again: a new alert, silenced.
    const [first] = await ruleAlerts();
    queueDepth = QUIET;
    await eventually(async () => {
      const { body } = await stack.api<{ alert: Alert }>(`/api/v1/alerts/${first!.id}`);
      expect(body.alert.state).toBe('resolved');
    });
    queueDepth = HIGH;
    const again = await eventually(async () => {
      const fresh = (await ruleAlerts()).filter((a) => a.id !== first!.id);
      expect(fresh).toHaveLength(1);
      expect(fresh[0]!.state).not.toBe('resolved');
      expect(fresh[0]!.suppressedBy).toBe(silence.id);
      return fresh[0]!;
    });
    // Its incident is marked suppressed, and its timeline says why (the silence's trace).
    const suppressed = await eventually(async () => {
      const { body } = await stack.api<{ incident: Incident }>(
        `/api/v1/incidents/${again.incidentId}`,
      );
      expect(body.incident.suppressedBy).toBe(silence.id);
      return body.incident;
    });
    // The page marks it silenced too.
    await page.click(byTestId(`incidents-tab-${suppressed.state}`));
    await page.waitForSelector(`${row(suppressed.id)}[data-suppressed="true"]`);
    // No new page: still the one delivery, still one page at the receiver.
    expect(await pages()).toHaveLength(1);
    expect(pagesReceived()).toHaveLength(1);
  });
});
