import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../../agent/prng.js';
import { HOUR_MS, SERIES_START, syntheticSeries } from '../../bench/forecast-series.js';
import { forecastSeries } from '../../electron/core/forecast/forecast.js';
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
