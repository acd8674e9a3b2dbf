// The streaming per-series anomaly detector: each sample is scored against a baseline learned
// from the samples before it, then teaches the baseline. O(1) per sample, a fixed ~600 bytes
// per series in two typed arrays, nothing allocated on the hot path.
//
// Baseline (additive Holt-Winters, error-correction form): expected = day[slot] + level
// - day[slot]: the series' usual value in this half hour of the day (48 slots). A slot seen
//   for the first time takes the sample as it is, so a daily pattern — smooth, or a step like
//   a nightly job — is learnt from one day and fits from the next. Later visits refine it
//   (memory ≈ 4 days).
// - level: what the profile does not explain — a trend, a lasting shift — with a time
//   constant of 30 min. It carries the level, the slots only the shape, so a growing series
//   leaves no stale offsets behind. Level and slot share each (clipped) residual.
// - the day of the week: at midnight the level takes the step this weekday usually makes
//   (weekday-steps.ts), so a quiet weekend is expected from its second occurrence on.
// Days start at UTC midnight, shifted by `dayOffsetMs` (a region's UTC offset).
// Spread: the mean absolute deviation of recent residuals (time constant 1 h), with a floor of
// 0.5 % of the series' magnitude, so a flat or perfectly periodic series (spread 0) scores 0
// rather than dividing by zero, and a rounding error is never an anomaly. The score's scale is
// the larger of the spread and the residual that 1 in 20 recent ones exceed (over 2.46, its
// ratio to the spread for Gaussian noise): what recurs — an integer series at 3 reading 4 now
// and then, a 5-minute job every hour — is not rare, however small the spread.
// Robustness: updates take the residual clipped to ±3 spreads, so a spike barely moves the
// baseline; a lasting shift is absorbed within tens of samples, which ends its episode.
// Rates are per unit of time (α = dt / (dt + τ)) with a floor in samples, so the detector
// behaves alike on 1 s samples and on hourly rollups.

import { EpisodeBook, type Episode, type EpisodeEvent } from './episodes.js';
import { Z_HALF, thresholdOf, type Sensitivity } from './sensitivity.js';
import { STEP_BLOCK, expectedStep, learnChange } from './weekday-steps.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SLOTS_PER_DAY = 48;
const SLOT_MS = DAY / SLOTS_PER_DAY;

const TAU_LEVEL = 30 * MINUTE;
const TAU_SPREAD = HOUR;
/** In-slot time: each day adds SLOT_MS, so ≈ 4 days of visits. */
const TAU_SLOT = 4 * SLOT_MS;
// Fewest samples each average spans, whatever the time constant says (see `rate`).
const MIN_SAMPLES_SLOT = 4;
const MIN_SAMPLES_LEVEL = 6;
const MIN_SAMPLES_SPREAD = 32;
/**
 * The 95th percentile of |residual| over the spread (a mean absolute deviation) for Gaussian
 * noise: 1.96 σ / 0.798 σ. The score's scale is the larger of the spread and p95 / this.
 */
const P95_PER_SPREAD = 2.46;
/** How fast the percentile estimate moves, relative to the spread's rate. */
const P95_STEP = 4;
/** Residuals the spread must have learnt from before a series is scored. */
const MIN_RESIDUALS = 8;
/** Residuals are clipped to this many spreads before they teach the baseline. */
const CLIP = 3;
/** The spread never goes below this share of the series' magnitude … */
const RELATIVE_FLOOR = 0.005;
/** … nor below this, for a series that sits at 0. */
const ABSOLUTE_FLOOR = 1e-9;
/** Slot counts stop here (only 1/count matters, and it is negligible by then). */
const COUNT_CAP = 1e6;
/** A day whose samples span less than this is too partial to learn its weekday's step. */
const FULL_DAY = 20 * HOUR;

