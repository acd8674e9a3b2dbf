// Meridian remote-writing to a real VictoriaMetrics (Debian's `victoria-metrics`): a real core,
// a real agent connection, VictoriaMetrics on a loopback port in a temp dir. The values come
// back from VictoriaMetrics' export API; a 30 s outage and a core restart mid-backlog leave no
// gap (every timestamp compared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteWriteStatus } from '../../shared/interop.js';
import type { RemoteWriteConfig } from '../../electron/core/interop/remote-write-out/config.js';
import {
  connectAgent,
  metricsFrame,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { VICTORIA_METRICS, VictoriaMetrics } from '../helpers/victoria-metrics.js';

if (!VICTORIA_METRICS)
  console.warn(
    'SKIPPED: remote-write sender test — no `victoria-metrics` binary (apt-get install victoria-metrics)',
  );

const HOST = 'db-7';
const REGION = 'eu-west-1';
/** Small requests and windows, so a backlog takes many of them (and several shards). */
const BATCH = 50;

describe.skipIf(!VICTORIA_METRICS)('remote write to a real VictoriaMetrics', () => {
  let vm: VictoriaMetrics;
  let t: TestCore;
  let agent: TestAgent;
  let config: RemoteWriteConfig[];
  /** What the agent had acked, per series: ts → value. */
  const expected = new Map<string, Map<number, number>>();
  let frames = 0;

  const dest = () => vm.writeUrl;

  beforeAll(async () => {
    vm = await VictoriaMetrics.start();
    config = [{ url: vm.writeUrl, batchSamples: BATCH, maxShards: 4, timeoutMs: 5_000 }];
    t = await startTestCore({ remoteWrite: config });
    agent = await connectAgent(t.addr.ingestUrl, { hostname: HOST, region: REGION });
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await t?.stop();
    await vm?.stop();
  });

  /** One acked batch of two series: a plain gauge and a labelled one. */
  async function send(): Promise<void> {
    frames++;
    const frame = metricsFrame([
      { name: 'cpu_usage', value: (frames % 97) + 0.5 },
      { name: 'http_requests_rate', value: frames * 2, labels: { route: '/pay' } },
    ]);
    agent.send(frame);
    await agent.next('ack');
    const ts = frame.samples[0]!.ts;
    for (const s of frame.samples) {
      const key = s.name;
      if (!expected.has(key)) expected.set(key, new Map());
      expected.get(key)!.set(ts, s.value);
    }
  }

  /** True once VictoriaMetrics holds exactly the acked timestamps and values of every series. */
  async function allArrived(): Promise<boolean> {
    const got = await vm.export(`{hostname="${HOST}"}`);
    for (const [name, want] of expected) {
      const series = got.find((s) => s.metric.__name__ === name);
      if (!series) return false;
      const seen = new Map<number, number>();
      series.timestamps.forEach((ts, i) => seen.set(ts, series.values[i]!));
      if (seen.size !== want.size) return false;
      for (const [ts, v] of want) if (seen.get(ts) !== v) return false;
    }
    return true;
  }

  async function status(): Promise<RemoteWriteStatus> {
    const { body } = await t.api<{ destinations: RemoteWriteStatus[] }>('/api/v1/remote-write');
    return body.destinations[0]!;
  }

  it('forwards what the agent sends: the same values and labels come back from VictoriaMetrics', async () => {
    for (let i = 0; i < 40; i++) await send();
    await waitFor(allArrived, 30_000, 'every sample in VictoriaMetrics');
    const [series] = await vm.export(`{__name__="http_requests_rate",hostname="${HOST}"}`);
    expect(series!.metric).toEqual({
      __name__: 'http_requests_rate',
      agent: agent.agentId,
      hostname: HOST,
      region: REGION,
      route: '/pay',
    });
    await waitFor(async () => (await status()).pending === 0, 15_000, 'nothing pending');
    const s = await status();
    expect(s).toMatchObject({ url: dest(), dropped: 0, failed: 0, lagSeconds: 0 });
    expect(s.sent).toBe(80);
    expect(await t.metric('meridian_remote_write_sent_samples_total', { dest: dest() })).toBe(80);
    expect(await t.metric('meridian_remote_write_pending_samples', { dest: dest() })).toBe(0);
  }, 60_000);

  it('VictoriaMetrics down for 30 s while the agent keeps sending: the backlog arrives with no gap', async () => {
    await vm.kill();
    const downAt = Date.now();
    const sentBefore = (await status()).sent;
    // The agent keeps sending (each batch acked: the console holds it) for the whole outage.
    while (Date.now() - downAt < 30_000 || (await status()).failed === 0) await send();
    const during = await status();
    expect(during.pending).toBeGreaterThan(0);
    expect(during.lagSeconds).toBeGreaterThan(0);
    expect(during.lastError).not.toBeNull();
    expect(await t.metric('meridian_remote_write_failed_total', { dest: dest() })).toBeGreaterThan(
      0,
    );
    expect(await t.metric('meridian_remote_write_lag_seconds', { dest: dest() })).toBeGreaterThan(
      0,
    );
    const backlog = during.pending;

    await vm.restart();
    await waitFor(allArrived, 90_000, 'the backlog in VictoriaMetrics, every timestamp');
    await waitFor(async () => (await status()).pending === 0, 15_000, 'nothing pending');
    const after = await status();
    expect(after.dropped).toBe(0);
    // Everything acked during the outage was sent, and only once more than needed at most.
    expect(after.sent - sentBefore).toBeGreaterThanOrEqual(backlog);
    expect(after.sent - sentBefore).toBe(expected.get('cpu_usage')!.size * 2 - sentBefore);
  }, 180_000);

  it('the core restarted mid-backlog resumes from its cursor: no gap, nothing acked resent', async () => {
    // Some samples acked by VictoriaMetrics first, in the same queue segment as the backlog.
    for (let i = 0; i < 10; i++) await send();
    await waitFor(allArrived, 30_000, 'the first samples in VictoriaMetrics');
    await waitFor(async () => (await status()).pending === 0, 15_000, 'nothing pending');
    await vm.kill();
    for (let i = 0; i < 60; i++) await send();
    await waitFor(async () => (await status()).failed > 0 && (await status()).pending === 120);
    await agent.close();
    await t.stop({ keepDir: true });

    t = await startTestCore({ dataDir: t.dataDir, remoteWrite: config });
    // Before VictoriaMetrics is back: the backlog is exactly what was not sent, read from disk.
    expect((await status()).pending).toBe(120);
    agent = await connectAgent(t.addr.ingestUrl, { hostname: HOST, region: REGION });
    for (let i = 0; i < 20; i++) await send();

    await vm.restart();
    await waitFor(allArrived, 60_000, 'the backlog in VictoriaMetrics, every timestamp');
    await waitFor(async () => (await status()).pending === 0, 15_000, 'nothing pending');
    // This run sent the 120 left behind and the 40 new ones: nothing sent before the restart again.
    expect((await status()).sent).toBe(160);
    expect((await status()).dropped).toBe(0);
  }, 120_000);
});
