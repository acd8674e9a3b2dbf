import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticSeries } from '../../bench/forecast-series.js';
import type * as Runner from '../../electron/core/forecast/forecast-runner.js';

// The worker runs the compiled forecast-worker.js (a worker thread cannot load TypeScript).
const DIST = join(import.meta.dirname, '../../dist/electron/core/forecast/forecast-runner.js');

async function runnerModule(): Promise<typeof Runner> {
  if (!existsSync(DIST))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  return (await import(DIST)) as typeof Runner;
}

describe('ForecastRunner (worker thread)', () => {
  it('forecasts a batch off the calling thread, in order, across chunks', async () => {
    const { ForecastRunner } = await runnerModule();
    const runner = new ForecastRunner({ chunkSize: 7 });
    try {
      const series = Array.from({ length: 30 }, (_, i) =>
        syntheticSeries(300 + i, { points: 720 }),
      );
      const jobs = series.map((s, i) => ({
        series: s,
        options: i === 3 ? { effort: 'full' as const } : { effort: 'fast' as const },
      }));
      jobs.push({ series: syntheticSeries(1, { points: 5 }), options: { effort: 'fast' } });
      // The calling thread keeps running while the worker fits: ticks happen before the batch ends.
      let ticks = 0;
      let ticking = true;
      const tick = () => {
        ticks++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const chunks: number[] = [];
      const results = await runner.forecastBatch(jobs, (_r, offset) => chunks.push(offset));
      ticking = false;
      expect(ticks).toBeGreaterThan(0);
      expect(chunks).toEqual([0, 7, 14, 21, 28]);
      expect(results).toHaveLength(31);
      expect(results[30]).toMatchObject({ status: 'insufficient_data', needed: 24 });
      for (const [i, r] of results.slice(0, 30).entries()) {
        expect(r.status).toBe('ok');
        if (r.status === 'ok')
          expect(r.timestamps[0]).toBe(series[i]!.timestamps[719]! + 3_600_000);
      }
      // The caller's arrays are still whole (the runner transfers copies).
      expect(series[0]!.timestamps).toHaveLength(720);
    } finally {
      await runner.close();
    }
  });

  it('returns a failed result for bad options instead of losing the batch', async () => {
    const { ForecastRunner } = await runnerModule();
    const runner = new ForecastRunner();
    try {
      const s = syntheticSeries(9, { points: 48 });
      const [bad, good] = await runner.forecastBatch([
        { series: s, options: { horizonMs: 1 } },
        { series: s, options: { effort: 'fast' } },
      ]);
      expect(bad).toMatchObject({ status: 'failed', reason: expect.stringMatching(/horizon/) });
      expect(good!.status).toBe('ok');
    } finally {
      await runner.close();
    }
  });
});