// Scalars, a Float64Array row per series.
const LAST_TS = 0;
const FIRST_TS = 1;
const SAMPLES = 2;
const LEVEL = 3;
const SPREAD = 4;
const SPREAD_N = 5;
const MAGNITUDE = 6;
const LAST_SLOT = 7;
/** The current day: its number (days since the epoch), first sample, sum and count. */
const DAY_NO = 8;
const DAY_FIRST = 9;
const DAY_SUM = 10;
const DAY_COUNT = 11;
/** The mean of the day before, when it was a full one (else NaN). */
const PREV_MEAN = 12;
/** 1 while an episode may be open: the episode book is touched only then, or on an anomaly. */
const EPISODE = 13;
/** A running estimate of the 95th percentile of |residual|. */
const P95 = 14;
const STRIDE = 15;
// Profile, a Float32Array row per series: each slot's value and count side by side (one
// cache line per sample), then the weekday steps.
const STEPS = 2 * SLOTS_PER_DAY;
const PROFILE = STEPS + STEP_BLOCK;

export const BYTES_PER_SERIES = STRIDE * 8 + PROFILE * 4 + 6 * 8;

export interface DetectorOptions {
  /** Default 'medium'. */
  sensitivity?: Sensitivity;
  /** History a series needs before it is scored at all: default 24 h (every slot of a day). */
  warmupMs?: number;
  /** … and at least this many samples: default 24 (a day of hourly rollups). */
  warmupSamples?: number;
  /** An episode closes after this many normal samples … (default 3) */
  quietSamples?: number;
  /** … and this long since its last anomalous sample (default 5 min). */
  quietMs?: number;
  /** Where days start, as an offset from UTC (e.g. +9 h for Tokyo): default 0. */
  dayOffsetMs?: number;
  /** Hears each episode open and close (not every anomalous sample). */
  onEpisode?: (e: EpisodeEvent) => void;
}

/**
 * The weight of a sample in a time-constant-τ average, dt after the previous sample; never
 * more than 1/minSamples, so coarse samples (hourly rollups) still average over that many.
 */
const rate = (dt: number, tau: number, minSamples: number) =>
  Math.min(dt / (dt + tau), 1 / minSamples);

export class AnomalyDetector {
  private scalars = new Float64Array(0);
  private profiles = new Float32Array(0);
  private readonly handles = new Map<number, number>();
  private readonly keys: number[] = [];
  private readonly episodes: EpisodeBook;
  private readonly warmupMs: number;
  private readonly warmupSamples: number;
  private readonly dayOffsetMs: number;
  private limit: number;

  constructor(options: DetectorOptions = {}) {
    this.limit = thresholdOf(options.sensitivity ?? 'medium');
    this.warmupMs = options.warmupMs ?? DAY;
    this.warmupSamples = options.warmupSamples ?? 24;
    this.dayOffsetMs = options.dayOffsetMs ?? 0;
    this.episodes = new EpisodeBook(
      { quietSamples: options.quietSamples ?? 3, quietMs: options.quietMs ?? 5 * MINUTE },
      options.onEpisode,
    );
  }

  /** The score at or above which a sample is anomalous. */
  get threshold(): number {
    return this.limit;
  }

  setSensitivity(sensitivity: Sensitivity): void {
    this.limit = thresholdOf(sensitivity);
  }

  /** The dense handle of a series (by its store id), made on first use. Keep it: it is O(1). */
  handleOf(seriesId: number): number {
    let h = this.handles.get(seriesId);
    if (h === undefined) {
      h = this.keys.length;
      this.keys.push(seriesId);
      this.handles.set(seriesId, h);
      this.grow(h + 1);
    }
    return h;
  }

  seriesIdOf(handle: number): number | undefined {
    return this.keys[handle];
  }

  get seriesCount(): number {
    return this.keys.length;
  }

