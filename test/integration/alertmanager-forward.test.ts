// A real Alertmanager (Debian's `prometheus-alertmanager`) receives a Meridian alert raised by
// a real agent's samples, then its resolution: checked through Alertmanager's own API, and
// through the resolved notification Alertmanager sends to a webhook receiver (a real HTTP
// server in this test) with the endsAt the console gave.
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/model.js';
import type { AlertmanagerStatus } from '../../shared/interop.js';
import {
  connectAgent,
  metricsFrame,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { findProgram, startProgram, type RealProgram } from '../helpers/real-program.js';

const ALERTMANAGER = findProgram('prometheus-alertmanager', 'alertmanager');
if (!ALERTMANAGER)
  console.warn(
    'SKIPPED: Alertmanager forwarding test — no `prometheus-alertmanager` binary (apt-get install prometheus-alertmanager)',
  );

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  endsAt: string;
}

/** A real Alertmanager routing everything to `receiverYaml` (none: a receiver that drops all). */
function startAlertmanager(receiverYaml = '  - name: hook', port?: number): Promise<RealProgram> {
  return startProgram(
    ALERTMANAGER!,
    (dir, p) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${p}`,
      '--cluster.listen-address=',
    ],
    (dir) =>
      writeFile(
        join(dir, 'alertmanager.yml'),
        [
          'route:',
          '  receiver: hook',
          '  group_by: [alert_id]',
          '  group_wait: 0s',
          '  group_interval: 1s',
          '  repeat_interval: 1h',
          'receivers:',
          receiverYaml,
          '',
        ].join('\n'),
      ),
    port === undefined ? {} : { port },
  );
}

async function amAlertsOf(am: RealProgram, alertId: string): Promise<AmAlert[]> {
  const filter = encodeURIComponent(`alert_id="${alertId}"`);
  const res = await fetch(`${am.url}/api/v2/alerts?filter=${filter}`);
  return (await res.json()) as AmAlert[];
}

describe.skipIf(!ALERTMANAGER)('a real Alertmanager receiving Meridian alerts', () => {
  let am: RealProgram;
  let t: TestCore;
  let agent: TestAgent;
  let hook: Server;
  const notified: WebhookAlert[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        notified.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookPort = (hook.address() as { port: number }).port;
    am = await startAlertmanager(
      [
        '  - name: hook',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${hookPort}/hook`,
        '        send_resolved: true',
      ].join('\n'),
    );
    t = await startTestCore({ alertmanagers: [{ url: am.url, timeoutMs: 5_000 }] });
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'pay-3', region: 'eu-west-1' });
  }, 120_000); // startProgram may retry a start that lost its port (up to 3 × 30 s)

  afterAll(async () => {
    await agent?.close();
    await t?.stop();
    await am?.stop();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
  });

  const amAlerts = (alertId: string) => amAlertsOf(am, alertId);

  async function send(value: number) {
    agent.send(metricsFrame([{ name: 'cpu_usage', value }]));
    await agent.next('ack');
  }

  it('an alert that fires reaches Alertmanager; escalating and resolving end it there', async () => {
    await send(91);
    const alert = await waitFor(async () => {
      const { body } = await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open');
      return body.alerts.find((a) => a.ruleId === 'cpu_usage' && a.incidentId);
    });

    const [received] = await waitFor(
      async () => {
        const list = await amAlerts(alert.id);
        return list.length > 0 ? list : null;
      },
      30_000,
      'the alert in Alertmanager',
    );
    expect(received!.status.state).toBe('active');
    expect(received!.labels).toMatchObject({
      alertname: 'cpu_usage',
      severity: 'warning',
      agent: agent.agentId,
      hostname: 'pay-3',
      region: 'eu-west-1',
      incident: alert.incidentId!,
      alert_id: alert.id,
    });
    expect(received!.annotations.summary).toBe(alert.message);
    expect(received!.generatorURL).toBe(`${t.addr.apiUrl}/#/alerts/${alert.id}`);
    // Firing: endsAt is 4 resend delays (1 min by default) after the post, not open-ended.
    const endsIn = Date.parse(received!.endsAt) - Date.now();
    expect(endsIn).toBeGreaterThan(60_000);
    expect(endsIn).toBeLessThanOrEqual(4 * 60_000);

    // Escalated: Alertmanager keys alerts by labels, so the warning one ends and a critical begins.
    await send(97);
    await waitFor(
      async () => {
        const list = await amAlerts(alert.id);
        return list.length === 1 && list[0]!.labels.severity === 'critical';
      },
      30_000,
      'only the critical alert in Alertmanager',
    );

    await send(20);
    const resolved = await waitFor(async () => {
      const { body } = await t.api<{ alert: Alert }>(`/api/v1/alerts/${alert.id}`);
      return body.alert.state === 'resolved' ? body.alert : null;
    });
    // Alertmanager lists only alerts still active: the resolved one leaves its API …
    await waitFor(async () => (await amAlerts(alert.id)).length === 0, 30_000, 'the alert to end');
    // … and its receiver is told "resolved", with endsAt = the console's resolve time.
    const done = await waitFor(
      () =>
        notified.find(
          (n) =>
            n.labels.alert_id === alert.id &&
            n.labels.severity === 'critical' &&
            n.status === 'resolved',
        ),
      30_000,
      'the resolved notification',
    );
    expect(Date.parse(done.endsAt)).toBe(resolved.resolvedAt);

    const { body } = await t.api<{ alertmanagers: AlertmanagerStatus[] }>('/api/v1/alertmanagers');
    expect(body.alertmanagers).toEqual([
      expect.objectContaining({ url: am.url, errors: 0, dropped: 0, lastError: null }),
    ]);
    // Fired, escalated (the warning ended, the critical posted), resolved: 4 alerts at least.
    expect(body.alertmanagers[0]!.sent).toBeGreaterThanOrEqual(4);
    expect(body.alertmanagers[0]!.lastSuccessAt).not.toBeNull();
    expect(await t.metric('meridian_alertmanager_sent_total', { alertmanager: am.url })).toBe(
      body.alertmanagers[0]!.sent,
    );
  }, 90_000);
});

