import { describe, it, expect } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import { seriesKey } from '../../electron/core/store/series-key.js';
import {
  DEFAULT_RETENTION,
  HOUR_MS,
  MINUTE_MS,
  TimeSeriesStore,
  type Series,
} from '../../electron/core/store/tsdb.js';
import { RollupTier, type Bucket } from '../../electron/core/store/rollup.js';
import { Chunk } from '../../electron/core/store/chunk.js';

/** Hour-aligned. */
const T0 = 1_699_999_200_000;

const s = (name: string, ts: number, value: number, labels?: Record<string, string>): Sample =>
  labels ? { name, ts, value, labels } : { name, ts, value };

function rawOf(series: Series): [number, number][] {
  const out: [number, number][] = [];
  series.forEachRaw(-Infinity, Infinity, (ts, v) => out.push([ts, v]));
  return out;
}

function bucketsOf(tier: Series['minute']): Bucket[] {
  const out: Bucket[] = [];
  tier.forEach(-Infinity, Infinity, (b) => out.push(b));
  return out;
}

function only<T>(it: Iterable<T>): T {
  const all = [...it];
  expect(all.length).toBe(1);
  return all[0]!;
}

describe('seriesKey', () => {
  it('is the name alone without labels, and sorts labels', () => {
    expect(seriesKey('cpu', undefined)).toBe('cpu');
    expect(seriesKey('cpu', {})).toBe('cpu');
    expect(seriesKey('cpu', { b: '2', a: '1' })).toBe(seriesKey('cpu', { a: '1', b: '2' }));
    expect(seriesKey('cpu', { a: '1', b: '2' })).toBe('cpu\u0001a\u00021\u0001b\u00022');
    expect(seriesKey('cpu', { a: '1' })).not.toBe(seriesKey('cpu', { a: '2' }));
    expect(seriesKey('cpu', { a: '1' })).not.toBe(seriesKey('cpu', { b: '1' }));
    expect(seriesKey('cpu', { a: '1' })).not.toBe(seriesKey('cpu_a', {}));
  });
});

