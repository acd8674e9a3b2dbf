import { describe, it, expect } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import {
  chooseTier,
  effectiveStep,
  MAX_POINTS,
  queryRange,
  type Aggregation,
  type QuerySource,
  type RangeQuery,
} from '../../electron/core/store/query.js';
import {
  DEFAULT_RETENTION,
  HOUR_MS,
  MINUTE_MS,
  TimeSeriesStore,
} from '../../electron/core/store/tsdb.js';
import { SampleBuffer } from '../../electron/core/store/sample-buffer.js';
import { headSource } from './support/store-fixture.js';
import { PARTIAL_SETTLE_MS } from '../../shared/api-constants.js';

/** Hour-aligned minute in which the hand-computed data lives. */
const M = 1_699_999_200_000;
const NOW = M + 10 * MINUTE_MS;
const DAY = 24 * HOUR_MS;
const retentionOnly = { retention: DEFAULT_RETENTION };

function q(over: Partial<RangeQuery>): RangeQuery {
  return {
    metric: 'cpu',
    agentIds: null,
    labels: {},
    from: M,
    to: M + MINUTE_MS,
    step: MINUTE_MS,
    agg: 'avg',
    perSeries: false,
    ...over,
  };
}

/**
 * a1: 1…10 and a2: 11…20, one a second from M (label core=0); a1 also core=1 at 100. Read
 * from the head alone: the 1m and 1h tiers are computed from its raw samples.
 */
function handStore(): QuerySource {
  const store = new TimeSeriesStore(100);
  const a1: Sample[] = [];
  const a2: Sample[] = [];
  const a1core1: Sample[] = [];
  for (let i = 0; i < 10; i++) {
    a1.push({ name: 'cpu', labels: { core: '0' }, ts: M + i * 1000, value: i + 1 });
    a2.push({ name: 'cpu', labels: { core: '0' }, ts: M + i * 1000, value: i + 11 });
    a1core1.push({ name: 'cpu', labels: { core: '1' }, ts: M + i * 1000, value: 100 });
  }
  store.append('a1', a1);
  store.append('a2', a2);
  store.append('a1', a1core1);
  return headSource(store);
}

const core0 = { core: '0' };

/** Three minutes from `start`, one sample every 10 s: minute k holds 6 values k*10 + 0…5. */
function threeMinutes(start: number): TimeSeriesStore {
  const store = new TimeSeriesStore(10);
  const batch: Sample[] = [];
  for (let i = 0; i < 18; i++)
    batch.push({ name: 'cpu', ts: start + i * 10_000, value: Math.floor(i / 6) * 10 + (i % 6) });
  store.append('a1', batch);
  return store;
}

