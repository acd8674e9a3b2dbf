// The explorer's chart lines: a trend badge only for a trend (enough points, significant,
// material), thresholds only where the aggregation is in the rule's unit, percent axes kept
// inside 0–100, the step still filling marked and left out of the fit, and a warning when far
// fewer series than usual stand behind an aggregate.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, type ThresholdRule } from '../../shared/rules.js';
import { clampedRange, dataExtent } from '../../renderer/src/components/chart-line.js';
import {
  axisClamp,
  buildLines,
  type ExploreSeries,
} from '../../renderer/src/views/explore/chart-lines.js';
import type { Agg } from '../../renderer/src/views/explore/explore-state.js';

const T = 1_700_000_000_000;
const cpuRule = DEFAULT_RULES.find(
  (r): r is ThresholdRule => r.kind === 'threshold' && r.metric === 'cpu_usage',
)!;

/** Deterministic noise in [-1, 1]. */
const noise = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

function line(
  n: number,
  f: (i: number) => number,
  everyMs = 1_000,
  counts?: (i: number) => number,
): ExploreSeries {
  return {
    key: 'all',
    labels: {},
    points: Array.from({ length: n }, (_, i) => [T + i * everyMs, f(i)] as [number, number]),
    counts: counts ? Array.from({ length: n }, (_, i) => counts(i)) : null,
  };
}

function build(series: ExploreSeries, over: { agg?: Agg; unit?: string; partialFrom?: number }) {
  const last = series.points[series.points.length - 1]![0];
  return buildLines({
    series: [series],
    metric: 'cpu_usage',
    agg: over.agg ?? 'avg',
    unit: over.unit ?? '%',
    step: 1_000,
    xMin: T,
    xMax: last + 1_000,
    rule: cpuRule,
    showThresholds: true,
    partialFrom: over.partialFrom ?? null,
  });
}

const roles = (v: ReturnType<typeof build>) => v.lines.map((l) => l.role);

describe('explorer trend badge', () => {
  it('says "no clear trend" below 10 points, however steep', () => {
    // Six points at +10 s, falling 0.5 a second: −1,800 %/h if extrapolated.
    const v = build(
      line(6, (i) => 50 - 0.5 * i),
      {},
    );
    expect(v.trend.fit!.slopePerHour).toBeLessThan(-1_000);
    expect(v.trend.reason).toMatch(/6 points: a trend needs at least 10/);
    expect(roles(v)).not.toContain('trend');
  });

  it('says "no clear trend" when the slope is not significant (R² near 0)', () => {
    const v = build(
      line(900, (i) => 40 + 4 * noise(i)),
      {},
    );
    expect(v.trend.fit!.rSquared).toBeLessThan(0.01);
    expect(v.trend.reason).not.toBeNull();
    expect(roles(v)).not.toContain('trend');
  });

  it('shows a significant, material slope with its trend line', () => {
    // 15 minutes, +6 points an hour, light noise.
    const v = build(
      line(900, (i) => 40 + (6 * i) / 3600 + 0.2 * noise(i)),
      {},
    );
    expect(v.trend.reason).toBeNull();
    expect(v.trend.fit!.slopePerHour).toBeCloseTo(6, 0);
    expect(v.trend.fit!.pValue).toBeLessThan(1e-6);
    expect(roles(v)).toContain('trend');
  });

  it('a sum whose series count changed over the range has no trend (agents joined)', () => {
    // 100 agents at ~30 % each, then 120 from point 300: the sum steps up by 600.
    const v = build(
      line(
        900,
        (i) => (i < 300 ? 3000 : 3600) + noise(i),
        1_000,
        (i) => (i < 300 ? 100 : 120),
      ),
      { agg: 'sum' },
    );
    expect(v.trend.fit!.pValue).toBeLessThan(1e-6);
    expect(v.trend.reason).toMatch(/number of series behind the line changed/);
    // A sample missed here and there (299 of 300) is not a change of membership.
    const jitter = build(
      line(
        900,
        (i) => 9000 + (2000 * i) / 3600 + noise(i),
        1_000,
        (i) => (i % 7 ? 300 : 299),
      ),
      { agg: 'sum' },
    );
    expect(jitter.trend.reason).toBeNull();
  });

  it('an average that jumps because most of its agents stopped has no trend', () => {
    // Eight hosts averaging 25 %, then the two left average 33 %: +700-odd %/h, significant.
    const v = build(
      line(
        33,
        (i) => (i < 25 ? 25 : 33) + 0.5 * noise(i),
        1_000,
        (i) => (i < 25 ? 8 : 2),
      ),
      {},
    );
    expect(v.trend.fit!.slopePerHour).toBeGreaterThan(300);
    expect(v.trend.fit!.pValue).toBeLessThan(1e-6);
    expect(v.trend.reason).toMatch(/number of series behind the line changed/);
    expect(roles(v)).not.toContain('trend');
    // One host of eight missing now and then does not hide a real trend.
    const steady = build(
      line(
        900,
        (i) => 40 + (6 * i) / 3600 + 0.2 * noise(i),
        1_000,
        (i) => (i % 5 ? 8 : 7),
      ),
      {},
    );
    expect(steady.trend.reason).toBeNull();
  });

  it('leaves the step still filling out of the fit', () => {
    // A steady line whose last (partial) point has heard from a tenth of the fleet: a fall.
    const steady = line(
      60,
      (i) => 50 + 0.01 * noise(i),
      1_000,
      () => 10,
    );
    steady.points.push([T + 60_000, 5]);
    steady.counts!.push(1);
    const v = build(steady, { agg: 'sum', partialFrom: T + 60_000 });
    expect(v.partialPoints).toBe(1);
    expect(v.lines[0]!.partialFrom).toBe(T + 60_000);
    expect(v.trend.fit!.n).toBe(60);
    expect(Math.abs(v.trend.fit!.slopePerHour)).toBeLessThan(5);
    // Nor does it count towards "how many series now".
    expect(v.coverage).toEqual({ now: 10, median: 10, dropped: false });
    // Without the flag the same point drags the fit down.
    expect(build(steady, { agg: 'sum' }).trend.fit!.slopePerHour).toBeLessThan(-100);
  });
});