  /**
   * Score one sample of a series, then learn from it. Returns the anomaly score in [0, 1]
   * (0 while the series warms up), or NaN for a sample it cannot use (not finite, or not
   * newer than the last one).
   */
  observe(handle: number, ts: number, value: number): number {
    const s = this.scalars;
    const p = this.profiles;
    const b = handle * STRIDE;
    const q = handle * PROFILE;
    if (!Number.isFinite(value) || !(ts > s[b + LAST_TS]!)) return NaN;
    const local = ts + this.dayOffsetMs;
    const dayNo = Math.floor(local / DAY);
    const slot = Math.floor((local - dayNo * DAY) / SLOT_MS);
    const seen = s[b + SAMPLES]!;
    if (seen === 0) {
      s[b + FIRST_TS] = ts;
      s[b + MAGNITUDE] = Math.abs(value);
      s[b + PREV_MEAN] = NaN;
      this.startDay(b, dayNo, ts);
      p[q + 2 * slot] = value;
      p[q + 2 * slot + 1] = 1;
      this.finish(b, ts, slot, 1);
      return 0;
    }
    if (dayNo !== s[b + DAY_NO]!) this.newDay(b, q, dayNo, ts);
    const dt = ts - s[b + LAST_TS]!;
    const slotN = p[q + 2 * slot + 1]!;
    // A slot not seen yet carries on from the last one until it has learnt its own value.
    const day = slotN === 0 ? p[q + 2 * s[b + LAST_SLOT]!]! : p[q + 2 * slot]!;
    const level = s[b + LEVEL]!;
    const expected = day + level;
    const residual = value - expected;
    const magnitude = s[b + MAGNITUDE]!;
    const floor = RELATIVE_FLOOR * magnitude + ABSOLUTE_FLOOR;
    const spread = s[b + SPREAD]! > floor ? s[b + SPREAD]! : floor;
    const absResidual = residual < 0 ? -residual : residual;
    // A residual as large as 1 in 20 recent ones is not rare, however small the spread: an
    // integer series at 3 that reads 4 now and then, a 5-minute job every hour.
    const common = s[b + P95]! / P95_PER_SPREAD;
    const z = absResidual / (spread > common ? spread : common);
    const warm = this.warmAt(b, ts);
    const score = warm ? (z * z) / (z * z + Z_HALF * Z_HALF) : 0;

    // Learn. A slot seen for the first time takes the value as it is; otherwise the slot and
    // the level share the clipped residual.
    // No clipping until the series is warm and its spread has been learnt from enough
    // residuals: clipped to a spread still near 0, a slot first met at a peak would stay there
    // and push the level away.
    const clip =
      warm && s[b + SPREAD_N]! >= MIN_SAMPLES_SPREAD ? CLIP * spread : Number.POSITIVE_INFINITY;
    const c = residual > clip ? clip : residual < -clip ? -clip : residual;
    if (slotN === 0) {
      // A slot's first value becomes its norm, unless it is anomalous: then the slot starts
      // from the norm carried on, or a spike that happens to open a slot becomes that slot's
      // norm and the normal values after it look anomalous (the episode would not close).
      p[q + 2 * slot] = warm && score >= this.limit ? day : value - level;
    } else {
      const as = Math.max(1 / (slotN + 1), rate(dt, TAU_SLOT, MIN_SAMPLES_SLOT));
      // Through the first day every slot is on its first visit, learning its mean: the level
      // stays put, or it would take a share of each slot's settling and drift away.
      const al = ts - s[b + FIRST_TS]! < DAY ? 0 : rate(dt, TAU_LEVEL, MIN_SAMPLES_LEVEL);
      // Shares never add up to more than the residual.
      const k = as + al > 1 ? 1 / (as + al) : 1;
      p[q + 2 * slot] = day + k * as * c;
      s[b + LEVEL] = level + k * al * c;
      // The spread learns from residuals of a seen slot only: a first visit is no forecast.
      const spreadN = s[b + SPREAD_N]! + 1;
      const ar = Math.max(1 / spreadN, rate(dt, TAU_SPREAD, MIN_SAMPLES_SPREAD));
      const r = absResidual < clip ? absResidual : clip;
      s[b + SPREAD] = s[b + SPREAD]! + ar * (r - s[b + SPREAD]!);
      s[b + SPREAD_N] = spreadN;
      // The percentile steps up by a share on a residual above it and down by 1/19 of that
      // share below it, so it settles where 5 % of residuals exceed it.
      const p95 = s[b + P95]! > 0 ? s[b + P95]! : s[b + SPREAD]! * P95_PER_SPREAD;
      const step = P95_STEP * ar;
      s[b + P95] = absResidual > p95 ? p95 * (1 + step) : p95 * (1 - step / 19);
    }
    if (slotN < COUNT_CAP) p[q + 2 * slot + 1] = slotN + 1;
    const am = Math.max(1 / (seen + 1), rate(dt, TAU_SPREAD, MIN_SAMPLES_SPREAD));
    s[b + MAGNITUDE] = magnitude + am * (Math.abs(value) - magnitude);
    // The day's mean, of values with their residual clipped (a spike does not move it).
    s[b + DAY_SUM]! += expected + c;
    s[b + DAY_COUNT]! += 1;
    this.finish(b, ts, slot, seen + 1);
    if (warm && (score >= this.limit || s[b + EPISODE] === 1)) {
      s[b + EPISODE] = this.episodes.mark(handle, ts, score, score >= this.limit) ? 1 : 0;
    }
    return score;
  }

