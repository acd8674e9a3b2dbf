// The explorer's client-side trend line (least squares) against known lines and against the
// core's own regression, so the chart's slope and R² agree with the Trends page.
import { linearRegression, rSquared } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { fitTrend } from '../../electron/core/analysis/regression.js';
import { fitLine, valueAt } from '../../renderer/src/lib/least-squares.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

describe('fitLine', () => {
  it('recovers an exact line, slope per hour and intercept at the first point', () => {
    const points = Array.from(
      { length: 61 },
      (_, i) => [T0 + i * 60_000, 40 + 6 * (i / 60)] as const,
    );
    const fit = fitLine(points)!;
    expect(fit.n).toBe(61);
    expect(fit.x0).toBe(T0);
    expect(fit.slopePerHour).toBeCloseTo(6, 9);
    expect(fit.intercept).toBeCloseTo(40, 9);
    expect(fit.rSquared).toBeCloseTo(1, 9);
    expect(valueAt(fit, T0 + HOUR)).toBeCloseTo(46, 9);
    expect(valueAt(fit, T0 + HOUR / 2)).toBeCloseTo(43, 9);
  });

  it('handles a falling line and uneven spacing', () => {
    const times = [0, 5, 6, 30, 31, 59].map((m) => T0 + m * 60_000);
    const fit = fitLine(times.map((t) => [t, 100 - 12 * ((t - T0) / HOUR)] as const))!;
    expect(fit.slopePerHour).toBeCloseTo(-12, 9);
    expect(fit.intercept).toBeCloseTo(100, 9);
  });

  it('matches simple-statistics on noisy data', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const points = Array.from(
      { length: 200 },
      (_, i) => [T0 + i * 15_000, 50 + 3 * ((i * 15_000) / HOUR) + 4 * rand()] as [number, number],
    );
    const fit = fitLine(points)!;
    const xy = points.map(([t, v]) => [(t - T0) / HOUR, v]);
    const ref = linearRegression(xy);
    expect(fit.slopePerHour).toBeCloseTo(ref.m, 9);
    expect(fit.intercept).toBeCloseTo(ref.b, 9);
    expect(fit.rSquared).toBeCloseTo(
      rSquared(xy, (x) => ref.m * x + ref.b),
      9,
    );
    expect(fit.rSquared).toBeGreaterThan(0);
    expect(fit.rSquared).toBeLessThan(1);
  });

  it("agrees with the core's trend analysis on slope and R²", () => {
    const points = Array.from(
      { length: 60 },
      (_, i) => [T0 + i * 60_000, 80 + 2 * i + (i % 3) * 5] as [number, number],
    );
    const client = fitLine(points)!;
    const core = fitTrend('latency', points)!;
    expect(client.slopePerHour).toBeCloseTo(core.slopePerHour, 6);
    expect(client.intercept).toBeCloseTo(core.intercept, 6);
    expect(client.rSquared).toBeCloseTo(core.rSquared, 6);
  });

  it('calls a flat series a perfect flat fit', () => {
    const fit = fitLine([
      [T0, 5],
      [T0 + 1000, 5],
      [T0 + 2000, 5],
    ])!;
    expect(fit.slopePerHour).toBe(0);
    expect(fit.intercept).toBe(5);
    expect(fit.rSquared).toBe(1);
  });

  it('gives no fit for fewer than two points or a single instant', () => {
    expect(fitLine([])).toBeNull();
    expect(fitLine([[T0, 1]])).toBeNull();
    expect(
      fitLine([
        [T0, 1],
        [T0, 3],
      ]),
    ).toBeNull();
  });
});
