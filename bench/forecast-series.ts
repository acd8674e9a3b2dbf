// Seeded synthetic rollup series for the forecast tests and bench: a linear trend, a daily
// cycle and Gaussian noise, with every parameter drawn from the seed, so a figure can be
// reproduced exactly.
import { gaussian, seededRandom } from '../agent/prng.js';

export const HOUR_MS = 3_600_000;
/** A fixed origin, so series never depend on the clock. */
export const SERIES_START = Date.UTC(2025, 0, 6);

export interface SyntheticSeries {
  timestamps: number[];
  values: number[];
  /** The trend's slope per step. */
  slope: number;
  level: number;
  amplitude: number;
  noise: number;
}

export interface SyntheticShape {
  points: number;
  stepMs?: number;
  /** Steps per daily cycle; 0 for none. */
  period?: number;
  slope?: number;
  level?: number;
  amplitude?: number;
  noise?: number;
}

/** Parameters not given are drawn from the seed (disk-usage-like percentages). */
export function syntheticSeries(seed: number, shape: SyntheticShape): SyntheticSeries {
  const random = seededRandom(seed);
  const stepMs = shape.stepMs ?? HOUR_MS;
  const period = shape.period ?? 24;
  const level = shape.level ?? 20 + 40 * random();
  const slope = shape.slope ?? 0.005 + 0.05 * random();
  const amplitude = shape.amplitude ?? 1 + 6 * random();
  const noise = shape.noise ?? 0.3 + 1.5 * random();
  const phase = 2 * Math.PI * random();
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < shape.points; i++) {
    timestamps.push(SERIES_START + i * stepMs);
    const cycle = period > 0 ? amplitude * Math.sin((2 * Math.PI * i) / period + phase) : 0;
    values.push(level + slope * i + cycle + noise * gaussian(random));
  }
  return { timestamps, values, slope, level, amplitude, noise };
}
