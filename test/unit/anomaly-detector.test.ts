import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from '../../electron/core/anomaly/detector.js';
import type { EpisodeEvent } from '../../electron/core/anomaly/episodes.js';
import { scoreSeries } from '../../electron/core/anomaly/score-series.js';
import { SENSITIVITY_THRESHOLDS, thresholdOf } from '../../electron/core/anomaly/sensitivity.js';
import {
  DAY,
  HOUR,
  MINUTE,
  T0,
  gaussian,
  prng,
  quality,
  synthetic,
  type AnomalyKind,
} from './support/anomaly-series.js';

const SEEDS = 10;
/** Rows after an anomaly's start within which a flag counts as finding it. */
const WINDOW = 10;

function measure(stepMs: number, days: number) {
  const byKind: Record<AnomalyKind, { found: number; total: number; delays: number[] }> = {
    spike: { found: 0, total: 0, delays: [] },
    dip: { found: 0, total: 0, delays: [] },
    shift: { found: 0, total: 0, delays: [] },
  };
  let episodes = 0;
  let falseEpisodes = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const s = synthetic({
      seed,
      days,
      stepMs,
      spikes: 4,
      dips: 4,
      shifts: 1,
      size: 12,
      weekend: -6,
    });
    const r = scoreSeries(s.timestamps, s.values, { sensitivity: 'medium' });
    const row = new Map(s.timestamps.map((t, i) => [t, i]));
    const starts = r.episodes.map((e) => row.get(e.start)!);
    const q = quality(s.injected, r.anomalous, starts, WINDOW);
    episodes += q.episodes;
    falseEpisodes += q.falseEpisodes;
    for (const a of s.injected) {
      const k = byKind[a.kind];
      k.total++;
      const hit = Array.from({ length: WINDOW }, (_, d) => r.anomalous[a.start + d]).indexOf(1);
      if (hit >= 0) {
        k.found++;
        k.delays.push(hit);
      }
    }
  }
  const all = Object.values(byKind);
  const found = all.reduce((n, k) => n + k.found, 0);
  const total = all.reduce((n, k) => n + k.total, 0);
  const delays = all.flatMap((k) => k.delays);
  return {
    recall: found / total,
    precision: 1 - falseEpisodes / episodes,
    meanDelay: delays.reduce((a, b) => a + b, 0) / delays.length,
    maxDelay: Math.max(...delays),
    byKind,
    episodes,
    falseEpisodes,
  };
}

describe('streaming anomaly detector: seeded series with injected anomalies', () => {
  for (const [label, stepMs, days] of [
    ['1-minute samples, 14 days', MINUTE, 14],
    ['hourly rollups, 60 days', HOUR, 60],
  ] as const) {
    it(`finds spikes, dips and level shifts in ${label} (medium sensitivity)`, () => {
      const m = measure(stepMs, days);
      const kinds = Object.entries(m.byKind)
        .map(([k, v]) => `${k} ${v.found}/${v.total}`)
        .join(', ');
      // The figures the issue asks for, in the test output.
      console.log(
        `anomaly quality, ${label}, ${SEEDS} seeds, 12σ anomalies on a daily cycle with a weekend dip: ` +
          `recall ${m.recall.toFixed(3)} (${kinds}), precision ${m.precision.toFixed(3)} ` +
          `(${m.falseEpisodes} false of ${m.episodes} episodes), delay mean ${m.meanDelay.toFixed(2)} / max ${m.maxDelay} samples`,
      );
      expect(m.recall).toBeGreaterThanOrEqual(0.9);
      expect(m.precision).toBeGreaterThanOrEqual(0.8);
      expect(m.maxDelay).toBeLessThanOrEqual(2);
      for (const k of Object.values(m.byKind))
        expect(k.found / k.total).toBeGreaterThanOrEqual(0.8);
    });
  }
});

