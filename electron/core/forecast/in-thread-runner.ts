// The runner's shape, run on the calling thread: for the CLI (one series, nothing else to
// keep responsive) and for tests that want results without a worker. The console uses the
// worker-thread runner; a scheduled run here would stall ingest for its whole length.
import { forecastSeries } from './forecast.js';
import type { ForecastBatchRunner, ForecastJob } from './forecasting-service.js';
import type { ForecastResult } from './types.js';

export const inThreadRunner: ForecastBatchRunner = {
  forecastBatch(
    jobs: readonly ForecastJob[],
    onChunk?: (r: ForecastResult[], offset: number) => void,
  ) {
    const results = jobs.map((j) => forecastSeries(j.series, j.options));
    onChunk?.(results, 0);
    return Promise.resolve(results);
  },
};
