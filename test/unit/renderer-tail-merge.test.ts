// Live tails on the explorer: the console re-sends the last five one-second points every
// second; they are merged by timestamp and rolled up to the chart's step.
import { describe, expect, it } from 'vitest';
import {
  dropBefore,
  gapLimit,
  mergeByTimestamp,
  rollUp,
  type Point,
} from '../../renderer/src/lib/series-merge.js';

const T = 1_700_000_000_000;
const s = (n: number) => T + n * 1_000;

describe('mergeByTimestamp', () => {
  it('appends new seconds and replaces re-sent ones', () => {
    let series: Point[] = [];
    series = mergeByTimestamp(series, [
      [s(0), 1],
      [s(1), 2],
      [s(2), null],
    ]);
    expect(series).toEqual([
      [s(0), 1],
      [s(1), 2],
      [s(2), null],
    ]);
    // The next tick: the same window moved by one second, a late sample filled s(2).
    series = mergeByTimestamp(series, [
      [s(1), 2],
      [s(2), 3],
      [s(3), 4],
    ]);
    expect(series).toEqual([
      [s(0), 1],
      [s(1), 2],
      [s(2), 3],
      [s(3), 4],
    ]);
  });

  it('never lets a null wipe out a value', () => {
    const series: Point[] = [
      [s(0), 1],
      [s(1), 2],
    ];
    expect(mergeByTimestamp(series, [[s(1), null]])).toEqual(series);
  });

  it('returns the same array when nothing changed (no re-render)', () => {
    const series: Point[] = [
      [s(0), 1],
      [s(1), 2],
    ];
    expect(mergeByTimestamp(series, [[s(1), 2]])).toBe(series);
    expect(mergeByTimestamp(series, [])).toBe(series);
  });

  it('inserts out-of-order points in place and does not mutate its input', () => {
    const series: Point[] = [
      [s(0), 1],
      [s(4), 5],
    ];
    const merged = mergeByTimestamp(series, [
      [s(2), 3],
      [s(6), 7],
      [s(1), 2],
    ]);
    expect(merged.map((p) => p[0])).toEqual([s(0), s(1), s(2), s(4), s(6)]);
    expect(series).toHaveLength(2);
  });

  it('keeps one point per second over a minute of overlapping five-second windows', () => {
    let series: Point[] = [];
    for (let tick = 5; tick <= 65; tick++) {
      const window: Point[] = [];
      for (let k = tick - 5; k < tick; k++) window.push([s(k), k]);
      series = mergeByTimestamp(series, window);
    }
    expect(series).toHaveLength(65);
    expect(series.every(([t, v], i) => t === s(i) && v === i)).toBe(true);
  });
});

describe('dropBefore', () => {
  it('keeps points at or after the cut, the same array when none go', () => {
    const series: Point[] = [
      [s(0), 1],
      [s(1), 2],
      [s(2), 3],
    ];
    expect(dropBefore(series, s(1))).toEqual([
      [s(1), 2],
      [s(2), 3],
    ]);
    expect(dropBefore(series, s(0))).toBe(series);
    expect(dropBefore(series, s(9))).toEqual([]);
  });
});

describe('rollUp', () => {
  const seconds: Point[] = [
    [s(0), 1],
    [s(1), 3],
    [s(2), null],
    [s(3), 10],
    [s(4), 20],
    [s(5), 30],
  ];

  it('passes one-second points through (minus the gaps) at a one-second step', () => {
    expect(rollUp(seconds, T, 1_000, 'avg')).toEqual([
      [s(0), 1],
      [s(1), 3],
      [s(3), 10],
      [s(4), 20],
      [s(5), 30],
    ]);
  });

  it("buckets on the query's grid: mean, min, max, count", () => {
    expect(rollUp(seconds, T, 3_000, 'avg')).toEqual([
      [s(0), 2],
      [s(3), 20],
    ]);
    expect(rollUp(seconds, T, 3_000, 'max')).toEqual([
      [s(0), 3],
      [s(3), 30],
    ]);
    expect(rollUp(seconds, T, 3_000, 'min')).toEqual([
      [s(0), 1],
      [s(3), 10],
    ]);
    expect(rollUp(seconds, T, 3_000, 'count')).toEqual([
      [s(0), 4],
      [s(3), 60],
    ]);
    // The grid origin decides the edges.
    expect(rollUp(seconds, T - 1_000, 3_000, 'avg')).toEqual([
      [s(-1), 2],
      [s(2), 15],
      [s(5), 30],
    ]);
  });
});

describe('gapLimit', () => {
  it('bridges the usual interval and breaks at a long silence', () => {
    const minutely = Array.from({ length: 30 }, (_, i) => [T + i * 60_000, i] as [number, number]);
    expect(gapLimit(minutely, 3_000)).toBe(180_000);
    const secondly = Array.from({ length: 30 }, (_, i) => [s(i), i] as [number, number]);
    expect(gapLimit(secondly, 1_000)).toBe(3_000);
    expect(gapLimit(secondly.slice(0, 2), 1_000)).toBe(Infinity);
  });

  it('widens when the chart decimates (kept points lie up to two buckets apart)', () => {
    const dense = Array.from({ length: 1_200 }, (_, i) => [T + i * 3_000, i] as [number, number]);
    expect(gapLimit(dense, 3_000, 600)).toBe(9_000 * 4);
  });
});
