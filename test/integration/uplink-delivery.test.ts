// The reference agent's delivery rules, over real WebSockets, against a scripted console
// (test/helpers/fake-console.ts). The agent runs on a ManualClock: its pauses, heartbeats and
// resend timers move only when the test advances time, and every check waits for frames to
// arrive rather than for time to pass.
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../agent/prng.js';
import { Uplink, type UplinkOptions } from '../../agent/uplink.js';
import type { UplinkEvent } from '../../agent/uplink-events.js';
import { ManualClock } from '../../shared/clock.js';
import type { AgentEvent, Sample } from '../../shared/protocol.js';
import { startFakeConsole, type BatchAnswer, type FakeConsole } from '../helpers/fake-console.js';
import { WAIT_MS, waitFor } from '../helpers/core.js';

const T0 = 1_700_000_000_000;
const sample = (v: number): Sample[] => [
  { name: 'cpu_usage', value: v, ts: T0 + v, kind: 'gauge' },
];
const event = (message: string): AgentEvent => ({
  ts: T0,
  category: 'security',
  severity: 'warning',
  source: 'sshd',
  message,
});

describe('Uplink delivery (scripted console, real sockets)', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(
    answer: (seq: number, times: number) => BatchAnswer,
    extra: Partial<UplinkOptions> = {},
    refuseHello?: (connection: number) => { code: number; reason: string } | null,
  ) {
    const fake: FakeConsole = await startFakeConsole({
      answer,
      ...(refuseHello ? { refuseHello } : {}),
    });
    cleanup.push(() => fake.stop());
    const clock = new ManualClock(T0);
    const events: UplinkEvent[] = [];
    const fatal: string[] = [];
    const uplink = new Uplink({
      url: fake.url,
      token: 'test',
      clock,
      random: seededRandom(3),
      hello: { hostname: 'h1', region: 'us-east-1', agentType: 'system', version: 'test' },
      onEvent: (e) => events.push(e),
      onFatal: (r) => fatal.push(r),
      ...extra,
    });
    cleanup.push(() => uplink.stop());
    uplink.start();
    return { fake, clock, uplink, events, fatal };
  }

  /** The last copy of each batch the console received, by seq. */
  const lastCopies = (fake: FakeConsole) =>
    new Map(fake.frames.filter((f) => f.seq !== undefined).map((f) => [f.seq!, f.raw]));

  it('ingest_paused: no batch while paused (heartbeats go on), then every unacked batch oldest first, nothing lost', async () => {
    const { fake, clock, uplink, events } = await setup((seq, times) =>
      seq === 1 && times === 1 ? { pause: 5_000 } : { ack: true },
    );
    await waitFor(() => uplink.connected, WAIT_MS, 'welcome');
    uplink.sendMetrics(sample(1));
    await waitFor(() => uplink.stats.pauses === 1, WAIT_MS, 'ingest_paused');
    expect(uplink.paused).toBe(true);
    // New batches while paused are queued, not sent.
    uplink.sendMetrics(sample(2));
    uplink.sendEvents([event('login failed')]);
    uplink.sendMetrics(sample(4));

    clock.advance(4_000);
    await waitFor(() => fake.heartbeats() === 4, WAIT_MS, 'four heartbeats during the pause');
    // Frames on one socket arrive in order: a batch sent before the 4th heartbeat is here by now.
    expect(fake.batchSeqs()).toEqual([1]);
    expect(uplink.pendingCount).toBe(4);

    clock.advance(1_000);
    await waitFor(() => uplink.pendingCount === 0, WAIT_MS, 'all acked after the pause');
    expect(fake.batchSeqs()).toEqual([1, 1, 2, 3, 4]);
    const copies = lastCopies(fake);
    expect([1, 2, 4].map((s) => (copies.get(s)!.samples as Sample[])[0]!.value)).toEqual([1, 2, 4]);
    expect((copies.get(3)!.events as AgentEvent[])[0]!.message).toBe('login failed');
    expect(uplink.stats).toMatchObject({
      pauses: 1,
      batchesAcked: 4,
      batchesResent: 1,
      batchesResentByTimer: 0,
      batchesDropped: 0,
    });
    expect(events.map((e) => e.type)).toEqual(['connecting', 'connected', 'paused', 'resumed']);
    expect(events[2]).toMatchObject({ type: 'paused', retryAfterMs: 5_000, seq: 1 });
  });

  it('a reconnect during the pause keeps it: the new connection gets heartbeats, then the batches in order', async () => {
    const { fake, clock, uplink } = await setup((seq, times) =>
      seq === 1 && times === 1 ? { pause: 5_000 } : { ack: true },
    );
    await waitFor(() => uplink.connected, WAIT_MS, 'welcome');
    uplink.sendMetrics(sample(1));
    await waitFor(() => uplink.stats.pauses === 1, WAIT_MS, 'ingest_paused');
    uplink.sendMetrics(sample(2));
    fake.closeCurrent(1001, 'shutting_down');
    await waitFor(() => !uplink.connected, WAIT_MS, 'close seen');
    clock.advance(600); // past the first reconnect backoff (at most 500 ms)
    await waitFor(() => fake.welcomes() === 2, WAIT_MS, 'reconnected');
    await waitFor(() => uplink.connected, WAIT_MS, 'welcome on the new connection');
    clock.advance(1_000);
    await waitFor(
      () => fake.frames.some((f) => f.connection === 2 && f.type === 'heartbeat'),
      WAIT_MS,
      'a heartbeat on the new connection',
    );
    expect(fake.batchSeqs()).toEqual([1]);
    clock.advance(4_000);
    await waitFor(() => uplink.pendingCount === 0, WAIT_MS, 'all acked');
    const onSecond = fake.frames.filter((f) => f.connection === 2 && f.seq !== undefined);
    expect(onSecond.map((f) => f.seq)).toEqual([1, 2]);
  });

  it('an ack that never comes on a live connection: the batch is sent again after resendAfterMs', async () => {
    const { fake, clock, uplink } = await setup((seq, times) =>
      seq === 1 && times === 1 ? { drop: true } : { ack: true },
    );
    await waitFor(() => uplink.connected, WAIT_MS, 'welcome');
    uplink.sendMetrics(sample(1));
    uplink.sendMetrics(sample(2));
    await waitFor(() => uplink.stats.batchesAcked === 1, WAIT_MS, 'seq 2 acked');
    expect(uplink.pendingCount).toBe(1);
    clock.advance(15_000);
    await waitFor(() => uplink.pendingCount === 0, WAIT_MS, 'seq 1 resent and acked');
    expect(fake.batchSeqs()).toEqual([1, 2, 1]);
    expect(uplink.stats).toMatchObject({ batchesResentByTimer: 1, batchesResent: 1 });
  });

  it('timer resends are bounded per round and rotate, so one stuck batch cannot hold the rest', async () => {
    const { fake, clock, uplink } = await setup(
      (_seq, times) => (times === 1 ? { drop: true } : { ack: true }),
      { maxResendPerRound: 2 },
    );
    await waitFor(() => uplink.connected, WAIT_MS, 'welcome');
    for (let v = 1; v <= 5; v++) uplink.sendMetrics(sample(v));
    await waitFor(() => fake.batchSeqs().length === 5, WAIT_MS, 'five batches');
    const round = async (advanceMs: number, heartbeatsAfter: number, pending: number) => {
      clock.advance(advanceMs);
      await waitFor(() => uplink.pendingCount === pending, WAIT_MS, `${pending} pending`);
      clock.advance(1_000); // one more heartbeat: anything the round sent is in before it
      await waitFor(() => fake.heartbeats() === heartbeatsAfter, WAIT_MS, 'heartbeat');
    };
    await round(15_000, 16, 3);
    expect(fake.batchSeqs()).toEqual([1, 2, 3, 4, 5, 1, 2]);
    await round(14_000, 31, 1);
    expect(fake.batchSeqs()).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4]);
    await round(14_000, 46, 0);
    expect(fake.batchSeqs()).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    expect(uplink.stats.batchesResentByTimer).toBe(5);
  });

  it('out_of_order, series_limit and future_timestamp: the batch was acked; counted, never resent', async () => {
    const codes = ['out_of_order', 'series_limit', 'future_timestamp'];
    const { fake, clock, uplink, events } = await setup((seq) => ({
      ack: true,
      error: { code: codes[seq - 1]!, message: '1 sample(s) dropped' },
    }));
    await waitFor(() => uplink.connected, WAIT_MS, 'welcome');
    for (let v = 1; v <= 3; v++) uplink.sendMetrics(sample(v));
    await waitFor(() => uplink.stats.batchesAcked === 3, WAIT_MS, 'acks');
    clock.advance(30_000);
    await waitFor(() => fake.heartbeats() === 30, WAIT_MS, 'heartbeats');
    expect(fake.batchSeqs()).toEqual([1, 2, 3]);
    expect(uplink.stats.samplesDroppedBatches).toEqual({
      out_of_order: 1,
      series_limit: 1,
      future_timestamp: 1,
    });
    expect(events.filter((e) => e.type === 'samples_dropped').map((e) => e.code)).toEqual(codes);
  });

  it('4011 agent_limit is not fatal: the agent waits the long backoff, then comes back', async () => {
    const { fake, clock, uplink, events, fatal } = await setup(
      () => ({ ack: true }),
      { longBackoffInitialMs: 60_000 },
      (connection) => (connection === 1 ? { code: 4011, reason: 'agent_limit: full' } : null),
    );
    const heldOff = await waitFor(
      () => events.find((e) => e.type === 'held_off'),
      WAIT_MS,
      'held_off event',
    );
    expect(heldOff).toMatchObject({ code: 4011 });
    const delayMs = (heldOff as { delayMs: number }).delayMs;
    expect(delayMs).toBeGreaterThanOrEqual(45_000);
    expect(delayMs).toBeLessThan(75_000);
    clock.advance(delayMs);
    await waitFor(() => uplink.connected, WAIT_MS, 'welcomed after the wait');
    expect(fake.welcomes()).toBe(1);
    expect(fatal).toEqual([]);
    expect(uplink.stats.heldOff).toBe(1);
  });
});
