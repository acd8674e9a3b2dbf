import { describe, it, expect } from 'vitest';
import {
  fitTrend,
  MIN_PERCENT_POINTS_PER_HOUR,
  MIN_RELATIVE_CHANGE,
  MIN_TREND_POINTS,
  SIGNIFICANCE,
} from '../../electron/core/analysis/regression.js';
import { incompleteBeta, twoSidedPValue } from '../../shared/student-t.js';
import { polarityOf } from '../../electron/core/analysis/polarity.js';

const H = 3_600_000;
const T = 1_700_000_000_000;

/** Points one every `everyH` hours, value f(x in hours). */
function series(n: number, f: (x: number, i: number) => number, everyH = 1): [number, number][] {
  return Array.from({ length: n }, (_, i) => [T + i * everyH * H, f(i * everyH, i)]);
}

/** Deterministic noise in [-1, 1]. */
const noise = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

describe('fitTrend', () => {
  it('needs at least 10 points', () => {
    expect(MIN_TREND_POINTS).toBe(10);
    expect(fitTrend('cpu_usage', [])).toBeNull();
    expect(
      fitTrend(
        'cpu_usage',
        series(9, (x) => 2 * x),
      ),
    ).toBeNull();
    expect(
      fitTrend(
        'cpu_usage',
        series(10, (x) => 2 * x),
      ),
    ).not.toBeNull();
  });

  it('fits y = 2x (x in hours) exactly: slope 2/h, R² 1, p ≈ 0', () => {
    const fit = fitTrend(
      'cpu_usage',
      series(10, (x) => 2 * x),
    )!;
    expect(fit.points).toBe(10);
    expect(fit.slopePerHour).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(0, 10);
    expect(fit.rSquared).toBeCloseTo(1, 12);
    expect(fit.pValue).toBeLessThan(1e-12);
    // Over 9 h the line rises 18, against a mean of 9.
    expect(fit.relativeChange).toBeCloseTo(2, 10);
    expect(fit.direction).toBe('degrading');
  });

  it('measures x from the first point in hours whatever the spacing', () => {
    // One point every 6 minutes, rising 3 an hour from 100.
    const fit = fitTrend(
      'throughput_rps',
      series(30, (x) => 100 + 3 * x, 0.1),
    )!;
    expect(fit.slopePerHour).toBeCloseTo(3, 10);
    expect(fit.intercept).toBeCloseTo(100, 10);
    // Span 2.9 h: change 8.7 against a mean of 104.35.
    expect(fit.relativeChange).toBeCloseTo(8.7 / 104.35, 10);
    expect(fit.direction).toBe('improving');
  });

  it('alternating noise on a flat line is stable and not significant', () => {
    const fit = fitTrend(
      'cpu_usage',
      series(20, (_x, i) => 50 + (i % 2 ? 1 : -1)),
    )!;
    // slope = Σ(x−x̄)y / Σ(x−x̄)² = 10 / 665.
    expect(fit.slopePerHour).toBeCloseTo(10 / 665, 12);
    expect(fit.pValue).toBeGreaterThan(0.5);
    expect(fit.direction).toBe('stable');
  });

  it('a perfectly flat line is stable with p = 1', () => {
    const fit = fitTrend(
      'response_time',
      series(12, () => 42),
    )!;
    expect(fit.slopePerHour).toBe(0);
    expect(fit.pValue).toBe(1);
    expect(fit.relativeChange).toBe(0);
    expect(fit.direction).toBe('stable');
  });

  it('pseudo-random noise around a flat line is stable', () => {
    const fit = fitTrend(
      'latency',
      series(60, (_x, i) => 200 + 5 * noise(i), 1 / 60),
    )!;
    expect(fit.direction).toBe('stable');
  });

  it('rising cpu_usage (lower is better) is degrading', () => {
    const fit = fitTrend(
      'cpu_usage',
      series(24, (x, i) => 20 + 1.5 * x + noise(i)),
    )!;
    expect(fit.slopePerHour).toBeCloseTo(1.5, 1);
    expect(fit.pValue).toBeLessThan(SIGNIFICANCE);
    expect(fit.direction).toBe('degrading');
  });

  it('rising throughput_rps (higher is better) is improving', () => {
    const fit = fitTrend(
      'throughput_rps',
      series(24, (x, i) => 500 + 20 * x + 3 * noise(i)),
    )!;
    expect(fit.direction).toBe('improving');
  });

  it('falling response_time (lower is better) is improving; rising is degrading', () => {
    expect(
      fitTrend(
        'response_time',
        series(24, (x, i) => 300 - 5 * x + noise(i)),
      )!.direction,
    ).toBe('improving');
    expect(
      fitTrend(
        'response_time',
        series(24, (x, i) => 300 + 5 * x + noise(i)),
      )!.direction,
    ).toBe('degrading');
  });

  it('falling availability (higher is better) is degrading', () => {
    const fit = fitTrend(
      'availability',
      series(24, (x) => 1 - 0.002 * x),
    )!;
    expect(fit.direction).toBe('degrading');
  });

  it('a tiny slope that is significant but moves the value under 2 % is stable', () => {
    // +0.1 an hour on 1000 over 9.8 h: ~0.1 % change, tiny noise so p ≈ 0.
    const fit = fitTrend(
      'cpu_usage',
      series(50, (x, i) => 1000 + 0.1 * x + (i % 2 ? 0.01 : -0.01), 0.2),
    )!;
    expect(MIN_RELATIVE_CHANGE).toBe(0.02);
    expect(fit.pValue).toBeLessThan(1e-6);
    expect(Math.abs(fit.relativeChange)).toBeLessThan(MIN_RELATIVE_CHANGE);
    expect(fit.relativeChange).toBeCloseTo(0.98 / 1000.49, 4);
    expect(fit.direction).toBe('stable');
  });

  it('a relative change just above 2 % with significance is a trend', () => {
    // +0.25/h on 100 over 9 h ≈ 2.2 % of a mean of 101.125.
    const fit = fitTrend(
      'cpu_usage',
      series(10, (x) => 100 + 0.25 * x),
    )!;
    expect(fit.relativeChange).toBeCloseTo(2.25 / 101.125, 10);
    expect(fit.direction).toBe('degrading');
  });

  it('a percentage growing 0.9 points an hour is degrading, though only 1.5 % of its mean', () => {
    // A disk at 60 % filling 0.9 points an hour (one point a minute for an hour, light noise).
    const disk = series(61, (x, i) => 60 + 0.9 * x + 0.05 * noise(i), 1 / 60);
    const fit = fitTrend('disk_usage', disk, '%')!;
    expect(MIN_PERCENT_POINTS_PER_HOUR).toBe(0.5);
    expect(fit.slopePerHour).toBeCloseTo(0.9, 1);
    expect(fit.pValue).toBeLessThan(1e-9);
    expect(Math.abs(fit.relativeChange)).toBeLessThan(MIN_RELATIVE_CHANGE);
    expect(fit.direction).toBe('degrading');
    // The same numbers in a unit without a fixed scale: only the relative rule, so stable.
    expect(fitTrend('disk_usage', disk, '')!.direction).toBe('stable');
    // A free-space percentage falling as fast (higher is better) is degrading too.
    const free = series(61, (x, i) => 40 - 0.9 * x + 0.05 * noise(i), 1 / 60);
    expect(fitTrend('disk_free', free, '%')!.direction).toBe('degrading');
  });

  it('a percentage moving under 0.5 points an hour and under 2 % of its mean is stable', () => {
    const fit = fitTrend(
      'disk_usage',
      series(61, (x, i) => 60 + 0.4 * x + 0.05 * noise(i), 1 / 60),
      '%',
    )!;
    expect(fit.pValue).toBeLessThan(1e-9);
    expect(fit.direction).toBe('stable');
  });

  it('a low percentage still trends by the relative rule (packet loss doubling)', () => {
    const fit = fitTrend(
      'packet_loss',
      series(61, (x, i) => 0.1 + 0.1 * x + 0.002 * noise(i), 1 / 60),
      '%',
    )!;
    expect(Math.abs(fit.slopePerHour)).toBeLessThan(MIN_PERCENT_POINTS_PER_HOUR);
    expect(fit.direction).toBe('degrading');
  });

  it('a steep percentage slope that is not significant stays stable', () => {
    // Big alternating noise: the fitted slope is over 0.5 points an hour, p is far above 0.05.
    const fit = fitTrend(
      'cpu_usage',
      series(12, (x, i) => 50 + 0.6 * x + (i % 2 ? 20 : -20), 1 / 60),
      '%',
    )!;
    expect(Math.abs(fit.slopePerHour)).toBeGreaterThan(MIN_PERCENT_POINTS_PER_HOUR);
    expect(fit.pValue).toBeGreaterThan(0.05);
    expect(fit.direction).toBe('stable');
  });

  it('all points at one time: no slope can be measured, stable', () => {
    const pts = Array.from({ length: 10 }, (_, i) => [T, i] as [number, number]);
    const fit = fitTrend('cpu_usage', pts)!;
    expect(fit.pValue).toBe(1);
    expect(fit.direction).toBe('stable');
  });
});

