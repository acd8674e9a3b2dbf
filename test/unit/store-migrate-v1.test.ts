// A data dir from the first store (everything in checkpoint.ndjson, plus WAL after it) opens
// with its history intact: raw samples become a flush, rollups become rollup blocks, series
// keep their ids, the WAL after the checkpoint is replayed, and the checkpoint goes.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { MetricStore, type MetricStoreOptions } from '../../electron/core/store/metric-store.js';
import { HOUR_MS, MINUTE_MS } from '../../electron/core/store/series.js';
import { encodeLine } from '../../electron/core/store/wal.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-migrate-');

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: { rawMs: 6 * HOUR_MS, minuteMs: 30 * 24 * HOUR_MS, hourMs: 365 * 24 * HOUR_MS },
  walFlushMs: 5,
  checkpointEveryMs: 5 * MINUTE_MS,
  checkpointWalBytes: 1e12,
  outOfOrderWindowMs: 0,
  diskBudgetBytes: 1e15,
  headIdleMs: HOUR_MS,
  backend: 'inline',
};

const b64 = (a: Uint32Array | Float64Array) => Buffer.from(a.buffer).toString('base64');

/** A v1 series image: raw samples every minute for 2 hours, minute and hour buckets of them. */
function image(id: number, agentId: string, name: string) {
  const offsets = Uint32Array.from({ length: 120 }, (_, i) => i * MINUTE_MS);
  const values = Float64Array.from({ length: 120 }, (_, i) => id * 1000 + i);
  // A 1-minute bucket per sample (one sample each) and two 1-hour buckets.
  const minute = new Float64Array(120 * 6);
  for (let i = 0; i < 120; i++)
    minute.set([T0 + i * MINUTE_MS, values[i]!, values[i]!, values[i]!, 1, values[i]!], i * 6);
  const hour = new Float64Array(2 * 6);
  for (let h = 0; h < 2; h++) {
    const vs = values.slice(h * 60, h * 60 + 60);
    hour.set(
      [T0 + h * HOUR_MS, vs[0]!, vs[59]!, vs.reduce((a, b) => a + b, 0), 60, vs[59]!],
      h * 6,
    );
  }
  return {
    id,
    agentId,
    key: name,
    name,
    labels: {},
    lastTs: T0 + 119 * MINUTE_MS,
    lastValue: values[119],
    raw: [{ base: T0, ts: b64(offsets), v: b64(values) }],
    minute: { blocks: [b64(minute)] },
    hour: { blocks: [b64(hour)] },
  };
}

describe('moving a v1 checkpoint to block files', () => {
  it('keeps raw samples, buckets, series ids and the WAL after it; deletes the checkpoint', async () => {
    const tsdb = join(dir(), 'tsdb');
    await import('node:fs/promises').then((f) => f.mkdir(tsdb, { recursive: true }));
    const lines = [
      JSON.stringify({ version: 1, walSegment: 3, createdAt: T0, series: 2 }),
      JSON.stringify(image(0, 'agt-a', 'cpu')),
      JSON.stringify(image(7, 'agt-b', 'mem')),
    ];
    await writeFile(join(tsdb, 'checkpoint.ndjson'), `${lines.join('\n')}\n`);
    // A WAL segment after the checkpoint: one more cpu sample; one before it (covered): ignored.
    await writeFile(join(tsdb, 'wal-00000003.ndjson'), encodeLine(`B\t0,${T0 + 999},5`));
    await writeFile(
      join(tsdb, 'wal-00000004.ndjson'),
      encodeLine(`B\t0,${T0 + 120 * MINUTE_MS},42`),
    );

    const clock = new ManualClock(T0 + 3 * HOUR_MS);
    const store = new MetricStore(dir(), { clock, logger: silentLogger }, OPTS);
    const opened = await store.open();
    await store.maintain();
    expect(opened).toMatchObject({ migratedSeries: 2, lines: 1 });
    expect(await readdir(tsdb)).not.toContain('checkpoint.ndjson');
    const cpu = store.head.seriesById(0)!;
    const mem = store.head.seriesById(7)!;
    expect([cpu.agentId, cpu.name, mem.agentId, mem.name]).toEqual([
      'agt-a',
      'cpu',
      'agt-b',
      'mem',
    ]);
    const raw: [number, number][] = [];
    store.raw(cpu, -Infinity, Infinity).forEach((t, v) => raw.push([t, v]));
    expect(raw).toHaveLength(121);
    expect(raw[0]).toEqual([T0, 0]);
    expect(raw.at(-1)).toEqual([T0 + 120 * MINUTE_MS, 42]);
    const minutes = store.buckets(mem, '1m', T0, T0 + 2 * HOUR_MS);
    expect(minutes).toHaveLength(120);
    expect(minutes[5]).toEqual({
      start: T0 + 5 * MINUTE_MS,
      min: 7005,
      max: 7005,
      sum: 7005,
      count: 1,
      last: 7005,
    });
    const hours = store.buckets(mem, '1h', T0, T0 + 2 * HOUR_MS);
    expect(hours.map((h) => [h.start, h.count, h.min, h.max])).toEqual([
      [T0, 60, 7000, 7059],
      [T0 + HOUR_MS, 60, 7060, 7119],
    ]);
    // New samples go on in the same series after the move; a restart keeps it all.
    const r = store.append('agt-a', [{ name: 'cpu', ts: T0 + 121 * MINUTE_MS, value: 43 }]);
    clock.advance(5);
    await r.durable;
    await store.close();
    const again = new MetricStore(dir(), { clock, logger: silentLogger }, OPTS);
    expect(await again.open()).toMatchObject({ migratedSeries: 0 });
    const after: number[] = [];
    again.raw(again.head.seriesById(0)!, -Infinity, Infinity).forEach((_t, v) => after.push(v));
    expect(after).toHaveLength(122);
    expect(again.head.seriesCount()).toBe(2);
    await again.close();
  });
});