describe('effectiveStep', () => {
  it('keeps the asked step while the range holds far fewer than MAX_POINTS steps', () => {
    expect(MAX_POINTS).toBe(2000);
    expect(effectiveStep(0, 1_000_000, 1000)).toBe(1000);
    expect(effectiveStep(0, 60_000, 5000)).toBe(5000);
    expect(effectiveStep(0, 0, 0)).toBe(1);
  });

  it('caps a 24 h range at 1 s to at most 2,000 steps of about 43.2 s', () => {
    const step = effectiveStep(NOW - DAY, NOW, 1000);
    expect(step).toBeGreaterThanOrEqual(43_200);
    expect(step).toBeLessThan(43_300);
    expect(Math.ceil(DAY / step)).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('never gives more than MAX_POINTS steps, even after aligning from down to the step', () => {
    for (const range of [HOUR_MS, HOUR_MS + 1, DAY, 7 * DAY, 30 * DAY, 365 * DAY, 2_000_001]) {
      for (const asked of [1, 1000, 15_000]) {
        for (const offset of [0, 1, 12_345, 999_999]) {
          const from = 1_700_000_000_000 - range + offset;
          const to = from + range;
          const step = effectiveStep(from, to, asked);
          expect(step).toBeGreaterThanOrEqual(asked);
          // Not coarser than needed (within a factor of two).
          expect(step).toBeLessThanOrEqual(Math.max(asked, 2 * Math.ceil(range / MAX_POINTS)));
          const aligned = from - (from % step);
          expect
            .soft(Math.ceil((to - aligned) / step), `range ${range} step ${asked} +${offset}`)
            .toBeLessThanOrEqual(MAX_POINTS);
        }
      }
    }
  });
});

describe('chooseTier', () => {
  it('uses raw for steps under a minute inside raw retention', () => {
    expect(chooseTier(1000, NOW - HOUR_MS, NOW, retentionOnly)).toBe('raw');
    expect(chooseTier(59_999, NOW - HOUR_MS, NOW, retentionOnly)).toBe('raw');
    expect(chooseTier(1000, NOW - 6 * HOUR_MS, NOW, retentionOnly)).toBe('raw');
  });

  it('uses 1m for steps of a minute or more, or beyond raw retention', () => {
    expect(chooseTier(MINUTE_MS, NOW - HOUR_MS, NOW, retentionOnly)).toBe('1m');
    expect(chooseTier(HOUR_MS - 1, NOW - HOUR_MS, NOW, retentionOnly)).toBe('1m');
    expect(chooseTier(1000, NOW - 6 * HOUR_MS - 1, NOW, retentionOnly)).toBe('1m');
    expect(chooseTier(1000, NOW - 30 * DAY, NOW, retentionOnly)).toBe('1m');
  });

  it('uses 1h for steps of an hour or more, or beyond minute retention', () => {
    expect(chooseTier(HOUR_MS, NOW - HOUR_MS, NOW, retentionOnly)).toBe('1h');
    expect(chooseTier(1000, NOW - 30 * DAY - 1, NOW, retentionOnly)).toBe('1h');
    expect(chooseTier(MINUTE_MS, NOW - 365 * DAY, NOW, retentionOnly)).toBe('1h');
  });

  it('follows a configured retention', () => {
    const store = { retention: { rawMs: HOUR_MS, minuteMs: DAY, hourMs: 10 * DAY } };
    expect(chooseTier(1000, NOW - HOUR_MS, NOW, store)).toBe('raw');
    expect(chooseTier(1000, NOW - 2 * HOUR_MS, NOW, store)).toBe('1m');
    expect(chooseTier(1000, NOW - 2 * DAY, NOW, store)).toBe('1h');
  });
});

describe('queryRange on hand-computed data', () => {
  // Raw tier: step 30 s, so the 20 values (M … M+9 s) fall in the first step.
  const rawCases: [Aggregation, number][] = [
    ['avg', 10.5],
    ['min', 1],
    ['max', 20],
    // Sum across series of each series' mean in the step: 5.5 + 15.5.
    ['sum', 21],
    ['count', 20],
    // quantileSorted (type 7) of 1…20: index (n−1)·p.
    ['p50', 10.5],
    ['p95', 19.05],
    ['p99', 19.81],
  ];
  it.each(rawCases)('raw tier, agg=%s over two agents gives %d', (agg, expected) => {
    const r = queryRange(handStore(), q({ labels: core0, step: 30_000, agg }), NOW);
    expect(r.tier).toBe('raw');
    expect(r.step).toBe(30_000);
    expect(r.from).toBe(M);
    expect(r.to).toBe(M + MINUTE_MS);
    expect(r.series.length).toBe(1);
    expect(r.series[0]!.agentId).toBeNull();
    expect(r.series[0]!.labels).toEqual({});
    const [[t0, v0], [t1, v1]] = r.series[0]!.points as [[number, number], [number, null]];
    expect(t0).toBe(M);
    expect(v0).toBeCloseTo(expected, 10);
    expect([t1, v1]).toEqual([M + 30_000, null]);
  });

  const minuteCases: [Aggregation, number][] = [
    ['avg', 10.5],
    ['min', 1],
    ['max', 20],
    ['sum', 21],
    ['count', 20],
    // The 1m tier keeps no raw values: percentiles are of bucket means (5.5 and 15.5).
    ['p50', 10.5],
    ['p95', 15],
    ['p99', 15.4],
  ];
  it.each(minuteCases)('1m tier, agg=%s over two agents gives %d', (agg, expected) => {
    const r = queryRange(handStore(), q({ labels: core0, agg }), NOW);
    expect(r.tier).toBe('1m');
    expect(r.step).toBe(MINUTE_MS);
    expect(r.series[0]!.points.length).toBe(1);
    expect(r.series[0]!.points[0]![0]).toBe(M);
    expect(r.series[0]!.points[0]![1]).toBeCloseTo(expected, 10);
  });

  it('perSeries gives one line per series with its agent and labels', () => {
    const r = queryRange(handStore(), q({ perSeries: true }), NOW);
    const lines = r.series
      .map((l) => ({ agentId: l.agentId, labels: l.labels, v: l.points[0]![1] }))
      .sort((a, b) => a.v! - b.v!);
    expect(lines).toEqual([
      { agentId: 'a1', labels: { core: '0' }, v: 5.5 },
      { agentId: 'a2', labels: { core: '0' }, v: 15.5 },
      { agentId: 'a1', labels: { core: '1' }, v: 100 },
    ]);
    const agg = queryRange(handStore(), q({}), NOW);
    expect(agg.series.length).toBe(1);
    expect(agg.series[0]!.points[0]![1]).toBeCloseTo((55 + 155 + 1000) / 30, 10);
  });

  it('perSeries sum is the series mean in the step', () => {
    const r = queryRange(handStore(), q({ perSeries: true, labels: core0, agg: 'sum' }), NOW);
    expect(r.series.map((l) => l.points[0]![1]).sort((a, b) => a! - b!)).toEqual([5.5, 15.5]);
  });

  it('counts the series behind each step of an aggregated line (none for per-series lines)', () => {
    // a1 core=0 and a2 core=0 report for 10 s from M; a1 core=1 too: three series in step one.
    const r = queryRange(handStore(), q({ step: 5000, to: M + 15_000 }), NOW);
    expect(r.series[0]!.seriesCounts).toEqual([3, 3, 0]);
    const only = queryRange(handStore(), q({ step: 5000, to: M + 15_000, labels: core0 }), NOW);
    expect(only.series[0]!.seriesCounts).toEqual([2, 2, 0]);
    expect(queryRange(handStore(), q({ perSeries: true }), NOW).series[0]!.seriesCounts).toBe(
      undefined,
    );
  });

  it('flags the steps not yet settled at now as partial', () => {
    const r = (now: number) => queryRange(handStore(), q({ step: 5000, to: M + 20_000 }), now);
    // Long after: every step is settled.
    expect(r(NOW).partialFrom).toBeNull();
    // 1 s into the third step: the third is filling, and the second ended under 2 s ago.
    expect(PARTIAL_SETTLE_MS).toBe(2_000);
    expect(r(M + 11_000).partialFrom).toBe(M + 5_000);
    // 2 s into it: the second has settled.
    expect(r(M + 12_000).partialFrom).toBe(M + 10_000);
    // Before the range even began: all of it.
    expect(r(M - 60_000).partialFrom).toBe(M);
  });

  it('filters by label values', () => {
    const r = queryRange(handStore(), q({ labels: { core: '1' }, agg: 'max' }), NOW);
    expect(r.series.length).toBe(1);
    expect(r.series[0]!.points).toEqual([[M, 100]]);
    const none = queryRange(handStore(), q({ labels: { core: '7' } }), NOW);
    expect(none.series).toEqual([]);
  });

  it('scopes to agentIds', () => {
    const r = queryRange(
      handStore(),
      q({ agentIds: new Set(['a2']), step: 5000, agg: 'avg', labels: core0 }),
      NOW,
    );
    expect(r.tier).toBe('raw');
    expect(r.series[0]!.points.slice(0, 3)).toEqual([
      [M, 13],
      [M + 5000, 18],
      [M + 10_000, null],
    ]);
    const both = queryRange(handStore(), q({ agentIds: new Set(['a1', 'zz']), agg: 'max' }), NOW);
    expect(both.series[0]!.points).toEqual([[M, 100]]);
    expect(queryRange(handStore(), q({ agentIds: new Set(['zz']) }), NOW).series).toEqual([]);
  });

  it('gives null for steps without data and aligns from to the step', () => {
    const r = queryRange(
      handStore(),
      q({ labels: core0, from: M - 2 * MINUTE_MS + 1234, to: M + 2 * MINUTE_MS, agg: 'min' }),
      NOW,
    );
    expect(r.from).toBe(M - 2 * MINUTE_MS);
    expect(r.to).toBe(M + 2 * MINUTE_MS);
    expect(r.series[0]!.points).toEqual([
      [M - 2 * MINUTE_MS, null],
      [M - MINUTE_MS, null],
      [M, 1],
      [M + MINUTE_MS, null],
    ]);
  });

  it('an unknown metric gives no lines', () => {
    expect(queryRange(handStore(), q({ metric: 'nope' }), NOW).series).toEqual([]);
  });
});

describe('queryRange decimation and tiers over long ranges', () => {
  it('a 24 h range at 1 s is served from the 1m tier at one point a minute', () => {
    const now = 1_700_000_000_000;
    const r = queryRange(
      handStore(),
      q({ from: now - DAY, to: now, step: 1000, labels: core0 }),
      now,
    );
    expect(r.tier).toBe('1m');
    expect(r.step).toBe(MINUTE_MS);
    expect(r.series[0]!.points.length).toBe(1441);
    expect(r.series[0]!.points.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('a 1 h raw range at 1 s is decimated to at most 2,000 steps, averaging the raw samples in each', () => {
    const from = M - 30 * MINUTE_MS + 777;
    const to = from + HOUR_MS;
    const r = queryRange(handStore(), q({ from, to, step: 1000, labels: core0 }), NOW);
    expect(r.tier).toBe('raw');
    expect(r.step).toBeGreaterThanOrEqual(1800);
    expect(r.step).toBeLessThan(1900);
    expect(r.from % r.step).toBe(0);
    expect(r.from).toBeLessThanOrEqual(from);
    expect(r.to).toBeGreaterThanOrEqual(to);
    const points = r.series[0]!.points;
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points.length).toBe((r.to - r.from) / r.step);
    // Expected: the 20 core-0 samples (M + i s: a1 i+1, a2 i+11) grouped by step.
    const groups = new Map<number, number[]>();
    for (let i = 0; i < 10; i++) {
      const start = r.from + Math.floor((M + i * 1000 - r.from) / r.step) * r.step;
      groups.set(start, [...(groups.get(start) ?? []), i + 1, i + 11]);
    }
    const expected = [...groups].map(([start, vs]) => [
      start,
      vs.reduce((a, b) => a + b, 0) / vs.length,
    ]);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(points.filter((p) => p[1] !== null)).toEqual(expected);
  });

  it('a 30-day range at 1 s gives at most 2,000 points from the 1m tier', () => {
    const now = 1_700_000_000_000;
    const r = queryRange(handStore(), q({ from: now - 30 * DAY, to: now, step: 1000 }), now);
    expect(r.tier).toBe('1m');
    expect(r.step).toBeGreaterThanOrEqual(1_296_000);
    expect(r.step).toBeLessThan(1_300_000);
    expect(r.series[0]!.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(r.to - r.from).toBeLessThanOrEqual(MAX_POINTS * r.step);
  });

  it('never returns more than MAX_POINTS points, whatever the range and alignment', () => {
    const now = 1_700_000_000_000;
    for (const [range, step] of [
      [30 * DAY, 1000],
      [30 * DAY, MINUTE_MS],
      [7 * DAY, 1000],
      [365 * DAY, 1000],
      [HOUR_MS, 1000],
      [HOUR_MS + 1, 1],
    ] as const) {
      const r = queryRange(handStore(), q({ from: now - range, to: now, step }), now);
      expect
        .soft(r.series[0]!.points.length, `range ${range} step ${step}`)
        .toBeLessThanOrEqual(MAX_POINTS);
      // The result still covers the asked range.
      expect(r.from).toBeLessThanOrEqual(now - range);
      expect(r.to).toBeGreaterThanOrEqual(now);
    }
  });

  it('a range beyond raw retention uses the 1m tier and returns the right averages', () => {
    const now = M + 8 * HOUR_MS;
    const start = M; // 8 h before now: past the 6 h raw retention
    // The head keeps its raw samples whatever their age (retention applies to block files, in
    // the compactor), so the 1m buckets here are computed from them. The next test has the
    // source hold buckets only, as block files do once raw retention has dropped the samples.
    const store = threeMinutes(start);
    const r = queryRange(
      headSource(store),
      q({ from: start, to: start + 3 * MINUTE_MS, step: 10_000, agg: 'avg' }),
      now,
    );
    expect(r.tier).toBe('1m');
    expect(r.step).toBe(MINUTE_MS);
    expect(r.series[0]!.points).toEqual([
      [start, 2.5],
      [start + MINUTE_MS, 12.5],
      [start + 2 * MINUTE_MS, 22.5],
    ]);
    const max = queryRange(
      headSource(store),
      q({ from: start, to: start + 3 * MINUTE_MS, step: 10_000, agg: 'max' }),
      now,
    );
    expect(max.series[0]!.points.map((p) => p[1])).toEqual([5, 15, 25]);
    // The same range while it is still inside raw retention is served raw at 10 s.
    const raw = queryRange(
      headSource(store),
      q({ from: start, to: start + MINUTE_MS, step: 10_000, agg: 'avg' }),
      start + HOUR_MS,
    );
    expect(raw.tier).toBe('raw');
    expect(raw.series[0]!.points.map((p) => p[1])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('past raw retention the 1m and 1h tiers are read from the source’s buckets alone', () => {
    const now = M + 8 * HOUR_MS;
    const head = headSource(threeMinutes(M));
    // The raw samples are gone (dropped by raw retention); their buckets are kept. Named as
    // such: a source over the real head whose raw reads find nothing.
    const bucketsOnly: QuerySource = { ...head, raw: () => new SampleBuffer() };
    const range = { from: M, to: M + 3 * MINUTE_MS, step: 10_000 };
    const avg = queryRange(bucketsOnly, q({ ...range, agg: 'avg' }), now);
    expect(avg.tier).toBe('1m');
    expect(avg.series[0]!.points).toEqual([
      [M, 2.5],
      [M + MINUTE_MS, 12.5],
      [M + 2 * MINUTE_MS, 22.5],
    ]);
    const count = queryRange(bucketsOnly, q({ ...range, agg: 'count' }), now);
    expect(count.series[0]!.points.map((p) => p[1])).toEqual([6, 6, 6]);
    const hour = queryRange(
      bucketsOnly,
      q({ from: M, to: M + HOUR_MS, step: HOUR_MS, agg: 'max' }),
      now,
    );
    expect(hour.tier).toBe('1h');
    expect(hour.series[0]!.points).toEqual([[M, 25]]);
    // The raw tier reads raw samples only: inside raw retention this source has none.
    const raw = queryRange(bucketsOnly, q({ ...range, agg: 'avg' }), M + HOUR_MS);
    expect(raw.tier).toBe('raw');
    expect(raw.series[0]!.points.every((p) => p[1] === null)).toBe(true);
  });

  it('an hour step uses the 1h tier', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [
      { name: 'cpu', ts: M + 1000, value: 2 },
      { name: 'cpu', ts: M + 30 * MINUTE_MS, value: 4 },
      { name: 'cpu', ts: M + HOUR_MS + 5, value: 9 },
    ]);
    const r = queryRange(
      headSource(store),
      q({ from: M, to: M + 2 * HOUR_MS, step: HOUR_MS, agg: 'avg' }),
      M + 3 * HOUR_MS,
    );
    expect(r.tier).toBe('1h');
    expect(r.series[0]!.points).toEqual([
      [M, 3],
      [M + HOUR_MS, 9],
    ]);
  });
});
