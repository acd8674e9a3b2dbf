// Settings → Alertmanagers: each configured Alertmanager with its last success and last error.
// One is a real Alertmanager (Debian's), the other a loopback port nothing listens on; a real
// agent's samples raise the alert that is forwarded to both.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertmanagerStatus } from '../../shared/interop.js';
import { connectAgent, metricsFrame, type TestAgent } from '../helpers/core.js';
import { findProgram, freePort, startProgram, type RealProgram } from '../helpers/real-program.js';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole, waitForText } from './ui.js';

const ALERTMANAGER = findProgram('prometheus-alertmanager', 'alertmanager');
if (!ALERTMANAGER)
  console.warn(
    'SKIPPED: Settings → Alertmanagers browser test — no `prometheus-alertmanager` binary',
  );

describe.skipIf(!ALERTMANAGER)('settings: Alertmanagers', () => {
  let am: RealProgram;
  let stack: Stack;
  let agent: TestAgent;
  let deadUrl: string;

  beforeAll(async () => {
    am = await startProgram(
      ALERTMANAGER!,
      (dir, port) => [
        `--config.file=${join(dir, 'am.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      (dir) =>
        writeFile(join(dir, 'am.yml'), 'route: { receiver: none }\nreceivers: [{ name: none }]\n'),
    );
    deadUrl = `http://127.0.0.1:${await freePort()}`;
    stack = await startStack({
      config: { alertmanagers: [{ url: am.url }, { url: deadUrl, timeoutMs: 2_000 }] },
    });
    agent = await connectAgent(stack.ingestUrl, { hostname: 'ui-1' }, AGENT_TOKEN);
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await stack?.stop();
    await am?.stop();
  });

  it('shows each Alertmanager’s last success and last error', async () => {
    agent.send(metricsFrame([{ name: 'cpu_usage', value: 99 }]));
    await agent.next('ack');
    await eventually(async () => {
      const { body } = await stack.api<{ alertmanagers: AlertmanagerStatus[] }>(
        '/api/v1/alertmanagers',
      );
      expect(body.alertmanagers[0]!.sent).toBeGreaterThan(0);
      expect(body.alertmanagers[1]!.errors).toBeGreaterThan(0);
    }, 30_000);

    const page = await openConsole(stack, '#/settings');
    const rows = page.locator(byTestId('alertmanager-row'));
    await eventually(async () => expect(await rows.count()).toBe(2), 30_000);
    await eventually(async () => {
      const live = rows.filter({ hasText: am.url });
      expect(await live.locator(byTestId('alertmanager-last-success')).textContent()).toMatch(
        /(ago|just now)$/,
      );
      expect(await live.locator(byTestId('alertmanager-last-error')).textContent()).toBe('none');
      const dead = rows.filter({ hasText: deadUrl });
      expect(await dead.locator(byTestId('alertmanager-last-success')).textContent()).toBe('never');
      expect(await dead.locator(byTestId('alertmanager-last-error')).textContent()).toMatch(
        /ECONNREFUSED \((.* ago|just now)\) · retry in/,
      );
    }, 30_000);
    await waitForText(page, 'alertmanagers-panel', /resent every 60 s/);
  }, 90_000);
});