describe('TimeSeriesStore.append', () => {
  it('identifies a series by agent + name + sorted labels', () => {
    const store = new TimeSeriesStore(100);
    const out = store.append('a1', [
      s('cpu', T0, 1, { core: '0', host: 'x' }),
      s('cpu', T0 + 1000, 2, { host: 'x', core: '0' }),
      s('cpu', T0, 3, { host: 'x', core: '1' }),
      s('cpu', T0, 4),
      s('cpu', T0 + 1000, 5, {}),
      s('mem', T0, 6),
    ]);
    expect(out).toEqual({ accepted: 6, late: 0, duplicates: 0, tooOld: 0, overLimit: 0 });
    store.append('a2', [s('cpu', T0, 7, { core: '0', host: 'x' })]);
    expect(store.seriesCount('a1')).toBe(4);
    expect(store.seriesCount('a2')).toBe(1);
    expect(store.seriesCount()).toBe(5);
    expect(store.metricNames()).toEqual(['cpu', 'mem']);
    const a1core0 = [...store.seriesForAgent('a1')].find(
      (x) => x.name === 'cpu' && x.labels.core === '0',
    )!;
    expect(a1core0.labels).toEqual({ core: '0', host: 'x' });
    expect(rawOf(a1core0)).toEqual([
      [T0, 1],
      [T0 + 1000, 2],
    ]);
    const unlabelled = [...store.seriesForAgent('a1')].find(
      (x) => x.name === 'cpu' && Object.keys(x.labels).length === 0,
    )!;
    expect(rawOf(unlabelled)).toEqual([
      [T0, 4],
      [T0 + 1000, 5],
    ]);
    expect([...store.seriesOf('cpu')].map((x) => x.agentId).sort()).toEqual([
      'a1',
      'a1',
      'a1',
      'a2',
    ]);
    expect([...store.seriesOf('nope')]).toEqual([]);
  });

  it('copies the labels of the first sample (later mutation of the input does not leak)', () => {
    const store = new TimeSeriesStore(10);
    const labels = { core: '0' };
    store.append('a1', [s('cpu', T0, 1, labels)]);
    labels.core = '9';
    expect(only(store.all()).labels).toEqual({ core: '0' });
  });

  it('stores a sample with the same timestamp once and counts it as a duplicate', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [s('cpu', T0, 1), s('cpu', T0 + 1000, 2)]);
    const resend = store.append('a1', [s('cpu', T0 + 1000, 2)]);
    expect(resend).toEqual({ accepted: 0, late: 0, duplicates: 1, tooOld: 0, overLimit: 0 });
    const inBatch = store.append('a1', [s('cpu', T0 + 2000, 3), s('cpu', T0 + 2000, 99)]);
    expect(inBatch).toEqual({ accepted: 1, late: 0, duplicates: 1, tooOld: 0, overLimit: 0 });
    const series = only(store.all());
    expect(rawOf(series)).toEqual([
      [T0, 1],
      [T0 + 1000, 2],
      [T0 + 2000, 3],
    ]);
    expect(series.lastValue).toBe(3);
    expect(bucketsOf(series.minute)).toEqual([
      { start: T0, min: 1, max: 3, sum: 6, count: 3, last: 3 },
    ]);
  });

  it('a resent sample older than the newest is still a duplicate, not out of order', () => {
    const store = new TimeSeriesStore(10);
    const batch = [s('cpu', T0, 1), s('cpu', T0 + 1000, 2), s('cpu', T0 + 2000, 3)];
    store.append('a1', batch);
    expect(store.append('a1', batch)).toEqual({
      accepted: 0,
      late: 0,
      duplicates: 3,
      tooOld: 0,
      overLimit: 0,
    });
    expect(store.append('a1', [s('cpu', T0 + 500, 9)]).tooOld).toBe(1);
    expect(only(store.all()).rawCount()).toBe(3);
  });

  it('counts an older sample as out of order and drops it', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [s('cpu', T0 + 5000, 1)]);
    const out = store.append('a1', [s('cpu', T0 + 1000, 2), s('cpu', T0 + 6000, 3)]);
    expect(out).toEqual({ accepted: 1, late: 0, duplicates: 0, tooOld: 1, overLimit: 0 });
    expect(rawOf(only(store.all()))).toEqual([
      [T0 + 5000, 1],
      [T0 + 6000, 3],
    ]);
  });

  it('refuses new series past the per-agent cap; existing series and other agents are unaffected', () => {
    const store = new TimeSeriesStore(2);
    const first = store.append('a1', [
      s('cpu', T0, 1),
      s('mem', T0, 2),
      s('disk', T0, 3),
      s('disk', T0 + 1000, 4),
      s('cpu', T0 + 1000, 5),
    ]);
    expect(first).toEqual({ accepted: 3, late: 0, duplicates: 0, tooOld: 0, overLimit: 2 });
    expect(store.seriesCount('a1')).toBe(2);
    expect(store.metricNames()).toEqual(['cpu', 'mem']);
    const again = store.append('a1', [s('mem', T0 + 1000, 6), s('net', T0 + 1000, 7)]);
    expect(again).toEqual({ accepted: 1, late: 0, duplicates: 0, tooOld: 0, overLimit: 1 });
    const other = store.append('a2', [s('cpu', T0, 1), s('disk', T0, 2)]);
    expect(other).toEqual({ accepted: 2, late: 0, duplicates: 0, tooOld: 0, overLimit: 0 });
    expect(store.seriesCount('a2')).toBe(2);
    expect(store.seriesCount()).toBe(4);
  });

  it('calls onStored only for stored samples', () => {
    const store = new TimeSeriesStore(1);
    store.append('a1', [s('cpu', T0, 1)]);
    const seen: [string, string, number, number][] = [];
    store.append(
      'a1',
      [
        s('cpu', T0, 1), // duplicate
        s('cpu', T0 - 1000, 1), // out of order
        s('mem', T0, 1), // over the cap of 1
        s('cpu', T0 + 1000, 2),
        s('cpu', T0 + 2000, 3),
      ],
      (series, sample) => seen.push([series.agentId, series.name, sample.ts, sample.value]),
    );
    expect(seen).toEqual([
      ['a1', 'cpu', T0 + 1000, 2],
      ['a1', 'cpu', T0 + 2000, 3],
    ]);
  });

  it('feeds the minute and hour rollups', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [
      s('cpu', T0 + 1000, 4),
      s('cpu', T0 + 30_000, 2),
      s('cpu', T0 + MINUTE_MS, 10),
      s('cpu', T0 + HOUR_MS + 5, 7),
    ]);
    const series = only(store.all());
    expect(bucketsOf(series.minute)).toEqual([
      { start: T0, min: 2, max: 4, sum: 6, count: 2, last: 2 },
      { start: T0 + MINUTE_MS, min: 10, max: 10, sum: 10, count: 1, last: 10 },
      { start: T0 + HOUR_MS, min: 7, max: 7, sum: 7, count: 1, last: 7 },
    ]);
    expect(bucketsOf(series.hour)).toEqual([
      { start: T0, min: 2, max: 10, sum: 16, count: 3, last: 10 },
      { start: T0 + HOUR_MS, min: 7, max: 7, sum: 7, count: 1, last: 7 },
    ]);
    expect(series.lastTs).toBe(T0 + HOUR_MS + 5);
    expect(series.lastValue).toBe(7);
  });

  it('starts the first chunk small and later chunks at full size', () => {
    const store = new TimeSeriesStore(10);
    const batch: Sample[] = [];
    for (let i = 0; i < 1025; i++) batch.push(s('cpu', T0 + i * 1000, i));
    store.append('a1', batch);
    const series = only(store.all());
    expect(series.raw.map((c) => c.length)).toEqual([1024, 1]);
    expect(series.raw.map((c) => c.offsets.length)).toEqual([1024, 1024]);
    expect(series.raw[1]!.base).toBe(T0 + 1024 * 1000);
    expect(series.rawCount()).toBe(1025);
    // A gap longer than a uint32 offset opens a new chunk too.
    store.append('a1', [s('cpu', T0 + 1024 * 1000 + 0x1_0000_0000, 1)]);
    expect(series.raw.length).toBe(3);
  });
});