const SHAPES: Record<string, (t: number, stepMs: number) => number> = {
  flat: () => 42,
  'flat at zero': () => 0,
  'daily sine': (t) => 50 + 20 * Math.sin((2 * Math.PI * t) / DAY),
  'daily step (a nightly job 02:00–03:00)': (t) =>
    t % DAY >= 2 * HOUR && t % DAY < 3 * HOUR ? 90 : 10,
  'bytes-sized daily sine': (t) => 1e12 + 1e9 * Math.sin((2 * Math.PI * t) / DAY),
  'slow linear growth': (t) => 20 + ((t - T0) / DAY) * 0.5,
  // Recurring departures are not rare, however small the spread between them.
  'an integer series at 3 that reads 4 one sample in 17': (t, stepMs) =>
    Math.round((t - T0) / stepMs) % 17 === 0 ? 4 : 3,
  'a 5-minute job at the top of every hour': (t) => (t % HOUR < 5 * MINUTE ? 50 : 20),
};

describe('series that must raise nothing', () => {
  for (const stepMs of [10_000, MINUTE, HOUR]) {
    for (const [name, f] of Object.entries(SHAPES)) {
      it(`${name}, one sample every ${stepMs / 1000} s for 21 days`, () => {
        const rows = Math.round((21 * DAY) / stepMs);
        const ts = Array.from({ length: rows }, (_, i) => T0 + i * stepMs);
        const r = scoreSeries(
          ts,
          ts.map((t) => f(t, stepMs)),
          { sensitivity: 'high' },
        );
        const max = r.scores.reduce((a, b) => Math.max(a, b), 0);
        expect(r.episodes).toEqual([]);
        expect(max).toBeLessThan(SENSITIVITY_THRESHOLDS.high);
      });
    }
  }

  it('a weekly pattern (a quiet weekend) raises nothing once a week of it has been seen', () => {
    const ts = Array.from({ length: 28 * 24 * 12 }, (_, i) => T0 + i * 5 * MINUTE);
    const weekly = (t: number) =>
      50 + 20 * Math.sin((2 * Math.PI * t) / DAY) + (Math.floor((t - T0) / DAY) % 7 >= 5 ? -15 : 0);
    const r = scoreSeries(ts, ts.map(weekly), { sensitivity: 'high' });
    // The first weekend is new to it: at most that one episode, none after the first week.
    expect(r.episodes.length).toBeLessThanOrEqual(1);
    expect(r.episodes.filter((e) => e.start >= T0 + 7 * DAY)).toEqual([]);
  });
});

describe('days in local time', () => {
  it('a weekend at local midnight 5 h off UTC fits once the detector is given the offset', () => {
    const g = gaussian(prng(5));
    const ts = Array.from({ length: 21 * 288 }, (_, i) => T0 + i * 5 * MINUTE);
    const localWeekend = (t: number) => Math.floor((t + 5 * HOUR - T0) / DAY) % 7 >= 5;
    const values = ts.map(
      (t) => 50 + 20 * Math.sin((2 * Math.PI * t) / DAY) + (localWeekend(t) ? -15 : 0) + g(),
    );
    const after = (dayOffsetMs: number) =>
      scoreSeries(ts, values, { dayOffsetMs }).episodes.filter((e) => e.start >= T0 + 7 * DAY);
    expect(after(5 * HOUR)).toEqual([]);
    // In UTC days its weekend steps come 5 h before midnight: every weekend raises.
    expect(after(0).length).toBeGreaterThanOrEqual(2);
  });
});

