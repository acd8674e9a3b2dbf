// Seeded synthetic series for the anomaly tests: a daily cycle, a weekly dip, noise, and
// anomalies injected at known rows, so precision, recall and delay can be measured.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A Monday, 00:00 UTC. */
export const T0 = Date.UTC(2024, 0, 1);

/** Mulberry32: a small seeded PRNG (tests never use Math.random). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from a uniform source (Box–Muller). */
export function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export type AnomalyKind = 'spike' | 'dip' | 'shift';

export interface Injected {
  kind: AnomalyKind;
  /** First row of the anomaly. */
  start: number;
  /** Rows it lasts (a shift lasts to the end). */
  length: number;
}

export interface Synthetic {
  timestamps: number[];
  values: number[];
  injected: Injected[];
}

export interface SyntheticSpec {
  seed: number;
  days: number;
  stepMs: number;
  base?: number;
  /** Daily amplitude. */
  daily?: number;
  /** Weekend level change. */
  weekend?: number;
  noise?: number;
  /** Anomalies per kind, placed after the first `skipDays`. */
  spikes?: number;
  dips?: number;
  shifts?: number;
  /** Size of an anomaly in noise σ. */
  size?: number;
  skipDays?: number;
}

/** A seeded series; anomalies are well apart (at least a day between two). */
export function synthetic(spec: SyntheticSpec): Synthetic {
  const u = prng(spec.seed);
  const g = gaussian(u);
  const base = spec.base ?? 50;
  const daily = spec.daily ?? 20;
  const noise = spec.noise ?? 1;
  const size = (spec.size ?? 12) * noise;
  const rows = Math.round((spec.days * DAY) / spec.stepMs);
  const perDay = DAY / spec.stepMs;
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < rows; i++) {
    const ts = T0 + i * spec.stepMs;
    const dayFrac = (ts % DAY) / DAY;
    const weekday = Math.floor((ts - T0) / DAY) % 7;
    const weekend = weekday >= 5 ? (spec.weekend ?? 0) : 0;
    timestamps.push(ts);
    values.push(base + daily * Math.sin(2 * Math.PI * dayFrac) + weekend + noise * g());
  }
  const kinds: AnomalyKind[] = [
    ...Array<AnomalyKind>(spec.spikes ?? 0).fill('spike'),
    ...Array<AnomalyKind>(spec.dips ?? 0).fill('dip'),
    ...Array<AnomalyKind>(spec.shifts ?? 0).fill('shift'),
  ];
  const first = Math.round((spec.skipDays ?? 2) * perDay);
  const gap = Math.floor((rows - first) / Math.max(1, kinds.length));
  const injected: Injected[] = [];
  // Shifts last: each stays to the end of the series, so they come after the rest.
  kinds.forEach((kind, k) => {
    const start = first + k * gap + Math.floor(u() * (gap / 2));
    const length = kind === 'shift' ? rows - start : 1 + Math.floor(u() * 3);
    const delta = kind === 'dip' ? -size : size;
    for (let i = start; i < start + length && i < rows; i++) values[i]! += delta;
    injected.push({ kind, start, length });
  });
  return { timestamps, values, injected };
}

export interface Quality {
  precision: number;
  recall: number;
  /** Mean rows from an anomaly's start to its first flagged row, over those found. */
  meanDelay: number;
  maxDelay: number;
  episodes: number;
  falseEpisodes: number;
}

/**
 * Episode-level quality: an injected anomaly is found when a flagged row falls within
 * `window` rows of its start; an episode is true when it starts within `window` rows of one.
 */
export function quality(
  injected: readonly Injected[],
  flagged: ArrayLike<number>,
  episodeStarts: readonly number[],
  window: number,
): Quality {
  const delays: number[] = [];
  for (const a of injected) {
    for (let i = a.start; i < Math.min(flagged.length, a.start + window); i++) {
      if (flagged[i]) {
        delays.push(i - a.start);
        break;
      }
    }
  }
  const near = (row: number) => injected.some((a) => row >= a.start && row < a.start + window);
  const falseEpisodes = episodeStarts.filter((r) => !near(r)).length;
  return {
    recall: injected.length ? delays.length / injected.length : 1,
    precision: episodeStarts.length ? 1 - falseEpisodes / episodeStarts.length : 1,
    meanDelay: delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : NaN,
    maxDelay: delays.length ? Math.max(...delays) : NaN,
    episodes: episodeStarts.length,
    falseEpisodes,
  };
}
