// Worker-thread entry: forecasts batches of series off the thread that posts them (the
// core's ingest and API thread). augurs' WASM is loaded here, once, for this thread.
import { parentPort } from 'node:worker_threads';
import { loadAugurs } from './augurs.js';
import { forecastSeries } from './forecast.js';
import type { BatchRequest, BatchResponse } from './forecast-runner.js';
import type { ForecastResult } from './types.js';

loadAugurs();

parentPort?.on('message', (req: BatchRequest) => {
  const results = req.jobs.map((job): ForecastResult => {
    try {
      return forecastSeries(job.series, job.options);
    } catch (err) {
      return { status: 'failed', reason: (err as Error).message };
    }
  });
  parentPort?.postMessage({ id: req.id, results } satisfies BatchResponse);
});
