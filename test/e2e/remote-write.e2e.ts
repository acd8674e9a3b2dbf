// Settings → Remote write: each destination's lag, pending samples, last error, sent and
// dropped. One is a real VictoriaMetrics (Debian's), the other a loopback port nothing listens
// on; a real agent's samples are forwarded to both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteWriteStatus } from '../../shared/interop.js';
import { connectAgent, metricsFrame, type TestAgent } from '../helpers/core.js';
import { freePort } from '../helpers/real-program.js';
import { VICTORIA_METRICS, VictoriaMetrics } from '../helpers/victoria-metrics.js';
import { AGENT_TOKEN, startStack, type Stack } from './stack.js';
import { byTestId, eventually, openConsole } from './ui.js';

if (!VICTORIA_METRICS)
  console.warn('SKIPPED: Settings → Remote write browser test — no `victoria-metrics` binary');

describe.skipIf(!VICTORIA_METRICS)('settings: Remote write', () => {
  let vm: VictoriaMetrics;
  let stack: Stack;
  let agent: TestAgent;
  let deadUrl: string;

  beforeAll(async () => {
    vm = await VictoriaMetrics.start();
    deadUrl = `http://127.0.0.1:${await freePort()}/api/v1/write`;
    stack = await startStack({
      config: { remoteWrite: [{ url: vm.writeUrl }, { url: deadUrl, timeoutMs: 2_000 }] },
    });
    agent = await connectAgent(stack.ingestUrl, { hostname: 'ui-rw' }, AGENT_TOKEN);
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await stack?.stop();
    await vm?.stop();
  });

  it('shows what each destination has sent, what waits, and the last error', async () => {
    for (let i = 0; i < 5; i++) {
      agent.send(metricsFrame([{ name: 'cpu_usage', value: 10 + i }]));
      await agent.next('ack');
    }
    await eventually(async () => {
      const { body } = await stack.api<{ destinations: RemoteWriteStatus[] }>(
        '/api/v1/remote-write',
      );
      expect(body.destinations[0]!.sent).toBe(5);
      expect(body.destinations[1]!.failed).toBeGreaterThan(0);
    }, 30_000);

    const page = await openConsole(stack, '#/settings');
    const rows = page.locator(byTestId('remote-write-row'));
    await eventually(async () => expect(await rows.count()).toBe(2), 30_000);
    await eventually(async () => {
      const live = rows.filter({ hasText: vm.writeUrl });
      expect(await live.locator(byTestId('remote-write-sent')).textContent()).toBe('5');
      expect(await live.locator(byTestId('remote-write-pending')).textContent()).toBe('0');
      expect(await live.locator(byTestId('remote-write-lag')).textContent()).toBe('none');
      expect(await live.locator(byTestId('remote-write-last-error')).textContent()).toBe('none');
      const dead = rows.filter({ hasText: deadUrl });
      expect(await dead.locator(byTestId('remote-write-pending')).textContent()).toBe('5');
      expect(await dead.locator(byTestId('remote-write-sent')).textContent()).toBe('0');
      expect(await dead.locator(byTestId('remote-write-last-success')).textContent()).toBe('never');
      expect(await dead.locator(byTestId('remote-write-last-error')).textContent()).toMatch(
        /(ECONNREFUSED|fetch failed).*\((.* ago|just now)\) · retry in/,
      );
      expect(await dead.locator(byTestId('remote-write-lag')).textContent()).not.toBe('none');
    }, 30_000);
    await page.screenshot({ path: 'test-results/remote-write-panel.png', fullPage: true });
  }, 90_000);
});