describe('student-t', () => {
  it('t = 0 gives p = 1', () => {
    for (const df of [1, 2, 5, 30, 1000]) expect(twoSidedPValue(0, df)).toBe(1);
  });

  it('matches tables: t = 2.228 with 10 df and t = 1.96 with 1000 df give p ≈ 0.05', () => {
    expect(Math.abs(twoSidedPValue(2.228, 10) - 0.05)).toBeLessThan(0.001);
    expect(Math.abs(twoSidedPValue(1.96, 1000) - 0.05)).toBeLessThan(0.001);
    // t(0.995, 5) = 4.032 → p = 0.01; t(0.95, 20) = 1.725 → p = 0.10.
    expect(Math.abs(twoSidedPValue(4.032, 5) - 0.01)).toBeLessThan(0.0005);
    expect(Math.abs(twoSidedPValue(1.725, 20) - 0.1)).toBeLessThan(0.001);
  });

  it('matches closed forms for 1 and 2 degrees of freedom', () => {
    // df = 1 (Cauchy): p = 1 − 2·atan(|t|)/π; df = 2: p = 1 − |t|/√(2 + t²).
    for (const t of [0.1, 0.5, 1, 2, 5, 20]) {
      expect(twoSidedPValue(t, 1)).toBeCloseTo(1 - (2 * Math.atan(t)) / Math.PI, 9);
      expect(twoSidedPValue(t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 9);
    }
    expect(twoSidedPValue(1, 1)).toBeCloseTo(0.5, 10);
  });

  it('is symmetric in t and 0 for an infinite t', () => {
    expect(twoSidedPValue(-2.228, 10)).toBe(twoSidedPValue(2.228, 10));
    expect(twoSidedPValue(Infinity, 3)).toBe(0);
    expect(twoSidedPValue(-Infinity, 3)).toBe(0);
  });

  it('incompleteBeta meets I_x(a,b) = 1 − I_{1−x}(b,a) and closed forms', () => {
    for (const [x, a, b] of [
      [0.3, 2, 5],
      [0.7, 0.5, 0.5],
      [0.05, 10, 0.5],
      [0.9, 3.5, 1.25],
      [0.5, 20, 20],
    ] as const) {
      expect(incompleteBeta(x, a, b)).toBeCloseTo(1 - incompleteBeta(1 - x, b, a), 10);
    }
    // I_x(1,1) = x, I_x(a,1) = x^a, I_x(1,b) = 1 − (1−x)^b, I_½(a,a) = ½.
    expect(incompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 10);
    expect(incompleteBeta(0.6, 3, 1)).toBeCloseTo(0.216, 10);
    expect(incompleteBeta(0.6, 1, 3)).toBeCloseTo(1 - 0.4 ** 3, 10);
    expect(incompleteBeta(0.5, 7, 7)).toBeCloseTo(0.5, 10);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });
});

describe('polarityOf', () => {
  it('lower is better for usage, latency and errors', () => {
    for (const m of [
      'response_time',
      'error_rate',
      'latency',
      'cpu_usage',
      'memory_usage',
      'disk_usage',
      'queue_depth',
    ])
      expect(polarityOf(m), m).toBe('lower_is_better');
  });

  it('higher is better for throughput-like figures', () => {
    for (const m of [
      'throughput',
      'throughput_rps',
      'requests_per_second',
      'availability',
      'uptime_seconds',
      'cache_hit_rate',
      'memory_free',
      'disk_available_bytes',
    ])
      expect(polarityOf(m), m).toBe('higher_is_better');
  });
});
