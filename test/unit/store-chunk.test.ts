// The open chunk of a series (typed arrays that grow by doubling, with in-place inserts for
// late samples) and the pure rollup helpers: samples → 1-minute buckets → 1-hour buckets,
// and the bucket encoding of rollup blocks.
import { describe, it, expect } from 'vitest';
import { Chunk } from '../../electron/core/store/chunk.js';
import { encodeChunk } from '../../electron/core/store/codec.js';
import {
  bucketize,
  coarsen,
  decodeBuckets,
  encodeBuckets,
  type Bucket,
} from '../../electron/core/store/rollup.js';
import { T0 } from './support/store-fixture.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const FIRST_CAPACITY = 16;

function samplesOf(c: Chunk): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < c.length; i++) out.push([c.tsAt(i), c.values[i]!]);
  return out;
}

function bucketsOf(ts: number[], values: number[], bucketMs: number, n = ts.length): Bucket[] {
  const out: Bucket[] = [];
  bucketize(ts, values, n, bucketMs, (b) => out.push(b));
  return out;
}

function coarsened(buckets: Bucket[], bucketMs: number): Bucket[] {
  const out: Bucket[] = [];
  coarsen(buckets, bucketMs, (b) => out.push(b));
  return out;
}

/** A chunk holding these samples (in time order, all within a uint32 offset of the first). */
function chunkOf(ts: number[], values: number[]): Chunk {
  const c = new Chunk(ts[0]!);
  ts.forEach((t, i) => expect(c.tryAppend(t, values[i]!)).toBe(true));
  return c;
}

