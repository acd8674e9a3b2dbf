// Percentile sketches in the rollups: the sketch itself (accuracy, encoding, merging), the
// rollup chunk that carries them (v2, and v1 chunks written before sketches still read), and
// the store: compaction writes them for latency-like metrics only, a day merge carries them
// into 1-hour buckets, and percentiles over head + blocks match the samples within ±1 %.
// Real files in a temp dir; compaction runs inline; a manual clock drives time.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import { windowPercentiles } from '../../electron/core/analysis/percentiles.js';
import { queryRange } from '../../electron/core/store/query.js';
import { silentLogger } from '../../electron/core/logger.js';
import { MetricStore, type MetricStoreOptions } from '../../electron/core/store/metric-store.js';
import {
  bucketize,
  coarsen,
  decodeBuckets,
  encodeBuckets,
  type Bucket,
} from '../../electron/core/store/rollup.js';
import { HOUR_MS, MINUTE_MS } from '../../electron/core/store/series.js';
import { decodeSketches, encodeSketches, Sketch } from '../../electron/core/store/sketch.js';
import { prng, rankOf, stripSketches } from '../helpers/latency-history.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-sketch-');
const DAY = 24 * HOUR_MS;
const ALPHA = 0.01;

function expectWithin(got: number, want: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(
    Math.abs(want) * ALPHA + 1e-9,
  );
}

/** Long-tailed latencies at 0.1 ms precision: ~100 ms, one in 50 near 900 ms. */
function latencies(n: number, seed = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) =>
    i % 50 === 7
      ? Math.round((850 + 100 * r()) * 10) / 10
      : Math.round((60 + 80 * r() * r() + 20 * r()) * 10) / 10,
  );
}

describe('Sketch', () => {
  it('answers p50/p95/p99 within ±1 % of the sample of that rank', () => {
    const values = latencies(20_000);
    const s = new Sketch();
    for (const v of values) s.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    expect(s.count).toBe(20_000);
    for (const q of [0.5, 0.95, 0.99, 0.999])
      expectWithin(s.quantile(q), rankOf(sorted, q), `${q}`);
  });

  it('merges like one sketch of all the samples, negatives and zeros included (sketches-js#22)', () => {
    const parts = [
      [-5, -3, 0, 2, 8],
      [-40, -1, 0, 0, 16],
      [3, 5, -7],
    ];
    const merged = new Sketch();
    const whole = new Sketch();
    for (const part of parts) {
      const s = new Sketch();
      for (const v of part) {
        s.add(v);
        whole.add(v);
      }
      merged.merge(s);
    }
    expect(merged.count).toBe(13);
    for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1])
      expect(merged.quantile(q)).toBe(whole.quantile(q));
    expectWithin(merged.quantile(0), -40, 'min');
    expect(merged.quantile(0.5)).toBe(0);
  });

  it('encodes compactly and decodes to the same sketches, runs without one kept as gaps', () => {
    const a = new Sketch();
    const b = new Sketch();
    for (const v of latencies(600, 2)) a.add(v);
    for (const v of [0, -3, 1e-3, 1e6, 120.5]) b.add(v);
    const bytes = encodeSketches([a, undefined, b]);
    const [a2, none, b2] = decodeSketches(bytes, 3);
    expect(none).toBeUndefined();
    for (const q of [0, 0.2, 0.5, 0.95, 0.99, 1]) {
      expect(a2!.quantile(q)).toBe(a.quantile(q));
      expect(b2!.quantile(q)).toBe(b.quantile(q));
    }
    expect([a2!.count, b2!.count]).toEqual([600, 5]);
    expect(() => decodeSketches(bytes, 4)).toThrow();
    expect(() => decodeSketches(Uint8Array.of(7), 1)).toThrow(/tag/);
  });
});

