// The reference agent against the real console core (ephemeral ports, temp data dir).
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCredentialStore } from '../../agent/credential-file.js';
import { seededRandom } from '../../agent/prng.js';
import { Uplink, type UplinkOptions } from '../../agent/uplink.js';
import type { UplinkEvent } from '../../agent/uplink-events.js';
import { systemClock } from '../../shared/clock.js';
import type { Agent } from '../../shared/model.js';
import { WAIT_MS, AGENT_TOKEN, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

describe('Uplink against the real console', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function core(): Promise<TestCore> {
    const c = await startTestCore();
    cleanup.push(() => c.stop());
    return c;
  }

  function uplink(c: TestCore, seed: number, extra: Partial<UplinkOptions> = {}) {
    const events: UplinkEvent[] = [];
    const fatal: string[] = [];
    const u = new Uplink({
      url: c.addr.ingestUrl,
      token: AGENT_TOKEN,
      clock: systemClock,
      random: seededRandom(seed),
      hello: { hostname: 'twin', region: 'eu-west-1', agentType: 'system', version: 'test' },
      onEvent: (e) => events.push(e),
      onFatal: (r) => fatal.push(r),
      ...extra,
    });
    cleanup.push(() => u.stop());
    return { u, events, fatal };
  }

  it('every batch is acked once; no pause, no timer resend, nothing dropped', async () => {
    const c = await core();
    const { u, events } = uplink(c, 1);
    u.start();
    await waitFor(() => u.connected, WAIT_MS, 'welcome');
    const t0 = systemClock.now();
    for (let i = 0; i < 20; i++) {
      u.sendMetrics([{ name: 'cpu_usage', value: i, ts: t0 + i, kind: 'gauge' }]);
    }
    await waitFor(() => u.pendingCount === 0, WAIT_MS, 'all acked');
    expect(u.stats).toMatchObject({
      batchesSent: 20,
      batchesAcked: 20,
      batchesResent: 0,
      batchesResentByTimer: 0,
      pauses: 0,
      heldOff: 0,
      samplesDroppedBatches: {},
    });
    expect(await c.metric('meridian_samples_received_total')).toBe(20);
    // First contact: the agent enrols (receives its own key), then is connected.
    expect(events.map((e) => e.type)).toEqual(['connecting', 'enrolled', 'connected']);
  });

  it('4010 replaced is not fatal: the replaced agent waits its (growing) long backoff and comes back', async () => {
    const c = await core();
    const long = { longBackoffInitialMs: 150, longBackoffMaxMs: 10_000 };
    // Two processes of one agent sharing its state dir (its key): the same identity.
    const credentials = new MemoryCredentialStore();
    const first = uplink(c, 1, { ...long, credentials });
    first.u.start();
    await waitFor(() => first.u.connected, WAIT_MS, 'first welcomed');
    const id = first.u.agentId!;

    // A second process with the same identity takes the agent over.
    const second = uplink(c, 2, { ...long, credentials });
    second.u.start();
    const heldOff = await waitFor(
      () => first.events.find((e) => e.type === 'held_off'),
      WAIT_MS,
      'the first is replaced',
    );
    expect(heldOff).toMatchObject({ type: 'held_off', code: 4010 });
    // It comes back after its wait (and in turn replaces the second, which waits too).
    await waitFor(
      () => first.events.some((e) => e.type === 'connected' && e.reconnect),
      WAIT_MS,
      'the first reconnects',
    );
    await waitFor(
      () => second.events.some((e) => e.type === 'held_off' && e.code === 4010),
      WAIT_MS,
      'the second is replaced in turn',
    );
    expect(first.fatal).toEqual([]);
    expect(second.fatal).toEqual([]);
    expect(first.u.agentId).toBe(id);
    // Each further replacement waits longer: two processes sharing an id settle into a slow
    // alternation instead of a tight fight.
    await waitFor(
      () => first.events.filter((e) => e.type === 'held_off').length >= 2,
      WAIT_MS,
      'a second replacement of the first',
    );
    const delays = first.events.flatMap((e) => (e.type === 'held_off' ? [e.delayMs] : []));
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    first.u.stop();
    second.u.stop();
    // One agent in the registry: both connections were the same agent.
    const agents = await c.api<{ agents: Agent[] }>('/api/v1/agents');
    expect(agents.body.agents.map((a) => a.id)).toEqual([id]);
  });
});