describe('warm-up, episodes, input', () => {
  const noisy = (i: number) => 50 + Math.sin(i * 12.9898) * 0.5;

  it('scores nothing before 24 h, 24 samples and 8 residuals of history, then flags the same spike', () => {
    const d = new AnomalyDetector();
    const h = d.handleOf(7);
    const scores: number[] = [];
    for (let i = 0; i <= 40; i++) {
      const spike = i === 12 || i === 40;
      scores.push(d.observe(h, T0 + i * HOUR, spike ? 500 : noisy(i)));
      // Hourly: the slots come round again from row 24, and 8 residuals later it is warm.
      expect(d.isWarm(h, T0 + (i + 1) * HOUR)).toBe(i + 1 >= 32);
    }
    expect(scores.slice(0, 32).every((s) => s === 0)).toBe(true);
    expect(scores[40]).toBeGreaterThanOrEqual(d.threshold);
  });

  it('a long anomaly is one episode, opened once and closed once, with its peak', () => {
    const events: EpisodeEvent[] = [];
    const d = new AnomalyDetector({ onEpisode: (e) => events.push(e) });
    const h = d.handleOf(1);
    const start = 2 * DAY;
    for (let t = 0; t < 3 * DAY; t += MINUTE) {
      const inside = t >= start && t < start + 2 * HOUR;
      d.observe(h, T0 + t, noisy(t / MINUTE) + (inside ? 40 : 0));
      if (t === start + 30 * MINUTE) expect(d.openEpisode(h)?.start).toBe(T0 + start);
    }
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
    const closed = events[1]!;
    expect(closed.start).toBe(T0 + start);
    expect(closed.end).toBeGreaterThan(closed.start);
    expect(closed.end).toBeLessThan(T0 + start + 2 * HOUR);
    expect(closed.peakTs).toBeGreaterThanOrEqual(closed.start);
    expect(closed.peakTs).toBeLessThanOrEqual(closed.end);
    expect(closed.peak).toBeGreaterThanOrEqual(d.threshold);
    expect(closed.samples).toBeGreaterThan(1);
    expect(d.openEpisode(h)).toBeNull();
  });

  it('a spike that opens a slot not seen yet does not become its norm: the values after it are normal', () => {
    // Four hours of history end on a slot boundary: the spike is that slot's first visit.
    const events: EpisodeEvent[] = [];
    const d = new AnomalyDetector({ onEpisode: (e) => events.push(e), warmupMs: HOUR });
    const h = d.handleOf(1);
    const end = T0 + 4 * HOUR;
    for (let t = T0; t < end; t += MINUTE) d.observe(h, t, noisy((t - T0) / MINUTE));
    for (let j = 0; j < 3; j++) d.observe(h, end + j * MINUTE, 95);
    expect(events.map((e) => e.phase)).toEqual(['open']);
    for (let j = 3; j < 9; j++) d.observe(h, end + j * MINUTE, noisy(240 + j));
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
    expect(events[1]!.end).toBe(end + 2 * MINUTE);
  });

  it('closeIdle ends the episode of a series that stopped reporting', () => {
    const events: EpisodeEvent[] = [];
    const d = new AnomalyDetector({ onEpisode: (e) => events.push(e), quietMs: 5 * MINUTE });
    const h = d.handleOf(1);
    for (let t = 0; t <= DAY + HOUR; t += MINUTE) d.observe(h, T0 + t, noisy(t / MINUTE));
    d.observe(h, T0 + DAY + HOUR + MINUTE, 999);
    expect(events.map((e) => e.phase)).toEqual(['open']);
    d.closeIdle(T0 + DAY + HOUR + 3 * MINUTE);
    expect(events).toHaveLength(1);
    d.closeIdle(T0 + DAY + HOUR + 6 * MINUTE);
    expect(events.map((e) => e.phase)).toEqual(['open', 'close']);
  });

  it('skips samples it cannot use and keeps series apart', () => {
    const d = new AnomalyDetector({ warmupMs: 0, warmupSamples: 0 });
    const a = d.handleOf(100);
    const b = d.handleOf(200);
    expect(d.handleOf(100)).toBe(a);
    expect(d.seriesIdOf(b)).toBe(200);
    expect(d.observe(a, T0, 1)).toBe(0);
    expect(d.observe(a, T0, 2)).toBeNaN();
    expect(d.observe(a, T0 - 1, 2)).toBeNaN();
    expect(d.observe(a, T0 + 1, NaN)).toBeNaN();
    expect(d.observe(a, T0 + 2, Infinity)).toBeNaN();
    expect(d.observe(b, T0, 5)).toBe(0);
    expect(d.seriesCount).toBe(2);
  });

  it('sensitivity sets the threshold: high flags at least what low does', () => {
    expect(thresholdOf('high')).toBeLessThan(thresholdOf('medium'));
    expect(thresholdOf('medium')).toBeLessThan(thresholdOf('low'));
    expect(thresholdOf(0.9)).toBe(0.9);
    expect(() => thresholdOf(1)).toThrow(/sensitivity/);
    expect(() => thresholdOf('extreme' as 'low')).toThrow(/sensitivity/);
    const s = synthetic({ seed: 3, days: 10, stepMs: 5 * MINUTE, spikes: 6, size: 9 });
    const count = (sensitivity: 'low' | 'high') =>
      scoreSeries(s.timestamps, s.values, { sensitivity }).anomalous.reduce((a, b) => a + b, 0);
    expect(count('high')).toBeGreaterThan(count('low'));
  });
});