describe('rollup chunks with sketches', () => {
  const minutesOf = (values: number[], sketch: boolean): Bucket[] => {
    const out: Bucket[] = [];
    const ts = values.map((_, i) => T0 + i * 1000);
    bucketize(ts, values, values.length, MINUTE_MS, (b) => out.push(b), sketch);
    return out;
  };

  it('round-trips buckets and their sketches (v2); a chunk without sketches stays v1', () => {
    const values = latencies(3_600, 3);
    const minutes = minutesOf(values, true);
    const bytes = encodeBuckets(minutes);
    expect(bytes[0]).toBe(0x82);
    const back = decodeBuckets(bytes);
    expect(back.map(({ sketch: _s, ...b }) => b)).toEqual(minutes.map(({ sketch: _s, ...b }) => b));
    back.forEach((b, i) => {
      expect(b.sketch!.count).toBe(b.count);
      expect(b.sketch!.quantile(0.99)).toBe(minutes[i]!.sketch!.quantile(0.99));
    });
    const plain = encodeBuckets(minutesOf(values, false));
    expect(plain[0]).toBeLessThanOrEqual(1);
    expect(decodeBuckets(plain).every((b) => b.sketch === undefined)).toBe(true);
  });

  it('an hour folded from sketched minutes has the sketch of its samples; one plain minute drops it', () => {
    const values = latencies(3_600, 4);
    const minutes = minutesOf(values, true);
    const hours: Bucket[] = [];
    coarsen(minutes, HOUR_MS, (b) => hours.push(b));
    const sorted = [...values].sort((a, b) => a - b);
    expect(hours[0]!.sketch!.count).toBe(3_600);
    expectWithin(hours[0]!.sketch!.quantile(0.99), rankOf(sorted, 0.99), 'hour p99');
    // The minutes' own sketches are untouched (they may be read again).
    expect(minutes[0]!.sketch!.count).toBe(60);
    delete minutes[30]!.sketch;
    const mixed: Bucket[] = [];
    coarsen(minutes, HOUR_MS, (b) => mixed.push(b));
    expect(mixed[0]!.sketch).toBeUndefined();
  });
});

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: { rawMs: 6 * HOUR_MS, minuteMs: 3 * DAY, hourMs: 60 * DAY },
  walFlushMs: 5,
  checkpointEveryMs: 5 * MINUTE_MS,
  checkpointWalBytes: 1e12,
  outOfOrderWindowMs: 10 * MINUTE_MS,
  diskBudgetBytes: 1e15,
  headIdleMs: HOUR_MS,
  backend: 'inline',
};

async function openStore(clock: ManualClock): Promise<MetricStore> {
  const store = new MetricStore(dir(), { clock, logger: silentLogger }, OPTS);
  await store.open();
  await store.maintain();
  return store;
}

/** Append in batches of a minute's worth, the clock following the samples, flushing on its timer. */
async function ingest(store: MetricStore, clock: ManualClock, list: Sample[]): Promise<void> {
  for (let i = 0; i < list.length; i += 120) {
    const batch = list.slice(i, i + 120);
    const last = batch[batch.length - 1]!.ts;
    if (last > clock.now()) clock.advance(last - clock.now());
    const r = store.append('a1', batch);
    clock.advance(OPTS.walFlushMs);
    await r.durable;
    await store.flushing;
  }
}

/** `response_time` and `cpu_usage` with the same values, one sample every `everyMs`. */
function twoMetrics(from: number, to: number, everyMs: number, seed: number) {
  const n = Math.floor((to - from) / everyMs);
  const values = latencies(n, seed);
  const list: Sample[] = [];
  values.forEach((value, i) => {
    list.push({ name: 'response_time', ts: from + i * everyMs, value });
    list.push({ name: 'cpu_usage', ts: from + i * everyMs, value });
  });
  return { values, list };
}

const blocksDir = () => join(dir(), 'tsdb', 'blocks');