describe('TimeSeriesStore.applyRetention', () => {
  const retention = { rawMs: 1_000_000, minuteMs: 300 * MINUTE_MS, hourMs: 1000 * HOUR_MS };

  function filled() {
    const store = new TimeSeriesStore(10, retention);
    const batch: Sample[] = [];
    for (let i = 0; i < 3000; i++) batch.push(s('cpu', T0 + i * 1000, i));
    store.append('a1', batch);
    return { store, series: only(store.all()) };
  }

  it('drops whole raw chunks older than rawMs and keeps a chunk that reaches past the cutoff whole', () => {
    const { store, series } = filled();
    expect(series.raw.map((c) => c.length)).toEqual([1024, 1024, 952]);
    // Cutoff at sample 1500: chunk 0 (0…1023) is all older; chunk 1 (1024…2047) straddles.
    store.applyRetention(T0 + 2_500_000);
    expect(series.raw.map((c) => c.length)).toEqual([1024, 952]);
    expect(series.firstRawTs).toBe(T0 + 1024 * 1000);
    expect(series.rawCount()).toBe(1976);
    expect(rawOf(series)[0]).toEqual([T0 + 1_024_000, 1024]);
    // Exactly at the edge: chunk 1's last sample (2047) is not older than the cutoff.
    store.applyRetention(T0 + 2_047_000 + 1_000_000);
    expect(series.raw.length).toBe(2);
    store.applyRetention(T0 + 2_047_001 + 1_000_000);
    expect(series.raw.length).toBe(1);
    expect(series.firstRawTs).toBe(T0 + 2_048_000);
  });

  it('keeps the newest chunk while it holds data inside the window; drops it once all of it is older', () => {
    const { store, series } = filled();
    store.applyRetention(T0 + 2_999_000 + 1_000_000);
    expect(series.raw.length).toBe(1);
    expect(series.rawCount()).toBe(952);
    store.applyRetention(T0 + 2_999_001 + 1_000_000);
    expect(series.raw.length).toBe(0);
    expect(series.rawCount()).toBe(0);
    expect(series.firstRawTs).toBe(Infinity);
    // The series still knows its last sample: a resend is a duplicate, a new sample starts a small chunk.
    expect(store.append('a1', [s('cpu', T0 + 2_999_000, 1)]).duplicates).toBe(1);
    store.append('a1', [s('cpu', T0 + 5_000_000, 1)]);
    expect(series.raw.map((c) => [c.length, c.offsets.length])).toEqual([
      [1, new Chunk(0).offsets.length],
    ]);
  });

  it('drops rollup blocks by their tier retention', () => {
    const store = new TimeSeriesStore(10, retention);
    const batch: Sample[] = [];
    for (let i = 0; i < 600; i++) batch.push(s('cpu', T0 + i * MINUTE_MS, i));
    store.append('a1', batch);
    const series = only(store.all());
    expect(series.minute.blocks.length).toBe(3);
    // minuteMs = 300 min, now = minute 599: cutoff at minute 299. Block 0 (minutes 0…255) ends
    // at minute 256 ≤ 299 and goes; block 1 (256…511) ends at 512 and stays whole.
    store.applyRetention(T0 + 599 * MINUTE_MS);
    expect(series.minute.blocks.length).toBe(2);
    expect(bucketsOf(series.minute)[0]!.start).toBe(T0 + 256 * MINUTE_MS);
    expect(bucketsOf(series.hour).length).toBe(10);
  });
});