describe('Chunk', () => {
  it('starts at 16 and doubles when it grows past its capacity, keeping every sample', () => {
    const c = new Chunk(T0);
    expect(c.offsets.length).toBe(FIRST_CAPACITY);
    expect(c.values.length).toBe(FIRST_CAPACITY);
    expect(c.byteSize()).toBe(FIRST_CAPACITY * 12);
    for (let i = 0; i < FIRST_CAPACITY; i++) expect(c.tryAppend(T0 + i * 1000, i * 1.5)).toBe(true);
    expect(c.offsets.length).toBe(FIRST_CAPACITY);
    expect(c.tryAppend(T0 + FIRST_CAPACITY * 1000, FIRST_CAPACITY * 1.5)).toBe(true);
    expect(c.offsets.length).toBe(2 * FIRST_CAPACITY);
    expect(c.values.length).toBe(c.offsets.length);
    expect(c.length).toBe(FIRST_CAPACITY + 1);
    expect(c.byteSize()).toBe(c.offsets.length * 12);
    expect(samplesOf(c)).toEqual(
      Array.from({ length: FIRST_CAPACITY + 1 }, (_, i) => [T0 + i * 1000, i * 1.5]),
    );
    expect(c.firstTs).toBe(T0);
    expect(c.lastTs).toBe(T0 + FIRST_CAPACITY * 1000);
  });

  it('has no sample cap: it keeps doubling (16 → 32 → … → 8192) and keeps every sample', () => {
    const c = new Chunk(T0);
    const capacities = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      expect(c.tryAppend(T0 + i, i)).toBe(true);
      capacities.add(c.offsets.length);
    }
    expect([...capacities]).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]);
    expect(c.length).toBe(5000);
    expect(c.byteSize()).toBe(8192 * 12);
    expect(c.lastTs).toBe(T0 + 4999);
    expect(c.values[4999]).toBe(4999);
    expect(c.lowerBound(T0 + 4000)).toBe(4000);
  });

  it('a chunk created at a given capacity keeps its arrays until it is full, then doubles', () => {
    const c = new Chunk(T0, 100);
    const before = c.offsets;
    for (let i = 0; i < 100; i++) c.tryAppend(T0 + i, i);
    expect(c.offsets).toBe(before);
    c.tryAppend(T0 + 100, 100);
    expect(c.offsets).not.toBe(before);
    expect(c.offsets.length).toBe(200);
    expect(samplesOf(c)).toEqual(Array.from({ length: 101 }, (_, i) => [T0 + i, i]));
  });

  it('refuses a timestamp whose offset is beyond uint32 or before the base', () => {
    const c = new Chunk(T0);
    expect(c.tryAppend(T0 - 1, 1)).toBe(false);
    expect(c.length).toBe(0);
    expect(c.tryAppend(T0 + 0x1_0000_0000, 1)).toBe(false);
    expect(c.length).toBe(0);
    expect(c.tryAppend(T0, 1)).toBe(true);
    expect(c.tryAppend(T0 + 0xffff_ffff, 2)).toBe(true);
    expect(c.length).toBe(2);
    expect(c.lastTs).toBe(T0 + 0xffff_ffff);
    expect(c.tryAppend(T0 + 0x1_0000_0000, 3)).toBe(false);
    expect(c.length).toBe(2);
  });

  it('lowerBound finds the first sample at or after a time; has finds exact times only', () => {
    const c = new Chunk(T0);
    for (const off of [0, 10, 20, 30]) c.tryAppend(T0 + off, off);
    expect(c.lowerBound(T0 - 5)).toBe(0);
    expect(c.lowerBound(T0)).toBe(0);
    expect(c.lowerBound(T0 + 1)).toBe(1);
    expect(c.lowerBound(T0 + 10)).toBe(1);
    expect(c.lowerBound(T0 + 15)).toBe(2);
    expect(c.lowerBound(T0 + 30)).toBe(3);
    expect(c.lowerBound(T0 + 31)).toBe(4);
    expect(new Chunk(T0).lowerBound(T0)).toBe(0);
    for (const off of [0, 10, 20, 30]) expect(c.has(T0 + off)).toBe(true);
    for (const off of [-10, -1, 1, 15, 29, 31, 40]) expect(c.has(T0 + off)).toBe(false);
    expect(new Chunk(T0).has(T0)).toBe(false);
  });

  it('times() gives the absolute timestamps of the used length only (what is encoded)', () => {
    const c = new Chunk(T0);
    const n = FIRST_CAPACITY + 4;
    for (let i = 0; i < n; i++) c.tryAppend(T0 + i * 250, i);
    expect(c.offsets.length).toBeGreaterThan(n);
    const times = c.times();
    expect(times).toBeInstanceOf(Float64Array);
    expect([...times]).toEqual(Array.from({ length: n }, (_, i) => T0 + i * 250));
    expect(new Chunk(T0).times().length).toBe(0);
  });

  it('insert puts a sample in its place: in the middle, after the last, into an empty chunk', () => {
    const c = new Chunk(T0);
    expect(c.insert(T0 + 20, 2)).toBe(true); // empty: an append
    const early = new Chunk(T0);
    expect(early.insert(T0 - 1, 1)).toBe(true); // empty, before its base: the base moves
    expect(early.firstTs).toBe(T0 - 1);
    for (const off of [40, 60]) c.tryAppend(T0 + off, off / 10);
    expect(c.insert(T0 + 50, 5)).toBe(true);
    expect(c.insert(T0 + 30, 3)).toBe(true);
    expect(c.insert(T0 + 70, 7)).toBe(true);
    expect(c.base).toBe(T0 + 20);
    expect(samplesOf(c)).toEqual([20, 30, 40, 50, 60, 70].map((o) => [T0 + o, o / 10]));
    expect(c.has(T0 + 50)).toBe(true);
    // Appends go on after the inserts.
    expect(c.tryAppend(T0 + 80, 8)).toBe(true);
    expect(samplesOf(c).at(-1)).toEqual([T0 + 80, 8]);
  });

  it('insert before the base moves the base back and shifts the offsets', () => {
    const c = chunkOf([T0 + 1000, T0 + 2000], [1, 2]);
    expect(c.insert(T0 + 500, 0.5)).toBe(true);
    expect(c.base).toBe(T0 + 500);
    expect(c.firstTs).toBe(T0 + 500);
    expect([...c.offsets.subarray(0, 3)]).toEqual([0, 500, 1500]);
    expect(c.insert(T0, 0)).toBe(true);
    expect(samplesOf(c)).toEqual([
      [T0, 0],
      [T0 + 500, 0.5],
      [T0 + 1000, 1],
      [T0 + 2000, 2],
    ]);
    for (const ts of [T0, T0 + 500, T0 + 1000, T0 + 2000]) expect(c.has(ts)).toBe(true);
    expect(c.lowerBound(T0 + 1001)).toBe(3);
  });

  it('insert into a full chunk grows it and keeps every sample', () => {
    const c = new Chunk(T0);
    for (let i = 0; i < FIRST_CAPACITY; i++) c.tryAppend(T0 + 2 * i, i);
    expect(c.length).toBe(c.offsets.length);
    expect(c.insert(T0 + 1, -1)).toBe(true);
    // Doubling, not one slot at a time: a run of late inserts stays linear, not quadratic.
    expect(c.offsets.length).toBe(2 * FIRST_CAPACITY);
    expect(c.length).toBe(FIRST_CAPACITY + 1);
    const got = samplesOf(c);
    expect(got.slice(0, 3)).toEqual([
      [T0, 0],
      [T0 + 1, -1],
      [T0 + 2, 1],
    ]);
    expect(got.at(-1)).toEqual([T0 + 2 * (FIRST_CAPACITY - 1), FIRST_CAPACITY - 1]);
    // Growing on from there.
    for (let i = 0; i < 100; i++) c.tryAppend(T0 + 1000 + i, i);
    expect(c.length).toBe(FIRST_CAPACITY + 101);
  });

  it('insert refuses a sample too far from the chunk’s samples for a uint32 offset', () => {
    const c = chunkOf([T0, T0 + 1000], [1, 2]);
    // Before the base: measured from the last sample.
    expect(c.insert(T0 + 1000 - 0x1_0000_0000, 9)).toBe(false);
    expect(c.insert(T0 + 1000 - 0xffff_ffff, 8)).toBe(true);
    expect(c.firstTs).toBe(T0 + 1000 - 0xffff_ffff);
    // After the base: measured from the base.
    expect(c.insert(c.base + 0x1_0000_0000, 9)).toBe(false);
    expect(samplesOf(c)).toEqual([
      [T0 + 1000 - 0xffff_ffff, 8],
      [T0, 1],
      [T0 + 1000, 2],
    ]);
  });
});

