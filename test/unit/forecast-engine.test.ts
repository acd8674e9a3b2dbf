import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../../agent/prng.js';
import { HOUR_MS, SERIES_START, syntheticSeries } from '../../bench/forecast-series.js';
import { pickBest, planFolds, runBacktest } from '../../electron/core/forecast/backtest.js';
import {
  leaveOneFoldOutCoverage,
  leaveOneFoldOutCoverages,
} from '../../electron/core/forecast/calibration.js';
import { forecastSeries } from '../../electron/core/forecast/forecast.js';
import type { Candidate } from '../../electron/core/forecast/models.js';
import type { ForecastOk, ForecastResult } from '../../electron/core/forecast/types.js';

const DAY = 24 * HOUR_MS;

function ok(r: ForecastResult): ForecastOk {
  if (r.status !== 'ok') throw new Error(`expected a forecast, got ${JSON.stringify(r)}`);
  return r;
}

/** Held-out share of the next `h` true values inside the 95 % band, pooled over series. */
function heldOutCoverage(seeds: number[], effort: 'fast' | 'full') {
  let inside = 0;
  let total = 0;
  for (const seed of seeds) {
    const s = syntheticSeries(seed, { points: 720 + 168 });
    const f = ok(
      forecastSeries(
        { timestamps: s.timestamps.slice(0, 720), values: s.values.slice(0, 720) },
        { effort },
      ),
    );
    const band = f.bands.find((b) => b.level === 0.95)!;
    for (let k = 0; k < 168; k++) {
      const v = s.values[720 + k]!;
      total++;
      if (v >= band.lower[k]! && v <= band.upper[k]!) inside++;
    }
  }
  return inside / total;
}

describe('forecastSeries', () => {
  it('recovers a known slope within 5 % (30 d hourly, daily cycle, noise)', () => {
    for (const effort of ['fast', 'full'] as const) {
      for (const seed of [11, 12, 13]) {
        const s = syntheticSeries(seed, { points: 720, slope: 0.04, amplitude: 5, noise: 0.5 });
        const f = ok(forecastSeries(s, { effort }));
        const perStep = f.growthPerDay / 24;
        const error = Math.abs(perStep - s.slope) / s.slope;
        console.log(
          `slope ${effort} seed ${seed}: ${perStep.toFixed(5)} vs ${s.slope} (${(error * 100).toFixed(2)} %, ${f.model})`,
        );
        expect(error).toBeLessThan(0.05);
      }
    }
  });

  it('holds 90–99 % of held-out points in its 95 % band over 200 seeded series', () => {
    const seeds = Array.from({ length: 200 }, (_, i) => 1000 + i);
    const coverage = heldOutCoverage(seeds, 'fast');
    console.log(
      `95 % band held-out coverage over 200 series (fast): ${(coverage * 100).toFixed(2)} %`,
    );
    expect(coverage).toBeGreaterThanOrEqual(0.9);
    expect(coverage).toBeLessThanOrEqual(0.99);
  });

  it('holds 90–99 % at full effort (MSTL+ETS among the candidates) over 20 series', () => {
    const coverage = heldOutCoverage(
      Array.from({ length: 20 }, (_, i) => 5000 + i),
      'full',
    );
    console.log(
      `95 % band held-out coverage over 20 series (full): ${(coverage * 100).toFixed(2)} %`,
    );
    expect(coverage).toBeGreaterThanOrEqual(0.9);
    expect(coverage).toBeLessThanOrEqual(0.99);
  });

  it('bands widen with the horizon and nest (80 % inside 95 %)', () => {
    const f = ok(forecastSeries(syntheticSeries(7, { points: 720 })));
    const [b80, b95] = f.bands;
    const width = (k: number) => b95!.upper[k]! - b95!.lower[k]!;
    expect(width(167)).toBeGreaterThan(width(0));
    for (let k = 1; k < 168; k++) expect(width(k)).toBeGreaterThanOrEqual(width(k - 1) - 1e-9);
    for (let k = 0; k < 168; k++) {
      expect(b80!.lower[k]!).toBeGreaterThanOrEqual(b95!.lower[k]!);
      expect(b80!.upper[k]!).toBeLessThanOrEqual(b95!.upper[k]!);
    }
    expect(f.backtest.coverage95).toBeGreaterThan(0.8);
  });

  it('refuses a series below 24 points with the count it needs', () => {
    const s = syntheticSeries(1, { points: 23 });
    const r = forecastSeries(s);
    expect(r).toMatchObject({ status: 'insufficient_data', points: 23, needed: 24 });
    if (r.status === 'insufficient_data') expect(r.reason).toMatch(/at least 24 points.*has 23/);
    expect(forecastSeries(syntheticSeries(1, { points: 24 })).status).toBe('ok');
  });

  it('detects daily seasonality on a daily series and none on white noise', () => {
    const daily = ok(forecastSeries(syntheticSeries(3, { points: 240, amplitude: 4, noise: 1 })));
    expect(daily.seasonality.periods).toEqual([24]);
    const random = seededRandom(99);
    const noise = syntheticSeries(3, { points: 720, slope: 0, amplitude: 0, noise: 0 });
    const white = ok(
      forecastSeries({
        timestamps: noise.timestamps,
        values: noise.values.map(() => gaussian(random)),
      }),
    );
    expect(white.seasonality.periods).toEqual([]);
    expect(white.seasonality.daily).toBe(false);
  });

  it('detects weekly seasonality only with two weeks of data', () => {
    const random = seededRandom(5);
    const weekly = (n: number) => {
      const timestamps = Array.from({ length: n }, (_, i) => SERIES_START + i * HOUR_MS);
      const values = timestamps.map((_, i) => {
        const weekend = Math.floor(i / 24) % 7 >= 5 ? -8 : 0;
        return 50 + weekend + 3 * Math.sin((2 * Math.PI * i) / 24) + 0.5 * gaussian(random);
      });
      return { timestamps, values };
    };
    const four = ok(forecastSeries(weekly(24 * 28)));
    expect(four.seasonality.weekly).toBe(true);
    expect(four.seasonality.periods).toContain(168);
    const ten = ok(forecastSeries(weekly(24 * 10)));
    expect(ten.seasonality.weekly).toBe(false);
  });

  it('fills gaps by interpolation and says how many points it made up', () => {
    const s = syntheticSeries(4, { points: 240 });
    const keep = s.timestamps.map((_, i) => i < 100 || i >= 110);
    const f = ok(
      forecastSeries({
        timestamps: s.timestamps.filter((_, i) => keep[i]),
        values: s.values.filter((_, i) => keep[i]),
      }),
    );
    expect(f.stepMs).toBe(HOUR_MS);
    expect(f.history).toEqual({ points: 230, filled: 10, used: 240 });
  });

  it('forecasts one row per input step over the horizon (1 h to 30 d)', () => {
    const s = syntheticSeries(2, { points: 720 });
    expect(ok(forecastSeries(s)).point).toHaveLength(168);
    expect(ok(forecastSeries(s, { horizonMs: HOUR_MS, effort: 'fast' })).point).toHaveLength(1);
    const month = ok(forecastSeries(s, { horizonMs: 30 * DAY, effort: 'fast' }));
    expect(month.timestamps).toHaveLength(720);
    expect(month.timestamps[0]).toBe(s.timestamps[719]! + HOUR_MS);
    expect(month.backtest.calibratedSteps).toBe(240);
    expect(() => forecastSeries(s, { horizonMs: 31 * DAY })).toThrow(
      /horizon must be from 1 h to 30 d/,
    );
    expect(() => forecastSeries(s, { levels: [1.2] })).toThrow(/interval level/);
  });
});