describe('TimeSeriesStore.stats', () => {
  it('counts samples and bytes of typed arrays', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [s('cpu', T0, 1), s('cpu', T0 + 1000, 2)]);
    // A first chunk, a first minute block and a first hour block.
    const firstBlock = new RollupTier(60_000);
    firstBlock.add(0, 1);
    expect(store.stats()).toEqual({
      series: 1,
      samples: 2,
      bytes: new Chunk(0).byteSize() + 2 * firstBlock.byteSize(),
    });
  });

  it('holds 1,000,000 samples in 100 series in at most 16 bytes a sample', () => {
    const store = new TimeSeriesStore(1000, DEFAULT_RETENTION);
    const perSeries = 10_000;
    const batchSize = 1000;
    for (let start = 0; start < perSeries; start += batchSize) {
      for (let k = 0; k < 100; k++) {
        const batch: Sample[] = [];
        for (let i = start; i < start + batchSize; i++)
          batch.push({ name: 'm', labels: { k: String(k) }, ts: T0 + i * 1000, value: i % 97 });
        const out = store.append('agent', batch);
        expect(out.accepted).toBe(batchSize);
      }
    }
    const stats = store.stats();
    expect(stats.series).toBe(100);
    expect(stats.samples).toBe(1_000_000);
    // Per series: 10 raw chunks of 1,024 × 12 B at least (12.29 B a sample), plus rollups
    // (167 minute and 3 hour buckets of 48 B).
    const perSample = stats.bytes / stats.samples;
    expect(perSample).toBeGreaterThanOrEqual((10 * 1024 * 12 + 170 * 48) / 10_000);
    expect(perSample).toBeLessThanOrEqual(16);
    // The figure for the report.
    console.info(`bytes/sample at 1,000,000 samples in 100 series: ${perSample.toFixed(3)}`);
  });
});