describe('bucketize', () => {
  it('folds samples of one minute into one bucket with exact min/max/sum/count/last', () => {
    expect(bucketsOf([T0, T0 + 10_000, T0 + 20_000, T0 + 59_999], [5, 3, 9.5, 8], MIN)).toEqual([
      { start: T0, min: 3, max: 9.5, sum: 25.5, count: 4, last: 8 },
    ]);
  });

  it('opens a new bucket exactly at the minute boundary and none for minutes without samples', () => {
    expect(
      bucketsOf([T0 + 59_999, T0 + 60_000, T0 + 119_999, T0 + 180_000], [1, 2, 4, -7], MIN),
    ).toEqual([
      { start: T0, min: 1, max: 1, sum: 1, count: 1, last: 1 },
      { start: T0 + MIN, min: 2, max: 4, sum: 6, count: 2, last: 4 },
      { start: T0 + 3 * MIN, min: -7, max: -7, sum: -7, count: 1, last: -7 },
    ]);
  });

  it('hour buckets start on the hour', () => {
    expect(bucketsOf([T0 + 30 * MIN + 5, T0 + HOUR - 1, T0 + HOUR], [10, 20, 30], HOUR)).toEqual([
      { start: T0, min: 10, max: 20, sum: 30, count: 2, last: 20 },
      { start: T0 + HOUR, min: 30, max: 30, sum: 30, count: 1, last: 30 },
    ]);
  });

  it('last is the value of the latest sample, even when it is neither min nor max', () => {
    expect(bucketsOf([T0, T0 + 1, T0 + 2], [1, 9, 4], MIN)).toEqual([
      { start: T0, min: 1, max: 9, sum: 14, count: 3, last: 4 },
    ]);
  });

  it('reads only the first n samples (buffers hold spare room past their length)', () => {
    const ts = [T0, T0 + MIN, T0 + 2 * MIN, 0, 0];
    const values = [1, 2, 3, 99, 99];
    expect(bucketsOf(ts, values, MIN, 2).map((b) => b.sum)).toEqual([1, 2]);
    expect(bucketsOf(ts, values, MIN, 0)).toEqual([]);
  });

  it('gives one bucket a minute for 1,000 minutes with one sample each', () => {
    const ts = Array.from({ length: 1000 }, (_, i) => T0 + i * MIN + 1000);
    const values = ts.map((_, i) => i);
    const all = bucketsOf(ts, values, MIN);
    expect(all.length).toBe(1000);
    all.forEach((b, i) =>
      expect(b).toEqual({ start: T0 + i * MIN, min: i, max: i, sum: i, count: 1, last: i }),
    );
  });
});