describe('days until a threshold', () => {
  const fill = (slope: number, start: number) => {
    const random = seededRandom(21);
    const timestamps = Array.from({ length: 240 }, (_, i) => SERIES_START + i * HOUR_MS);
    return {
      timestamps,
      values: timestamps.map((_, i) => start + slope * i + 0.2 * gaussian(random)),
    };
  };

  it('a linear fill crosses 90 % when the line says, earliest ≤ likely ≤ latest', () => {
    const s = fill(0.1, 50); // 50 % + 0.1 %/h: at the last point ≈ 73.9 %, 90 % about 161 h later
    const f = ok(
      forecastSeries(s, { threshold: { value: 90 }, effort: 'fast', horizonMs: 14 * DAY }),
    );
    const t = f.threshold!;
    expect(t.direction).toBe('rising');
    expect(t.alreadyCrossed).toBe(false);
    const expectedDays = (90 - (50 + 0.1 * 239)) / 0.1 / 24;
    expect(Math.abs(t.likely!.days - expectedDays)).toBeLessThan(0.1 * expectedDays);
    expect(t.earliest!.days).toBeLessThanOrEqual(t.likely!.days);
    expect(t.latest!.days).toBeGreaterThanOrEqual(t.likely!.days);
    expect(t.likely!.at).toBeCloseTo(f.origin + t.likely!.days * DAY, 0);
  });

  it('says "not within the horizon" (null) for a far threshold', () => {
    const f = ok(forecastSeries(fill(0.1, 50), { threshold: { value: 1000 }, effort: 'fast' }));
    expect(f.threshold).toMatchObject({
      earliest: null,
      likely: null,
      latest: null,
      alreadyCrossed: false,
    });
  });

  it('handles a falling series towards a floor, and one already past it', () => {
    const falling = ok(
      forecastSeries(fill(-0.1, 80), { threshold: { value: 50 }, effort: 'fast' }),
    );
    const t = falling.threshold!;
    expect(t.direction).toBe('falling');
    const expectedDays = (80 - 0.1 * 239 - 50) / 0.1 / 24;
    expect(Math.abs(t.likely!.days - expectedDays)).toBeLessThan(0.1 * expectedDays);
    expect(t.earliest!.days).toBeLessThanOrEqual(t.likely!.days);
    const past = ok(
      forecastSeries(fill(0.1, 50), {
        threshold: { value: 60, direction: 'rising' },
        effort: 'fast',
      }),
    );
    expect(past.threshold).toMatchObject({ alreadyCrossed: true, likely: { days: 0 } });
  });
});

