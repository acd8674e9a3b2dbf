import { describe, it, expect } from 'vitest';
import { Chunk, CHUNK_SAMPLES } from '../../electron/core/store/chunk.js';
import { FIELDS, RollupTier, type Bucket } from '../../electron/core/store/rollup.js';

const MIN = 60_000;
const HOUR = 3_600_000;
/** Hour-aligned, so minute and hour buckets start on round numbers. */
const T0 = 1_699_999_200_000;

function samplesOf(c: Chunk): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < c.length; i++) out.push([c.tsAt(i), c.values[i]!]);
  return out;
}

function buckets(tier: RollupTier, from = -Infinity, to = Infinity): Bucket[] {
  const out: Bucket[] = [];
  tier.forEach(from, to, (b) => out.push(b));
  return out;
}

describe('Chunk', () => {
  it('starts small and doubles when it grows past its capacity, keeping every sample', () => {
    const c = new Chunk(T0);
    const first = c.offsets.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(CHUNK_SAMPLES);
    expect(c.values.length).toBe(first);
    expect(c.byteSize()).toBe(first * 12);
    for (let i = 0; i < first; i++) expect(c.tryAppend(T0 + i * 1000, i * 1.5)).toBe(true);
    expect(c.offsets.length).toBe(first);
    expect(c.tryAppend(T0 + first * 1000, first * 1.5)).toBe(true);
    expect(c.offsets.length).toBe(Math.min(CHUNK_SAMPLES, first * 2));
    expect(c.values.length).toBe(c.offsets.length);
    expect(c.length).toBe(first + 1);
    expect(c.byteSize()).toBe(c.offsets.length * 12);
    expect(samplesOf(c)).toEqual(
      Array.from({ length: first + 1 }, (_, i) => [T0 + i * 1000, i * 1.5]),
    );
    expect(c.firstTs).toBe(T0);
    expect(c.lastTs).toBe(T0 + first * 1000);
  });

  it('is full at CHUNK_SAMPLES and refuses more; capacity never exceeds CHUNK_SAMPLES', () => {
    expect(CHUNK_SAMPLES).toBe(1024);
    const c = new Chunk(T0);
    for (let i = 0; i < CHUNK_SAMPLES; i++) {
      expect(c.full).toBe(false);
      expect(c.tryAppend(T0 + i, i)).toBe(true);
    }
    expect(c.full).toBe(true);
    expect(c.length).toBe(1024);
    expect(c.offsets.length).toBe(1024);
    expect(c.byteSize()).toBe(1024 * 12);
    expect(c.tryAppend(T0 + 5000, 1)).toBe(false);
    expect(c.length).toBe(1024);
    expect(c.lastTs).toBe(T0 + 1023);
    expect(c.values[1023]).toBe(1023);
  });

  it('a chunk created at full capacity never grows', () => {
    const c = new Chunk(T0, CHUNK_SAMPLES);
    const before = c.offsets;
    for (let i = 0; i < CHUNK_SAMPLES; i++) c.tryAppend(T0 + i, i);
    expect(c.offsets).toBe(before);
    expect(c.full).toBe(true);
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

  it('lowerBound finds the first sample at or after a time', () => {
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
  });

  it('seal shrinks the arrays to the used length', () => {
    const c = new Chunk(T0);
    const n = c.offsets.length + 4;
    for (let i = 0; i < n; i++) c.tryAppend(T0 + i, i);
    expect(c.offsets.length).toBeGreaterThan(n);
    c.seal();
    expect(c.offsets.length).toBe(n);
    expect(c.values.length).toBe(n);
    expect(c.byteSize()).toBe(n * 12);
    expect(samplesOf(c)).toEqual(Array.from({ length: n }, (_, i) => [T0 + i, i]));
  });

  it('restore takes the arrays as they are and appends after them', () => {
    const c = Chunk.restore(T0, Uint32Array.of(0, 5, 9), Float64Array.of(1, 2, 3));
    expect(c.base).toBe(T0);
    expect(c.length).toBe(3);
    expect(c.firstTs).toBe(T0);
    expect(c.lastTs).toBe(T0 + 9);
    expect(c.lowerBound(T0 + 6)).toBe(2);
    expect(c.tryAppend(T0 + 12, 4)).toBe(true);
    expect(c.offsets.length).toBeGreaterThanOrEqual(4);
    expect(c.offsets.length).toBeLessThanOrEqual(CHUNK_SAMPLES);
    expect(samplesOf(c)).toEqual([
      [T0, 1],
      [T0 + 5, 2],
      [T0 + 9, 3],
      [T0 + 12, 4],
    ]);
  });

  it('a restored full chunk stays full', () => {
    const offsets = Uint32Array.from({ length: CHUNK_SAMPLES }, (_, i) => i);
    const values = Float64Array.from({ length: CHUNK_SAMPLES }, (_, i) => i);
    const c = Chunk.restore(T0, offsets, values);
    expect(c.full).toBe(true);
    expect(c.tryAppend(T0 + 2000, 1)).toBe(false);
  });
});

describe('RollupTier', () => {
  it('folds samples of one minute into one bucket with exact min/max/sum/count/last', () => {
    const t = new RollupTier(MIN);
    t.add(T0 + 0, 5);
    t.add(T0 + 10_000, 3);
    t.add(T0 + 20_000, 9.5);
    t.add(T0 + 59_999, 8);
    expect(buckets(t)).toEqual([{ start: T0, min: 3, max: 9.5, sum: 25.5, count: 4, last: 8 }]);
    expect(t.blocks.length).toBe(1);
    expect(t.lastBlockLength).toBe(1);
  });

  it('opens a new bucket exactly at the minute boundary', () => {
    const t = new RollupTier(MIN);
    t.add(T0 + 59_999, 1);
    t.add(T0 + 60_000, 2);
    t.add(T0 + 119_999, 4);
    t.add(T0 + 180_000, -7);
    expect(buckets(t)).toEqual([
      { start: T0, min: 1, max: 1, sum: 1, count: 1, last: 1 },
      { start: T0 + MIN, min: 2, max: 4, sum: 6, count: 2, last: 4 },
      { start: T0 + 3 * MIN, min: -7, max: -7, sum: -7, count: 1, last: -7 },
    ]);
  });

  it('hour buckets start on the hour', () => {
    const t = new RollupTier(HOUR);
    t.add(T0 + 30 * MIN + 5, 10);
    t.add(T0 + HOUR - 1, 20);
    t.add(T0 + HOUR, 30);
    expect(buckets(t)).toEqual([
      { start: T0, min: 10, max: 20, sum: 30, count: 2, last: 20 },
      { start: T0 + HOUR, min: 30, max: 30, sum: 30, count: 1, last: 30 },
    ]);
  });

  it('forEach visits buckets whose start is in [from, to)', () => {
    const t = new RollupTier(MIN);
    for (let i = 0; i < 5; i++) t.add(T0 + i * MIN + 1000, i);
    const starts = (from: number, to: number) =>
      buckets(t, from, to).map((b) => (b.start - T0) / MIN);
    expect(starts(T0 + MIN, T0 + 3 * MIN)).toEqual([1, 2]);
    // A bucket starting before `from` is excluded even if its samples reach past it.
    expect(starts(T0 + MIN + 1, T0 + 3 * MIN + 1)).toEqual([2, 3]);
    expect(starts(T0, T0)).toEqual([]);
    expect(starts(T0 + 10 * MIN, T0 + 20 * MIN)).toEqual([]);
    expect(starts(-Infinity, Infinity)).toEqual([0, 1, 2, 3, 4]);
  });

  it('grows its first block 4 → 8 → … → 256 buckets, then adds 256-bucket blocks', () => {
    const t = new RollupTier(MIN);
    t.add(T0, 0);
    expect(t.blocks[0]!.length).toBe(4 * FIELDS);
    for (let i = 1; i < 5; i++) t.add(T0 + i * MIN, i);
    expect(t.blocks[0]!.length).toBe(8 * FIELDS);
    for (let i = 5; i < 1000; i++) t.add(T0 + i * MIN, i);
    expect(t.blocks.map((b) => b.length / FIELDS)).toEqual([256, 256, 256, 256]);
    expect(t.lastBlockLength).toBe(1000 - 3 * 256);
    expect(t.byteSize()).toBe(4 * 256 * FIELDS * 8);
    const all = buckets(t);
    expect(all.length).toBe(1000);
    all.forEach((b, i) =>
      expect(b).toEqual({ start: T0 + i * MIN, min: i, max: i, sum: i, count: 1, last: i }),
    );
    // A range across block edges (255|256 and 511|512).
    expect(buckets(t, T0 + 250 * MIN, T0 + 520 * MIN).map((b) => b.sum)).toEqual(
      Array.from({ length: 270 }, (_, i) => 250 + i),
    );
    // A range inside the third block only.
    expect(buckets(t, T0 + 600 * MIN, T0 + 603 * MIN).map((b) => b.last)).toEqual([600, 601, 602]);
  });

  it('dropBefore drops whole blocks that end before the cutoff, never a partial one, never the last', () => {
    const t = new RollupTier(MIN);
    for (let i = 0; i < 1000; i++) t.add(T0 + i * MIN, i);
    // Block 0 holds buckets 0…255; its last bucket ends at minute 256.
    t.dropBefore(T0 + 256 * MIN - 1);
    expect(t.blocks.length).toBe(4);
    expect(buckets(t)[0]!.start).toBe(T0);
    t.dropBefore(T0 + 300 * MIN);
    expect(t.blocks.length).toBe(3);
    // Buckets 256…299 are older than the cutoff but their block is kept whole.
    expect(buckets(t)[0]!.start).toBe(T0 + 256 * MIN);
    expect(buckets(t).length).toBe(1000 - 256);
    t.dropBefore(T0 + 10_000 * MIN);
    expect(t.blocks.length).toBe(1);
    expect(buckets(t).map((b) => b.sum)).toEqual(Array.from({ length: 232 }, (_, i) => 768 + i));
  });

  it('keeps adding after dropping blocks', () => {
    const t = new RollupTier(MIN);
    for (let i = 0; i < 600; i++) t.add(T0 + i * MIN, i);
    t.dropBefore(T0 + 512 * MIN);
    t.add(T0 + 599 * MIN + 1, 1000);
    t.add(T0 + 600 * MIN, 2);
    const all = buckets(t);
    expect(all[0]!.start).toBe(T0 + 512 * MIN);
    expect(all.at(-2)).toEqual({
      start: T0 + 599 * MIN,
      min: 599,
      max: 1000,
      sum: 1599,
      count: 2,
      last: 1000,
    });
    expect(all.at(-1)).toEqual({
      start: T0 + 600 * MIN,
      min: 2,
      max: 2,
      sum: 2,
      count: 1,
      last: 2,
    });
  });
});