describe('the store keeps sketches in its rollups', () => {
  it('for latency-like metrics only; percentiles over blocks + head match the samples within ±1 %', async () => {
    const clock = new ManualClock(T0);
    let store = await openStore(clock);
    const { values, list } = twoMetrics(T0, T0 + 3 * HOUR_MS, 1000, 5);
    await ingest(store, clock, list);
    clock.advance(20 * MINUTE_MS);
    await store.flush();
    await store.maintain();
    // Hours 0 and 1 (22:00 and 23:00 UTC) are compacted and merged into their day's 1-minute
    // and 1-hour blocks; hour 2 is still in flushes and the head.
    const rollups = (await readdir(blocksDir())).filter((n) => /^1[mh]-/.test(n));
    const day0 = rollups.filter((n) => n.split('-')[2] === String(T0 + 2 * HOUR_MS));
    expect(day0.map((n) => n.slice(0, 2)).sort()).toEqual(['1h', '1m']);
    const [rt] = [...store.seriesOf('response_time')];
    const [cpu] = [...store.seriesOf('cpu_usage')];
    const fromBlock = store.buckets(rt!, '1m', T0, T0 + HOUR_MS);
    expect(fromBlock.length).toBe(60);
    expect(fromBlock.every((b) => b.sketch?.count === b.count)).toBe(true);
    expect(store.buckets(cpu!, '1m', T0, T0 + HOUR_MS).some((b) => b.sketch)).toBe(false);
    // The current hour, rolled up from raw samples on the way, has them too.
    expect(
      store.buckets(rt!, '1m', T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS).every((b) => b.sketch),
    ).toBe(true);

    const now = clock.now();
    const sorted = [...values].sort((a, b) => a - b);
    const day = windowPercentiles(store, [rt!], now - DAY, now + 1)!;
    expect(day).toMatchObject({ count: values.length, source: 'sketch', fromMeans: 0 });
    expectWithin(day.p50, rankOf(sorted, 0.5), 'p50');
    expectWithin(day.p95, rankOf(sorted, 0.95), 'p95');
    expectWithin(day.p99, rankOf(sorted, 0.99), 'p99');
    // The same values without sketches: a p99 of minute means, far below, and labelled.
    const means = windowPercentiles(store, [cpu!], now - DAY, now + 1)!;
    expect(means).toMatchObject({ count: values.length, source: 'means', fromMeans: 1 });
    expect(means.p99).toBeLessThan(rankOf(sorted, 0.99) / 2);

    // Blocks written before sketches existed still read: their hours count as minute means.
    await store.close();
    for (const name of day0) await stripSketches(join(blocksDir(), name));
    store = await openStore(clock);
    const [rt2] = [...store.seriesOf('response_time')];
    const mixed = windowPercentiles(store, [rt2!], now - DAY, now + 1)!;
    expect(mixed.source).toBe('mixed');
    expect(mixed.count).toBe(values.length);
    expect(mixed.fromMeans).toBeCloseTo(2 / 3, 2);
    await store.close();
  });

  it('a day merge carries the sketches into 1-hour buckets; a week reads from them', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    // From midnight UTC (T0 is 22:00): a whole day, then two hours of the next.
    const D0 = T0 + 2 * HOUR_MS;
    const { values, list } = twoMetrics(D0, D0 + DAY + 2 * HOUR_MS, 20_000, 6);
    await ingest(store, clock, list);
    clock.advance(30 * MINUTE_MS);
    await store.flush();
    await store.maintain();
    const names = await readdir(blocksDir());
    expect(names.some((n) => n.startsWith(`1h-${D0}-${D0 + DAY}-`))).toBe(true);
    const [rt] = [...store.seriesOf('response_time')];
    const hours = store.buckets(rt!, '1h', D0, D0 + DAY);
    expect(hours.length).toBe(24);
    expect(hours.every((h) => h.sketch?.count === h.count)).toBe(true);
    const now = clock.now();
    const week = windowPercentiles(store, [rt!], now - 7 * DAY, now + 1)!;
    const sorted = [...values].sort((a, b) => a - b);
    expect(week).toMatchObject({ count: values.length, source: 'sketch' });
    expectWithin(week.p99, rankOf(sorted, 0.99), 'p99');
    expectWithin(week.p50, rankOf(sorted, 0.5), 'p50');
    await store.close();
  });

  it("query_range p99 over a rollup tier is of each step's samples, not of its bucket means", async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const { values, list } = twoMetrics(T0, T0 + 3 * HOUR_MS, 1000, 7);
    await ingest(store, clock, list);
    clock.advance(20 * MINUTE_MS);
    await store.flush();
    await store.maintain();
    const now = clock.now();
    const p99 = (metric: string) =>
      queryRange(
        store,
        {
          metric,
          agentIds: null,
          labels: {},
          from: now - DAY,
          to: now,
          step: HOUR_MS,
          agg: 'p99',
          perSeries: false,
        },
        now,
      );
    const r = p99('response_time');
    expect(r.tier).toBe('1h');
    const byStart = new Map(r.series[0]!.points);
    for (let h = 0; h < 3; h++) {
      const hour = values.slice(h * 3_600, (h + 1) * 3_600).sort((a, b) => a - b);
      expectWithin(byStart.get(T0 + h * HOUR_MS)!, rankOf(hour, 0.99), `hour ${h} p99`);
    }
    // The same values without sketches: the p99 of an hour's minute means, far below.
    const means = new Map(p99('cpu_usage').series[0]!.points);
    expect(means.get(T0)!).toBeLessThan(byStart.get(T0)! / 2);
    await store.close();
  });
});
