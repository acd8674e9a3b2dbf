// The series index and the rules for taking a batch into the heads (duplicates, the
// out-of-order window, too old, the per-agent series cap), and each series' head: the open
// chunk, chunks closed at CHUNK_ROWS (encoded), late samples, and what a flush takes.
import { describe, it, expect } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import { seriesKey } from '../../electron/core/store/series-key.js';
import {
  HOUR_MS,
  MINUTE_MS,
  TimeSeriesStore,
  type Series,
} from '../../electron/core/store/tsdb.js';
import { CHUNK_ROWS } from '../../electron/core/store/series.js';
import { decodeChunk } from '../../electron/core/store/codec.js';
import { headBuckets, headPairs, T0 } from './support/store-fixture.js';

const s = (name: string, ts: number, value: number, labels?: Record<string, string>): Sample =>
  labels ? { name, ts, value, labels } : { name, ts, value };

function only<T>(it: Iterable<T>): T {
  const all = [...it];
  expect(all.length).toBe(1);
  return all[0]!;
}

/** A store holding one series `cpu` of agent a1 with `n` samples a second from T0 (value i). */
function steady(n: number, window = 0): { store: TimeSeriesStore; series: Series } {
  const store = new TimeSeriesStore(10, undefined, window);
  const batch: Sample[] = [];
  for (let i = 0; i < n; i++) batch.push(s('cpu', T0 + i * 1000, i));
  store.append('a1', batch);
  return { store, series: only(store.all()) };
}