describe('explorer thresholds and axes', () => {
  const cpu = line(60, (i) => 40 + noise(i));

  it.each(['avg', 'min', 'max', 'p50', 'p95', 'p99'] as const)(
    'draws the rule thresholds for %s (in the rule unit)',
    (agg) => {
      expect(roles(build(cpu, { agg }))).toEqual(
        expect.arrayContaining(['series', 'warning', 'critical']),
      );
    },
  );

  it.each(['sum', 'count'] as const)('draws no percent thresholds for %s', (agg) => {
    const v = build(cpu, { agg, unit: agg === 'count' ? 'samples' : '%' });
    expect(roles(v)).not.toContain('warning');
    expect(roles(v)).not.toContain('critical');
  });

  it('keeps a percent axis inside 0–100 while the data are, and follows data that leave it', () => {
    expect(axisClamp('%', 'avg')).toEqual({ min: 0, max: 100 });
    // A sum or count of a percentage is not bounded by 100, but is not negative either.
    expect(axisClamp('%', 'sum')).toEqual({ min: 0, max: Infinity });
    expect(axisClamp('samples', 'count')).toEqual({ min: 0, max: Infinity });
    const clamp = axisClamp('%', 'avg');
    // Data 0.5–99.5 with a trend line overshooting to −40: the axis stays 0–100.
    expect(clampedRange(-40, 99.5, { min: 0.5, max: 99.5 }, clamp)).toEqual({ min: 0, max: 100 });
    // Data in the middle: the usual 4 % margin each side.
    const mid = clampedRange(40, 60, { min: 40, max: 60 }, clamp);
    expect(mid.min).toBeCloseTo(39.2, 9);
    expect(mid.max).toBeCloseTo(60.8, 9);
    // Data past 100 % (a sum mislabelled, a counter reset): not hidden.
    expect(clampedRange(0, 250, { min: 0, max: 250 }, clamp).max).toBeCloseTo(260, 9);
    // The extent is of the series and thresholds, not of the trend line.
    const v = build(cpu, {});
    expect(dataExtent(v.lines)).toEqual({ min: expect.any(Number), max: 95 });
  });
});

describe('explorer series coverage', () => {
  it('warns when the latest settled count is under half of its median', () => {
    // 8 hosts for 50 s, then 1 for 5 s: the average now stands for one host.
    const v = build(
      line(
        55,
        (i) => (i < 50 ? 40 : 97),
        1_000,
        (i) => (i < 50 ? 8 : 1),
      ),
      {},
    );
    expect(v.coverage).toEqual({ now: 1, median: 8, dropped: true });
    expect(v.lines[0]!.counts).toHaveLength(55);
  });

  it('does not warn for a small dip, nor for lines without counts (one agent)', () => {
    const dip = build(
      line(
        55,
        () => 40,
        1_000,
        (i) => (i < 50 ? 8 : 5),
      ),
      {},
    );
    expect(dip.coverage).toEqual({ now: 5, median: 8, dropped: false });
    expect(
      build(
        line(55, () => 40),
        {},
      ).coverage,
    ).toBeNull();
  });
});