describe('backtest cost at full effort', () => {
  /** 30 d hourly whose slope changes after day 20: MSTL+ETS's local trend wins it. */
  const slopeChange = (seed: number) => {
    const random = seededRandom(seed);
    const timestamps = Array.from({ length: 720 }, (_, i) => SERIES_START + i * HOUR_MS);
    const values = timestamps.map(
      (_, i) =>
        40 +
        (i < 480 ? 0.01 * i : 4.8 + 0.08 * (i - 480)) +
        3 * Math.sin((2 * Math.PI * i) / 24) +
        0.4 * gaussian(random),
    );
    return { timestamps, values };
  };

  it('fits the WASM candidates on the two most recent folds only, compared on those', () => {
    const y = Float64Array.from({ length: 240 }, (_, i) => i);
    const plan = planFolds(240, 48, 3, 24);
    expect(plan.origins).toHaveLength(3);
    const origins: Record<string, number[]> = { line: [], costly: [] };
    // `line` forecasts the straight line exactly; `costly` is off by 1 on the last two folds
    // and would be off by 100 on the oldest, which it must not be scored on.
    const candidate = (name: 'line' | 'costly', recentFolds?: number): Candidate => ({
      name: name === 'line' ? 'linear_trend' : 'mstl_ets',
      minTrain: 2,
      ...(recentFolds ? { recentFolds } : {}),
      forecast: (train, h) => {
        origins[name]!.push(train.length);
        const off = name === 'line' ? 0 : train.length === plan.origins[0] ? 100 : -1;
        return Float64Array.from({ length: h }, (_, k) => train.length + k + off);
      },
    });
    const scored = runBacktest(y, plan, [candidate('line'), candidate('costly', 2)], []);
    expect(origins.line).toEqual(plan.origins);
    expect(origins.costly).toEqual(plan.origins.slice(1));
    expect(scored[1]!.errors).toHaveLength(2);
    expect(scored[1]!.mae).toBeCloseTo(1, 12);
    expect(pickBest(scored)!.candidate.name).toBe('linear_trend');
    // Reversed: a candidate better on the shared (recent) folds wins though it has fewer.
    const better: Candidate = { ...candidate('line'), name: 'mstl_ets', recentFolds: 2 };
    const worse: Candidate = {
      name: 'damped_trend',
      minTrain: 2,
      forecast: (train, h) => Float64Array.from({ length: h }, (_, k) => train.length + k + 0.5),
    };
    expect(pickBest(runBacktest(y, plan, [worse, better], []))!.candidate.name).toBe('mstl_ets');
  });

  it('a forecast MSTL+ETS wins is calibrated on its two folds and says so', () => {
    const f = ok(forecastSeries(slopeChange(31), { effort: 'full' }));
    expect(f.model).toBe('mstl_ets');
    expect(f.backtest.folds).toBe(2);
    const mstl = f.backtest.candidates.find((c) => c.model === 'mstl_ets')!;
    expect(mstl.mase).toBeCloseTo(f.backtest.mase, 12);
    expect(f.backtest.coverage95).toBeGreaterThan(0.5);
    expect(f.bands[1]!.upper[0]!).toBeGreaterThan(f.point[0]!);
    // A closed-form winner keeps every fold of the plan.
    const line = ok(forecastSeries(syntheticSeries(11, { points: 720 }), { effort: 'full' }));
    expect(line.model).toBe('linear_trend');
    expect(line.backtest.folds).toBe(3);
  });

  it('one leave-one-fold-out pass gives every level what a pass per level gives', () => {
    const random = seededRandom(8);
    const errors = Array.from({ length: 4 }, () =>
      Float64Array.from({ length: 50 }, (_, k) => (1 + k / 10) * gaussian(random)),
    );
    const both = leaveOneFoldOutCoverages(errors, [0.8, 0.95]);
    expect(both.get(0.8)).toBe(leaveOneFoldOutCoverage(errors, 0.8));
    expect(both.get(0.95)).toBe(leaveOneFoldOutCoverage(errors, 0.95));
    expect(both.get(0.95)!).toBeGreaterThan(both.get(0.8)!);
  });
});
