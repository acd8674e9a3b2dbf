// Response-time percentiles over long windows, through `meridian serve` (compaction in its
// worker thread): four hours of latencies go in over the real ingest WebSocket, the older
// hours are compacted into rollup blocks, the newest stay in the head, and GET
// /api/v1/percentiles must give the percentiles of what was sent (within the sketches' ±1 %)
// for 24 h and 7 d, not percentiles of 1-minute means (the fixture, latency-history.ts, is made
// so that means cannot pass).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PercentileRow } from '../../shared/analysis.js';
import type { StorageReport } from '../../shared/api.js';
import { connectAgent, tempDir, waitFor } from '../helpers/core.js';
import { latencyHistory, rankOf } from '../helpers/latency-history.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const ALPHA = 0.01;
const env = { MERIDIAN_SESSION_TOKEN: 'pct-session', MERIDIAN_AGENT_TOKEN: 'test-agent-token' };

async function api<T>(serve: ServeProcess, path: string): Promise<T> {
  const res = await fetch(`${serve.apiUrl}${path}`, {
    headers: { Authorization: 'Bearer pct-session' },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

function expectWithin(got: number, want: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs the samples' ${want}`).toBeLessThanOrEqual(
    want * ALPHA,
  );
}

describe('percentiles over long windows (meridian serve)', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  // A serve start, four hours of acked batches and a 60 s wait for compaction: more than the default 60 s.
  it('24 h and 7 d percentiles are of the samples (head + blocks, ±1 %), not of minute means', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'config.json'), JSON.stringify({ checkpointEveryMs: 10_000 }));
    const serve = await spawnServe(dataDir, env);
    cleanup.push(() => void serve.child.kill('SIGKILL'));

    // Four hours up to now (the console takes samples up to ~4.8 h old by default).
    const end = Date.now();
    const start = end - 4 * HOUR + 2 * MIN;
    const history = latencyHistory(start, end);
    const agent = await connectAgent(serve.ingestUrl, { hostname: 'pct-app-1' });
    cleanup.push(() => agent.ws.terminate());
    for (let i = 0, seq = 0; i < history.length; i += 2_000) {
      const samples = history.slice(i, i + 2_000).map((s) => ({ name: 'response_time', ...s }));
      agent.send({ type: 'metrics', seq: ++seq, samples });
      const ack = await agent.next<{ seq: number; problems?: unknown[] }>('ack');
      expect(ack.problems ?? []).toEqual([]);
    }
    // The first two clock hours are compacted into 1-minute blocks (with their sketches, in
    // the worker); the rest is read from flushes and the head.
    // `newest` of a rollup tier is the start of its newest bucket: the hour's last minute.
    const compactedTo = start - (start % HOUR) + 2 * HOUR;
    await waitFor(
      async () => {
        const minutes = (await api<StorageReport>(serve, '/api/v1/storage')).tiers.find(
          (t) => t.tier === '1m',
        )!;
        return minutes.newest !== null && minutes.newest >= compactedTo - MIN;
      },
      60_000,
      'the oldest hours compacted into 1-minute blocks',
    );

    const row = async (window: string) => {
      const { rows } = await api<{ rows: PercentileRow[] }>(
        serve,
        `/api/v1/percentiles?metric=response_time&window=${window}`,
      );
      expect(rows.length).toBe(1);
      expect(rows[0]).toMatchObject({ regionId: 'us-east-1', service: 'application' });
      return rows[0]!;
    };
    const sorted = history.map((s) => s.value).sort((a, b) => a - b);
    // What was sent: p95 falls among the 300 ms samples, p99 among the 500 ms ones.
    expect([rankOf(sorted, 0.95), rankOf(sorted, 0.99)]).toEqual([300, 500]);
    for (const window of ['24h', '7d']) {
      const r = await row(window);
      expect(r).toMatchObject({
        count: history.length,
        source: 'sketch',
        fromMeans: 0,
        relativeAccuracy: ALPHA,
      });
      expectWithin(r.p50, rankOf(sorted, 0.5), `${window} p50`);
      expectWithin(r.p95, rankOf(sorted, 0.95), `${window} p95`);
      expectWithin(r.p99, rankOf(sorted, 0.99), `${window} p99`);
    }
    // The last hour, exact from raw samples: one in ten at 500 ms.
    const hour = await row('1h');
    expect(hour).toMatchObject({ source: 'raw', p99: 500, relativeAccuracy: 0 });
    // A longer window holding the same spike does not read lower (beyond the sketch's ±1 %).
    for (const window of ['24h', '7d'])
      expect((await row(window)).p99).toBeGreaterThanOrEqual(hour.p99 * (1 - ALPHA));
  }, 180_000);
});