const pairs = (from: number, to: number): [number, number][] =>
  Array.from({ length: to - from }, (_, k) => [T0 + (from + k) * 1000, from + k]);

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
    expect(headPairs(a1core0)).toEqual([
      [T0, 1],
      [T0 + 1000, 2],
    ]);
    const unlabelled = [...store.seriesForAgent('a1')].find(
      (x) => x.name === 'cpu' && Object.keys(x.labels).length === 0,
    )!;
    expect(headPairs(unlabelled)).toEqual([
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

  it('builds the series key once for a run of samples sharing one labels object', () => {
    const store = new TimeSeriesStore(10);
    // A labels object that counts reads of its values: seriesKey reads each once per key.
    const reads = { device: 0, job: 0 };
    const counted = (values: Record<keyof typeof reads, string>) => {
      const labels = {};
      for (const k of Object.keys(reads) as (keyof typeof reads)[])
        Object.defineProperty(labels, k, {
          enumerable: true,
          get: () => (reads[k]++, values[k]),
        });
      return labels as Record<string, string>;
    };
    const shared = counted({ device: 'd0', job: 'node' });
    const run = (from: number, n: number, name = 'disk_io') =>
      Array.from({ length: n }, (_, i) => s(name, T0 + (from + i) * 1000, i, shared));
    store.append('a1', run(0, 100));
    // The key, then the interner's key and copy for the new series: not once per sample.
    expect(reads).toEqual({ device: 3, job: 3 });
    store.append('a1', run(100, 100));
    expect(reads).toEqual({ device: 4, job: 4 });
    expect(only(store.all()).lastTs).toBe(T0 + 199_000);
  });

  it('tells series apart in a run that shares labels objects across names and copies', () => {
    const store = new TimeSeriesStore(3);
    const l1 = { device: 'd0' };
    const l2 = { device: 'd0' };
    const out = store.append('a1', [
      s('rx', T0, 1, l1),
      s('tx', T0, 2, l1),
      s('rx', T0 + 1000, 3, l2), // equal labels, another object: the same series
      s('rx', T0 + 1000, 4, l1), // a duplicate of the sample before
      s('err', T0, 5, l1),
      s('drop', T0, 6, l1), // past the cap of 3
      s('drop', T0 + 1000, 7, l1),
      s('tx', T0 + 1000, 8, l1),
    ]);
    expect(out).toEqual({ accepted: 5, late: 0, duplicates: 1, tooOld: 0, overLimit: 2 });
    const byName = new Map([...store.all()].map((x) => [x.name, x]));
    expect([...byName.keys()].sort()).toEqual(['err', 'rx', 'tx']);
    expect(headPairs(byName.get('rx')!)).toEqual([
      [T0, 1],
      [T0 + 1000, 3],
    ]);
    expect(headPairs(byName.get('tx')!)).toEqual([
      [T0, 2],
      [T0 + 1000, 8],
    ]);
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
    expect(headPairs(series)).toEqual([
      [T0, 1],
      [T0 + 1000, 2],
      [T0 + 2000, 3],
    ]);
    expect(series.lastValue).toBe(3);
    expect(headBuckets(series, '1m')).toEqual([
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
    expect(only(store.all()).headRows()).toBe(3);
  });

  it('counts an older sample as out of order and drops it', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [s('cpu', T0 + 5000, 1)]);
    const out = store.append('a1', [s('cpu', T0 + 1000, 2), s('cpu', T0 + 6000, 3)]);
    expect(out).toEqual({ accepted: 1, late: 0, duplicates: 0, tooOld: 1, overLimit: 0 });
    expect(headPairs(only(store.all()))).toEqual([
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

  it('gives the head’s samples to the minute and hour buckets', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [
      s('cpu', T0 + 1000, 4),
      s('cpu', T0 + 30_000, 2),
      s('cpu', T0 + MINUTE_MS, 10),
      s('cpu', T0 + HOUR_MS + 5, 7),
    ]);
    const series = only(store.all());
    expect(headBuckets(series, '1m')).toEqual([
      { start: T0, min: 2, max: 4, sum: 6, count: 2, last: 2 },
      { start: T0 + MINUTE_MS, min: 10, max: 10, sum: 10, count: 1, last: 10 },
      { start: T0 + HOUR_MS, min: 7, max: 7, sum: 7, count: 1, last: 7 },
    ]);
    expect(headBuckets(series, '1h')).toEqual([
      { start: T0, min: 2, max: 10, sum: 16, count: 3, last: 10 },
      { start: T0 + HOUR_MS, min: 7, max: 7, sum: 7, count: 1, last: 7 },
    ]);
    expect(series.lastTs).toBe(T0 + HOUR_MS + 5);
    expect(series.lastValue).toBe(7);
  });

  it('calls onDuplicate and onLate (the WAL logs them) and reports created series', () => {
    const store = new TimeSeriesStore(10, undefined, MINUTE_MS);
    const created: Series[] = [];
    store.append('a1', [s('cpu', T0, 1), s('cpu', T0 + 2000, 2)], undefined, created);
    expect(created.map((x) => x.name)).toEqual(['cpu']);
    const seen: string[] = [];
    const out = store.append(
      'a1',
      [s('cpu', T0 + 2000, 2), s('cpu', T0 + 1000, 3), s('cpu', T0 - MINUTE_MS, 4)],
      (_x, sample) => seen.push(`stored ${sample.ts - T0}`),
      created,
      (_x, sample) => seen.push(`duplicate ${sample.ts - T0}`),
      (_x, sample) => seen.push(`late ${sample.ts - T0}`),
    );
    expect(out).toEqual({ accepted: 0, late: 1, duplicates: 1, tooOld: 1, overLimit: 0 });
    expect(seen).toEqual(['duplicate 2000', 'late 1000']);
    expect(created).toHaveLength(1);
  });
});

describe('Series head: chunks', () => {
  it(`closes the open chunk at ${CHUNK_ROWS} rows: it is encoded into closed and a new one opens`, () => {
    const { store, series } = steady(CHUNK_ROWS);
    expect(series.closed).toEqual([]);
    expect(series.open!.rows).toBe(CHUNK_ROWS);
    store.append('a1', [s('cpu', T0 + CHUNK_ROWS * 1000, CHUNK_ROWS)]);
    expect(series.closed).toHaveLength(1);
    const [c] = series.closed;
    expect(c).toMatchObject({ minTs: T0, maxTs: T0 + (CHUNK_ROWS - 1) * 1000, rows: CHUNK_ROWS });
    const d = decodeChunk(c!.bytes);
    expect([...d.ts]).toEqual(pairs(0, CHUNK_ROWS).map((p) => p[0]));
    expect([...d.values]).toEqual(pairs(0, CHUNK_ROWS).map((p) => p[1]));
    // A new open chunk starts at the sample that did not fit.
    expect(series.open!.firstTs).toBe(T0 + CHUNK_ROWS * 1000);
    expect(series.open!.rows).toBe(1);
    expect(series.late).toBeNull();
    expect(headPairs(series)).toEqual(pairs(0, CHUNK_ROWS + 1));
  });

  it('a long run is held as closed chunks of CHUNK_ROWS plus the open rest, read in order', () => {
    const { series } = steady(1025);
    expect(series.closed.map((c) => c.rows)).toEqual(Array(8).fill(CHUNK_ROWS));
    expect(series.closed.map((c) => c.minTs)).toEqual(
      Array.from({ length: 8 }, (_, k) => T0 + k * CHUNK_ROWS * 1000),
    );
    expect(series.open!.rows).toBe(1025 - 8 * CHUNK_ROWS);
    expect(series.headRows()).toBe(1025);
    expect(headPairs(series)).toEqual(pairs(0, 1025));
  });

  it('a chunk never spans an hour: a slow series closes its open chunk at the hour, however few rows', () => {
    const store = new TimeSeriesStore(10);
    const every = 10 * MINUTE_MS;
    // T0 is hour-aligned: 0 … 50 min are the first hour, 60 min starts the next.
    for (let i = 0; i <= 7; i++) store.append('a1', [s('cpu', T0 + i * every, i)]);
    const series = only(store.all());
    expect(series.closed.map((c) => [c.rows, c.minTs, c.maxTs])).toEqual([[6, T0, T0 + 5 * every]]);
    expect(series.open!.firstTs).toBe(T0 + 6 * every);
    expect(series.open!.rows).toBe(2);
    // At a flush after the hour is over, the open chunk of the last hour is handed over too.
    expect(series.takeForFlush(false, T0 + 2 * HOUR_MS).map((c) => c.rows)).toEqual([6, 2]);
    expect(series.open).toBeNull();
    // A gap of weeks closes it too (another hour), and the open chunk holds it exactly.
    store.append('a1', [s('cpu', T0 + 8 * every, 8)]);
    store.append('a1', [s('cpu', T0 + 8 * every + 0x1_0000_0000, 99)]);
    expect(series.closed.map((c) => c.rows)).toEqual([1]);
    expect(series.open!.rows).toBe(1);
    expect(headPairs(series).at(-1)).toEqual([T0 + 8 * every + 0x1_0000_0000, 99]);
  });

  it('has() finds samples in the open, late and closed chunks, and nothing in between', () => {
    const { store, series } = steady(CHUNK_ROWS + 10, HOUR_MS);
    expect(series.closed).toHaveLength(1);
    // Before the first closed sample, so not in the open chunk: late.
    store.append('a1', [s('cpu', T0 - 500, -1)]);
    expect(series.late!.length).toBe(1);
    const held = [T0, T0 + 7_000, T0 + (CHUNK_ROWS - 1) * 1000]; // closed
    held.push(T0 + CHUNK_ROWS * 1000, T0 + (CHUNK_ROWS + 9) * 1000); // open
    held.push(T0 - 500); // late
    for (const ts of held) expect(series.has(ts), `${ts - T0}`).toBe(true);
    for (const ts of [T0 - 1000, T0 + 500, T0 + 119_500, T0 + 120_500, T0 + 200_000])
      expect(series.has(ts), `${ts - T0}`).toBe(false);
    // So a resend of any of them is a duplicate, stored once.
    const resend = store.append(
      'a1',
      held.map((ts) => s('cpu', ts, 0)),
    );
    expect(resend).toMatchObject({ duplicates: held.length, late: 0, accepted: 0 });
    expect(series.headRows()).toBe(CHUNK_ROWS + 11);
  });
});

describe('Series head: takeForFlush', () => {
  it('without evict hands over the closed chunks and the late ones, and keeps the open chunk', () => {
    const { store, series } = steady(2 * CHUNK_ROWS + 5, HOUR_MS);
    store.append('a1', [s('cpu', T0 - 2000, -2), s('cpu', T0 - 1000, -1)]);
    const open = series.open;
    const taken = series.takeForFlush(false, series.lastTs);
    expect(taken.map((c) => [c.rows, c.minTs, c.maxTs])).toEqual([
      [CHUNK_ROWS, T0, T0 + (CHUNK_ROWS - 1) * 1000],
      [CHUNK_ROWS, T0 + CHUNK_ROWS * 1000, T0 + (2 * CHUNK_ROWS - 1) * 1000],
      [2, T0 - 2000, T0 - 1000],
    ]);
    expect([...decodeChunk(taken[2]!.bytes).values]).toEqual([-2, -1]);
    expect(series.closed).toEqual([]);
    expect(series.late).toBeNull();
    // The same open chunk goes on (same slot of the heads' table, same first sample).
    expect(series.open).toMatchObject({ slot: open!.slot, firstTs: open!.firstTs });
    expect(headPairs(series)).toEqual(pairs(2 * CHUNK_ROWS, 2 * CHUNK_ROWS + 5));
    expect(series.takeForFlush(false, series.lastTs)).toEqual([]);
  });

  it('with evict hands over the open chunk too; the series then holds nothing', () => {
    const { store, series } = steady(CHUNK_ROWS + 5, HOUR_MS);
    store.append('a1', [s('cpu', T0 - 1000, -1)]);
    const taken = series.takeForFlush(true, series.lastTs);
    const all: [number, number][] = [];
    for (const c of taken) {
      const d = decodeChunk(c.bytes);
      d.ts.forEach((ts, i) => all.push([ts, d.values[i]!]));
    }
    expect(all.sort((a, b) => a[0] - b[0])).toEqual([[T0 - 1000, -1], ...pairs(0, CHUNK_ROWS + 5)]);
    expect(series.open).toBeNull();
    expect(series.closed).toEqual([]);
    expect(series.late).toBeNull();
    expect(series.headRows()).toBe(0);
    expect(series.headBytes()).toBe(0);
    expect(headPairs(series)).toEqual([]);
    expect(series.takeForFlush(true, series.lastTs)).toEqual([]);
    // The series still knows its last sample: a resend of it is a duplicate, a new sample
    // opens a small chunk.
    expect(series.lastTs).toBe(T0 + (CHUNK_ROWS + 4) * 1000);
    expect(store.append('a1', [s('cpu', series.lastTs, 1)]).duplicates).toBe(1);
    store.append('a1', [s('cpu', T0 + 5_000_000, 1)]);
    expect(series.open!.rows).toBe(1);
    expect(headPairs(series)).toEqual([[T0 + 5_000_000, 1]]);
  });
});

describe('TimeSeriesStore.headStats', () => {
  it('counts series, active series, rows and bytes held in the heads', () => {
    const store = new TimeSeriesStore(10);
    expect(store.headStats()).toEqual({ series: 0, active: 0, rows: 0, bytes: 0 });
    store.append('a1', [s('cpu', T0, 1), s('cpu', T0 + 1000, 2), s('mem', T0, 3)]);
    // Two open chunks, each encoding as it grows into two slab cells, 16 bytes to start with.
    const open = 16 + 16;
    expect(store.headStats()).toEqual({ series: 2, active: 2, rows: 3, bytes: 2 * open });
    const mem = [...store.seriesOf('mem')][0]!;
    mem.takeForFlush(true, mem.lastTs);
    expect(store.headStats()).toEqual({ series: 2, active: 1, rows: 2, bytes: open });
    // A closed chunk counts by its encoded size; the open chunk's cells grew with the chunk
    // it closed (to powers of two that fit) and stay for the next one.
    const cpu = [...store.seriesOf('cpu')][0]!;
    const batch: Sample[] = [];
    for (let i = 2; i <= CHUNK_ROWS; i++) batch.push(s('cpu', T0 + i * 1000, i));
    store.append('a1', batch);
    const closed = cpu.closed[0]!.bytes.byteLength;
    expect(closed).toBeGreaterThan(0);
    const cells = cpu.open!.byteSize();
    expect(cells).toBeGreaterThanOrEqual(closed - 16);
    expect(cells).toBeLessThanOrEqual(2 * closed);
    expect(store.headStats()).toEqual({
      series: 2,
      active: 1,
      rows: CHUNK_ROWS + 1,
      bytes: closed + cells,
    });
  });

  it('holds 1,000,000 samples in 100 series in at most 4 bytes a sample (encoded as they arrive)', () => {
    const store = new TimeSeriesStore(1000);
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
    const stats = store.headStats();
    expect(stats.series).toBe(100);
    expect(stats.active).toBe(100);
    expect(stats.rows).toBe(1_000_000);
    for (const series of store.all()) {
      expect(series.closed).toHaveLength(Math.floor(perSeries / CHUNK_ROWS));
      expect(series.open!.rows).toBe(perSeries % CHUNK_ROWS);
    }
    const perSample = stats.bytes / stats.rows;
    expect(perSample).toBeLessThanOrEqual(4);
    // The figure for the report.
    console.info(`bytes/sample at 1,000,000 samples in 100 series: ${perSample.toFixed(3)}`);
  });
});
