// Figures for the percentile sketches kept in the rollups of latency-like metrics (issue 9):
// bytes on disk per 1-minute and 1-hour bucket with its sketch and without (twin series with
// the same values, one named so it keeps sketches, one not), the accuracy of a day's p99, and
// the time to take percentiles over 24 h and 7 d. The store runs as in the console (compiled:
// compaction in its worker); a manual clock drives a day and two hours through it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../shared/clock.js';
import { keepsSketch } from '../shared/analysis.js';
import type { Sample } from '../shared/protocol.js';
import { windowPercentiles } from '../electron/core/analysis/percentiles.js';
import { silentLogger } from '../electron/core/logger.js';
import { MetricStore, type MetricStoreOptions } from '../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION, HOUR_MS, MINUTE_MS } from '../electron/core/store/tsdb.js';
import { ms, percentile, type BenchOptions, type Section } from './harness.js';

const DAY_MS = 24 * HOUR_MS;

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 1_000,
  retention: DEFAULT_RETENTION,
  walFlushMs: 50,
  checkpointEveryMs: 5 * MINUTE_MS,
  checkpointWalBytes: 256 * 2 ** 20,
  outOfOrderWindowMs: HOUR_MS,
  diskBudgetBytes: 100 * 2 ** 30,
  headIdleMs: HOUR_MS,
};

/** A seeded standard normal (sum of 12 uniforms). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  return () => {
    let t = -6;
    for (let i = 0; i < 12; i++) t += u();
    return t;
  };
}

export async function sketchCost({ quick }: BenchOptions): Promise<Section> {
  const SERIES = quick ? 5 : 50;
  const dir = await mkdtemp(join(tmpdir(), 'meridian-bench-sketch-'));
  // From a UTC midnight three days ago: one whole day (merged into 1-hour buckets), then two hours.
  const start = Math.floor((Date.now() - 3 * DAY_MS) / DAY_MS) * DAY_MS;
  const clock = new ManualClock(start);
  const store = new MetricStore(dir, { clock, logger: silentLogger }, OPTS);
  await store.open();
  const noise = gaussian(11);
  // As the simulator's response_time: a daily swing, noise, reported at 0.1 ms.
  const batch: Sample[] = [];
  const exact: number[] = [];
  for (let t = start; t < start + DAY_MS + 2 * HOUR_MS; t += 1000) {
    const daily = Math.sin(((t - start) / DAY_MS) * 2 * Math.PI);
    batch.length = 0;
    for (let k = 0; k < SERIES; k++) {
      const value = Math.round(Math.max(5, 120 + 60 * daily + 25 * noise()) * 10) / 10;
      batch.push({ name: `lat_${k}_ms`, ts: t, value }, { name: `lat_${k}_plain`, ts: t, value });
      if (k === 0 && t < start + DAY_MS) exact.push(value);
    }
    const { durable } = store.append('agt-0', batch);
    clock.advance(1000);
    if ((t / 1000) % 10 === 9) await durable;
  }
  clock.advance(2 * HOUR_MS);
  await store.flush();
  await store.maintain();

  // Payload bytes of rollup chunks, by tier and by whether the series keeps sketches.
  const names = new Map([...store.head.all()].map((s) => [s.id, s.name]));
  const tally = { '1m': [0, 0, 0, 0], '1h': [0, 0, 0, 0] };
  for (const block of store.blocks.all()) {
    const tier = block.meta.tier;
    if (tier !== '1m' && tier !== '1h') continue;
    for (const ref of block.allChunks()) {
      const at = keepsSketch(names.get(ref.seriesId) ?? '') ? 0 : 2;
      tally[tier][at]! += ref.length;
      tally[tier][at + 1]! += ref.rows;
    }
  }
  const perBucket = (tier: '1m' | '1h') => {
    const [sb, sr, pb, pr] = tally[tier] as [number, number, number, number];
    if (!sr || !pr) return '—';
    return `${(sb / sr).toFixed(1)} / ${(pb / pr).toFixed(1)} bytes (sketch +${(sb / sr - pb / pr).toFixed(1)})`;
  };

  const now = clock.now();
  const sketched = [...store.head.all()].filter((s) => keepsSketch(s.name));
  const first = sketched.find((s) => s.name === 'lat_0_ms')!;
  // Accuracy: the first day of one series, from its 1-hour sketches, against its samples.
  exact.sort((a, b) => a - b);
  const truth = exact[Math.floor(0.99 * (exact.length - 1))]!;
  const dayP99 = windowPercentiles(store, [first], start, start + DAY_MS)!.p99;
  const time = (fn: () => unknown, runs: number) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      fn();
      times.push(performance.now() - t0);
    }
    return percentile(times, 50);
  };
  const one24h = time(() => windowPercentiles(store, [first], now - DAY_MS, now + 1), 20);
  const all7d = time(() => windowPercentiles(store, sketched, now - 7 * DAY_MS, now + 1), 5);
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return {
    title: 'Percentile sketches in the rollups',
    command: 'npm run bench -- sketches',
    figures: [
      {
        name: 'data',
        value: `${SERIES} latency series at 1 sample/s for 26 h, each with a twin of the same values that keeps no sketch`,
      },
      { name: '1-minute bucket on disk: with its sketch / without', value: perBucket('1m') },
      { name: '1-hour bucket on disk: with its sketch / without', value: perBucket('1h') },
      {
        name: "a day's p99 from 24 hourly sketches vs the samples' own",
        value: `${dayP99.toFixed(1)} vs ${truth.toFixed(1)} ms (${((Math.abs(dayP99 - truth) / truth) * 100).toFixed(2)} %)`,
        target: '≤ 1 %',
        met: Math.abs(dayP99 - truth) <= truth * 0.01,
      },
      { name: 'percentiles of one series over 24 h (p50 of 20)', value: ms(one24h) },
      {
        name: `percentiles of ${SERIES} series together over 7 d (p50 of 5)`,
        value: ms(all7d),
      },
    ],
  };
}