  /** Midnight: learn the weekday step of the day that ended, and expect the new day's. */
  private newDay(b: number, q: number, dayNo: number, ts: number): void {
    const s = this.scalars;
    const ended = s[b + DAY_NO]!;
    const full = s[b + DAY_COUNT]! > 0 && s[b + LAST_TS]! - s[b + DAY_FIRST]! >= FULL_DAY;
    const mean = full ? s[b + DAY_SUM]! / s[b + DAY_COUNT]! : NaN;
    // 0 = Monday (day 0, 1970-01-01, was a Thursday).
    const weekday = (d: number) => (((d + 3) % 7) + 7) % 7;
    if (full && !Number.isNaN(s[b + PREV_MEAN]!)) {
      learnChange(this.profiles, q + STEPS, weekday(ended), mean - s[b + PREV_MEAN]!);
    }
    s[b + PREV_MEAN] = dayNo === ended + 1 ? mean : NaN;
    if (dayNo === ended + 1)
      s[b + LEVEL]! += expectedStep(this.profiles, q + STEPS, weekday(dayNo));
    this.startDay(b, dayNo, ts);
  }

  private startDay(b: number, dayNo: number, ts: number): void {
    this.scalars[b + DAY_NO] = dayNo;
    this.scalars[b + DAY_FIRST] = ts;
    this.scalars[b + DAY_SUM] = 0;
    this.scalars[b + DAY_COUNT] = 0;
  }

  /** Whether the series' next sample, at `now`, will be scored. */
  /**
   * The value the baseline expects at `ts` (its day slot plus the level, as `observe` scores
   * against), for saying what "normal" was; NaN before the series' first sample.
   */
  expectedAt(handle: number, ts: number): number {
    const s = this.scalars;
    const b = handle * STRIDE;
    if (!(s[b + SAMPLES]! > 0)) return NaN;
    const local = ts + this.dayOffsetMs;
    const slot = Math.floor((local - Math.floor(local / DAY) * DAY) / SLOT_MS);
    const q = handle * PROFILE;
    const p = this.profiles;
    const day = p[q + 2 * slot + 1] === 0 ? p[q + 2 * s[b + LAST_SLOT]!]! : p[q + 2 * slot]!;
    return day + s[b + LEVEL]!;
  }

  isWarm(handle: number, now: number): boolean {
    return this.warmAt(handle * STRIDE, now);
  }

  /**
   * Warm: the configured history (24 h and 24 samples by default), and a spread learnt from
   * at least MIN_RESIDUALS residuals of seen slots (hourly rollups meet their slots again only
   * on the second day).
   */
  private warmAt(b: number, now: number): boolean {
    const s = this.scalars;
    return (
      s[b + SAMPLES]! >= this.warmupSamples &&
      now - s[b + FIRST_TS]! >= this.warmupMs &&
      s[b + SPREAD_N]! >= MIN_RESIDUALS
    );
  }

  /** The series' open episode, if any. */
  openEpisode(handle: number): Episode | null {
    return this.episodes.open(handle);
  }

  /** Close episodes of series that stopped reporting (call now and then with the clock's now). */
  closeIdle(now: number): void {
    this.episodes.closeIdle(now, this.keys.length);
  }

  private finish(b: number, ts: number, slot: number, n: number): void {
    this.scalars[b + LAST_TS] = ts;
    this.scalars[b + LAST_SLOT] = slot;
    this.scalars[b + SAMPLES] = n;
  }

  private grow(n: number): void {
    this.episodes.ensure(n);
    if (n * STRIDE <= this.scalars.length) return;
    const rows = Math.max(n, (this.scalars.length / STRIDE) * 2, 16);
    const scalars = new Float64Array(rows * STRIDE);
    scalars.set(this.scalars);
    for (let i = this.scalars.length + LAST_TS; i < scalars.length; i += STRIDE) {
      scalars[i] = -Infinity;
    }
    const profiles = new Float32Array(rows * PROFILE);
    profiles.set(this.profiles);
    this.scalars = scalars;
    this.profiles = profiles;
  }
}
