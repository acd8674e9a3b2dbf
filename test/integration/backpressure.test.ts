// When the disk is slower than ingest, the WAL's queue is bounded: past the bound the console
// answers `ingest_paused` (write_backlog) instead of queueing more, and agents resend. A long
// group-commit window stands in for a slow disk: writes wait for it, so the queue fills.
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
const BATCHES = 120;
const PER_BATCH = 100;

function frame(seq: number) {
  return {
    type: 'metrics',
    seq,
    samples: Array.from({ length: PER_BATCH }, (_, i) => ({
      name: `bp_${i}`,
      ts: BASE + seq * 1000,
      value: seq + i / 1000,
    })),
  };
}

describe('WAL back-pressure', () => {
  let t: TestCore | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it('tells agents to wait when the WAL queue is over its bound, and stores every resent batch once', async () => {
    t = await startTestCore({ walFlushMs: 250, walMaxQueuedBytes: 32 * 1024 });
    const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'bp-1' });
    const acked = new Set<number>();
    const deferred = new Set<number>();
    agent.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; seq: number; code?: string };
      if (m.type === 'ack') acked.add(m.seq);
      if (m.type === 'error' && m.code === 'ingest_paused') deferred.add(m.seq);
    });
    for (let seq = 1; seq <= BATCHES; seq++) agent.send(frame(seq));
    await waitFor(() => acked.size + deferred.size >= BATCHES, 15_000, 'every batch answered');
    expect(deferred.size).toBeGreaterThan(0);
    expect(await t.metric('meridian_batches_deferred_total', { reason: 'write_backlog' })).toBe(
      deferred.size,
    );
    // The agent resends what was deferred, as told, until all is acked.
    while (acked.size < BATCHES) {
      const missing = [...deferred].filter((s) => !acked.has(s));
      deferred.clear();
      for (const seq of missing) agent.send(frame(seq));
      await waitFor(() => missing.every((s) => acked.has(s) || deferred.has(s)), 15_000, 'resends');
    }
    const received = await t.metric('meridian_samples_received_total');
    expect(received).toBe(BATCHES * PER_BATCH);
    expect(await t.metric('meridian_samples_dropped_total', { reason: 'duplicate' })).toBe(0);
  });
});
