// Forecast bench: 10,000 per-agent series of 30 d of 1 h rollups on one worker thread (fast
// effort: closed-form candidates), then 20 aggregates at full effort (MSTL+ETS backtested
// too). Wall time includes generating nothing: series are built before each timed batch.
// CPU time is the process's (both threads: the worker's fits, the caller's copying and
// receiving) over the timed batches only; on a shared machine wall time also counts the time
// other processes held the cores, CPU time does not.
import { cpuUsage, resourceUsage } from 'node:process';
import { ForecastRunner } from '../electron/core/forecast/forecast-runner.js';
import type { ForecastResult } from '../electron/core/forecast/types.js';
import { syntheticSeries } from './forecast-series.js';
import { count, ms, type BenchOptions, type Figure, type Section } from './harness.js';

const POINTS = 720;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const SLICE = 1_000;

export async function forecastBench({ quick }: BenchOptions): Promise<Section> {
  const total = quick ? 200 : 10_000;
  const runner = new ForecastRunner();
  const models = new Map<string, number>();
  let coverage = 0;
  let ok = 0;
  const tally = (results: ForecastResult[]) => {
    for (const r of results) {
      if (r.status !== 'ok') continue;
      ok++;
      coverage += r.backtest.coverage95;
      models.set(r.model, (models.get(r.model) ?? 0) + 1);
    }
  };
  try {
    // Warm-up: worker start and WASM load are paid once per console, not per run.
    await runner.forecastBatch([{ series: syntheticSeries(1, { points: POINTS }) }]);
    let busy = 0;
    let busyCpu = 0;
    for (let from = 0; from < total; from += SLICE) {
      const jobs = Array.from({ length: Math.min(SLICE, total - from) }, (_, i) => ({
        series: syntheticSeries(10_000 + from + i, { points: POINTS }),
        options: { effort: 'fast' as const },
      }));
      const t0 = performance.now();
      const c0 = cpuUsage();
      tally(await runner.forecastBatch(jobs));
      busyCpu += cpuMs(cpuUsage(c0));
      busy += performance.now() - t0;
    }
    const aggregates = Array.from({ length: 20 }, (_, i) => ({
      series: syntheticSeries(90_000 + i, { points: POINTS }),
      options: { effort: 'full' as const },
    }));
    const a0 = performance.now();
    const ac0 = cpuUsage();
    const aggResults = await runner.forecastBatch(aggregates);
    const aggCpu = cpuMs(cpuUsage(ac0));
    const aggMs = performance.now() - a0;
    const aggModels = aggResults.map((r) => (r.status === 'ok' ? r.model : r.status));
    const peakMb = resourceUsage().maxRSS / 1024;
    const scaled = quick ? ' (quick)' : '';
    const figures: Figure[] = [
      {
        name: `forecast ${count(total)} series × 30 d of 1 h rollups, one worker${scaled}`,
        value: `${(busy / 1000).toFixed(1)} s (${ms(busy / total)} per series)`,
        ...(quick ? {} : { target: '≤ 60 s', met: busy <= 60_000 }),
      },
      {
        name: 'CPU time per series (both threads, timed batches only)',
        value: `${ms(busyCpu / total)} (${(busyCpu / 1000).toFixed(1)} s in all)`,
        ...(quick ? {} : { target: '≤ 6 ms', met: busyCpu / total <= 6 }),
      },
      {
        name: 'peak memory (process RSS, worker included)',
        value: `${peakMb.toFixed(0)} MB`,
      },
      {
        name: '20 aggregates at full effort (MSTL+ETS backtested)',
        value: ms(aggMs),
        target: '≤ 2 s',
        met: aggMs <= 2_000,
      },
      {
        name: '20 aggregates at full effort: CPU time',
        value: ms(aggCpu),
      },
      {
        name: 'mean backtest 95 % coverage (per-agent series)',
        value: `${((coverage / Math.max(1, ok)) * 100).toFixed(1)} %`,
      },
    ];
    return {
      title: 'Forecasts',
      command: 'npm run bench -- forecast',
      figures,
      notes: [
        `Per-agent models chosen: ${[...models].map(([m, n]) => `${m} ${count(n)}`).join(', ')}; aggregates: ${[...new Set(aggModels)].join(', ')}.`,
        'Series are seeded synthetic disk-usage-like series (trend + daily cycle + noise), built before each timed batch.',
      ],
    };
  } finally {
    await runner.close();
  }
}