describe.skipIf(!ALERTMANAGER)('an Alertmanager that is down when the alert fires', () => {
  let am: RealProgram | null = null;
  let t: TestCore;
  let agent: TestAgent;

  afterAll(async () => {
    await agent?.close();
    await t?.stop();
    await am?.stop();
  });

  it('gets the alert once it is back: retried with backoff, errors counted, nothing dropped', async () => {
    // Start one to own a port, then stop it: the console's posts are refused.
    const first = await startAlertmanager();
    const port = first.port;
    await first.stop();
    // Resends an hour apart: only the retry can bring the alert over.
    t = await startTestCore({
      alertmanagers: [{ url: first.url, timeoutMs: 2_000 }],
      alertmanagerResendMs: 3_600_000,
    });
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'batch-1' });
    agent.send(metricsFrame([{ name: 'cpu_usage', value: 92 }]));
    await agent.next('ack');
    const failing = await waitFor(async () => {
      const { body } = await t.api<{ alertmanagers: AlertmanagerStatus[] }>(
        '/api/v1/alertmanagers',
      );
      const s = body.alertmanagers[0]!;
      return s.errors >= 1 && s.queued === 1 && s.retryAt !== null ? s : null;
    });
    expect(failing.lastError!.message).toMatch(/ECONNREFUSED/);
    expect(failing.lastSuccessAt).toBeNull();
    expect(await t.metric('meridian_alertmanager_errors_total')).toBeGreaterThanOrEqual(1);

    am = await startAlertmanager(undefined, port);
    const { body } = await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open');
    const alert = body.alerts.find((a) => a.ruleId === 'cpu_usage')!;
    // Backoff doubles from 1 s up to 60 s: the next retry is within a minute.
    const [received] = await waitFor(
      async () => {
        const list = await amAlertsOf(am!, alert.id);
        return list.length > 0 ? list : null;
      },
      75_000,
      'the alert after the outage',
    );
    expect(received!.labels).toMatchObject({ alertname: 'cpu_usage', hostname: 'batch-1' });
    const after = await waitFor(async () => {
      const r = await t.api<{ alertmanagers: AlertmanagerStatus[] }>('/api/v1/alertmanagers');
      const s = r.body.alertmanagers[0]!;
      return s.lastSuccessAt !== null ? s : null;
    });
    expect(after).toMatchObject({ queued: 0, dropped: 0, retryAt: null });
    expect(after.sent).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
