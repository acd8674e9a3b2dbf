// Live tails on the explorer: the console re-sends the chart's last few steps every second
// (those still filling included); they are merged by timestamp and spliced onto the query's.
import { describe, expect, it } from 'vitest';
import {
  dropBefore,
  gapLimit,
  mergeByTimestamp,
  spliceTail,
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

describe('spliceTail', () => {
  // The query ran at s(5): its steps s(4) and s(5) were still filling (a count of 2, then 1).
  const query: Point[] = [
    [s(0), 10, 3],
    [s(1), null, 0],
    [s(2), 12, 3],
    [s(3), 13, 3],
    [s(4), 14, 2],
    [s(5), 15, 1],
  ];

  it("takes the query's points up to the tail's first, then the tail's (final values)", () => {
    const tail: Point[] = [
      [s(3), 13, 3],
      [s(4), 14.5, 3],
      [s(5), 15.5, 3],
      [s(6), 16, 2],
    ];
    expect(spliceTail(query, tail)).toEqual({
      points: [
        [s(0), 10],
        [s(2), 12],
        [s(3), 13],
        [s(4), 14.5],
        [s(5), 15.5],
        [s(6), 16],
      ],
      counts: [3, 3, 3, 3, 3, 2],
    });
  });

  it('keeps the query alone until the tail speaks, and cuts before `from`', () => {
    expect(spliceTail(query, [], s(3)).points).toEqual([
      [s(3), 13],
      [s(4), 14],
      [s(5), 15],
    ]);
  });

  it('has no counts for lines without them (one agent)', () => {
    expect(
      spliceTail(
        [
          [s(0), 1],
          [s(1), 2],
        ],
        [[s(1), 3]],
      ),
    ).toEqual({
      points: [
        [s(0), 1],
        [s(1), 3],
      ],
      counts: null,
    });
  });

  it('a re-sent point with a new series count replaces the old one', () => {
    const live: Point[] = [[s(0), 5, 2]];
    expect(mergeByTimestamp(live, [[s(0), 5, 3]])).toEqual([[s(0), 5, 3]]);
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
