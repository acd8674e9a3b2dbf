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
    am = await startProgram(
      ALERTMANAGER!,
      (dir, port) => [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
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
            '  - name: hook',
            '    webhook_configs:',
            `      - url: http://127.0.0.1:${hookPort}/hook`,
            '        send_resolved: true',
            '',
          ].join('\n'),
        ),
    );
    t = await startTestCore({ alertmanagers: [{ url: am.url, timeoutMs: 5_000 }] });
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'pay-3', region: 'eu-west-1' });
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await t?.stop();
    await am?.stop();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
  });

  async function amAlerts(alertId: string): Promise<AmAlert[]> {
    const filter = encodeURIComponent(`alert_id="${alertId}"`);
    const res = await fetch(`${am.url}/api/v2/alerts?filter=${filter}`);
    return (await res.json()) as AmAlert[];
  }

  async function send(value: number) {
    agent.send(metricsFrame([{ name: 'cpu_usage', value }]));
    await agent.next('ack');
  }

  it('an alert that fires reaches Alertmanager, and its resolution ends it there', async () => {
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

    await send(20);
    const resolved = await waitFor(async () => {
      const { body } = await t.api<{ alert: Alert }>(`/api/v1/alerts/${alert.id}`);
      return body.alert.state === 'resolved' ? body.alert : null;
    });
    // Alertmanager lists only alerts still active: the resolved one leaves its API …
    await waitFor(async () => (await amAlerts(alert.id)).length === 0, 30_000, 'the alert to end');
    // … and its receiver is told "resolved", with endsAt = the console's resolve time.
    const done = await waitFor(
      () => notified.find((n) => n.labels.alert_id === alert.id && n.status === 'resolved'),
      30_000,
      'the resolved notification',
    );
    expect(Date.parse(done.endsAt)).toBe(resolved.resolvedAt);

    const { body } = await t.api<{ alertmanagers: AlertmanagerStatus[] }>('/api/v1/alertmanagers');
    expect(body.alertmanagers).toEqual([
      expect.objectContaining({ url: am.url, errors: 0, dropped: 0, lastError: null }),
    ]);
    expect(body.alertmanagers[0]!.sent).toBeGreaterThanOrEqual(2);
    expect(body.alertmanagers[0]!.lastSuccessAt).not.toBeNull();
    expect(await t.metric('meridian_alertmanager_sent_total', { alertmanager: am.url })).toBe(
      body.alertmanagers[0]!.sent,
    );
  }, 90_000);
});
