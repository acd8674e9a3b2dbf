// Issue 7, item 8: once a session decides to close, the frames already on the wire behind the
// bad one are neither stored nor evaluated nor counted. Each burst is written in ONE TCP write,
// so the console reads the bad frame and what follows it in one chunk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../shared/protocol.js';
import {
  AGENT_TOKEN,
  connectAgent,
  hello,
  metricsFrame,
  startTestCore,
  type TestCore,
} from '../helpers/core.js';
import { binaryFrame, rawIngest, textFrame } from '../helpers/raw-ws.js';

const PROBE = 'burst_probe';
const probeBatch = () => textFrame(metricsFrame([{ name: PROBE, value: 99 }]));

describe('frames after a protocol-violation close', () => {
  let t: TestCore;
  beforeEach(async () => {
    t = await startTestCore();
  });
  afterEach(async () => {
    await t.stop();
  });

  async function metricNames(): Promise<string[]> {
    const { body } = await t.api<{ metrics: string[] }>('/api/v1/metric-names');
    return body.metrics;
  }

  /** A later agent's acked batch proves the console got past everything sent before it. */
  async function barrier(): Promise<void> {
    const other = await connectAgent(t.addr.ingestUrl, { hostname: 'barrier' });
    const frame = metricsFrame([{ name: 'barrier_metric', value: 1 }]);
    other.send(frame);
    await other.next('ack');
    await other.close();
  }

  const bursts: [string, () => Buffer[], boolean, (typeof CLOSE)[keyof typeof CLOSE]][] = [
    [
      'a binary frame, then a batch',
      () => [binaryFrame([1, 2, 3]), probeBatch()],
      true,
      CLOSE.binaryFrame,
    ],
    [
      'invalid JSON, then a batch and more invalid JSON',
      () => [textFrame('{"type":'), probeBatch(), textFrame('nope')],
      true,
      CLOSE.invalidJson,
    ],
    [
      'heartbeat before hello, then a batch and another heartbeat',
      () => [textFrame({ type: 'heartbeat' }), probeBatch(), textFrame({ type: 'heartbeat' })],
      false,
      CLOSE.helloFirst,
    ],
  ];

  it.each(bursts)(
    '%s: the batch is not stored and the rejection counts once',
    async (_what, frames, sayHello, spec) => {
      const raw = await rawIngest(t.addr.ingestUrl, AGENT_TOKEN);
      if (sayHello) {
        raw.burst([textFrame(hello({ hostname: 'bursty' }))]);
        await raw.next('welcome');
      }
      raw.burst(frames());
      const closed = await raw.closed;
      expect(closed.code).toBe(spec.code);
      await barrier();

      expect(await metricNames()).not.toContain(PROBE);
      expect(t.core.store.head.seriesCount()).toBe(1); // only the barrier's series
      expect(await t.metric('meridian_frames_rejected_total', { reason: spec.reason })).toBe(1);
      // Only the barrier's batch was taken in as a metrics frame.
      expect(await t.metric('meridian_frames_received_total', { type: 'metrics' })).toBe(1);
      expect(await t.metric('meridian_samples_received_total')).toBe(1);
    },
  );
});