describe('coarsen', () => {
  /** Samples every 20 s over `minutes` minutes, integer values (so sums are exact in any order). */
  function samples(minutes: number): { ts: number[]; values: number[] } {
    const ts: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < minutes * 3; i++) {
      ts.push(T0 + i * 20_000 + 7);
      values.push(((i * 37) % 101) - 50);
    }
    return { ts, values };
  }

  it('1-minute buckets folded into hours equal hour buckets made from the samples', () => {
    const { ts, values } = samples(185); // 3 hours and 5 minutes
    const minutes = bucketsOf(ts, values, MIN);
    expect(minutes.length).toBe(185);
    const hours = coarsened(minutes, HOUR);
    expect(hours.map((b) => b.start)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    expect(hours.map((b) => b.count)).toEqual([180, 180, 180, 15]);
    expect(hours).toEqual(bucketsOf(ts, values, HOUR));
  });

  it('splits at the hour: the minute at :59 goes to its hour, the one at :00 to the next', () => {
    const minutes: Bucket[] = [
      { start: T0 + 58 * MIN, min: 1, max: 3, sum: 4, count: 2, last: 3 },
      { start: T0 + 59 * MIN, min: -2, max: 8, sum: 6, count: 3, last: -2 },
      { start: T0 + HOUR, min: 5, max: 5, sum: 5, count: 1, last: 5 },
      { start: T0 + 3 * HOUR + 30 * MIN, min: 0, max: 0, sum: 0, count: 4, last: 0 },
    ];
    expect(coarsened(minutes, HOUR)).toEqual([
      { start: T0, min: -2, max: 8, sum: 10, count: 5, last: -2 },
      { start: T0 + HOUR, min: 5, max: 5, sum: 5, count: 1, last: 5 },
      { start: T0 + 3 * HOUR, min: 0, max: 0, sum: 0, count: 4, last: 0 },
    ]);
  });

  it('leaves the finer buckets as they were (they may be cached or reused)', () => {
    const minutes: Bucket[] = [
      { start: T0, min: 1, max: 1, sum: 1, count: 1, last: 1 },
      { start: T0 + MIN, min: 2, max: 2, sum: 2, count: 1, last: 2 },
    ];
    const before = structuredClone(minutes);
    expect(coarsened(minutes, HOUR)).toEqual([
      { start: T0, min: 1, max: 2, sum: 3, count: 2, last: 2 },
    ]);
    expect(minutes).toEqual(before);
    expect(coarsened([], HOUR)).toEqual([]);
  });
});

describe('encodeBuckets / decodeBuckets', () => {
  /** Bit for bit: Object.is tells −0 from 0 and NaN from NaN. */
  function expectExact(got: Bucket[], want: Bucket[]): void {
    expect(got.length).toBe(want.length);
    const fields = ['start', 'min', 'max', 'sum', 'count', 'last'] as const;
    const wrong: string[] = [];
    want.forEach((w, i) => {
      for (const f of fields)
        if (!Object.is(got[i]![f], w[f])) wrong.push(`bucket ${i} ${f}: ${got[i]![f]} ≠ ${w[f]}`);
    });
    expect(wrong).toEqual([]);
  }

  it('round-trips buckets made from samples exactly', () => {
    const ts = Array.from({ length: 5000 }, (_, i) => T0 + i * 13_000 + (i % 7));
    const values = ts.map((_, i) => Math.sin(i) * 1e3 + i / 3);
    const minutes = bucketsOf(ts, values, MIN);
    const hours = coarsened(minutes, HOUR);
    expectExact(decodeBuckets(encodeBuckets(minutes)), minutes);
    expectExact(decodeBuckets(encodeBuckets(hours)), hours);
  });

  it('round-trips edge values bit for bit: −0, NaN, ±Infinity, tiny, huge, decimals', () => {
    const edge: Bucket[] = [
      { start: T0, min: -0, max: 0, sum: -0, count: 1, last: -0 },
      { start: T0 + MIN, min: 5e-324, max: Number.MAX_VALUE, sum: Infinity, count: 2, last: NaN },
      { start: T0 + 2 * MIN, min: -Infinity, max: 0.1 + 0.2, sum: 1 / 3, count: 3, last: 47.25 },
      { start: T0 + 7 * HOUR, min: 12.5, max: 99.99, sum: 2 ** 53, count: 1e9, last: -1.5e-7 },
    ];
    expectExact(decodeBuckets(encodeBuckets(edge)), edge);
    expectExact(decodeBuckets(encodeBuckets([edge[3]!])), [edge[3]!]);
  });

  it('refuses a chunk that does not hold the five bucket columns', () => {
    expect(() => decodeBuckets(encodeChunk([T0], [1], 1))).toThrow(/5 columns/);
  });
});
